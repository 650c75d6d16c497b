package dev.strongroom.dataservice;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.f4b6a3.uuid.UuidCreator;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.kafka.DeadLetterHeaders;
import dev.strongroom.contracts.records.StoreRequest;
import dev.strongroom.contracts.records.StoreResult;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.devstack.kafka.KafkaAccessPolicy;
import dev.strongroom.devstack.testing.StrongroomTestResource;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Test support: builds store requests the way the crypto-service does (random bytes stand in for
 * ciphertext: the database never decrypts), signs them with the crypto-service's key, publishes
 * them, and reads results and dead letters back with {@code read_committed}.
 */
final class StoreRequests implements AutoCloseable {
  /**
   * A certificate thumbprint that is not the application's: a token bound to it reaches the
   * database over Kafka (which checks the binding's shape only), but not the REST read.
   */
  static final String CNF =
      dev.strongroom.contracts.token.TenantTokens.thumbprint(
          "data-service test application".getBytes(java.nio.charset.StandardCharsets.UTF_8));

  private static final SecureRandom RANDOM = new SecureRandom();

  private final StrongroomTestResource.Stack stack;
  private final EventSigner signer;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Map<String, String> dekIds = new HashMap<>();
  private final Queue<Future<RecordMetadata>> sent = new ConcurrentLinkedQueue<>();

  StoreRequests(StrongroomTestResource.Stack stack) {
    this.stack = stack;
    this.signer =
        new EventSigner(
            stack.keys().key("crypto-service"), "/strongroom/crypto-service", Clock.systemUTC());
    Map<String, Object> p = stack.kafka(PkiSpec.DEMO_APP); // an application may publish requests
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  String token(String tenant) {
    return stack
        .keys()
        .tenantTokens(Clock.systemUTC())
        .issue(
            tenant,
            "app@" + tenant,
            Duration.ofMinutes(15),
            dev.strongroom.contracts.token.TenantTokens.thumbprint(
                stack.pki().identity(PkiSpec.DEMO_APP).certificate()));
  }

  /**
   * The token with one MAC character changed, well inside the MAC so the base64url stays canonical
   * (the last character of a 32-byte MAC carries padding bits).
   */
  static String forge(String token) {
    int i = token.length() - 10;
    char c = token.charAt(i) == 'A' ? 'B' : 'A';
    return token.substring(0, i) + c + token.substring(i + 1);
  }

  static String newRecordId() {
    return UuidCreator.getTimeOrderedEpoch().toString();
  }

  StoreRequest request(String tenant, String token, String requestId, String recordId) {
    return request(tenant, token, requestId, recordId, 40);
  }

  /** A request whose {@code name} ciphertext is {@code nameBytes} long. */
  StoreRequest request(
      String tenant, String token, String requestId, String recordId, int nameBytes) {
    String dekId = dekIds.computeIfAbsent(tenant, t -> "dek-" + UUID.randomUUID());
    Map<String, StoreRequest.FieldCiphertext> fields = new LinkedHashMap<>();
    fields.put("name", new StoreRequest.FieldCiphertext(bytes(nameBytes), bytes(12)));
    fields.put("email", new StoreRequest.FieldCiphertext(bytes(50), bytes(12)));
    return new StoreRequest(
        requestId,
        token,
        recordId,
        1,
        new StoreRequest.DataKeyRef(dekId, bytes(60), "strongroom-dev-kek", "1", null, null),
        fields);
  }

  void publish(String tenant, StoreRequest request) {
    byte[] value = signer.sign(EventCatalog.STORE_REQUESTED, tenant, request.toData()).bytes();
    sent.add(
        producer.send(
            new ProducerRecord<>(
                Topics.STORE_REQUESTS, tenant.getBytes(StandardCharsets.UTF_8), value)));
  }

  /**
   * Publishes {@code request} signed by {@code signer} (an application's own key) as Kafka identity
   * {@code identity}, and waits for the broker to take it.
   */
  void publishAs(String identity, EventSigner signer, String tenant, StoreRequest request)
      throws Exception {
    byte[] value = signer.sign(EventCatalog.STORE_REQUESTED, tenant, request.toData()).bytes();
    Map<String, Object> p = stack.kafka(identity);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> own =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      own.send(
              new ProducerRecord<>(
                  Topics.STORE_REQUESTS, tenant.getBytes(StandardCharsets.UTF_8), value))
          .get(30, TimeUnit.SECONDS);
    }
  }

  /** Flushes, then fails if any send since the last flush failed (a test never loses a request). */
  void flush() {
    producer.flush();
    for (Future<RecordMetadata> f; (f = sent.poll()) != null; ) {
      try {
        f.get();
      } catch (ExecutionException e) {
        throw new AssertionError("a request was not sent: " + e.getCause(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while flushing", e);
      }
    }
  }

  /** Result events (committed only), in order, until {@code expected} arrived or the timeout. */
  static List<StoreResult> results(
      StrongroomTestResource.Stack stack, int expected, Duration timeout) {
    List<StoreResult> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r :
        read(stack, PkiSpec.DEMO_APP, Topics.STORE_RESULTS, expected, timeout)) {
      JsonNode event = CanonicalJson.parse(r.value());
      out.add(StoreResult.fromData(event.get("data")));
    }
    return out;
  }

  /** Dead letters (committed only) as reason → count. */
  static Map<String, Integer> deadLetterReasons(
      StrongroomTestResource.Stack stack, int expected, Duration timeout) {
    Map<String, Integer> out = new java.util.TreeMap<>();
    for (ConsumerRecord<byte[], byte[]> r :
        read(stack, "operator", Topics.dlq(Topics.STORE_REQUESTS), expected, timeout)) {
      String reason =
          new String(
              r.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8);
      out.merge(reason, 1, Integer::sum);
    }
    return out;
  }

  /** The dead letters' details (committed only), in order. */
  static List<String> deadLetterDetails(
      StrongroomTestResource.Stack stack, int expected, Duration timeout) {
    List<String> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r :
        read(stack, "operator", Topics.dlq(Topics.STORE_REQUESTS), expected, timeout)) {
      out.add(
          new String(
              r.headers().lastHeader(DeadLetterHeaders.DETAIL).value(), StandardCharsets.UTF_8));
    }
    return out;
  }

  /** Reads {@code topic} as identity {@code who} (mutual TLS, one of its own groups). */
  static List<ConsumerRecord<byte[], byte[]>> read(
      StrongroomTestResource.Stack stack,
      String who,
      String topic,
      int expected,
      Duration timeout) {
    Map<String, Object> p = stack.kafka(who);
    p.put(
        ConsumerConfig.GROUP_ID_CONFIG, KafkaAccessPolicy.groupFor(who, "it-" + UUID.randomUUID()));
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      // a little longer: anything beyond the expected count is a failure to see
      long settle = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
      while (System.nanoTime() < settle) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  @Override
  public void close() {
    producer.close();
  }
}
