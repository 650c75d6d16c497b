package dev.strongroom.proof.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.f4b6a3.uuid.UuidCreator;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.proof.check.Check;
import dev.strongroom.proof.check.Control;
import dev.strongroom.proof.check.Evidence;
import dev.strongroom.proof.check.Method;
import dev.strongroom.proof.check.Outcome;
import dev.strongroom.proof.db.PlaintextScan;
import dev.strongroom.proof.run.ProofContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The pipeline controls. Each needs a running pipeline ({@link ProofContext#pipeline()}); without
 * one (a database-only target, a restore drill) it is NOT_APPLICABLE. Each run leaves traces like
 * the database probes do: three probe records (tenants {@code sr-proof-forge-…}, {@code
 * sr-proof-replay-…}, {@code sr-proof-kafka-…}) stored through the pipeline, and the two refused
 * store requests on {@code strongroom.store.requests.dlq} with their security alerts.
 */
public final class PipelineControls {
  /** How long a refusal or a result may take to appear. */
  static final Duration WAIT = Duration.ofSeconds(60);

  private static final SecureRandom RANDOM = new SecureRandom();

  private PipelineControls() {}

  @FunctionalInterface
  interface Body {
    Outcome run(PipelineProbe probe, Evidence evidence) throws Exception;
  }

  record PipelineCheck(Control control, Body body) implements Check {
    @Override
    public Outcome run(ProofContext context, Evidence evidence) throws Exception {
      Optional<PipelineProbe> probe = context.pipeline();
      if (probe.isEmpty()) {
        return Outcome.notApplicable(
            "the target has no running pipeline (Kafka and the services): a database-only target");
      }
      evidence.note("pipeline", "target", probe.get().describe());
      return body.run(probe.get(), evidence);
    }
  }

  public static List<Check> all() {
    return List.of(
        new PipelineCheck(
            new Control(
                "SR-PIPE-01",
                "The data-service refuses a store request whose signature does not verify, even"
                    + " from a Kafka identity allowed to write it",
                List.of("seed", "DESIGN §3 (signed events)"),
                Method.ATTACK,
                ""),
            PipelineControls::forged),
        new PipelineCheck(
            new Control(
                "SR-PIPE-02",
                "The data-service refuses a replayed store request (a validly signed event"
                    + " published again)",
                List.of("seed", "DESIGN §3 (replay guard)"),
                Method.ATTACK,
                ""),
            PipelineControls::replayed),
        new PipelineCheck(
            new Control(
                "SR-PIPE-03",
                "No plaintext on Kafka: a record's field value is in no topic and in no file of"
                    + " the broker",
                List.of("seed", "DESIGN §1 (client-side field encryption)"),
                Method.ATTACK,
                ""),
            PipelineControls::noPlaintext));
  }

  /** A validly signed store request of a probe record, with its id changed after signing. */
  private static Outcome forged(PipelineProbe probe, Evidence e) throws Exception {
    String tenant = "sr-proof-forge-" + hex(6);
    PipelineProbe.TopicRecord real = storeAndTakeRequest(probe, e, tenant);
    ObjectNode tree = (ObjectNode) CanonicalJson.parse(real.value());
    String originalId = tree.path("id").asText();
    String forgedId = UuidCreator.getTimeOrderedEpoch().toString();
    tree.put("id", forgedId);
    PipelineProbe.TopicRecord sent =
        publish(
            probe,
            e,
            real.key(),
            CanonicalJson.canonicalize(tree),
            "forged (id " + originalId + " changed to " + forgedId + " after signing)");
    return refusedAs(probe, e, sent, "SIGNATURE_INVALID");
  }

  /** The same validly signed store request, byte for byte, published a second time. */
  private static Outcome replayed(PipelineProbe probe, Evidence e) throws Exception {
    String tenant = "sr-proof-replay-" + hex(6);
    PipelineProbe.TopicRecord real = storeAndTakeRequest(probe, e, tenant);
    PipelineProbe.TopicRecord sent =
        publish(probe, e, real.key(), real.value(), "replayed (the same bytes again)");
    return refusedAs(probe, e, sent, "REPLAY");
  }

  private static Outcome noPlaintext(PipelineProbe probe, Evidence e) throws Exception {
    String marker = "SRPROOFKAFKA" + hex(12).toUpperCase(Locale.ROOT);
    String tenant = "sr-proof-kafka-" + hex(6);
    Map<String, String> fields = probeFields(marker);
    Instant t0 = e.now();
    String status = probe.store(tenant, fields);
    e.add("application", "store a record for " + tenant + " with name = " + marker, t0, 0, status);
    if (!status.startsWith("STORED")) {
      throw new IllegalStateException("the probe record was not stored: " + status);
    }
    byte[] raw = marker.getBytes(StandardCharsets.US_ASCII);
    List<byte[]> needles = needles(raw);
    t0 = e.now();
    PipelineProbe.TopicScan topics =
        probe.scanTopics(needles, tenant.getBytes(StandardCharsets.UTF_8));
    e.add(
        "operator",
        "read every record of "
            + topics.topics()
            + " from the beginning; search keys, values and headers for the marker (raw, hex, HEX,"
            + " base64 and base64url at each of the three alignments)",
        t0,
        0,
        topics.records()
            + " records, the probe's own per topic "
            + topics.probeRecords()
            + "; hits: "
            + topics.hits());
    // The scan must have read what the probe record travelled through, or it proved nothing.
    for (String carrier : CARRIERS) {
      if (topics.probeRecords().getOrDefault(carrier, 0L) < 1) {
        throw new IllegalStateException(
            "the scan did not read the probe record's own request on "
                + carrier
                + " (read "
                + topics.probeRecords()
                + "): it cannot show the marker is absent");
      }
    }
    List<String> fileHits = new ArrayList<>();
    long[] scanned = new long[2];
    Optional<Path> logDir = probe.brokerLogDir();
    if (logDir.isPresent()) {
      try (Stream<Path> files = Files.walk(logDir.get())) {
        for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
          scanned[0]++;
          scanned[1] += Files.size(f);
          PlaintextScan.indexIn(f, needles)
              .ifPresent(i -> fileHits.add(logDir.get().relativize(f) + " (" + KINDS[i] + ")"));
        }
      } catch (IOException ex) {
        throw new IOException("cannot scan the broker's log directory " + logDir.get(), ex);
      }
      e.note(
          "installer",
          "scan " + logDir.get() + " for the marker",
          scanned[0] + " files, " + scanned[1] + " bytes; hits: " + fileHits);
    } else {
      e.note("installer", "scan the broker's log directory", "not on this host: topics only");
    }
    boolean clean = topics.hits().isEmpty() && fileHits.isEmpty();
    return Outcome.of(
        clean,
        "marker absent from "
            + topics.records()
            + " records of "
            + topics.topics().size()
            + " topics"
            + (logDir.isPresent()
                ? " and " + scanned[0] + " broker files (" + scanned[1] + " bytes)"
                : ""),
        "marker found in clear: " + topics.hits() + " " + fileHits);
  }

  /** The topics a stored record's request travels on: the scan must have read the probe's. */
  static final List<String> CARRIERS =
      List.of("strongroom.encrypt.requests", "strongroom.store.requests");

  private static final String[] KINDS = {
    "raw", "hex", "HEX", "base64", "base64+1", "base64+2", "base64url", "base64url+1", "base64url+2"
  };

  /**
   * The marker as it could leak: raw, hex, HEX, and base64 and base64url at each of the three
   * alignments a longer encoded value can give it (the marker after 0, 1 or 2 other bytes: the
   * characters that also depend on those bytes or on what follows are left out).
   */
  static List<byte[]> needles(byte[] raw) {
    String hex = HexFormat.of().formatHex(raw);
    List<byte[]> out = new ArrayList<>();
    out.add(raw);
    out.add(hex.getBytes(StandardCharsets.US_ASCII));
    out.add(hex.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    for (Base64.Encoder enc : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
      for (int k = 0; k < 3; k++) {
        byte[] shifted = new byte[k + raw.length];
        System.arraycopy(raw, 0, shifted, k, raw.length);
        String b64 = enc.encodeToString(shifted);
        int from = k == 0 ? 0 : 4;
        int to = (shifted.length / 3) * 4;
        out.add(b64.substring(from, to).getBytes(StandardCharsets.US_ASCII));
      }
    }
    return out;
  }

  private static Map<String, String> probeFields(String name) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("name", name);
    fields.put("role", "proof");
    fields.put("email", "probe@proof.invalid");
    fields.put("phone", "+00 0000 0000");
    return fields;
  }

  private static PipelineProbe.TopicRecord storeAndTakeRequest(
      PipelineProbe probe, Evidence e, String tenant) throws Exception {
    Instant t0 = e.now();
    String status = probe.store(tenant, probeFields("Proof Probe"));
    e.add("application", "store a probe record for " + tenant, t0, 0, status);
    if (!status.startsWith("STORED")) {
      throw new IllegalStateException("the probe record was not stored: " + status);
    }
    t0 = e.now();
    Optional<PipelineProbe.TopicRecord> r = probe.newestStoreRequest(tenant, WAIT);
    e.add(
        "operator",
        "read the newest strongroom.store.requests record keyed " + tenant,
        t0,
        r.isPresent() ? 0 : 1,
        r.map(PipelineControls::where).orElse("none"));
    return r.orElseThrow(
        () -> new IllegalStateException("no store request of " + tenant + " on the topic"));
  }

  private static PipelineProbe.TopicRecord publish(
      PipelineProbe probe, Evidence e, byte[] key, byte[] value, String what) throws Exception {
    Instant t0 = e.now();
    PipelineProbe.TopicRecord sent = probe.publishStoreRequest(key, value);
    e.add(
        "crypto-service's Kafka identity",
        "publish to strongroom.store.requests: " + what,
        t0,
        0,
        "accepted by the broker at " + where(sent));
    return sent;
  }

  private static Outcome refusedAs(
      PipelineProbe probe, Evidence e, PipelineProbe.TopicRecord sent, String expected)
      throws Exception {
    Instant t0 = e.now();
    Optional<Map<String, String>> dl = probe.deadLetterOf(sent, WAIT);
    e.add(
        "operator",
        "await the dead letter of " + where(sent) + " on strongroom.store.requests.dlq",
        t0,
        dl.isPresent() ? 0 : 1,
        dl.map(Map::toString).orElse("none within " + WAIT.toSeconds() + " s"));
    if (dl.isEmpty()) {
      return Outcome.fail("not refused: no dead letter within " + WAIT.toSeconds() + " s");
    }
    String reason = dl.get().getOrDefault("strongroom.dlq.reason", "");
    String detail = dl.get().getOrDefault("strongroom.dlq.detail", "");
    return Outcome.of(
        reason.equals(expected),
        "refused " + reason + ": " + detail,
        "dead-lettered as " + reason + " (expected " + expected + "): " + detail);
  }

  private static String where(PipelineProbe.TopicRecord r) {
    return r.topic() + "/" + r.partition() + "@" + r.offset();
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
