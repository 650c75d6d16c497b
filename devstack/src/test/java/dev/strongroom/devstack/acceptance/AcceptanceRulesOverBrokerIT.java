package dev.strongroom.devstack.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.EventVerifier;
import dev.strongroom.contracts.envelope.ReplayGuard;
import dev.strongroom.contracts.kafka.DeadLetterHeaders;
import dev.strongroom.contracts.kafka.RecordGate;
import dev.strongroom.contracts.keys.KeyRegistry;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.testing.Fixture;
import dev.strongroom.contracts.testing.TestKeys;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.devstack.kafka.EmbeddedKafka;
import dev.strongroom.devstack.kafka.EmbeddedKafkaExtension;
import dev.strongroom.devstack.kafka.KafkaAccessPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * DESIGN §3 over a real broker: each rejection reason lands in {@code <topic>.dlq} with its reason
 * header (and the security-relevant ones raise a verifiable alert), and a redelivery of the same
 * offset after a consumer dies before committing is processed again, not refused as a replay.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class AcceptanceRulesOverBrokerIT {
  private static final String SOURCE = Fixture.SERVICE;
  private final Clock clock = Clock.systemUTC();
  private final KeyRegistry registry =
      KeyRegistry.of(
          List.of(
              TestKeys.entry("data-service", SOURCE, List.of(Fixture.ALERT)),
              TestKeys.entry("monitor", "/strongroom/devstack", List.of(Fixture.ALERT))));
  private final EventSigner producerSigner =
      new EventSigner(TestKeys.key("data-service"), SOURCE, clock);

  private RecordGate newGate() {
    EventVerifier verifier =
        new EventVerifier(
            registry,
            EventCatalog.standard(),
            EventVerifier.DEFAULT_SKEW,
            clock,
            ReplayGuard.forSkew(EventVerifier.DEFAULT_SKEW, clock));
    return new RecordGate(
        verifier, new EventSigner(TestKeys.key("monitor"), "/strongroom/devstack", clock));
  }

  /** The gate under test runs as the SIEM tool: it reads and writes the alerts topic. */
  private static final String GATE = "siem";

  private static KafkaProducer<byte[], byte[]> producer(EmbeddedKafka kafka) {
    Map<String, Object> p = kafka.clientConfig(GATE);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static KafkaConsumer<byte[], byte[]> consumer(
      EmbeddedKafka kafka, String identity, String group) {
    Map<String, Object> p = kafka.clientConfig(identity);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, KafkaAccessPolicy.groupFor(identity, group));
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static ObjectNode alertData() {
    return Fixture.alertData();
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  /** Consumes {@code topic} until {@code count} records arrived. */
  private static List<ConsumerRecord<byte[], byte[]>> drain(
      EmbeddedKafka kafka, String topic, int count) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c =
        consumer(kafka, "operator", "drain-" + UUID.randomUUID())) {
      c.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.size() < count && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    assertEquals(count, out.size(), "records on " + topic);
    return out;
  }

  @Test
  void everyRejectionReason_landsInTheDlq_withItsReasonHeader_andSecurityOnesAlert(
      EmbeddedKafka kafka) throws Exception {
    byte[] valid = producerSigner.sign(EventCatalog.SECURITY_ALERT, null, alertData()).bytes();
    ObjectNode badData = alertData();
    badData.put("kind", "NOT_A_KIND");
    record Case(String reason, byte[] value) {}
    List<Case> cases =
        List.of(
            new Case("MALFORMED", "{".getBytes(StandardCharsets.UTF_8)),
            new Case(
                "SCHEMA",
                producerSigner
                    .sign(
                        Fixture.ALERT,
                        null,
                        badData,
                        com.github.f4b6a3.uuid.UuidCreator.getTimeOrderedEpoch().toString(),
                        Instant.now())
                    .bytes()),
            new Case(
                "SIGNATURE_INVALID",
                new String(valid, StandardCharsets.UTF_8)
                    .replace("a test alert", "a forged alert")
                    .getBytes(StandardCharsets.UTF_8)),
            new Case(
                "STALE",
                producerSigner
                    .sign(
                        Fixture.ALERT,
                        null,
                        alertData(),
                        com.github.f4b6a3.uuid.UuidCreator.getTimeOrderedEpoch().toString(),
                        Instant.now().minus(Duration.ofMinutes(6)))
                    .bytes()),
            new Case("ACCEPTED", valid),
            new Case("REPLAY", valid));

    String topic = Topics.SECURITY_ALERTS;
    List<RecordMetadata> sent = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> p = producer(kafka)) {
      for (Case c : cases) {
        // one partition, so the replay comes after the original
        sent.add(
            p.send(new ProducerRecord<>(topic, 0, "k".getBytes(StandardCharsets.UTF_8), c.value()))
                .get());
      }
    }

    RecordGate gate = newGate();
    List<String> outcomes = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = consumer(kafka, GATE, "gate");
        KafkaProducer<byte[], byte[]> p = producer(kafka)) {
      c.assign(List.of(new TopicPartition(topic, 0)));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (outcomes.size() < cases.size() && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          RecordGate.Decision d = gate.admit(r);
          if (d instanceof RecordGate.DeadLetter dl) {
            p.send(dl.deadLetter()).get();
            if (dl.alert().isPresent()) {
              p.send(dl.alert().get()).get();
            }
            outcomes.add(dl.rejection().code().code());
          } else {
            outcomes.add("ACCEPTED");
          }
        }
        c.commitSync();
      }
    }
    assertEquals(cases.stream().map(Case::reason).toList(), outcomes);

    List<ConsumerRecord<byte[], byte[]>> dead = drain(kafka, Topics.dlq(topic), 5);
    dead.sort(
        java.util.Comparator.comparingLong(
            r -> Long.parseLong(header(r, DeadLetterHeaders.OFFSET))));
    List<String> reasons = dead.stream().map(r -> header(r, DeadLetterHeaders.REASON)).toList();
    assertEquals(List.of("MALFORMED", "SCHEMA", "SIGNATURE_INVALID", "STALE", "REPLAY"), reasons);
    for (ConsumerRecord<byte[], byte[]> r : dead) {
      assertEquals(topic, header(r, DeadLetterHeaders.TOPIC));
      assertEquals("0", header(r, DeadLetterHeaders.PARTITION));
      assertTrue(header(r, DeadLetterHeaders.DETAIL).length() > 0);
    }
    assertEquals(
        Long.toString(sent.get(5).offset()), header(dead.get(4), DeadLetterHeaders.OFFSET));

    // The six inputs and the three alerts the gate raised share the alerts topic; the raised ones
    // are
    // those signed by the monitor.
    List<ConsumerRecord<byte[], byte[]>> all = drain(kafka, topic, cases.size() + 3);
    List<String> raised =
        all.stream()
            .filter(r -> r.value().length > 1)
            .map(r -> CanonicalJson.parse(r.value()))
            .filter(t -> "/strongroom/devstack".equals(t.path("source").asText()))
            .map(t -> t.path("data").path("kind").asText())
            .sorted()
            .toList();
    assertEquals(List.of("REPLAY", "SIGNATURE_INVALID", "STALE"), raised);
  }

  @Test
  void redeliveryAfterACrashBeforeCommit_isProcessedAgain_notAReplay(EmbeddedKafka kafka)
      throws Exception {
    String topic = Topics.SECURITY_ALERTS;
    byte[] valid = producerSigner.sign(EventCatalog.SECURITY_ALERT, null, alertData()).bytes();
    RecordMetadata m;
    try (KafkaProducer<byte[], byte[]> p = producer(kafka)) {
      m = p.send(new ProducerRecord<>(topic, 1, "k".getBytes(StandardCharsets.UTF_8), valid)).get();
    }
    RecordGate gate = newGate(); // one process's replay memory, across its consumer restarts
    TopicPartition tp = new TopicPartition(topic, 1);
    String group = "redelivery-" + UUID.randomUUID();

    RecordGate.Decision first;
    try (KafkaConsumer<byte[], byte[]> c = consumer(kafka, GATE, group)) {
      c.assign(List.of(tp));
      c.seek(tp, m.offset());
      first = gate.admit(next(c));
      // crash: no commit
    }
    assertInstanceOf(RecordGate.Admit.class, first);

    RecordGate.Decision again;
    try (KafkaConsumer<byte[], byte[]> c = consumer(kafka, GATE, group)) {
      c.assign(List.of(tp));
      c.seek(tp, m.offset()); // no committed offset: the record comes again
      ConsumerRecord<byte[], byte[]> r = next(c);
      assertEquals(m.offset(), r.offset());
      again = gate.admit(r);
      c.commitSync();
    }
    RecordGate.Admit admit =
        assertInstanceOf(RecordGate.Admit.class, again, "a redelivery is not a replay");
    assertTrue(admit.redelivery());
  }

  private static ConsumerRecord<byte[], byte[]> next(KafkaConsumer<byte[], byte[]> c) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      var records = c.poll(Duration.ofMillis(200));
      if (!records.isEmpty()) {
        return records.iterator().next();
      }
    }
    throw new AssertionError("no record");
  }
}
