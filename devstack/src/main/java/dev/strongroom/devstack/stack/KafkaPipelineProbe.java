package dev.strongroom.devstack.stack;

import com.github.f4b6a3.uuid.UuidCreator;
import dev.strongroom.client.StrongroomClient;
import dev.strongroom.contracts.kafka.DeadLetterHeaders;
import dev.strongroom.contracts.records.StoreResult;
import dev.strongroom.contracts.tls.TlsIdentity;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.devstack.keys.DevKeys;
import dev.strongroom.proof.pipeline.PipelineProbe;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The pipeline controls' access to a running stack, with the stack's own identities as an insider
 * on its host holds them: the demo application stores probe records through the client library; the
 * operator reads topics (read-only, DESIGN §7); the crypto-service's Kafka certificate writes to
 * {@code strongroom.store.requests} — one of the two identities the broker lets write there, the
 * other being the application's ({@code demo-app}, {@code KafkaAccessPolicy}) — but the probe has
 * no event-signing key of the crypto-service, so what it writes is a forgery or a replay.
 */
public final class KafkaPipelineProbe implements PipelineProbe, AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(200);

  /** How far back from a partition's end the newest store request of a tenant is looked for. */
  private static final long LOOK_BACK = 5_000;

  private final StackDescriptor stack;
  private final TlsIdentity app;
  private final TlsIdentity writer;
  private final DevKeys keys;
  private StrongroomClient client;

  /**
   * @param app the application identity ({@code demo-app})
   * @param writer the identity the forged and replayed store requests are written as ({@code
   *     crypto-service}, one of the two allowed to write {@code strongroom.store.requests})
   */
  public KafkaPipelineProbe(
      StackDescriptor stack, TlsIdentity app, TlsIdentity writer, DevKeys keys) {
    this.stack = stack;
    this.app = app;
    this.writer = writer;
    this.keys = keys;
  }

  /** The probe of a stack {@code up} started, or empty when it runs no pipeline. */
  public static Optional<KafkaPipelineProbe> of(
      StackLauncher launcher, StackDescriptor stack, DevKeys keys) {
    if (stack.kafkaSecurity().isEmpty()
        || !stack.services().containsKey(ServiceModule.CRYPTO)
        || !stack.services().containsKey(ServiceModule.DATA)) {
      return Optional.empty();
    }
    return Optional.of(
        new KafkaPipelineProbe(
            stack, launcher.identity(PkiSpec.DEMO_APP), launcher.identity("crypto-service"), keys));
  }

  @Override
  public String describe() {
    return "Kafka "
        + stack.kafkaBootstrap()
        + " (SSL), crypto-service "
        + stack.services().get(ServiceModule.CRYPTO)
        + ", data-service "
        + stack.services().get(ServiceModule.DATA);
  }

  @Override
  public String store(String tenant, Map<String, String> fields) throws Exception {
    if (client == null) {
      client = StackClients.application(app, stack, keys, "prove");
    }
    TenantTokens authority = keys.tenantTokens(Clock.systemUTC());
    String token =
        authority.issue(
            tenant, "prove", TenantTokens.MAX_LIFETIME, TenantTokens.thumbprint(app.certificate()));
    StoreResult r =
        client
            .put(
                "prove-" + UuidCreator.getTimeOrderedEpoch(),
                tenant,
                token,
                UuidCreator.getTimeOrderedEpoch().toString(),
                fields)
            .get(60, TimeUnit.SECONDS);
    return r.status()
        + (r.errorCode() == null || r.errorCode().isEmpty() ? "" : " " + r.errorCode());
  }

  @Override
  public Optional<TopicRecord> newestStoreRequest(String tenant, Duration timeout) {
    byte[] key = tenant.getBytes(StandardCharsets.UTF_8);
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<byte[], byte[]> c = operatorConsumer()) {
      while (System.nanoTime() < deadline) {
        List<TopicPartition> parts = partitions(c, Topics.STORE_REQUESTS);
        Map<TopicPartition, Long> end = c.endOffsets(parts);
        c.assign(parts);
        for (TopicPartition tp : parts) {
          c.seek(tp, Math.max(0, end.get(tp) - LOOK_BACK));
        }
        TopicRecord[] newest = new TopicRecord[1];
        readTo(
            c,
            end,
            r -> {
              if (r.key() != null && Arrays.equals(r.key(), key)) {
                newest[0] =
                    new TopicRecord(r.topic(), r.partition(), r.offset(), r.key(), r.value());
              }
            });
        if (newest[0] != null) {
          return Optional.of(newest[0]);
        }
        sleep(500);
      }
    }
    return Optional.empty();
  }

  @Override
  public TopicRecord publishStoreRequest(byte[] key, byte[] value) throws Exception {
    Map<String, Object> p = new HashMap<>(writer.kafkaClient(stack.kafkaBootstrap()));
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "strongroom-prove");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      RecordMetadata m =
          producer
              .send(new ProducerRecord<>(Topics.STORE_REQUESTS, key, value))
              .get(30, TimeUnit.SECONDS);
      return new TopicRecord(m.topic(), m.partition(), m.offset(), key, value);
    }
  }

  @Override
  public Optional<Map<String, String>> deadLetterOf(TopicRecord published, Duration timeout) {
    String dlq = Topics.STORE_REQUESTS + ".dlq";
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<byte[], byte[]> c = operatorConsumer()) {
      List<TopicPartition> parts = partitions(c, dlq);
      c.assign(parts);
      Map<TopicPartition, Long> start = c.endOffsets(parts);
      for (TopicPartition tp : parts) {
        c.seek(tp, Math.max(0, start.get(tp) - LOOK_BACK));
      }
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
          Map<String, String> h = headers(r);
          if (published.topic().equals(h.get(DeadLetterHeaders.TOPIC))
              && Integer.toString(published.partition()).equals(h.get(DeadLetterHeaders.PARTITION))
              && Long.toString(published.offset()).equals(h.get(DeadLetterHeaders.OFFSET))) {
            return Optional.of(h);
          }
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public TopicScan scanTopics(List<byte[]> needles, byte[] probeKey) {
    List<String> hits = new ArrayList<>();
    Map<String, Long> probeRecords = new TreeMap<>();
    long[] records = {0};
    List<String> topics;
    try (KafkaConsumer<byte[], byte[]> c = operatorConsumer()) {
      topics =
          new ArrayList<>(
              new TreeSet<>(
                  c.listTopics().keySet().stream().filter(t -> !t.startsWith("__")).toList()));
      List<TopicPartition> parts = new ArrayList<>();
      for (String t : topics) {
        parts.addAll(partitions(c, t));
      }
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      c.assign(parts);
      c.seekToBeginning(parts);
      readTo(
          c,
          end,
          r -> {
            records[0]++;
            if (r.key() != null && Arrays.equals(r.key(), probeKey)) {
              probeRecords.merge(r.topic(), 1L, Long::sum);
            }
            List<byte[]> bytes = new ArrayList<>();
            bytes.add(r.key());
            bytes.add(r.value());
            for (Header h : r.headers()) {
              bytes.add(h.value());
            }
            if (bytes.stream()
                .anyMatch(b -> b != null && needles.stream().anyMatch(n -> indexOf(b, n) >= 0))) {
              hits.add(r.topic() + "/" + r.partition() + "@" + r.offset());
            }
          });
    }
    return new TopicScan(topics, records[0], hits, probeRecords);
  }

  @Override
  public Optional<Path> brokerLogDir() {
    Path dir = stack.kafkaLogDir();
    return dir != null && Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
  }

  /**
   * The operator's consumer: no group (assigned partitions, nothing committed), uncommitted too.
   */
  private KafkaConsumer<byte[], byte[]> operatorConsumer() {
    Map<String, Object> p = new HashMap<>(stack.operatorKafka());
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> c, String topic) {
    List<TopicPartition> out = new ArrayList<>();
    List<PartitionInfo> infos = c.partitionsFor(topic);
    if (infos != null) {
      for (PartitionInfo i : infos) {
        out.add(new TopicPartition(i.topic(), i.partition()));
      }
    }
    return out;
  }

  /**
   * Hands every record from the current positions up to {@code end} (exclusive) to {@code each}.
   */
  private static void readTo(
      KafkaConsumer<byte[], byte[]> c,
      Map<TopicPartition, Long> end,
      Consumer<ConsumerRecord<byte[], byte[]>> each) {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      boolean done = true;
      for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
        if (c.position(e.getKey()) < e.getValue()) {
          done = false;
          break;
        }
      }
      if (done) {
        return;
      }
      c.poll(POLL).forEach(each);
    }
    throw new IllegalStateException("could not read the topics to their end within 2 minutes");
  }

  private static Map<String, String> headers(ConsumerRecord<byte[], byte[]> r) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Header h : r.headers()) {
      out.put(h.key(), h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8));
    }
    return out;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
