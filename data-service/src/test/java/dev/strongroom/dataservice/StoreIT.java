package dev.strongroom.dataservice;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.records.StoreRequest;
import dev.strongroom.contracts.records.StoreResult;
import dev.strongroom.devstack.testing.StrongroomTestResource;
import dev.strongroom.devstack.testing.TestDatabase;
import dev.strongroom.provisioner.pki.PkiSpec;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The packaged data-service between a real broker and a real hardened MariaDB (TLS 1.3, the {@code
 * app_user} certificate, the proc-only schema): requests of two tenants are stored exactly once,
 * repeats come back DUPLICATE, and every kind of refusal comes back REJECTED with its code and is
 * dead-lettered, nothing stored, nothing else held up.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(
    value = StrongroomTestResource.class,
    initArgs = @ResourceArg(name = "service", value = "data-service"),
    restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the counts of the first see no other test
class StoreIT {
  @Test
  @Order(1)
  void everyRequestHasOneResult_oneRowPerRequest_refusalsRejectedWithTheirCode() {
    StrongroomTestResource.Stack stack = StrongroomTestResource.stack();
    TestDatabase db = stack.database().orElseThrow();
    int perTenant = 100;
    Map<String, String> expected = new HashMap<>(); // request id -> status[:code]
    try (StoreRequests requests = new StoreRequests(stack)) {
      String acme = requests.token("acme");
      String globex = requests.token("globex");
      StoreRequest reused = null;
      for (int i = 0; i < perTenant; i++) {
        for (String tenant : List.of("acme", "globex")) {
          String id = tenant + "-" + i;
          StoreRequest r =
              requests.request(
                  tenant, tenant.equals("acme") ? acme : globex, id, StoreRequests.newRecordId());
          requests.publish(tenant, r);
          expected.put(id, "STORED");
          if (i % 10 == 0) {
            requests.publish(tenant, r); // an application retry: a new event, same request id
          }
          if (reused == null) {
            reused = r;
          }
        }
      }
      // refusals, each with its code, interleaved with nothing held up behind them
      requests.publish(
          "acme", requests.request("acme", globex, "other-tenant", StoreRequests.newRecordId()));
      expected.put("other-tenant", "REJECTED:SR-TOKEN-TENANT");
      String forged = StoreRequests.forge(acme);
      requests.publish(
          "acme", requests.request("acme", forged, "forged", StoreRequests.newRecordId()));
      expected.put("forged", "REJECTED:SR-TOKEN-SIGNATURE");
      String expired =
          stack
              .keys()
              .tenantTokens(Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC))
              .issue("acme", "app@acme", Duration.ofMinutes(15), StoreRequests.CNF);
      requests.publish(
          "acme", requests.request("acme", expired, "expired", StoreRequests.newRecordId()));
      expected.put("expired", "REJECTED:SR-TOKEN-EXPIRED");
      requests.publish("acme", requests.request("acme", acme, "reused-record", reused.recordId()));
      expected.put("reused-record", "REJECTED:SR-RECORD-EXISTS");
      String oversizedRecord = StoreRequests.newRecordId();
      requests.publish(
          "acme",
          requests.request(
              "acme",
              acme,
              "oversized",
              oversizedRecord,
              StoreRequest.MAX_FIELD_CIPHERTEXT_BYTES + 1));
      expected.put("oversized", "REJECTED:SR-FIELD-TOO-LARGE");
      requests.publish(
          "acme", requests.request("acme", acme, "after-refusals", StoreRequests.newRecordId()));
      expected.put("after-refusals", "STORED");
      requests.flush();

      int duplicates = 2 * (perTenant / 10);
      List<StoreResult> results =
          StoreRequests.results(stack, expected.size() + duplicates, Duration.ofSeconds(90));
      assertEquals(expected.size() + duplicates, results.size(), "one result per request event");
      Map<String, String> first = new TreeMap<>();
      Map<String, Integer> dupes = new TreeMap<>();
      for (StoreResult r : results) {
        String outcome = r.status() + r.errorCodeIfRejected().map(c -> ":" + c).orElse("");
        if (first.putIfAbsent(r.requestId(), outcome) != null) {
          assertEquals("DUPLICATE", outcome, r.requestId());
          dupes.merge(r.requestId(), 1, Integer::sum);
        }
      }
      assertEquals(new TreeMap<>(expected), first);
      assertEquals(duplicates, dupes.size());

      assertEquals(
          Map.of("UNAUTHORIZED", 3, "REFUSED", 2),
          StoreRequests.deadLetterReasons(stack, 5, Duration.ofSeconds(10)));
      assertEquals(
          List.of(
              "SR-FIELD-TOO-LARGE: each field ciphertext is at most 65536 bytes (name: 65537 bytes)"),
          StoreRequests.deadLetterDetails(stack, 5, Duration.ofSeconds(10)).stream()
              .filter(d -> d.startsWith("SR-FIELD-TOO-LARGE"))
              .toList(),
          "the oversized request's dead letter says why");
      assertEquals(
          Integer.toString(2 * perTenant + 1),
          db.instance().sql("SELECT COUNT(*) FROM strongroom.users").scalar());
      assertEquals(
          "0",
          db.instance()
              .sql(
                  "SELECT COUNT(*) FROM strongroom.users WHERE request_id = 'oversized'"
                      + " OR record_id = '"
                      + oversizedRecord
                      + "'")
              .scalar(),
          "nothing stored for the oversized request");
    }
  }

  /**
   * The read path: a stored record's envelope comes back to its own tenant only, and each read is
   * in the audit chain's {@code record_decrypts} before the ciphertext leaves.
   */
  @Test
  @Order(2)
  void storedRecord_readByItsTenant_audited_refusedToAnother() throws Exception {
    StrongroomTestResource.Stack stack = StrongroomTestResource.stack();
    TestDatabase db = stack.database().orElseThrow();
    try (StoreRequests requests = new StoreRequests(stack)) {
      String token = requests.token("initech");
      String recordId = StoreRequests.newRecordId();
      StoreRequest stored = requests.request("initech", token, "read-1", recordId);
      requests.publish("initech", stored);
      requests.flush();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!"1"
          .equals(
              db.instance()
                  .sql("SELECT COUNT(*) FROM strongroom.users WHERE record_id = '" + recordId + "'")
                  .scalar())) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("read-1 was not stored");
        }
        Thread.sleep(200);
      }

      HttpResponse<String> ok = get("/v1/records/" + recordId, token);
      assertEquals(200, ok.statusCode(), ok.body());
      JsonNode body = CanonicalJson.mapper().readTree(ok.body());
      assertEquals("initech", body.get("tenant").asText());
      assertEquals(stored.toData().get("fields"), body.get("fields"));
      assertEquals(stored.toData().get("dataKey"), body.get("dataKey"));
      assertEquals(
          "1",
          db.instance()
              .sql(
                  "SELECT COUNT(*) FROM strongroom.record_decrypts WHERE record_id = '"
                      + recordId
                      + "' AND reader = 'app@initech'")
              .scalar());

      HttpResponse<String> other = get("/v1/records/" + recordId, requests.token("umbrella"));
      assertEquals(403, other.statusCode(), other.body());
      assertEquals(
          "SR-CROSS-TENANT", CanonicalJson.mapper().readTree(other.body()).get("error").asText());
      String forged = StoreRequests.forge(token);
      HttpResponse<String> bad = get("/v1/records/" + recordId, forged);
      assertEquals(401, bad.statusCode(), bad.body());
      assertEquals(
          "SR-TOKEN-SIGNATURE", CanonicalJson.mapper().readTree(bad.body()).get("error").asText());
      assertEquals(401, get("/v1/records/" + recordId, null).statusCode());
      // a valid token of the tenant, bound to another certificate (stolen): refused before the
      // database is asked
      String elsewhere =
          stack
              .keys()
              .tenantTokens(Clock.systemUTC())
              .issue("initech", "app@initech", Duration.ofMinutes(15), StoreRequests.CNF);
      HttpResponse<String> stolen = get("/v1/records/" + recordId, elsewhere);
      assertEquals(401, stolen.statusCode(), stolen.body());
      assertEquals(
          "{\"error\":\"SR-TOKEN-CNF\",\"detail\":\"SR-TOKEN-CNF: token is bound to another client"
              + " certificate\"}",
          stolen.body());
      assertEquals(401, get("/v1/records?limit=10", elsewhere).statusCode());
      assertEquals(
          "1",
          db.instance()
              .sql(
                  "SELECT COUNT(*) FROM strongroom.record_decrypts WHERE record_id = '"
                      + recordId
                      + "'")
              .scalar(),
          "refused reads leave no decrypt");

      HttpResponse<String> list = get("/v1/records?limit=10", token);
      assertEquals(200, list.statusCode(), list.body());
      JsonNode records = CanonicalJson.mapper().readTree(list.body()).get("records");
      assertEquals(1, records.size());
      assertEquals(recordId, records.get(0).get("recordId").asText());
    }
  }

  /**
   * Issue 15: the {@code app_user} certificate is rotated while the service runs, the old one goes
   * on the CRL and the server re-reads it ({@code FLUSH SSL}), as the rotation plan does: reads go
   * on throughout on the pool's open connections; the old certificate is then refused at login;
   * once those connections end (killed here, as a server restart or the idle timeout would end
   * them), the pool's new connections present the new certificate — reads succeed again, the same
   * service process, no restart.
   */
  @Test
  @Order(3)
  void appUserCertificateRotated_newPoolConnectionsPresentTheNew_theOldIsRefused(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
    StrongroomTestResource.Stack stack = StrongroomTestResource.stack();
    TestDatabase db = stack.database().orElseThrow();
    var pki = stack.pki();
    var app = pki.client("app_user");
    java.nio.file.Path oldCert = java.nio.file.Files.copy(app.certPem(), tmp.resolve("old.pem"));
    java.nio.file.Path oldKey = java.nio.file.Files.copy(app.keyPem(), tmp.resolve("old.key"));
    java.security.cert.X509Certificate before = app.certificate();
    try (StoreRequests requests = new StoreRequests(stack)) {
      String token = requests.token("hooli");
      assertEquals(200, get("/v1/records?limit=1", token).statusCode());
      long t0 = System.nanoTime();
      java.math.BigInteger serial =
          pki.rotateClient("app_user", false).certificate().getSerialNumber();
      assertEquals(200, get("/v1/records?limit=1", token).statusCode(), "read after the rotation");
      pki.revoke(before, dev.strongroom.provisioner.pki.RevocationReason.SUPERSEDED);
      db.instance().reloadTls();
      assertEquals(200, get("/v1/records?limit=1", token).statusCode(), "read after FLUSH SSL");
      var refused =
          db.instance()
              .client()
              .execute(
                  dev.strongroom.provisioner.db.ClientConnection.tcp(
                          "127.0.0.1", db.instance().port(), "app_user")
                      .tls(pki.caCertPem(), oldCert, oldKey),
                  "SELECT 1");
      org.junit.jupiter.api.Assertions.assertFalse(
          refused.ok(), "a login with the superseded certificate is refused");
      List<List<String>> open =
          db.instance()
              .sql("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'app_user'")
              .rows();
      org.junit.jupiter.api.Assertions.assertFalse(open.isEmpty(), "the pool holds connections");
      for (List<String> row : open) {
        db.instance().sql("KILL CONNECTION " + row.get(0));
      }
      int failedReads = 0;
      int status = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (status != 200 && System.nanoTime() < deadline) {
        status = get("/v1/records?limit=1", token).statusCode();
        if (status != 200) {
          failedReads++;
          Thread.sleep(200);
        }
      }
      assertEquals(200, status, "a read on a new connection of the pool");
      assertEquals(
          "1",
          db.instance()
              .sql(
                  "SELECT COUNT(*) > 0 FROM information_schema.PROCESSLIST WHERE USER = 'app_user'")
              .scalar(),
          "the pool logged in again");
      System.out.printf(
          "data-service: app_user rotated to serial %s and the old revoked; %d connections"
              + " ended, the next read on a new connection %s after %d failed reads; %d ms%n",
          serial.toString(16),
          open.size(),
          "succeeded",
          failedReads,
          (System.nanoTime() - t0) / 1_000_000);
    }
  }

  /**
   * After the class's refusals (forged, expired, foreign and stolen tokens on Kafka and on
   * /v1/records): the service's log is all JSON records and holds no tenant token and no key
   * material of the stack (issue 11).
   */
  @org.junit.jupiter.api.AfterAll
  static void theLog_holdsNoTokenOrKey() throws Exception {
    dev.strongroom.devstack.testing.ServiceContract.assertTheLogHoldsNoSecret(List.of());
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(StrongroomTestResource.stack().baseUrl() + path))
            .timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    // As the application: /v1/records is allowed to demo-app only (EndpointAccess).
    HttpClient http = StrongroomTestResource.stack().http(PkiSpec.DEMO_APP);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
