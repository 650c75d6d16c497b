package dev.strongroom.proofservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strongroom.contracts.alert.AlertKind;
import dev.strongroom.contracts.alert.SecurityAlert;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.EventVerifier;
import dev.strongroom.contracts.envelope.RecordCoordinates;
import dev.strongroom.contracts.envelope.ReplayGuard;
import dev.strongroom.contracts.envelope.Verdict;
import dev.strongroom.contracts.proof.ProofCompleted;
import dev.strongroom.contracts.proof.ProofRequest;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.devstack.kafka.KafkaAccessPolicy;
import dev.strongroom.devstack.testing.ServiceContract;
import dev.strongroom.devstack.testing.StrongroomTestResource;
import dev.strongroom.devstack.testing.TestDatabase;
import dev.strongroom.proof.bundle.BundleVerifier;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The packaged proof-service against a real broker and a real MariaDB: readiness, metrics, and the
 * acceptance rules from outside (ServiceContract); then a proof on request. The operator weakens
 * the database (require_secure_transport off), asks for a proof on {@code
 * strongroom.proof.requests}, and gets a signed {@code proof.completed.v1} naming SR-DB-TLS-01 as
 * the one failed control, a signed PROOF_FAILED alert naming it, and a bundle in the evidence
 * directory that verifies under the proof-service's registered key. The requester's retry (a new
 * event, the same request id) gets the same run back, not a second run.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(
    value = StrongroomTestResource.class,
    initArgs = {
      @ResourceArg(name = "service", value = "proof-service"),
      @ResourceArg(name = "database", value = "true")
    },
    restrictToAnnotatedClass = true)
class ProofServiceIT extends ServiceContract {
  @Override
  protected Optional<String> inboundTopic() {
    return Optional.of(Topics.PROOF_REQUESTS);
  }

  @Test
  void weakenedDatabase_requestedProof_failsExactlyThatControl_alertsAndRecallsOnRetry()
      throws Exception {
    TestDatabase db = stack().database().orElseThrow();
    db.instance().sql("SET GLOBAL require_secure_transport = OFF");
    try {
      proveWeakened();
    } finally {
      db.instance().sql("SET GLOBAL require_secure_transport = ON");
    }
  }

  private void proveWeakened() throws Exception {
    String requestId = "it-" + System.nanoTime();
    request(requestId);

    ConsumerRecord<byte[], byte[]> result =
        awaitNth(Topics.PROOF_RESULTS, r -> requestIdOf(r).equals(requestId), 1);
    JsonNode data = verified(result, Topics.PROOF_RESULTS);
    ProofCompleted c = ProofCompleted.fromData(data);
    assertEquals(c.runId(), new String(result.key(), StandardCharsets.UTF_8));
    assertFalse(c.passed());
    assertEquals(ProofCompleted.Trigger.REQUEST, c.trigger());
    assertEquals("fail", c.controls().get("SR-DB-TLS-01"), c.controls().toString());
    assertEquals(List.of("SR-DB-TLS-01"), c.controlsWith("fail"), c.controls().toString());
    assertEquals(List.of(), c.controlsWith("error"), c.controls().toString());
    assertEquals("not-applicable", c.controls().get("SR-HOST-FW-01"));
    // the chain against the anchor StrongroomTestResource left (strongroom.proof.audit-log.*),
    // read as auditor through Connector/J inside the packaged service
    assertEquals("pass", c.controls().get("SR-DB-AUD-04"), c.controls().toString());
    assertTrue(c.controlsWith("pass").size() >= 40, c.controls().toString());

    Path bundle =
        stack()
            .keys()
            .registryFile()
            .getParent()
            .resolveSibling("evidence")
            .resolve(c.bundleFile());
    BundleVerifier.Verification v =
        BundleVerifier.verify(bundle, stack().keys().key("proof-service").publicKey());
    assertTrue(v.valid(), v.problems().toString());

    // the bundle's digest is on the audit chain (docs/proof.md "The evidence on the chain"), with
    // the run's binding, and its audit event names the run: written before the result was published
    TestDatabase db = stack().database().orElseThrow();
    List<List<String>> row =
        db.instance()
            .sql(
                "SELECT run_id, tool_version, catalogue_version, target, failed_controls"
                    + " FROM strongroom_audit.audit_evidence WHERE manifest_sha256 = '"
                    + c.manifestSha256()
                    + "'")
            .rows();
    assertEquals(
        List.of(List.of(c.runId(), c.toolVersion(), c.catalogueVersion(), c.target(), "1")), row);
    assertEquals(
        "1",
        db.instance()
            .sql(
                "SELECT COUNT(*) FROM strongroom_audit.audit_events WHERE table_name ="
                    + " 'audit_evidence' AND operation = 'INSERT' AND request_id = '"
                    + c.runId()
                    + "'")
            .scalar());

    ConsumerRecord<byte[], byte[]> alertRecord =
        awaitNth(
            Topics.SECURITY_ALERTS,
            r ->
                CanonicalJson.parse(r.value())
                    .path("data")
                    .path("related")
                    .path("runId")
                    .asText()
                    .equals(c.runId()),
            1);
    SecurityAlert alert = SecurityAlert.fromData(verified(alertRecord, Topics.SECURITY_ALERTS));
    assertEquals(AlertKind.PROOF_FAILED, alert.kind());
    assertEquals(
        "proof run " + c.runId() + " of " + c.target() + ": 1 failed, 0 errored: SR-DB-TLS-01",
        alert.detail());
    assertEquals(c.manifestSha256(), alert.related().get("manifestSha256"));

    // the requester retries: a new event, the same request id -> the same run, not a second one
    request(requestId);
    ConsumerRecord<byte[], byte[]> second =
        awaitNth(Topics.PROOF_RESULTS, r -> requestIdOf(r).equals(requestId), 2);
    ProofCompleted again = ProofCompleted.fromData(verified(second, Topics.PROOF_RESULTS));
    assertEquals(c, again);
  }

  private static String requestIdOf(ConsumerRecord<byte[], byte[]> r) {
    return CanonicalJson.parse(r.value()).path("data").path("requestId").asText();
  }

  private JsonNode verified(ConsumerRecord<byte[], byte[]> r, String topic) {
    Clock clock = Clock.systemUTC();
    EventVerifier verifier =
        new EventVerifier(
            stack().keys().registry(),
            EventCatalog.standard(),
            EventVerifier.DEFAULT_SKEW,
            clock,
            ReplayGuard.forSkew(EventVerifier.DEFAULT_SKEW, clock));
    Verdict verdict = verifier.verify(r.value(), new RecordCoordinates(topic, 0, r.offset()));
    Verdict.Accepted ok = assertInstanceOf(Verdict.Accepted.class, verdict, verdict.toString());
    assertEquals("/strongroom/proof-service", ok.event().source());
    return ok.event().data();
  }

  /** Signs a request as the operator tool and publishes it as the ops-dispatch identity. */
  private void request(String requestId) throws Exception {
    EventSigner operator =
        new EventSigner(stack().keys().key("operator"), "/strongroom/devstack", Clock.systemUTC());
    byte[] value =
        operator
            .sign(
                EventCatalog.PROOF_REQUESTED,
                null,
                new ProofRequest(requestId, "ProofRunsIT").toData())
            .bytes();
    String writer = KafkaAccessPolicy.externalWriterOf(Topics.PROOF_REQUESTS).orElseThrow();
    Properties p = new Properties();
    p.putAll(stack().kafka(writer));
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  Topics.PROOF_REQUESTS, requestId.getBytes(StandardCharsets.UTF_8), value))
          .get();
    }
  }

  /** Reads {@code topic} from the start as the operator until the n-th match (240 s). */
  private ConsumerRecord<byte[], byte[]> awaitNth(
      String topic, Predicate<ConsumerRecord<byte[], byte[]>> match, int nth) {
    Properties p = new Properties();
    p.putAll(stack().kafka("operator"));
    p.put(
        ConsumerConfig.GROUP_ID_CONFIG,
        KafkaAccessPolicy.groupFor("operator", "proof-it-" + System.nanoTime()));
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (match.test(r)) {
            seen.add(r);
            if (seen.size() == nth) {
              return r;
            }
          }
        }
      }
    }
    throw new AssertionError("no match #" + nth + " on " + topic + " within 240 s");
  }
}
