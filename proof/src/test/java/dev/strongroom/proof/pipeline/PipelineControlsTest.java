package dev.strongroom.proof.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.proof.check.Check;
import dev.strongroom.proof.check.Evidence;
import dev.strongroom.proof.check.Outcome;
import dev.strongroom.proof.check.Status;
import dev.strongroom.proof.db.PlaintextScan;
import dev.strongroom.proof.run.HostFacts;
import dev.strongroom.proof.run.ProofContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline controls' verdicts, each from what the pipeline answered. The real pipeline is
 * attacked by {@code prove} and the demo on a stack (DemoIT: all three pass); here a scripted
 * pipeline answers what a broken one would, so each wrong answer is shown to fail its control with
 * its exact detail, and the broker-file scan runs over real files.
 */
class PipelineControlsTest {
  @TempDir Path tmp;

  /** Answers as scripted; records what the control published and stored. */
  private static final class Scripted implements PipelineProbe {
    Optional<Map<String, String>> deadLetter = Optional.empty();
    List<String> topicHits = List.of();
    Optional<Path> logDir = Optional.empty();
    final List<byte[]> published = new ArrayList<>();
    final List<Map<String, String>> stored = new ArrayList<>();
    final byte[] realRequest =
        CanonicalJson.canonicalize(
            CanonicalJson.parse(
                "{\"id\":\"01a24140-233b-7d47-b38a-4b598b7bdd0a\",\"sig\":\"abc\"}"
                    .getBytes(StandardCharsets.UTF_8)));

    @Override
    public String describe() {
      return "scripted";
    }

    @Override
    public String store(String tenant, Map<String, String> fields) {
      stored.add(fields);
      return "STORED";
    }

    @Override
    public Optional<TopicRecord> newestStoreRequest(String tenant, Duration timeout) {
      return Optional.of(
          new TopicRecord(
              "strongroom.store.requests",
              0,
              7,
              tenant.getBytes(StandardCharsets.UTF_8),
              realRequest));
    }

    @Override
    public TopicRecord publishStoreRequest(byte[] key, byte[] value) {
      published.add(value);
      return new TopicRecord("strongroom.store.requests", 0, 8, key, value);
    }

    @Override
    public Optional<Map<String, String>> deadLetterOf(TopicRecord published, Duration timeout) {
      return deadLetter;
    }

    Map<String, Long> probeRecords =
        Map.of("strongroom.encrypt.requests", 1L, "strongroom.store.requests", 1L);

    @Override
    public TopicScan scanTopics(List<byte[]> needles, byte[] probeKey) {
      return new TopicScan(
          List.of("strongroom.encrypt.requests", "strongroom.store.requests"),
          12,
          topicHits,
          probeRecords);
    }

    @Override
    public Optional<Path> brokerLogDir() {
      return logDir;
    }
  }

  private static Check control(String id) {
    return PipelineControls.all().stream()
        .filter(c -> c.control().id().equals(id))
        .findFirst()
        .orElseThrow();
  }

  private Outcome run(String id, Optional<PipelineProbe> probe) throws Exception {
    ProofContext ctx =
        new ProofContext(
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            probe,
            HostFacts.detect(),
            tmp,
            Clock.systemUTC());
    return control(id).run(ctx, new Evidence(Clock.systemUTC()));
  }

  private static Map<String, String> deadLetter(String reason, String detail) {
    return Map.of("strongroom.dlq.reason", reason, "strongroom.dlq.detail", detail);
  }

  @Test
  void withoutAPipeline_eachIsNotApplicable_neverPass() throws Exception {
    for (String id : List.of("SR-PIPE-01", "SR-PIPE-02", "SR-PIPE-03")) {
      Outcome o = run(id, Optional.empty());
      assertEquals(Status.NOT_APPLICABLE, o.status(), id);
      assertEquals(
          "the target has no running pipeline (Kafka and the services): a database-only target",
          o.detail());
    }
  }

  @Test
  void forged_passesOnlyOnSignatureInvalid_andPublishesTheRequestWithItsIdChanged()
      throws Exception {
    Scripted p = new Scripted();
    p.deadLetter = Optional.of(deadLetter("SIGNATURE_INVALID", "signature does not verify"));
    Outcome o = run("SR-PIPE-01", Optional.of(p));
    assertEquals(Outcome.pass("refused SIGNATURE_INVALID: signature does not verify"), o);
    String forged = new String(p.published.get(0), StandardCharsets.UTF_8);
    assertTrue(forged.contains("\"sig\":\"abc\""), "the signature is kept: " + forged);
    assertTrue(!forged.contains("01a24140-233b-7d47-b38a-4b598b7bdd0a"), "the id is changed");

    p.deadLetter = Optional.of(deadLetter("SCHEMA", "bad"));
    assertEquals(
        Outcome.fail("dead-lettered as SCHEMA (expected SIGNATURE_INVALID): bad"),
        run("SR-PIPE-01", Optional.of(p)));
    p.deadLetter = Optional.empty();
    assertEquals(
        Outcome.fail("not refused: no dead letter within 60 s"), run("SR-PIPE-01", Optional.of(p)));
  }

  @Test
  void replayed_publishesTheSameBytes_andPassesOnlyOnReplay() throws Exception {
    Scripted p = new Scripted();
    p.deadLetter = Optional.of(deadLetter("REPLAY", "event id was already processed elsewhere"));
    assertEquals(
        Outcome.pass("refused REPLAY: event id was already processed elsewhere"),
        run("SR-PIPE-02", Optional.of(p)));
    assertEquals(
        new String(p.realRequest, StandardCharsets.UTF_8),
        new String(p.published.get(0), StandardCharsets.UTF_8));
    p.deadLetter = Optional.of(deadLetter("SIGNATURE_INVALID", "x"));
    assertEquals(Status.FAIL, run("SR-PIPE-02", Optional.of(p)).status());
  }

  @Test
  void plaintext_aHitInATopicOrABrokerFile_fails_andNamesWhere() throws Exception {
    Scripted p = new Scripted();
    Path logDir = Files.createDirectories(tmp.resolve("kafka"));
    Files.write(logDir.resolve("00000000000000000000.log"), new byte[4096]);
    p.logDir = Optional.of(logDir);
    Outcome clean = run("SR-PIPE-03", Optional.of(p));
    assertEquals(
        Outcome.pass("marker absent from 12 records of 2 topics and 1 broker files (4096 bytes)"),
        clean);
    String marker = p.stored.get(0).get("name");
    assertTrue(marker.matches("SRPROOFKAFKA[0-9A-F]{24}"), marker);

    p.topicHits = List.of("strongroom.encrypt.requests/0@3");
    assertEquals(
        Outcome.fail("marker found in clear: [strongroom.encrypt.requests/0@3] []"),
        run("SR-PIPE-03", Optional.of(p)));

    // a scan that did not read the probe's own requests (an ACL that hides a topic) proves
    // nothing: no verdict, never a pass
    p.topicHits = List.of();
    p.probeRecords = Map.of("strongroom.encrypt.requests", 1L);
    IllegalStateException blind =
        assertThrows(IllegalStateException.class, () -> run("SR-PIPE-03", Optional.of(p)));
    assertEquals(
        "the scan did not read the probe record's own request on strongroom.store.requests (read"
            + " {strongroom.encrypt.requests=1}): it cannot show the marker is absent",
        blind.getMessage());
  }

  @Test
  void needles_findTheMarkerEncodedAtEachAlignment_inRealFiles() throws Exception {
    String marker = "SRPROOFKAFKA0123456789ABCDEF0123";
    byte[] raw = marker.getBytes(StandardCharsets.US_ASCII);
    List<byte[]> needles = PipelineControls.needles(raw);
    assertEquals(9, needles.size());
    List<byte[]> leaks = new ArrayList<>();
    leaks.add(raw);
    leaks.add(HexFormat.of().formatHex(raw).getBytes(StandardCharsets.US_ASCII));
    leaks.add(
        HexFormat.of().formatHex(raw).toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    for (Base64.Encoder enc : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
      for (String before : List.of("", "{", "{\"")) {
        // the marker inside a longer value, encoded whole: after 0, 1 or 2 other bytes
        String value = before + marker + "\",\"x\":1}";
        leaks.add(enc.encode(value.getBytes(StandardCharsets.US_ASCII)));
      }
    }
    for (int i = 0; i < leaks.size(); i++) {
      Path f = tmp.resolve("segment-" + i);
      byte[] content = new byte[10_000];
      System.arraycopy(leaks.get(i), 0, content, 5_000, leaks.get(i).length);
      Files.write(f, content);
      assertTrue(PlaintextScan.indexIn(f, needles).isPresent(), "leak " + i);
    }
    Path clean = tmp.resolve("clean");
    Files.write(clean, new byte[10_000]);
    assertTrue(PlaintextScan.indexIn(clean, needles).isEmpty());
  }
}
