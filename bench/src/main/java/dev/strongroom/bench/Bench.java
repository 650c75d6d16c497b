package dev.strongroom.bench;

import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark run: each phase once unmeasured ({@link BenchSettings#warmup}: the first records
 * through a service pay for its JIT, connections and caches, and a service runs warm in
 * production), then the three phases in ABBA order (ceiling, direct, pipeline, pipeline, direct,
 * ceiling) so that a drift of the machine during the run (page cache, JIT, a neighbour) weighs on
 * every phase alike, then the pipeline once more at half the rate it reached, for its latency at
 * half of the maximum load. Records that fail in the warm-up count as failures of the run.
 */
public final class Bench {
  /** The slots in the order they run. */
  public static final List<String> ORDER =
      List.of("ceiling", "direct", "pipeline", "pipeline", "direct", "ceiling");

  private Bench() {}

  /** Runs every slot and returns the report (the phases are not closed here). */
  public static BenchReport run(
      BenchSettings settings,
      Phase ceiling,
      Phase direct,
      Phase pipeline,
      Map<String, String> durability,
      PrintStream progress)
      throws InterruptedException {
    Map<String, Phase> phases = Map.of("ceiling", ceiling, "direct", direct, "pipeline", pipeline);
    Instant startedAt = Instant.now();
    long origin = System.nanoTime();
    Runner runner = new Runner(origin);
    Map<String, PhaseResult> sums = new LinkedHashMap<>();
    List<PhaseResult> slots = new java.util.ArrayList<>();
    long seq = 0;
    List<PhaseResult> warmups = new java.util.ArrayList<>();
    if (!settings.warmup().isZero()) {
      for (String name : List.of("ceiling", "direct", "pipeline")) {
        Phase p = phases.get(name);
        int window = name.equals("pipeline") ? settings.pipelineWindow() : settings.concurrency();
        progress.printf(
            "  %-9s warm-up, not measured, for %d s …%n", name, settings.warmup().toSeconds());
        PhaseResult r = runner.run(p, settings.warmup(), window, 0, seq);
        seq += r.records() + r.failures() + settings.pipelineWindow() + 1_000_000L;
        if (r.failures() > 0) {
          progress.printf("            %d FAILED: %s%n", r.failures(), r.firstFailure().orElse(""));
        }
        warmups.add(r);
      }
    }
    for (String name : ORDER) {
      Phase p = phases.get(name);
      int window = name.equals("pipeline") ? settings.pipelineWindow() : settings.concurrency();
      progress.printf("  %-9s %s for %d s …%n", name, p.description(), settings.slot().toSeconds());
      PhaseResult r = runner.run(p, settings.slot(), window, 0, seq);
      seq += r.records() + r.failures() + settings.pipelineWindow() + 1_000_000L;
      progress.printf(
          "            %,.0f records/s, p50 %.1f ms, p99 %.1f ms%s%n",
          r.throughput(),
          r.p50Ms(),
          r.p99Ms(),
          r.failures() == 0 ? "" : ", " + r.failures() + " FAILED: " + r.firstFailure().orElse(""));
      slots.add(r);
      sums.merge(name, r, PhaseResult::plus);
    }
    double half = sums.get("pipeline").throughput() / 2;
    PhaseResult halfLoad;
    if (half >= 1) {
      progress.printf(
          "  %-9s at half its rate (%,.0f records/s) for %d s …%n",
          "pipeline", half, settings.slot().toSeconds());
      halfLoad = runner.run(pipeline, settings.slot(), settings.pipelineWindow(), half, seq);
      progress.printf(
          "            %,.0f records/s, p50 %.1f ms, p99 %.1f ms%n",
          halfLoad.throughput(), halfLoad.p50Ms(), halfLoad.p99Ms());
    } else {
      halfLoad = null;
    }
    return new BenchReport(settings, startedAt, durability, sums, slots, halfLoad, warmups);
  }
}
