package dev.strongroom.dataservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.records.StoreResult;
import dev.strongroom.devstack.testing.StrongroomTestResource;
import dev.strongroom.devstack.testing.TestDatabase;
import dev.strongroom.provisioner.pki.PkiSpec;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The packaged data-service with a second application identity on the test stack ({@code
 * other-app}: its own certificate, Kafka grants and event key bound to its certificate), between a
 * real broker and a real hardened MariaDB: an application's own store request must carry a token
 * bound to its signer's certificate (issue 11).
 */
@QuarkusIntegrationTest
@QuarkusTestResource(
    value = StrongroomTestResource.class,
    initArgs = {
      @ResourceArg(name = "service", value = "data-service"),
      @ResourceArg(name = "second-application", value = StoreCnfIT.OTHER_APP)
    },
    restrictToAnnotatedClass = true)
class StoreCnfIT {
  /** A second application identity: its own certificate, Kafka grants and bound event key. */
  static final String OTHER_APP = "other-app";

  /**
   * An application may publish store requests itself (DESIGN §3: "crypto or app → data"), so the
   * data-service holds them to what the crypto-service holds encrypt requests to (issue 11):
   * another application identity that copied demo-app's token and signs a store request with its
   * own registered key gets REJECTED {@code SR-TOKEN-CNF} and a dead letter, and no row is written;
   * demo-app's own store request with the same token is stored.
   */
  @Test
  void anotherApplicationsStoreRequest_withACopiedToken_isRejectedCnf_andNothingIsStored()
      throws Exception {
    StrongroomTestResource.Stack stack = StrongroomTestResource.stack();
    TestDatabase db = stack.database().orElseThrow();
    java.time.Clock clock = java.time.Clock.systemUTC();
    try (StoreRequests requests = new StoreRequests(stack)) {
      String token = requests.token("hooli"); // bound to demo-app's certificate
      String stolenId = "stolen-by-" + OTHER_APP + "-" + UUID.randomUUID();
      String ownId = "own-store-request-" + UUID.randomUUID();
      requests.publishAs(
          OTHER_APP,
          new dev.strongroom.contracts.envelope.EventSigner(
              stack.keys().key(OTHER_APP),
              StrongroomTestResource.secondApplicationSource(OTHER_APP),
              clock),
          "hooli",
          requests.request("hooli", token, stolenId, StoreRequests.newRecordId()));
      requests.publishAs(
          PkiSpec.DEMO_APP,
          new dev.strongroom.contracts.envelope.EventSigner(
              stack.keys().key(PkiSpec.DEMO_APP), "/apps/demo", clock),
          "hooli",
          requests.request("hooli", token, ownId, StoreRequests.newRecordId()));

      Map<String, String> outcomes = new TreeMap<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (outcomes.size() < 2 && System.nanoTime() < deadline) {
        for (StoreResult r :
            StoreRequests.results(stack, Integer.MAX_VALUE, Duration.ofSeconds(5))) {
          if (r.requestId().equals(stolenId) || r.requestId().equals(ownId)) {
            outcomes.put(
                r.requestId(), r.status() + r.errorCodeIfRejected().map(c -> ":" + c).orElse(""));
          }
        }
      }
      assertEquals(
          new TreeMap<>(Map.of(stolenId, "REJECTED:SR-TOKEN-CNF", ownId, "STORED")), outcomes);
      assertTrue(
          StoreRequests.deadLetterDetails(stack, Integer.MAX_VALUE, Duration.ofSeconds(5))
              .contains(
                  "SR-TOKEN-CNF: token is bound to another client certificate than its signer's"),
          "the dead letter names the refusal");
      assertEquals(
          "0",
          db.instance()
              .sql("SELECT COUNT(*) FROM strongroom.users WHERE request_id = '" + stolenId + "'")
              .scalar(),
          "nothing stored for the copied token");
      assertEquals(
          "1",
          db.instance()
              .sql("SELECT COUNT(*) FROM strongroom.users WHERE request_id = '" + ownId + "'")
              .scalar());
    }
  }

  /**
   * The forged answer (docs/data-plane.md, "Who answers what"): demo-app's client puts a record;
   * before its store request arrives, another application writes a store request carrying the same
   * request id, record id and tenant with a copy of demo-app's token. The data-service refuses it
   * {@code SR-TOKEN-CNF} and publishes REJECTED for that request id — naming the forger's store
   * request event, so demo-app's client does not end its put with it. Demo-app's own store request
   * (made from its encrypt request, as the crypto-service makes it: the test plays the
   * crypto-service, which this stack does not run) is then stored, and the put ends STORED naming
   * the encrypt request it published. Both answers are on one partition (key = tenant), the
   * REJECTED first: had the client believed it, the put would have ended REJECTED.
   */
  @Test
  void anotherApplicationsForgedStoreRequest_withTheVictimsRequestId_doesNotEndTheVictimsPut()
      throws Exception {
    StrongroomTestResource.Stack stack = StrongroomTestResource.stack();
    TestDatabase db = stack.database().orElseThrow();
    java.time.Clock clock = java.time.Clock.systemUTC();
    com.sun.net.httpserver.HttpServer sealing = sealingKeyServer(stack);
    try (StoreRequests requests = new StoreRequests(stack);
        dev.strongroom.client.StrongroomClient victim = client(stack, sealing, clock)) {
      String token = requests.token("hooli"); // bound to demo-app's certificate
      String requestId = "victim-" + UUID.randomUUID();
      String recordId = StoreRequests.newRecordId();
      java.util.concurrent.CompletableFuture<StoreResult> put =
          victim.put(requestId, "hooli", token, recordId, Map.of("name", "Ada Lovelace"));
      String published = encryptEventId(stack, requestId);

      // the forger learnt the ids; it writes the topic itself, signed with its own key
      requests.publishAs(
          OTHER_APP,
          new dev.strongroom.contracts.envelope.EventSigner(
              stack.keys().key(OTHER_APP),
              StrongroomTestResource.secondApplicationSource(OTHER_APP),
              clock),
          "hooli",
          requests.request("hooli", token, requestId, recordId));
      StoreResult forged = awaitResult(stack, requestId, StoreResult.Status.REJECTED);
      assertEquals("SR-TOKEN-CNF", forged.errorCode());
      assertTrue(
          forged.requestEventIdIfAny().isPresent() && !forged.answers(published),
          "the refusal names the forger's store request event: " + forged);
      assertTrue(forged.mayComeFrom(StoreResult.DATA_SERVICE_SOURCE), "a real, signed answer");

      // the victim's own store request, as the crypto-service makes it from the encrypt request
      requests.publish(
          "hooli", requests.request("hooli", token, requestId, recordId).madeFrom(published));
      requests.flush();
      StoreResult result = put.get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(StoreResult.Status.STORED, result.status(), result.toString());
      assertTrue(result.answers(published), result.toString());
      assertEquals(0, victim.awaiting());
      assertEquals(
          recordId,
          db.instance()
              .sql("SELECT record_id FROM strongroom.users WHERE request_id = '" + requestId + "'")
              .scalar());
    } finally {
      sealing.stop(0);
    }
  }

  /**
   * An application that stores first under another's request id: in its own tenant, the victim's
   * request is refused {@code SR-CROSS-TENANT} (the request id is unique across tenants); in the
   * victim's tenant (a token of that tenant bound to its own certificate) for another record, it is
   * refused {@code SR-REQUEST-EXISTS} — not DUPLICATE, which would tell the victim its record is
   * stored. Both refusals name the victim's encrypt request, so its client believes them (they are
   * true), and nothing of the victim's is stored.
   */
  @Test
  void anotherApplicationStoringFirstUnderTheVictimsRequestId_isRejected_neverDuplicate()
      throws Exception {
    StrongroomTestResource.Stack stack = StrongroomTestResource.stack();
    TestDatabase db = stack.database().orElseThrow();
    java.time.Clock clock = java.time.Clock.systemUTC();
    String forgerCert =
        dev.strongroom.contracts.token.TenantTokens.thumbprint(
            stack.pki().identity(OTHER_APP).certificate());
    dev.strongroom.contracts.envelope.EventSigner forger =
        new dev.strongroom.contracts.envelope.EventSigner(
            stack.keys().key(OTHER_APP),
            StrongroomTestResource.secondApplicationSource(OTHER_APP),
            clock);
    com.sun.net.httpserver.HttpServer sealing = sealingKeyServer(stack);
    try (StoreRequests requests = new StoreRequests(stack);
        dev.strongroom.client.StrongroomClient victim = client(stack, sealing, clock)) {
      String token = requests.token("hooli");
      Map<String, String> outcomes = new TreeMap<>();
      for (String forgersTenant : java.util.List.of("initech", "hooli")) {
        String requestId = "taken-in-" + forgersTenant + "-" + UUID.randomUUID();
        String forgersToken =
            stack
                .keys()
                .tenantTokens(clock)
                .issue(forgersTenant, "forger", Duration.ofMinutes(15), forgerCert);
        requests.publishAs(
            OTHER_APP,
            forger,
            forgersTenant,
            requests.request(forgersTenant, forgersToken, requestId, StoreRequests.newRecordId()));
        assertEquals(
            StoreResult.Status.STORED,
            awaitResult(stack, requestId, StoreResult.Status.STORED).status());

        String recordId = StoreRequests.newRecordId();
        java.util.concurrent.CompletableFuture<StoreResult> put =
            victim.put(requestId, "hooli", token, recordId, Map.of("name", "Grace Hopper"));
        String published = encryptEventId(stack, requestId);
        requests.publish(
            "hooli", requests.request("hooli", token, requestId, recordId).madeFrom(published));
        requests.flush();
        StoreResult result = put.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(result.answers(published), result.toString());
        outcomes.put(forgersTenant, result.status() + ":" + result.errorCode());
        assertEquals(
            "0",
            db.instance()
                .sql("SELECT COUNT(*) FROM strongroom.users WHERE record_id = '" + recordId + "'")
                .scalar(),
            "nothing of the victim's is stored");
      }
      assertEquals(
          new TreeMap<>(
              Map.of(
                  "initech", "REJECTED:SR-CROSS-TENANT",
                  "hooli", "REJECTED:SR-REQUEST-EXISTS")),
          outcomes);
      assertTrue(
          StoreRequests.deadLetterDetails(stack, Integer.MAX_VALUE, Duration.ofSeconds(5))
              .contains("SR-REQUEST-EXISTS: request id already stored for another record id"));
    } finally {
      sealing.stop(0);
    }
  }

  /** demo-app's client library, sealing to {@code sealing}'s key and reading the real results. */
  private static dev.strongroom.client.StrongroomClient client(
      StrongroomTestResource.Stack stack,
      com.sun.net.httpserver.HttpServer sealing,
      java.time.Clock clock) {
    return dev.strongroom.client.StrongroomClient.builder()
        .kafka(stack.kafka(PkiSpec.DEMO_APP))
        .signer(
            new dev.strongroom.contracts.envelope.EventSigner(
                stack.keys().key(PkiSpec.DEMO_APP), "/apps/demo", clock))
        .verifier(
            new dev.strongroom.contracts.envelope.EventVerifier(
                stack.keys().registry(),
                dev.strongroom.contracts.schema.EventCatalog.standard(),
                dev.strongroom.contracts.envelope.EventVerifier.DEFAULT_SKEW,
                clock,
                dev.strongroom.contracts.envelope.ReplayGuard.forSkew(
                    dev.strongroom.contracts.envelope.EventVerifier.DEFAULT_SKEW, clock)))
        .http(java.net.http.HttpClient.newHttpClient())
        .cryptoUrl(java.net.URI.create("http://127.0.0.1:" + sealing.getAddress().getPort() + "/"))
        .dataUrl(java.net.URI.create(stack.baseUrl()))
        .build();
  }

  /**
   * Serves {@code GET /v1/sealing-key} with the stack's sealing key, as the crypto-service does
   * (this stack runs no crypto-service; the test plays it).
   */
  private static com.sun.net.httpserver.HttpServer sealingKeyServer(
      StrongroomTestResource.Stack stack) throws java.io.IOException {
    byte[] body =
        ("{\"suite\":\""
                + dev.strongroom.contracts.records.EncryptRequest.SUITE
                + "\",\"publicKey\":\""
                + dev.strongroom.contracts.encoding.Base64Url.encode(
                    stack.keys().sealingKey().publicKey())
                + "\"}")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    com.sun.net.httpserver.HttpServer server =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
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

  /**
   * The id of the encrypt request event published for {@code requestId}, read as the operator (only
   * the crypto-service and the operator read that topic; no application does).
   */
  private static String encryptEventId(StrongroomTestResource.Stack stack, String requestId) {
    for (org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> r :
        StoreRequests.read(
            stack,
            "operator",
            dev.strongroom.contracts.topics.Topics.ENCRYPT_REQUESTS,
            Integer.MAX_VALUE,
            Duration.ofSeconds(5))) {
      com.fasterxml.jackson.databind.JsonNode event =
          dev.strongroom.contracts.envelope.CanonicalJson.parse(r.value());
      if (requestId.equals(event.path("data").path("requestId").asText())) {
        return event.get("id").asText();
      }
    }
    throw new AssertionError("no encrypt request for " + requestId);
  }

  /** The first result for {@code requestId} with {@code status}, read from the topic. */
  private static StoreResult awaitResult(
      StrongroomTestResource.Stack stack, String requestId, StoreResult.Status status) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      for (StoreResult r : StoreRequests.results(stack, Integer.MAX_VALUE, Duration.ofSeconds(3))) {
        if (r.requestId().equals(requestId) && r.status() == status) {
          return r;
        }
      }
    }
    throw new AssertionError("no " + status + " result for " + requestId);
  }

  /** After the refusal: the service's log is all JSON records and holds no token or key. */
  @org.junit.jupiter.api.AfterAll
  static void theLog_holdsNoTokenOrKey() throws Exception {
    dev.strongroom.devstack.testing.ServiceContract.assertTheLogHoldsNoSecret(java.util.List.of());
  }
}
