package dev.strongroom.devstack.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.f4b6a3.uuid.UuidCreator;
import com.sun.net.httpserver.HttpServer;
import dev.strongroom.client.StrongroomClient;
import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.EventVerifier;
import dev.strongroom.contracts.envelope.ReplayGuard;
import dev.strongroom.contracts.keys.KeyRegistry;
import dev.strongroom.contracts.records.EncryptRequest;
import dev.strongroom.contracts.records.SealingKey;
import dev.strongroom.contracts.records.StoreResult;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.testing.TestKeys;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.devstack.kafka.EmbeddedKafka;
import dev.strongroom.devstack.kafka.KafkaAccessPolicy;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client library's result reader against a real broker that goes away: every result the
 * data-service publishes after the client was built reaches the request that awaits it, across a
 * broker restart longer than a consumer-group session and while another reader of the application's
 * identity joins a group on the results topic. The reader holds every partition itself, outside any
 * group: a group member's partitions move, and come back positioned at the end (no offset is
 * committed), whenever the group rebalances — after a session expired while the broker was away, or
 * when a second member joins.
 */
class StrongroomClientResultsIT {
  private static final String DATA_SOURCE = "/strongroom/data-service";

  @TempDir Path dir;

  @Test
  void resultsPublishedAroundABrokerRestart_allReachTheirRequests() throws Exception {
    PkiDirectory pki = PkiDirectory.open(dir.resolve("pki"), PkiSpec.strongroom(List.of()));
    pki.ensure();
    EmbeddedKafka broker = EmbeddedKafka.start(dir.resolve("kafka"), pki);
    HttpServer sealingKey = sealingKeyServer();
    try {
      broker.createStrongroomTopics();
      int port = Integer.parseInt(broker.bootstrapServers().replaceAll(".*:", ""));
      Clock clock = Clock.systemUTC();
      Map<String, Object> kafka = broker.clientConfig(PkiSpec.DEMO_APP);
      // Short sessions and fetch waits: a group member would lose its session during the restart.
      kafka.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000);
      kafka.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
      List<Put> requests = new ArrayList<>();
      List<CompletableFuture<StoreResult>> results = new ArrayList<>();
      try (StrongroomClient client =
              StrongroomClient.builder()
                  .kafka(kafka)
                  .signer(new EventSigner(TestKeys.key("app"), "/apps/demo", clock))
                  .verifier(
                      new EventVerifier(
                          KeyRegistry.of(
                              List.of(
                                  TestKeys.entry(
                                      "data",
                                      DATA_SOURCE,
                                      List.of(EventCatalog.STORE_COMPLETED.type())))),
                          EventCatalog.standard(),
                          EventVerifier.DEFAULT_SKEW,
                          clock,
                          ReplayGuard.forSkew(EventVerifier.DEFAULT_SKEW, clock)))
                  .http(HttpClient.newHttpClient())
                  .cryptoUrl(
                      URI.create("http://127.0.0.1:" + sealingKey.getAddress().getPort() + "/"))
                  .dataUrl(URI.create("http://127.0.0.1:1/"))
                  .build();
          KafkaConsumer<byte[], byte[]> sibling = sibling(broker)) {
        sibling.subscribe(List.of(Topics.STORE_RESULTS)); // the app's own group reader
        sibling.poll(Duration.ofSeconds(2));
        for (int i = 0; i < 60; i++) {
          Put put =
              new Put(
                  "restart-" + i,
                  "tenant-" + (i % 6),
                  UuidCreator.getTimeOrderedEpoch().toString());
          requests.add(put);
          results.add(
              client.put(
                  put.requestId(),
                  put.tenant(),
                  "header.signature",
                  put.recordId(),
                  Map.of("name", "Person " + i)));
        }
        publishResults(broker, requests.subList(0, 20));
        try {
          CompletableFuture.allOf(results.subList(0, 20).toArray(new CompletableFuture<?>[0]))
              .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new AssertionError(
              "unverified " + client.unverifiedResults() + " awaiting " + client.awaiting(), e);
        }

        broker.close(); // away longer than the session: a group member is expelled
        Thread.sleep(9_000);
        broker = EmbeddedKafka.start(dir.resolve("kafka"), pki, port);
        sibling.poll(Duration.ofSeconds(1)); // rejoins its group on the restarted broker
        publishResults(broker, requests.subList(20, 60));

        CompletableFuture.allOf(results.toArray(new CompletableFuture<?>[0]))
            .get(60, TimeUnit.SECONDS);
        for (int i = 0; i < 60; i++) {
          assertEquals(requests.get(i).requestId(), results.get(i).get().requestId());
          assertEquals(StoreResult.Status.STORED, results.get(i).get().status());
        }
        assertEquals(0, client.awaiting(), "no request still awaits its result");
        assertEquals(0, client.unverifiedResults());
      }
    } finally {
      sealingKey.stop(0);
      broker.close();
    }
  }

  /** Another reader of the application's identity, in a group on the results topic. */
  private static KafkaConsumer<byte[], byte[]> sibling(EmbeddedKafka broker) {
    Map<String, Object> c = broker.clientConfig(PkiSpec.DEMO_APP);
    c.put(
        ConsumerConfig.GROUP_ID_CONFIG,
        KafkaAccessPolicy.groupFor(
            PkiSpec.DEMO_APP, "sibling-" + UuidCreator.getTimeOrderedEpoch()));
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** A request put, and what its result must name (the client checks both). */
  private record Put(String requestId, String tenant, String recordId) {}

  /**
   * Publishes a signed {@code STORED} result for each request, as the data-service would: naming
   * the encrypt request event the client published for it (the client believes nothing else).
   */
  private static void publishResults(EmbeddedKafka broker, List<Put> puts) throws Exception {
    Map<String, String> published = encryptEventIds(broker, puts.size());
    EventSigner data = new EventSigner(TestKeys.key("data"), DATA_SOURCE, Clock.systemUTC());
    Map<String, Object> p = broker.clientConfig("data-service");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (Put put : puts) {
        StoreResult r =
            new StoreResult(
                put.requestId(),
                put.recordId(),
                StoreResult.Status.STORED,
                null,
                java.util.Objects.requireNonNull(
                    published.get(put.requestId()), "no encrypt request for " + put.requestId()));
        producer
            .send(
                new ProducerRecord<>(
                    Topics.STORE_RESULTS,
                    put.tenant().getBytes(StandardCharsets.UTF_8),
                    data.sign(EventCatalog.STORE_COMPLETED, put.tenant(), r.toData()).bytes()))
            .get(30, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Request id → event id of every encrypt request on the topic (at least {@code atLeast}), read as
   * the operator, as the crypto-service would read them.
   */
  private static Map<String, String> encryptEventIds(EmbeddedKafka broker, int atLeast) {
    Map<String, Object> c = broker.clientConfig("operator");
    c.put(
        ConsumerConfig.GROUP_ID_CONFIG,
        KafkaAccessPolicy.groupFor("operator", "encrypt-" + UuidCreator.getTimeOrderedEpoch()));
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    Map<String, String> ids = new java.util.HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.ENCRYPT_REQUESTS));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      // every put so far was sent before this runs; reading all of them covers `atLeast`
      while (System.nanoTime() < deadline && ids.size() < 60) {
        consumer
            .poll(Duration.ofMillis(200))
            .forEach(
                r -> {
                  com.fasterxml.jackson.databind.JsonNode event =
                      dev.strongroom.contracts.envelope.CanonicalJson.parse(r.value());
                  ids.put(event.path("data").path("requestId").asText(), event.get("id").asText());
                });
      }
    }
    if (ids.size() < atLeast) {
      throw new AssertionError("only " + ids.size() + " encrypt requests found");
    }
    return ids;
  }

  /** Serves {@code GET /v1/sealing-key} as the crypto-service does (the client seals to it). */
  private static HttpServer sealingKeyServer() throws Exception {
    SealingKey key = SealingKey.generate();
    byte[] body =
        ("{\"suite\":\""
                + EncryptRequest.SUITE
                + "\",\"publicKey\":\""
                + Base64Url.encode(key.publicKey())
                + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/v1/sealing-key",
        exchange -> {
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    return server;
  }
}
