package dev.strongroom.auditanchor.anchor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.audit.checkpoint.Checkpoint;
import dev.strongroom.audit.note.Ed25519NoteVerifier;
import dev.strongroom.audit.worm.LocalDirWormStore;
import dev.strongroom.contracts.audit.CheckpointAnchored;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.EventVerifier;
import dev.strongroom.contracts.envelope.RecordCoordinates;
import dev.strongroom.contracts.envelope.ReplayGuard;
import dev.strongroom.contracts.envelope.Verdict;
import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.devstack.kafka.KafkaAccessPolicy;
import dev.strongroom.devstack.testing.StrongroomTestResource;
import dev.strongroom.devstack.testing.TestDatabase;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The packaged audit-anchor-service publishes every checkpoint it anchors on {@code
 * strongroom.audit.anchors} (DESIGN §3, §5), on real parts: a KRaft broker with mutual TLS and
 * ACLs, a private hardened MariaDB whose sealer chains the events, the real WORM directory. A plain
 * Kafka consumer, as the SIEM ({@code siem}'s own certificate and ACLs), verifies each record's
 * envelope under the key registry and checks that the checkpoint it carries is byte for byte the
 * WORM object it names, opens with the log key, and that its chain head is the database's {@code
 * curr_hash} at that size; a record altered on the way, or an anchor signed by a service that may
 * not emit one, is refused with SIGNATURE_INVALID.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(
    value = StrongroomTestResource.class,
    initArgs = {
      @ResourceArg(name = "service", value = "audit-anchor-service"),
      @ResourceArg(name = "database", value = "true"),
      @ResourceArg(name = "anchor-interval", value = "PT1S")
    },
    restrictToAnnotatedClass = true)
class AnchorsTopicIT {
  private static final Duration WAIT = Duration.ofSeconds(90);

  /**
   * After the class (the audit watch signing a checkpoint every second with the log key, an altered
   * and a misattributed anchor refused): the service's log is all JSON records and holds no tenant
   * token and no key material of the stack (issue 11).
   */
  @org.junit.jupiter.api.AfterAll
  static void theLog_holdsNoTokenOrKey() throws Exception {
    dev.strongroom.devstack.testing.ServiceContract.assertTheLogHoldsNoSecret(List.of());
  }

  @Test
  void everyAnchoredCheckpoint_isOnTheTopic_signed_andIsTheWormObject() throws Exception {
    StrongroomTestResource.Stack stack = StrongroomTestResource.stack();
    TestDatabase db = stack.database().orElseThrow();
    Path keys = stack.keys().registryFile().getParent();
    Path worm = keys.resolveSibling("worm");
    Ed25519NoteVerifier logKey =
        Ed25519NoteVerifier.parse(
            Files.readString(keys.resolve(StrongroomTestResource.AUDIT_LOG_VKEY)).strip());
    Clock clock = Clock.systemUTC();
    EventVerifier verifier =
        new EventVerifier(
            stack.keys().registry(),
            EventCatalog.standard(),
            EventVerifier.DEFAULT_SKEW,
            clock,
            ReplayGuard.forSkew(EventVerifier.DEFAULT_SKEW, clock));

    // events arrive while the service anchors: the log grows past 0
    db.instance()
        .sql(
            "INSERT INTO strongroom.tenants VALUES ('anchors-it-1', UTC_TIMESTAMP(6));"
                + " INSERT INTO strongroom.tenants VALUES ('anchors-it-2', UTC_TIMESTAMP(6));"
                + " CALL strongroom_audit.audit_seal(100000)");
    long events =
        Long.parseLong(
            db.instance().sql("SELECT MAX(seq) FROM strongroom_audit.audit_chain").scalar());
    assertTrue(events >= 2, "sealed events: " + events);

    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    List<CheckpointAnchored> anchors = new ArrayList<>();
    Properties p = new Properties();
    p.putAll(stack.kafka("siem"));
    p.put(
        ConsumerConfig.GROUP_ID_CONFIG,
        KafkaAccessPolicy.groupFor("siem", "anchors-it-" + System.nanoTime()));
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.AUDIT_ANCHORS));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < deadline
          && (anchors.size() < 3 || anchors.get(anchors.size() - 1).size() < events)) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          Verdict v =
              verifier.verify(
                  r.value(),
                  new RecordCoordinates(Topics.AUDIT_ANCHORS, r.partition(), r.offset()));
          Verdict.Accepted ok = assertInstanceOf(Verdict.Accepted.class, v, v.toString());
          assertEquals("/strongroom/audit-anchor-service", ok.event().source());
          assertEquals(EventCatalog.AUDIT_ANCHORED.type(), ok.event().type());
          CheckpointAnchored a = CheckpointAnchored.fromData(ok.event().data());
          assertEquals(a.origin(), new String(r.key(), StandardCharsets.UTF_8), "key = origin");
          records.add(r);
          anchors.add(a);
        }
      }
    }
    assertTrue(anchors.size() >= 3, "anchors on the topic within " + WAIT + ": " + anchors);
    assertTrue(anchors.get(anchors.size() - 1).size() >= events, "the log reached the events");

    LocalDirWormStore store = LocalDirWormStore.open(worm);
    for (int i = 0; i < anchors.size(); i++) {
      CheckpointAnchored a = anchors.get(i);
      assertEquals(anchors.get(0).anchorNo() + i, a.anchorNo(), "in order, no gap: " + anchors);
      // the checkpoint it carries is the WORM object, byte for byte, and opens with the log key
      assertArrayEquals(store.get(a.wormObject()), a.checkpointBytes(), a.wormObject());
      Checkpoint cp = Checkpoint.open(a.checkpointBytes(), logKey, List.of()).checkpoint();
      assertEquals(a.origin(), cp.origin());
      assertEquals(a.size(), cp.size());
      assertEquals(a.rootHash(), HexFormat.of().formatHex(cp.root()));
      assertTrue(a.wormObject().endsWith("-" + a.size() + ".note"), a.wormObject());
      // the chain head is the database's curr_hash at that size
      String head =
          a.size() == 0
              ? "0".repeat(64)
              : db.instance()
                  .sql("SELECT curr_hash FROM strongroom_audit.audit_chain WHERE seq = " + a.size())
                  .scalar();
      assertEquals(head, a.chainHead(), "chain head at " + a.size());
      // and the database recorded the same note under the same anchor number
      assertEquals(
          new String(a.checkpointBytes(), StandardCharsets.UTF_8).strip(),
          db.instance()
              .sql(
                  "SELECT checkpoint FROM strongroom_audit.audit_anchors WHERE anchor_no = "
                      + a.anchorNo())
              .scalar()
              .replace("\\n", "\n")
              .strip());
    }

    // the same checkpoints reached the syslog collector over mutual TLS: RFC 5424, BOM, the note
    // (the fanout sends to the topic first, then to syslog: give the last one a moment)
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < until
        && StrongroomTestResource.syslogCollector().messages().stream()
            .noneMatch(
                m ->
                    m.text()
                        .contains(
                            "anchorNo=\"" + anchors.get(anchors.size() - 1).anchorNo() + "\""))) {
      Thread.sleep(100);
    }
    List<dev.strongroom.devstack.testing.TlsSyslogCollector.Message> syslog =
        StrongroomTestResource.syslogCollector().messages();
    for (CheckpointAnchored a : anchors) {
      String prefix = "<109>1 "; // facility log audit, severity notice, version 1
      String sd = " strongroom-it strongroom-audit-anchor "; // HOSTNAME as configured, APP-NAME
      String tail =
          " checkpoint [checkpoint@32473 anchorNo=\""
              + a.anchorNo()
              + "\" origin=\""
              + a.origin()
              + "\" size=\""
              + a.size()
              + "\" root=\""
              + a.rootHash()
              + "\" head=\""
              + a.chainHead()
              + "\" object=\""
              + a.wormObject()
              + "\"] \uFEFF"
              + a.checkpoint();
      assertTrue(
          syslog.stream()
              .map(dev.strongroom.devstack.testing.TlsSyslogCollector.Message::text)
              .anyMatch(m -> m.startsWith(prefix) && m.contains(sd) && m.endsWith(tail)),
          "anchor #" + a.anchorNo() + " not in syslog: " + syslog.size() + " messages");
    }
    assertTrue(
        syslog.stream().allMatch(m -> m.clientSubject().startsWith("CN=audit-anchor-service,")),
        "every message came from the service's certificate");

    // by attack: a record altered on the way (a smaller size, its root kept) is refused
    ConsumerRecord<byte[], byte[]> last = records.get(records.size() - 1);
    ObjectNode tampered = (ObjectNode) CanonicalJson.parse(last.value());
    ((ObjectNode) tampered.get("data")).put("size", 0);
    Verdict altered =
        freshVerifier(stack, clock)
            .verify(
                CanonicalJson.canonicalize(tampered),
                new RecordCoordinates(Topics.AUDIT_ANCHORS, 0, 1));
    Verdict.Rejected refused = assertInstanceOf(Verdict.Rejected.class, altered);
    assertEquals(ErrorCode.SIGNATURE_INVALID, refused.rejection().code());
    assertEquals("signature does not verify", refused.rejection().detail());

    // by attack: the data-service's key signs an anchor (its key may not emit the type)
    SigningKey dataKey = SigningKey.load(stack.keys().keyFile("data-service"));
    EventSigner forger = new EventSigner(dataKey, "/strongroom/data-service", clock);
    byte[] forged =
        forger
            .sign(EventCatalog.AUDIT_ANCHORED, null, anchors.get(anchors.size() - 1).toData())
            .bytes();
    Verdict.Rejected wrongKey =
        assertInstanceOf(
            Verdict.Rejected.class,
            freshVerifier(stack, clock)
                .verify(forged, new RecordCoordinates(Topics.AUDIT_ANCHORS, 0, 2)));
    assertEquals(ErrorCode.SIGNATURE_INVALID, wrongKey.rejection().code());
    assertEquals(
        "key " + dataKey.kid() + " may not sign type " + EventCatalog.AUDIT_ANCHORED.type(),
        wrongKey.rejection().detail());
  }

  private static EventVerifier freshVerifier(StrongroomTestResource.Stack stack, Clock clock) {
    return new EventVerifier(
        stack.keys().registry(),
        EventCatalog.standard(),
        EventVerifier.DEFAULT_SKEW,
        clock,
        ReplayGuard.forSkew(EventVerifier.DEFAULT_SKEW, clock));
  }
}
