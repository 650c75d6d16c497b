package dev.strongroom.devstack.demo;

import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.EventVerifier;
import dev.strongroom.contracts.envelope.ReplayGuard;
import dev.strongroom.contracts.kafka.RecordGate;
import dev.strongroom.contracts.keys.KeyRegistry;
import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.topics.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The SIEM's side of {@code strongroom.security.alerts}, as an outside consumer would run it with
 * the contracts library and plain Kafka clients: every alert is verified by the same acceptance
 * rules the services apply; a forged, stale or replayed alert is itself dead-lettered and alerted
 * (signed as {@code /strongroom/devstack}). Commits offsets after each outcome is published.
 */
// close() waits for the serving thread and may be interrupted; callers handle that.
@SuppressWarnings("try")
public final class AlertMonitor implements AutoCloseable {
  /** What the monitor did with one alert record. */
  public record Seen(ConsumerRecord<byte[], byte[]> record, RecordGate.Decision decision) {}

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> producer;
  private final RecordGate gate;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final Thread thread;

  /**
   * @param kafkaClient Kafka client properties of the monitor's identity (the {@code siem} tool:
   *     reads the alerts, writes their dead letters and its own alerts), from {@link
   *     dev.strongroom.contracts.tls.TlsIdentity#kafkaClient(String)}
   */
  public AlertMonitor(
      Map<String, Object> kafkaClient,
      KeyRegistry registry,
      SigningKey monitorKey,
      String monitorSource) {
    Clock clock = Clock.systemUTC();
    EventVerifier verifier =
        new EventVerifier(
            registry,
            EventCatalog.standard(),
            EventVerifier.DEFAULT_SKEW,
            clock,
            ReplayGuard.forSkew(EventVerifier.DEFAULT_SKEW, clock));
    this.gate = new RecordGate(verifier, new EventSigner(monitorKey, monitorSource, clock));
    Map<String, Object> c = new HashMap<>(kafkaClient);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "siem-monitor-" + UUID.randomUUID());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    this.consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    Map<String, Object> p = new HashMap<>(kafkaClient);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    this.thread = new Thread(this::run, "siem-monitor");
    thread.setDaemon(true);
  }

  public AlertMonitor start() {
    thread.start();
    return this;
  }

  private void run() {
    try {
      consumer.subscribe(List.of(Topics.SECURITY_ALERTS));
      while (!Thread.currentThread().isInterrupted()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          RecordGate.Decision d = gate.admit(r);
          if (d instanceof RecordGate.DeadLetter dl) {
            producer.send(dl.deadLetter()).get();
            if (dl.alert().isPresent()) {
              producer.send(dl.alert().get()).get();
            }
          }
          seen.add(new Seen(r, d));
        }
        consumer.commitSync();
      }
    } catch (WakeupException e) {
      // closing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("cannot publish a dead letter: " + e.getMessage(), e);
    }
  }

  /** Waits up to {@code timeout} for an outcome matching {@code match}. */
  public Seen await(Predicate<Seen> match, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (Seen s : seen) {
        if (match.test(s)) {
          return s;
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return null;
  }

  @Override
  public void close() throws InterruptedException {
    consumer.wakeup();
    thread.join(10_000);
    consumer.close();
    producer.close();
  }
}
