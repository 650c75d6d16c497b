package dev.strongroom.cryptoservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.records.EncryptRequest;
import dev.strongroom.contracts.records.FieldSealer;
import dev.strongroom.contracts.records.StoreRequest;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.devstack.testing.ServiceContract;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The packaged crypto-service with its KEK in Cloud KMS (the real client library against the fake).
 */
@QuarkusIntegrationTest
@QuarkusTestResource(
    value = CloudKmsStackResource.class,
    initArgs = @ResourceArg(name = "service", value = "crypto-service"),
    restrictToAnnotatedClass = true)
class CryptoServiceCloudKmsIT extends ServiceContract {
  @Override
  protected Optional<String> inboundTopic() {
    return Optional.of(Topics.ENCRYPT_REQUESTS);
  }

  @Test
  void manyRecordsOfOneTenant_costOneKmsWrap_andDecryptThroughCloudKms() throws Exception {
    String token =
        stack()
            .keys()
            .tenantTokens(Clock.systemUTC())
            .issue("acme", "alice@acme", Duration.ofMinutes(15), appCert());
    HttpResponse<String> keyResponse = get("/v1/sealing-key");
    byte[] sealTo =
        Base64.getUrlDecoder()
            .decode(CanonicalJson.mapper().readTree(keyResponse.body()).get("publicKey").asText());
    int records = 20;
    int wrapsBefore = CloudKmsStackResource.kms.encryptCalls();
    String lastRecord = null;
    for (int i = 0; i < records; i++) {
      lastRecord = newId();
      EncryptRequest req =
          new EncryptRequest(
              "req-gcp-" + i,
              token,
              lastRecord,
              FieldSealer.seal(
                  sealTo, "acme", lastRecord, "req-gcp-" + i, Map.of("name", "Person " + i)));
      send(
          Topics.ENCRYPT_REQUESTS,
          demoSigner(Clock.systemUTC())
              .sign(
                  EventCatalog.ENCRYPT_REQUESTED.type(),
                  "acme",
                  req.toData(),
                  newId(),
                  Instant.now())
              .bytes());
    }
    String wanted = "req-gcp-" + (records - 1);
    var out =
        await(
            Topics.STORE_REQUESTS,
            r ->
                wanted.equals(
                    CanonicalJson.parse(r.value()).path("data").path("requestId").asText()));
    StoreRequest store = StoreRequest.fromData(CanonicalJson.parse(out.value()).get("data"));
    assertEquals(CloudKmsStackResource.keyName, store.dataKey().kmsKeyName());
    assertTrue(
        store
            .dataKey()
            .kmsKeyVersion()
            .startsWith(CloudKmsStackResource.keyName + "/cryptoKeyVersions/"));
    assertEquals(
        1,
        CloudKmsStackResource.kms.encryptCalls() - wrapsBefore,
        "one data key (one KMS wrap) serves all " + records + " records");

    ObjectNode body = CanonicalJson.mapper().createObjectNode();
    body.put("tenant", "acme")
        .put("tenantToken", token)
        .put("recordId", store.recordId())
        .put("schemaVersion", store.schemaVersion());
    body.set("dataKey", store.toData().get("dataKey"));
    body.set("fields", store.toData().get("fields"));
    HttpResponse<String> ok =
        post(dev.strongroom.provisioner.pki.PkiSpec.DEMO_APP, "/v1/decrypt", body.toString());
    assertEquals(200, ok.statusCode(), ok.body());
    JsonNode fields = CanonicalJson.mapper().readTree(ok.body()).get("fields");
    assertEquals("Person " + (records - 1), fields.get("name").asText());
  }

  /**
   * The KMS goes down (the fake's gRPC server stops listening): encrypt requests that need a new
   * data key wait and are retried with backoff — the service stays ready, the wait shows in its
   * metrics, nothing is dead-lettered or skipped — and when the KMS is back every one is encrypted
   * and published exactly as if nothing had happened.
   */
  @Test
  void kmsDown_requestsWaitAndAreRetried_noneLostOrDeadLettered_allThroughWhenItIsBack()
      throws Exception {
    HttpResponse<String> keyResponse = get("/v1/sealing-key");
    byte[] sealTo =
        Base64.getUrlDecoder()
            .decode(CanonicalJson.mapper().readTree(keyResponse.body()).get("publicKey").asText());
    int records = 12;
    String run = newId().substring(24);
    long t0 = System.nanoTime();
    CloudKmsStackResource.kms.stop();
    java.util.Set<String> requestIds = new java.util.TreeSet<>();
    try {
      for (int i = 0; i < records; i++) {
        String tenant = "kmsdown-" + run + "-" + i; // a new tenant: a new data key, a KMS wrap
        String token =
            stack()
                .keys()
                .tenantTokens(Clock.systemUTC())
                .issue(tenant, "app", Duration.ofMinutes(15), appCert());
        String record = newId();
        String requestId = "req-kmsdown-" + run + "-" + i;
        requestIds.add(requestId);
        EncryptRequest req =
            new EncryptRequest(
                requestId,
                token,
                record,
                FieldSealer.seal(sealTo, tenant, record, requestId, Map.of("name", "P " + i)));
        send(
            Topics.ENCRYPT_REQUESTS,
            demoSigner(Clock.systemUTC())
                .sign(
                    EventCatalog.ENCRYPT_REQUESTED.type(),
                    tenant,
                    req.toData(),
                    newId(),
                    Instant.now())
                .bytes());
      }
      // they wait: retried, visible in the metrics, the service still ready — for longer than
      // the connector's default 60 s limit on a record awaiting its acknowledgement, which the
      // service turns off so that an outage cannot stop its consumer
      long deadline = t0 + Duration.ofSeconds(75).toNanos();
      double retries = 0;
      double waiting = 0;
      while (System.nanoTime() < deadline) {
        String metrics = get("/q/metrics").body();
        retries = metric(metrics, "strongroom_encrypt_retries_total{reason=\"UNAVAILABLE\"");
        waiting = metric(metrics, "strongroom_encrypt_waiting");
        Thread.sleep(1000);
      }
      assertTrue(retries >= 1, "retried while the KMS is down: " + retries);
      assertEquals(1.0, waiting, "the record at the head waits (the others queue behind it)");
      assertEquals(200, get("/q/health/ready").statusCode(), "a KMS outage is not a dead service");
      assertEquals(
          java.util.Set.of(),
          requestIdsOn(Topics.STORE_REQUESTS, requestIds, Duration.ofSeconds(3)),
          "nothing encrypted without the KMS");
    } finally {
      CloudKmsStackResource.kms.resume();
    }
    long down = System.nanoTime();
    // back: every request through, exactly once, none dead-lettered
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    java.util.Set<String> through = java.util.Set.of();
    while (System.nanoTime() < deadline && through.size() < records) {
      through = requestIdsOn(Topics.STORE_REQUESTS, requestIds, Duration.ofSeconds(2));
    }
    assertEquals(requestIds, through, "every request encrypted once the KMS is back");
    assertEquals(
        java.util.Set.of(),
        requestIdsOn(Topics.ENCRYPT_REQUESTS + ".dlq", requestIds, Duration.ofSeconds(2)),
        "none dead-lettered");
    assertEquals(0.0, metric(get("/q/metrics").body(), "strongroom_encrypt_waiting"));
    System.out.printf(
        "KMS down: %d requests waited %.1f s, all %d through %.1f s after the KMS came back%n",
        records, (down - t0) / 1e9, records, (System.nanoTime() - down) / 1e9);
  }

  /**
   * The KMS goes down on the read side: a decrypt whose data key is not cached (a record of a new
   * tenant, never read) waits for it, trying again with backoff, and after its bound ({@code
   * decrypt.kms-wait} 10 s, each call at most {@code kms.call-timeout} 5 s: the defaults) answers a
   * typed 503 — no plaintext, no 500 — within the client library's 30 s HTTP timeout; once the KMS
   * is back, the same request decrypts.
   */
  @Test
  void kmsDownOnRead_decryptWaitsWithinItsBound_then503_andTheSameDecryptWorksOnceItIsBack()
      throws Exception {
    byte[] sealTo =
        Base64.getUrlDecoder()
            .decode(
                CanonicalJson.mapper()
                    .readTree(get("/v1/sealing-key").body())
                    .get("publicKey")
                    .asText());
    String tenant = "kmsread-" + newId().substring(24);
    String token =
        stack()
            .keys()
            .tenantTokens(Clock.systemUTC())
            .issue(tenant, "reader@" + tenant, Duration.ofMinutes(15), appCert());
    String record = newId();
    String requestId = "req-kmsread-" + record.substring(24);
    String name = "Read While The KMS Is Down";
    send(
        Topics.ENCRYPT_REQUESTS,
        demoSigner(Clock.systemUTC())
            .sign(
                EventCatalog.ENCRYPT_REQUESTED.type(),
                tenant,
                new EncryptRequest(
                        requestId,
                        token,
                        record,
                        FieldSealer.seal(sealTo, tenant, record, requestId, Map.of("name", name)))
                    .toData(),
                newId(),
                Instant.now())
            .bytes());
    var out =
        await(
            Topics.STORE_REQUESTS,
            r ->
                requestId.equals(
                    CanonicalJson.parse(r.value()).path("data").path("requestId").asText()));
    StoreRequest store = StoreRequest.fromData(CanonicalJson.parse(out.value()).get("data"));
    ObjectNode body = CanonicalJson.mapper().createObjectNode();
    body.put("tenant", tenant)
        .put("tenantToken", token)
        .put("recordId", store.recordId())
        .put("schemaVersion", store.schemaVersion());
    body.set("dataKey", store.toData().get("dataKey"));
    body.set("fields", store.toData().get("fields"));
    String before = get("/q/metrics").body();

    CloudKmsStackResource.kms.stop();
    double waited;
    HttpResponse<String> down;
    try {
      long t0 = System.nanoTime();
      down = post(dev.strongroom.provisioner.pki.PkiSpec.DEMO_APP, "/v1/decrypt", body.toString());
      waited = (System.nanoTime() - t0) / 1e9;
    } finally {
      CloudKmsStackResource.kms.resume();
    }
    assertEquals(503, down.statusCode(), down.body());
    assertEquals(
        CanonicalJson.mapper()
            .readTree("{\"error\":\"UNAVAILABLE\",\"detail\":\"key management is unavailable\"}"),
        CanonicalJson.mapper().readTree(down.body()));
    assertEquals(Optional.of("5"), down.headers().firstValue("Retry-After"));
    assertTrue(
        waited >= 9.5 && waited < 20, "waited within kms-wait + one call timeout: " + waited);
    String after = get("/q/metrics").body();
    double retries =
        metric(after, "strongroom_decrypt_retries_total{reason=\"UNAVAILABLE\"")
            - metric(before, "strongroom_decrypt_retries_total{reason=\"UNAVAILABLE\"");
    assertTrue(retries >= 1, "tried again with backoff: " + retries);
    assertEquals(
        1.0,
        metric(after, "strongroom_decrypt_unavailable_total")
            - metric(before, "strongroom_decrypt_unavailable_total"));
    assertEquals(0.0, metric(after, "strongroom_decrypt_waiting"));

    // the client library's channel reconnects with its own backoff: a reader that meets it still
    // reconnecting gets the same typed 503 and tries again
    long t1 = System.nanoTime();
    HttpResponse<String> back;
    int asked = 0;
    do {
      asked++;
      back = post(dev.strongroom.provisioner.pki.PkiSpec.DEMO_APP, "/v1/decrypt", body.toString());
      if (back.statusCode() != 200) {
        assertEquals(503, back.statusCode(), back.body());
      }
    } while (back.statusCode() != 200 && asked < 4);
    double backTook = (System.nanoTime() - t1) / 1e9;
    assertEquals(200, back.statusCode(), back.body());
    assertEquals(
        name, CanonicalJson.mapper().readTree(back.body()).get("fields").get("name").asText());
    System.out.printf(
        "KMS down on read: 503 UNAVAILABLE after %.1f s (%.0f tries again); the same decrypt 200"
            + " %.2f s after the KMS came back (request %d)%n",
        waited, retries, backTook, asked);
  }

  /** The value of the first sample of {@code name} (a prefix up to the labels' end) in metrics. */
  private static double metric(String metrics, String name) {
    return metrics
        .lines()
        .filter(l -> l.startsWith(name))
        .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElse(0.0);
  }

  /**
   * The request ids of {@code wanted} found in the events on {@code topic} (read from the beginning
   * as the operator until nothing new arrived for {@code quiet}); a request id seen twice fails.
   */
  private java.util.Set<String> requestIdsOn(
      String topic, java.util.Set<String> wanted, Duration quiet) {
    java.util.Properties p = new java.util.Properties();
    p.putAll(stack().kafka("operator"));
    p.put(
        org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG,
        dev.strongroom.devstack.kafka.KafkaAccessPolicy.groupFor("operator", newId()));
    p.put(org.apache.kafka.clients.consumer.ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    java.util.Set<String> seen = new java.util.TreeSet<>();
    try (var consumer =
        new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(
            p,
            new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      consumer.subscribe(java.util.List.of(topic));
      long last = System.nanoTime();
      while (System.nanoTime() - last < quiet.toNanos()) {
        for (var r : consumer.poll(Duration.ofMillis(300))) {
          last = System.nanoTime();
          String id;
          try {
            id = CanonicalJson.parse(r.value()).path("data").path("requestId").asText();
          } catch (RuntimeException notJson) {
            continue;
          }
          if (wanted.contains(id)) {
            assertTrue(seen.add(id), id + " twice on " + topic);
          }
        }
      }
    }
    return seen;
  }
}
