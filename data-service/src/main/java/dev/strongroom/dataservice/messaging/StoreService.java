package dev.strongroom.dataservice.messaging;

import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.kafka.RecordGate;
import dev.strongroom.contracts.keys.KeyRegistry;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.dataservice.config.DataConfig;
import dev.strongroom.dataservice.store.DataStore;
import dev.strongroom.dataservice.store.StoreLoop;
import dev.strongroom.dataservice.store.StoreProcessor;
import dev.strongroom.kit.tls.ServiceKafkaConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Runs the {@link StoreLoop} on its own thread from start to shutdown, with Kafka clients built
 * from the service's shared Kafka configuration ({@link ServiceKafkaConfig}: {@code kafka.*} and
 * the service's mutual-TLS identity) plus what is the loop's own: the group, {@code
 * read_committed}, manual offsets, and a transactional producer whose id is unique per process (a
 * zombie is fenced by the group's metadata, KIP-447).
 */
@ApplicationScoped
public class StoreService {
  private final DataConfig config;
  private final Map<String, Object> kafka;
  private final RecordGate gate;
  private final EventSigner signer;
  private final DataStore store;
  private final KeyRegistry registry;
  private final MeterRegistry meters;
  private final AtomicInteger waiting = new AtomicInteger();
  private volatile StoreLoop loop;
  private ExecutorService lanes;
  private Thread thread;

  public StoreService(
      DataConfig config,
      @Identifier(ServiceKafkaConfig.DEFAULT_KAFKA_BROKER) Map<String, Object> kafka,
      RecordGate gate,
      EventSigner signer,
      DataStore store,
      KeyRegistry registry,
      MeterRegistry meters) {
    this.config = config;
    this.kafka = kafka;
    this.gate = gate;
    this.signer = signer;
    this.store = store;
    this.registry = registry;
    this.meters = meters;
  }

  void start(@Observes StartupEvent ev) {
    meters.gauge("strongroom.store.waiting", waiting);
    Map<String, Object> c = common();
    c.put(ConsumerConfig.GROUP_ID_CONFIG, config.store().groupId());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.store().maxPollRecords());
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "data-service-store-" + ProcessHandle.current().pid());
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    String txPrefix = "data-service-" + UUID.randomUUID();
    AtomicInteger generation = new AtomicInteger();
    lanes =
        Executors.newFixedThreadPool(
            config.db().poolSize(),
            r -> {
              Thread t = new Thread(r, "store-lane");
              t.setDaemon(true);
              return t;
            });
    StoreProcessor processor =
        new StoreProcessor(
            gate,
            signer,
            store,
            registry,
            config.store().backoffMin(),
            config.store().backoffMax(),
            new StoreProcessor.Listener() {
              @Override
              public void outcome(String status, String code) {
                meters
                    .counter("strongroom.store.outcomes", "status", status, "code", code)
                    .increment();
              }

              @Override
              public void retry(String why) {
                meters.counter("strongroom.store.retries", "reason", why).increment();
              }

              @Override
              public void waiting(int delta) {
                waiting.addAndGet(delta);
              }
            });
    loop =
        new StoreLoop(
            consumer,
            () -> {
              Map<String, Object> p = common();
              p.put(
                  ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                  txPrefix + "-" + generation.getAndIncrement());
              p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
              p.put(ProducerConfig.ACKS_CONFIG, "all");
              p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
              return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
            },
            processor,
            lanes,
            Topics.STORE_REQUESTS,
            Duration.ofMillis(500));
    thread = new Thread(loop, "store-loop");
    thread.start();
  }

  /** A copy of the service's Kafka settings without another client's group or serde keys. */
  private Map<String, Object> common() {
    Map<String, Object> m = new HashMap<>(kafka);
    m.keySet().removeIf(k -> k.startsWith("group.") || k.contains("serializer"));
    return m;
  }

  /** The loop, for the readiness check; null before start. */
  public StoreLoop loop() {
    return loop;
  }

  void stop(@Observes ShutdownEvent ev) throws InterruptedException {
    if (loop != null) {
      loop.close();
      thread.join(15_000);
      lanes.shutdownNow();
      lanes.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
