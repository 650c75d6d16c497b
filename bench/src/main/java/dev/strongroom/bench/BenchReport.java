package dev.strongroom.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A run's figures: per phase throughput and latency, the two ratios the issue asks for ({@code
 * ratios.pipelineToCeiling}, {@code ratios.pipelineToDirect}), the goals and whether they were met,
 * and everything a reader needs to repeat it (settings, durability, machine).
 */
public final class BenchReport {
  /** Goal: the pipeline keeps at least this share of the database's own ceiling. */
  public static final double GOAL_PIPELINE_TO_CEILING = 0.8;

  /** Goal: the pipeline is at least this many times faster than the seed's direct path. */
  public static final double GOAL_PIPELINE_TO_DIRECT = 5.0;

  /** Goal: p99 end-to-end latency of the pipeline at half of its maximum load. */
  public static final double GOAL_P99_HALF_LOAD_MS = 250;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final BenchSettings settings;
  private final Instant startedAt;
  private final Map<String, String> durability;
  private final Map<String, PhaseResult> phases;
  private final List<PhaseResult> slots;
  private final PhaseResult halfLoad;
  private final List<PhaseResult> warmups;

  BenchReport(
      BenchSettings settings,
      Instant startedAt,
      Map<String, String> durability,
      Map<String, PhaseResult> phases,
      List<PhaseResult> slots,
      PhaseResult halfLoad,
      List<PhaseResult> warmups) {
    this.settings = settings;
    this.startedAt = startedAt;
    this.durability = Map.copyOf(durability);
    this.phases = Map.copyOf(phases);
    this.slots = List.copyOf(slots);
    this.halfLoad = halfLoad;
    this.warmups = List.copyOf(warmups);
  }

  public PhaseResult phase(String name) {
    return phases.get(name);
  }

  public List<PhaseResult> slots() {
    return slots;
  }

  public java.util.Optional<PhaseResult> halfLoad() {
    return java.util.Optional.ofNullable(halfLoad);
  }

  public double pipelineToCeiling() {
    return ratio(phase("pipeline"), phase("ceiling"));
  }

  public double pipelineToDirect() {
    return ratio(phase("pipeline"), phase("direct"));
  }

  private static double ratio(PhaseResult a, PhaseResult b) {
    return b.throughput() == 0 ? 0 : a.throughput() / b.throughput();
  }

  /** Records that failed in any slot or warm-up (a benchmark that lost records proves nothing). */
  public long failures() {
    long f = slots.stream().mapToLong(PhaseResult::failures).sum();
    f += warmups.stream().mapToLong(PhaseResult::failures).sum();
    return f + (halfLoad == null ? 0 : halfLoad.failures());
  }

  public ObjectNode toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", 1);
    root.put("startedAt", startedAt.toString());
    ObjectNode s = root.putObject("settings");
    s.put("durationSeconds", settings.duration().toMillis() / 1000.0);
    s.put("slotSeconds", settings.slot().toMillis() / 1000.0);
    s.put("concurrency", settings.concurrency());
    s.put("pipelineWindow", settings.pipelineWindow());
    s.put("tenants", settings.tenants());
    s.put("kmsLatencyMs", settings.kmsLatency().toNanos() / 1e6);
    s.put("warmupSecondsPerPhase", settings.warmup().toMillis() / 1000.0);
    ObjectNode sizes = s.putObject("recordPlaintextBytes");
    Records.FIELD_BYTES.forEach(sizes::put);
    ArrayNode order = s.putArray("order");
    Bench.ORDER.forEach(order::add);
    order.add("pipeline@half");
    ObjectNode d = root.putObject("durability");
    new java.util.TreeMap<>(durability).forEach(d::put);
    root.set("machine", machine());
    ObjectNode ph = root.putObject("phases");
    for (String name : List.of("ceiling", "direct", "pipeline")) {
      ph.set(name, phaseJson(phases.get(name)));
    }
    if (halfLoad != null) {
      ph.set("pipelineHalfLoad", phaseJson(halfLoad));
    }
    ObjectNode r = root.putObject("ratios");
    r.put("pipelineToCeiling", round(pipelineToCeiling()));
    r.put("pipelineToDirect", round(pipelineToDirect()));
    ObjectNode g = root.putObject("goals");
    goal(g, "pipelineToCeiling", GOAL_PIPELINE_TO_CEILING, pipelineToCeiling(), true);
    goal(g, "pipelineToDirect", GOAL_PIPELINE_TO_DIRECT, pipelineToDirect(), true);
    if (halfLoad != null) {
      goal(g, "p99AtHalfLoadMs", GOAL_P99_HALF_LOAD_MS, halfLoad.p99Ms(), false);
    }
    root.put("failures", failures());
    ArrayNode sl = root.putArray("slots");
    for (PhaseResult x : slots) {
      sl.add(phaseJson(x));
    }
    return root;
  }

  private static void goal(ObjectNode g, String name, double goal, double value, boolean atLeast) {
    ObjectNode o = g.putObject(name);
    o.put("goal", goal);
    o.put("value", round(value));
    o.put("met", atLeast ? value >= goal : value < goal);
  }

  private static ObjectNode phaseJson(PhaseResult p) {
    ObjectNode o = JSON.createObjectNode();
    o.put("records", p.records());
    o.put("stored", p.stored());
    o.put("seconds", round(p.seconds()));
    o.put("recordsPerSecond", round(p.throughput()));
    o.put("p50Ms", round(p.p50Ms()));
    o.put("p99Ms", round(p.p99Ms()));
    o.put("maxMs", round(p.maxMs()));
    o.put("failures", p.failures());
    p.firstFailure().ifPresent(f -> o.put("firstFailure", f));
    if (p.targetRate() > 0) {
      o.put("targetRecordsPerSecond", round(p.targetRate()));
    }
    ArrayNode t = o.putArray("timeline");
    for (PhaseResult.Second sec : p.timeline()) {
      t.addObject()
          .put("at", round(sec.at()))
          .put("records", sec.records())
          .put("p50Ms", round(sec.p50Ms()))
          .put("p99Ms", round(sec.p99Ms()));
    }
    return o;
  }

  static ObjectNode machine() {
    ObjectNode m = JSON.createObjectNode();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    var os = ManagementFactory.getOperatingSystemMXBean();
    m.put("os", os.getName() + " " + os.getVersion() + " " + os.getArch());
    m.put("loadAverage", round(os.getSystemLoadAverage()));
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      m.put("memoryBytes", sun.getTotalMemorySize());
    }
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    return m;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /** The human summary: one line per phase, the ratios against their goals, the settings. */
  public String toText() {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%-22s %12s %10s %10s %9s%n",
            "phase",
            "records/s",
            "p50 ms",
            "p99 ms",
            "records"));
    for (String name : List.of("ceiling", "direct", "pipeline")) {
      line(b, label(name), phases.get(name));
    }
    if (halfLoad != null) {
      line(b, "pipeline @ half load", halfLoad);
    }
    b.append(
        String.format(
            Locale.ROOT,
            "pipeline / ceiling = %.2f (goal >= %.1f: %s)%n",
            pipelineToCeiling(),
            GOAL_PIPELINE_TO_CEILING,
            pipelineToCeiling() >= GOAL_PIPELINE_TO_CEILING ? "met" : "NOT met"));
    b.append(
        String.format(
            Locale.ROOT,
            "pipeline / direct  = %.2f (goal >= %.1f: %s)%n",
            pipelineToDirect(),
            GOAL_PIPELINE_TO_DIRECT,
            pipelineToDirect() >= GOAL_PIPELINE_TO_DIRECT ? "met" : "NOT met"));
    if (halfLoad != null) {
      b.append(
          String.format(
              Locale.ROOT,
              "pipeline p99 at half load = %.1f ms (goal < %.0f ms: %s)%n",
              halfLoad.p99Ms(),
              GOAL_P99_HALF_LOAD_MS,
              halfLoad.p99Ms() < GOAL_P99_HALF_LOAD_MS ? "met" : "NOT met"));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "KMS latency %d ms; concurrency %d connections; pipeline window %d; %d tenants;"
                + " %d plaintext bytes/record in 4 fields; %s; %d cores%n",
            settings.kmsLatency().toMillis(),
            settings.concurrency(),
            settings.pipelineWindow(),
            settings.tenants(),
            Records.plaintextBytes(),
            durabilityText(),
            Runtime.getRuntime().availableProcessors()));
    if (failures() > 0) {
      b.append("FAILED records: ").append(failures()).append('\n');
    }
    return b.toString();
  }

  private String durabilityText() {
    StringBuilder b = new StringBuilder();
    new java.util.TreeMap<>(durability)
        .forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append('=').append(v));
    return b.toString();
  }

  private static String label(String name) {
    return switch (name) {
      case "ceiling" -> "(a) database ceiling";
      case "direct" -> "(b) direct path";
      default -> "(c) pipeline";
    };
  }

  private static void line(StringBuilder b, String label, PhaseResult p) {
    b.append(
        String.format(
            Locale.ROOT,
            "%-22s %12.0f %10.1f %10.1f %9d%s%n",
            label,
            p.throughput(),
            p.p50Ms(),
            p.p99Ms(),
            p.records(),
            p.failures() == 0 ? "" : "  (" + p.failures() + " failed)"));
  }
}
