package dev.strongroom.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.EventVerifier;
import dev.strongroom.contracts.envelope.RecordCoordinates;
import dev.strongroom.contracts.envelope.SignedEvent;
import dev.strongroom.contracts.envelope.Verdict;
import dev.strongroom.contracts.records.EncryptRequest;
import dev.strongroom.contracts.records.FieldSealer;
import dev.strongroom.contracts.records.StoreRequest;
import dev.strongroom.contracts.records.StoreResult;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.topics.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What an application embeds to use Strongroom (DESIGN §2, §7).
 *
 * <p><b>Write:</b> {@link #put} seals the record's fields to the crypto-service's published key
 * (HPKE; the plaintext never reaches a Kafka log), signs an {@code encrypt.requested.v1} event as
 * the application, publishes it on {@code strongroom.encrypt.requests} keyed by tenant (per-tenant
 * order), and completes when the matching {@code store.completed.v1} result arrives on {@code
 * strongroom.store.results} — verified against the key registry before it is believed: any status
 * signed by the data-service, or a REJECTED signed by the crypto-service for a request it refused
 * (tenant token, seal, field size; {@link StoreResult#mayComeFrom}), and from either only when it
 * names the very event this client published for the request ({@link #believes}): another
 * application could sign an encrypt request, or write a store request, with this one's request id,
 * record and tenant and a worthless token, and the refusal of it names the forger's event; an
 * earlier attempt's answer can arrive again. A result is matched by request id, and must name the
 * record and tenant of the put; a retry of the same request id completes {@code DUPLICATE}, never
 * stores twice. A field over {@link StoreRequest#MAX_FIELD_BYTES} is refused before sealing ({@link
 * FieldTooLargeException}).
 *
 * <p><b>Read:</b> {@link #get} fetches the record's ciphertext envelope from the data-service with
 * the tenant token ({@code GET /v1/records/{id}}; the database records the read in the audit chain
 * before any ciphertext leaves) and asks the crypto-service to decrypt it for the same token
 * ({@code POST /v1/decrypt}). Any refusal is a {@link RefusedException} carrying the refusal's code
 * ({@code SR-CROSS-TENANT}, {@code SR-TOKEN-SIGNATURE}, {@code INTEGRITY}, …).
 *
 * <p>Transport: the caller hands in Kafka client properties (bootstrap and mutual TLS as the
 * application identity) and an {@link HttpClient} holding the same identity. Thread-safe; close it
 * to stop its result poller.
 *
 * <p>Results are read from every partition of {@code strongroom.store.results}, starting at their
 * end when the client is built, without a consumer group: nothing a broker or another consumer does
 * can move the client's position past a result it awaits (a group rebalance after a broker restart
 * did). Results of requests published before a restart of the application are therefore not seen by
 * the new client; a retry of such a request (same request id) is answered {@code DUPLICATE}.
 */
public final class StrongroomClient implements AutoCloseable {
  private final EventSigner signer;
  private final EventVerifier verifier;
  private final HttpClient http;
  private final URI cryptoUrl;
  private final URI dataUrl;
  private final Duration httpTimeout;
  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> results;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicLong unverified = new AtomicLong();
  private final Thread poller;
  private volatile byte[] sealTo;
  private volatile boolean running = true;

  private StrongroomClient(Builder b) {
    this.signer = Objects.requireNonNull(b.signer, "signer");
    this.verifier = Objects.requireNonNull(b.verifier, "verifier");
    this.http = Objects.requireNonNull(b.http, "http");
    this.cryptoUrl = Objects.requireNonNull(b.cryptoUrl, "cryptoUrl");
    this.dataUrl = Objects.requireNonNull(b.dataUrl, "dataUrl");
    this.httpTimeout = b.httpTimeout;
    Objects.requireNonNull(b.kafka, "kafka");
    Map<String, Object> p = new LinkedHashMap<>(b.kafka);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    Map<String, Object> c = new LinkedHashMap<>(b.kafka);
    c.remove(ConsumerConfig.GROUP_ID_CONFIG); // never a group member: see below
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    this.results = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    try {
      // Every partition assigned, no group: a group rebalance (the coordinator restarted, the
      // session expired while the broker was away, a second member) would hand partitions away or
      // reset their position to the end, past results this client still awaits — it did, in a
      // broker restart under load. The position lives in this consumer alone and never jumps.
      List<PartitionInfo> partitions =
          results.partitionsFor(Topics.STORE_RESULTS, b.assignmentTimeout);
      if (partitions == null || partitions.isEmpty()) {
        throw new IllegalStateException("no partition of " + Topics.STORE_RESULTS + " found");
      }
      List<TopicPartition> assigned =
          partitions.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      results.assign(assigned);
      results.seekToEnd(assigned); // results published from now on must be seen
      assigned.forEach(results::position);
    } catch (RuntimeException e) {
      results.close();
      producer.close(Duration.ZERO);
      throw e;
    }
    this.poller = new Thread(this::poll, "strongroom-client-results");
    poller.setDaemon(true);
    poller.start();
  }

  /**
   * A put awaiting its result: believed only for the tenant and record it was published for, and
   * only when it names the very event published ({@code eventId}), the latest attempt of its
   * request id (an earlier attempt's pending put ended before this one was registered).
   */
  private record Pending(
      String tenant, String recordId, String eventId, CompletableFuture<StoreResult> done) {}

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Publishes one record and returns its result when it arrives: {@code STORED}, {@code DUPLICATE}
   * (the request id was already stored) or {@code REJECTED} with its code. The future fails only
   * when the request could not be published or the client was closed.
   *
   * @param requestId the application's id for this write, stable across its retries
   * @param recordId a UUIDv7 the application chose (part of every field's AAD)
   * @param fields the seed's fields ({@code name} required; {@code role}, {@code email}, {@code
   *     phone})
   */
  public CompletableFuture<StoreResult> put(
      String requestId,
      String tenant,
      String tenantToken,
      String recordId,
      Map<String, String> fields) {
    requireStorable(fields);
    if (!running) {
      throw new IllegalStateException("client closed");
    }
    EncryptRequest request =
        new EncryptRequest(
            requestId,
            tenantToken,
            recordId,
            FieldSealer.seal(sealingKey(), tenant, recordId, requestId, fields));
    SignedEvent signed = signer.sign(EventCatalog.ENCRYPT_REQUESTED, tenant, request.toData());
    CompletableFuture<StoreResult> done = new CompletableFuture<>();
    Pending awaited = new Pending(tenant, recordId, signed.id(), done);
    Pending earlier = pending.putIfAbsent(requestId, awaited);
    if (earlier != null) {
      throw new IllegalArgumentException("request " + requestId + " is already awaited");
    }
    // A failed send completes `done` exceptionally in the callback; success is the verified result.
    Future<RecordMetadata> unused =
        producer.send(
            new ProducerRecord<>(
                Topics.ENCRYPT_REQUESTS, tenant.getBytes(StandardCharsets.UTF_8), signed.bytes()),
            (meta, err) -> {
              if (err != null && pending.remove(requestId, awaited)) {
                done.completeExceptionally(err);
              }
            });
    return done;
  }

  /**
   * Checks, without publishing anything, that {@code fields} can be stored: only the seed's fields,
   * each at most {@link StoreRequest#MAX_FIELD_BYTES} bytes of UTF-8 (the limit the crypto-service
   * refuses with {@code SR-FIELD-TOO-LARGE}). {@link #put} checks the same before it seals.
   *
   * @throws FieldTooLargeException naming the field, its length and the limit
   * @throws IllegalArgumentException for an unknown field
   */
  public static void requireStorable(Map<String, String> fields) {
    for (String f : fields.keySet()) {
      if (!StoreRequest.FIELDS.contains(f)) {
        throw new IllegalArgumentException(
            "unknown field " + f + "; fields are " + StoreRequest.FIELDS);
      }
    }
    StoreRequest.oversizedValue(fields)
        .ifPresent(
            over -> {
              throw new FieldTooLargeException(over.field(), over.bytes());
            });
  }

  /**
   * The record's fields in plaintext, for the holder of {@code tenantToken}: the data-service's
   * audited read, then the crypto-service's decrypt.
   *
   * @throws RefusedException with the refusal's code and HTTP status
   * @throws IOException if a service cannot be reached
   */
  public Map<String, String> get(String tenant, String tenantToken, String recordId)
      throws IOException {
    HttpResponse<String> envelope =
        send(
            HttpRequest.newBuilder(
                    dataUrl.resolve(
                        "/v1/records/" + URLEncoder.encode(recordId, StandardCharsets.UTF_8)))
                .header("Authorization", "Bearer " + tenantToken)
                .GET());
    JsonNode env = refuseUnlessOk("data-service", envelope);
    ObjectNode body = CanonicalJson.mapper().createObjectNode();
    body.put("tenant", tenant)
        .put("tenantToken", tenantToken)
        .put("recordId", recordId)
        .put("schemaVersion", env.path("schemaVersion").asInt(1));
    body.set("dataKey", env.get("dataKey"));
    body.set("fields", env.get("fields"));
    HttpResponse<String> decrypted =
        send(
            HttpRequest.newBuilder(cryptoUrl.resolve("/v1/decrypt"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(CanonicalJson.canonicalString(body))));
    JsonNode fields = refuseUnlessOk("crypto-service", decrypted).path("fields");
    Map<String, String> out = new LinkedHashMap<>();
    for (String f : StoreRequest.FIELDS) {
      if (fields.hasNonNull(f)) {
        out.put(f, fields.get(f).asText());
      }
    }
    return out;
  }

  /**
   * Results on the topic whose signature or envelope did not verify, or whose signer may not give
   * that answer (never believed).
   */
  public long unverifiedResults() {
    return unverified.get();
  }

  /** Requests published and not yet answered. */
  public int awaiting() {
    return pending.size();
  }

  /** The crypto-service's HPKE public key, fetched once from {@code GET /v1/sealing-key}. */
  private byte[] sealingKey() {
    byte[] k = sealTo;
    if (k == null) {
      synchronized (this) {
        if (sealTo == null) {
          try {
            JsonNode key =
                refuseUnlessOk(
                    "crypto-service",
                    send(HttpRequest.newBuilder(cryptoUrl.resolve("/v1/sealing-key")).GET()));
            if (!EncryptRequest.SUITE.equals(key.path("suite").asText())) {
              throw new IllegalStateException(
                  "the crypto-service seals with " + key.path("suite").asText());
            }
            sealTo = Base64Url.decode(key.path("publicKey").asText());
          } catch (IOException e) {
            throw new IllegalStateException(
                "cannot fetch the sealing key from " + cryptoUrl + ": " + e.getMessage(), e);
          }
        }
        k = sealTo;
      }
    }
    return k;
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
    try {
      return http.send(
          request.timeout(httpTimeout).build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static JsonNode refuseUnlessOk(String service, HttpResponse<String> r) {
    JsonNode body;
    try {
      body = CanonicalJson.parse(r.body().getBytes(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      body = CanonicalJson.mapper().createObjectNode();
    }
    if (r.statusCode() != 200) {
      throw new RefusedException(
          service,
          r.statusCode(),
          body.path("error").asText("HTTP_" + r.statusCode()),
          body.path("detail").asText(""));
    }
    return body;
  }

  private void poll() {
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : results.poll(Duration.ofMillis(100))) {
          Verdict v =
              verifier.verify(
                  r.value(), new RecordCoordinates(r.topic(), r.partition(), r.offset()));
          if (!(v instanceof Verdict.Accepted a)) {
            unverified.incrementAndGet(); // not believed: forged, stale or replayed
            continue;
          }
          StoreResult result;
          try {
            result = StoreResult.fromData(a.event().data());
          } catch (RuntimeException e) {
            unverified.incrementAndGet();
            continue;
          }
          if (!result.mayComeFrom(a.event().source())) {
            unverified.incrementAndGet(); // e.g. a STORED signed by the crypto-service
            continue;
          }
          Pending p = pending.get(result.requestId());
          if (p != null
              && believes(
                  p.tenant(),
                  p.recordId(),
                  p.eventId(),
                  result,
                  a.event().source(),
                  a.event().subject())
              && pending.remove(result.requestId(), p)) {
            p.done().complete(result);
          } // else another client's result, one naming another record, or an answer to another
          // event with this request id (another application's forgery, an earlier attempt's)
        }
      }
    } catch (WakeupException e) {
      // closing
    }
  }

  /**
   * The belief rule for a verified result, signed by {@code source}, whose request id is that of a
   * pending put: it ends the put only if its signer may give it ({@link StoreResult#mayComeFrom}:
   * any status from the data-service, REJECTED alone from the crypto-service) and it names the
   * put's record, its tenant ({@code subject}) and the very event the put published ({@link
   * StoreResult#answers}). A refusal of another application's event with the same request id — an
   * encrypt request the crypto-service refused, a store request the data-service refused — names
   * that event, not this one; so does an answer to an earlier attempt of the same request id, sent
   * again by a retried batch.
   */
  static boolean believes(
      String tenant,
      String recordId,
      String publishedEventId,
      StoreResult result,
      String source,
      Optional<String> subject) {
    return result.mayComeFrom(source)
        && recordId.equals(result.recordId())
        && subject.filter(tenant::equals).isPresent()
        && result.answers(publishedEventId);
  }

  @Override
  public void close() {
    running = false;
    results.wakeup();
    try {
      poller.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    results.close();
    producer.close(Duration.ofSeconds(5));
    IllegalStateException closed = new IllegalStateException("client closed");
    pending.values().forEach(p -> p.done().completeExceptionally(closed));
    pending.clear();
  }

  /** Builds a {@link StrongroomClient}; every setter except the timeouts is required. */
  public static final class Builder {
    private Map<String, Object> kafka;
    private EventSigner signer;
    private EventVerifier verifier;
    private HttpClient http;
    private URI cryptoUrl;
    private URI dataUrl;
    private Duration httpTimeout = Duration.ofSeconds(30);
    private Duration assignmentTimeout = Duration.ofSeconds(30);

    private Builder() {}

    /** Kafka client properties: bootstrap servers and mutual TLS as the application. */
    public Builder kafka(Map<String, Object> kafkaClientProperties) {
      this.kafka = Map.copyOf(kafkaClientProperties);
      return this;
    }

    /** Signs encrypt requests as the application ({@code /apps/<app>}). */
    public Builder signer(EventSigner signer) {
      this.signer = signer;
      return this;
    }

    /** Verifies results against the key registry. */
    public Builder verifier(EventVerifier verifier) {
      this.verifier = verifier;
      return this;
    }

    /** An HTTPS client holding the application's certificate. */
    public Builder http(HttpClient http) {
      this.http = http;
      return this;
    }

    /** The crypto-service's base URL. */
    public Builder cryptoUrl(URI url) {
      this.cryptoUrl = url;
      return this;
    }

    /** The data-service's base URL. */
    public Builder dataUrl(URI url) {
      this.dataUrl = url;
      return this;
    }

    public Builder httpTimeout(Duration timeout) {
      this.httpTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /** How long {@link #build} waits for the results topic's partitions (default 30 s). */
    public Builder assignmentTimeout(Duration timeout) {
      this.assignmentTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /** Connects: reads the results topic's partitions and starts at their end. */
    public StrongroomClient build() {
      return new StrongroomClient(this);
    }
  }
}
