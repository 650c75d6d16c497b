package dev.strongroom.devstack.cli;

import com.github.f4b6a3.uuid.UuidCreator;
import dev.strongroom.bench.Phase;
import dev.strongroom.bench.Records;
import dev.strongroom.bench.TenantSet;
import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.EventVerifier;
import dev.strongroom.contracts.envelope.ReplayGuard;
import dev.strongroom.contracts.envelope.Verdict;
import dev.strongroom.contracts.records.EncryptRequest;
import dev.strongroom.contracts.records.FieldSealer;
import dev.strongroom.contracts.records.StoreResult;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.tls.TlsIdentity;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.devstack.keys.DevKeys;
import dev.strongroom.devstack.stack.StackDescriptor;
import dev.strongroom.devstack.stack.StackException;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * (c) The pipeline, driven as an application drives it: each record's four fields are sealed to the
 * crypto-service's key (HPKE), the request is signed as the application and published on {@code
 * strongroom.encrypt.requests} over mutual TLS as the application identity; it is done when its
 * signed {@code store.completed} result (verified against the key registry) arrives on {@code
 * strongroom.store.results}. Everything between — crypto-service, data key cache, KMS,
 * data-service, procedures, audit chain, Kafka transactions — is on the clock.
 */
final class PipelinePhase implements Phase {
  private final TenantSet tenants;
  private final String runId;
  private final byte[] sealTo;
  private final EventSigner app;
  private final EventVerifier verifier;
  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> results;
  private final Map<String, CompletableFuture<StoreResult>> pending = new ConcurrentHashMap<>();
  private final AtomicLong unverified = new AtomicLong();
  private final Thread poller;
  private volatile boolean running = true;

  private PipelinePhase(
      TenantSet tenants, String runId, DevKeys keys, TlsIdentity identity, String bootstrap) {
    this.tenants = tenants;
    this.runId = runId;
    this.sealTo = keys.sealingKey().publicKey();
    this.app = new EventSigner(keys.key(PkiSpec.DEMO_APP), "/apps/demo", Clock.systemUTC());
    this.verifier =
        new EventVerifier(
            keys.registry(),
            EventCatalog.standard(),
            EventVerifier.DEFAULT_SKEW,
            Clock.systemUTC(),
            ReplayGuard.forSkew(EventVerifier.DEFAULT_SKEW, Clock.systemUTC()));
    Map<String, Object> p = identity.kafkaClient(bootstrap);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    Map<String, Object> c = identity.kafkaClient(bootstrap);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    this.results = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    // Every partition assigned, no group (as StrongroomClient): no rebalance can skip a result.
    List<PartitionInfo> partitions;
    try {
      partitions = results.partitionsFor(Topics.STORE_RESULTS, Duration.ofSeconds(30));
    } catch (RuntimeException e) {
      close();
      throw new StackException("cannot read the partitions of " + Topics.STORE_RESULTS + ": " + e);
    }
    if (partitions == null || partitions.isEmpty()) {
      close();
      throw new StackException("no partition of " + Topics.STORE_RESULTS + " found");
    }
    List<TopicPartition> assigned =
        partitions.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
    results.assign(assigned);
    results.seekToEnd(assigned); // results published from now on must be seen
    assigned.forEach(results::position);
    this.poller = new Thread(this::poll, "bench-results");
    poller.setDaemon(true);
    poller.start();
  }

  static PipelinePhase open(
      StrongroomCommand root,
      StackDescriptor stack,
      DevKeys keys,
      TenantSet tenants,
      String runId) {
    return new PipelinePhase(
        tenants, runId, keys, root.launcher().identity(PkiSpec.DEMO_APP), stack.kafkaBootstrap());
  }

  @Override
  public String name() {
    return "pipeline";
  }

  @Override
  public String description() {
    return "sealed, signed request -> Kafka -> crypto-service -> data-service -> signed result";
  }

  // The send's own future is not needed: its callback completes or fails the request's future.
  @Override
  @SuppressWarnings("FutureReturnValueIgnored")
  public CompletionStage<?> submit(long seq) {
    int t = (int) (seq % tenants.size());
    String tenant = tenants.tenant(t);
    String requestId = "bench-" + runId + "-c-" + seq;
    String recordId = UuidCreator.getTimeOrderedEpoch().toString();
    EncryptRequest request =
        new EncryptRequest(
            requestId,
            tenants.token(t),
            recordId,
            FieldSealer.seal(sealTo, tenant, recordId, requestId, Records.plaintext(seq)));
    CompletableFuture<StoreResult> done = new CompletableFuture<>();
    pending.put(requestId, done);
    producer.send(
        new ProducerRecord<>(
            Topics.ENCRYPT_REQUESTS,
            tenant.getBytes(StandardCharsets.UTF_8),
            app.sign(EventCatalog.ENCRYPT_REQUESTED, tenant, request.toData()).bytes()),
        (meta, err) -> {
          if (err != null && pending.remove(requestId) != null) {
            done.completeExceptionally(err);
          }
        });
    return done;
  }

  private void poll() {
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : results.poll(Duration.ofMillis(100))) {
          Verdict v = verifier.verifyDetached(r.value());
          if (!(v instanceof Verdict.Accepted a)) {
            unverified.incrementAndGet(); // not ours to settle: someone else's or forged
            continue;
          }
          StoreResult result = StoreResult.fromData(a.event().data());
          if (!result.mayComeFrom(a.event().source())) {
            unverified.incrementAndGet(); // e.g. a STORED signed by the crypto-service
            continue;
          }
          CompletableFuture<StoreResult> f = pending.remove(result.requestId());
          if (f == null) {
            continue; // another client's result
          }
          if (result.status() == StoreResult.Status.REJECTED) {
            f.completeExceptionally(
                new IllegalStateException(
                    "REJECTED " + result.errorCodeIfRejected().orElse("(no code)")));
          } else {
            f.complete(result);
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    }
  }

  @Override
  public void close() {
    running = false;
    results.wakeup();
    if (poller != null) {
      try {
        poller.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    results.close();
    producer.close(Duration.ofSeconds(5));
    pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException("closed")));
  }
}
