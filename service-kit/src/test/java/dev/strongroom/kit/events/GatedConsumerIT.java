package dev.strongroom.kit.events;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.EventVerifier;
import dev.strongroom.contracts.envelope.ReplayGuard;
import dev.strongroom.contracts.envelope.VerifiedEvent;
import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.errors.StrongroomException;
import dev.strongroom.contracts.kafka.DeadLetterHeaders;
import dev.strongroom.contracts.kafka.RecordGate;
import dev.strongroom.contracts.keys.KeyRegistry;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.testing.Fixture;
import dev.strongroom.contracts.testing.TestKeys;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.devstack.kafka.EmbeddedKafka;
import dev.strongroom.devstack.kafka.EmbeddedKafkaExtension;
import dev.strongroom.kit.config.EventsConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A handler bug never holds up a partition (issue 9): the record whose handler throws an exception
 * nobody mapped is dead-lettered as {@code INTERNAL} on the real broker, unchanged, and the record
 * behind it on the same partition is handled; a dependency outage (a retriable code) still stops
 * the consumer instead of skipping the record.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class GatedConsumerIT {
  /**
   * The gate runs as the SIEM identity: it reads the alerts topic and writes its dead letters; the
   * dead letters are read back as the operator.
   */
  private static final String IDENTITY = "siem";

  private final Clock clock = Clock.systemUTC();
  private final EventSigner producerSigner =
      new EventSigner(TestKeys.key("data-service"), Fixture.SERVICE, clock);

  private RecordGate gate() {
    KeyRegistry registry =
        KeyRegistry.of(
            List.of(
                TestKeys.entry("data-service", Fixture.SERVICE, List.of(Fixture.ALERT)),
                TestKeys.entry("monitor", "/strongroom/devstack", List.of(Fixture.ALERT))));
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

  private static EventsConfig config() {
    return new EventsConfig() {
      @Override
      public Path keyRegistry() {
        throw new UnsupportedOperationException("not read by GatedConsumer");
      }

      @Override
      public Path signingKey() {
        throw new UnsupportedOperationException("not read by GatedConsumer");
      }

      @Override
      public String source() {
        return "/strongroom/devstack";
      }

      @Override
      public Duration skew() {
        return EventVerifier.DEFAULT_SKEW;
      }

      @Override
      public int replayMemory() {
        return 1000;
      }
    };
  }

  @Test
  void handlerBug_isDeadLetteredAsInternal_andThePartitionMovesOn(EmbeddedKafka kafka) {
    EventPublisher publisher = new EventPublisher(kafka.clientConfig(IDENTITY));
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    GatedConsumer consumer = new GatedConsumer(gate(), publisher, meters, config());
    try {
      byte[] poisoned =
          producerSigner.sign(EventCatalog.SECURITY_ALERT, null, alert("poisoned")).bytes();
      byte[] healthy =
          producerSigner.sign(EventCatalog.SECURITY_ALERT, null, alert("healthy")).bytes();
      byte[] outage =
          producerSigner.sign(EventCatalog.SECURITY_ALERT, null, alert("outage")).bytes();
      for (byte[] value : List.of(poisoned, healthy, outage)) {
        publisher.send(new ProducerRecord<>(Topics.SECURITY_ALERTS, 0, key(), value));
      }

      List<String> handled = new ArrayList<>();
      EventHandler handler =
          (VerifiedEvent event, boolean redelivery) -> {
            String summary = event.data().get("detail").asText();
            switch (summary) {
              case "poisoned" -> throw new NullPointerException("a bug in the handler");
              case "outage" ->
                  throw new StrongroomException(ErrorCode.UNAVAILABLE, "database unreachable");
              default -> handled.add(summary);
            }
          };
      List<ConsumerRecord<byte[], byte[]>> in =
          read(kafka, IDENTITY, Topics.SECURITY_ALERTS, 3, Duration.ofSeconds(30));
      assertArrayEquals(poisoned, in.get(0).value());

      consumer.consume(in.get(0), Map.of(Fixture.ALERT, handler)); // returns: dead-lettered
      consumer.consume(in.get(1), Map.of(Fixture.ALERT, handler));
      assertEquals(List.of("healthy"), handled, "the record behind the poisoned one is handled");
      StrongroomException stop =
          assertThrows(
              StrongroomException.class,
              () -> consumer.consume(in.get(2), Map.of(Fixture.ALERT, handler)));
      assertSame(ErrorCode.UNAVAILABLE, stop.code(), "an outage still stops the consumer");

      List<ConsumerRecord<byte[], byte[]>> dlq =
          read(kafka, "operator", Topics.dlq(Topics.SECURITY_ALERTS), 1, Duration.ofSeconds(30));
      ConsumerRecord<byte[], byte[]> dead = dlq.get(0);
      assertArrayEquals(poisoned, dead.value(), "dead-lettered unchanged");
      assertEquals("INTERNAL", header(dead, DeadLetterHeaders.REASON));
      assertEquals(
          "handler failed: java.lang.NullPointerException",
          header(dead, DeadLetterHeaders.DETAIL),
          "the exception's message stays in the log: it may hold data");
      assertEquals(Long.toString(in.get(0).offset()), header(dead, DeadLetterHeaders.OFFSET));
      assertEquals(
          1.0,
          meters
              .counter("strongroom.events", "topic", Topics.SECURITY_ALERTS, "outcome", "INTERNAL")
              .count());
    } finally {
      publisher.close();
    }
  }

  private static com.fasterxml.jackson.databind.node.ObjectNode alert(String summary) {
    return new dev.strongroom.contracts.alert.SecurityAlert(
            dev.strongroom.contracts.alert.AlertKind.STALE,
            dev.strongroom.contracts.alert.Severity.LOW,
            summary,
            Map.of("offset", 1L))
        .toData();
  }

  private static byte[] key() {
    return UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  private static List<ConsumerRecord<byte[], byte[]>> read(
      EmbeddedKafka kafka, String identity, String topic, int count, Duration timeout) {
    Map<String, Object> c = kafka.clientConfig(identity);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, identity + "-" + UUID.randomUUID());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (out.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(out::add);
      }
    }
    assertEquals(count, out.size(), "records on " + topic);
    return out;
  }
}
