package dev.strongroom.dataservice;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strongroom.contracts.records.StoreRequest;
import dev.strongroom.contracts.records.StoreResult;
import dev.strongroom.devstack.testing.StrongroomTestResource;
import dev.strongroom.devstack.testing.TestDatabase;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

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
class StoreIT {
  @Test
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
      String forged = acme.substring(0, acme.length() - 2) + (acme.endsWith("A") ? "BB" : "AA");
      requests.publish(
          "acme", requests.request("acme", forged, "forged", StoreRequests.newRecordId()));
      expected.put("forged", "REJECTED:SR-TOKEN-SIGNATURE");
      String expired =
          stack
              .keys()
              .tenantTokens(Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC))
              .issue("acme", "app@acme", Duration.ofMinutes(15));
      requests.publish(
          "acme", requests.request("acme", expired, "expired", StoreRequests.newRecordId()));
      expected.put("expired", "REJECTED:SR-TOKEN-EXPIRED");
      requests.publish("acme", requests.request("acme", acme, "reused-record", reused.recordId()));
      expected.put("reused-record", "REJECTED:SR-RECORD-EXISTS");
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
          Map.of("UNAUTHORIZED", 3, "REFUSED", 1),
          StoreRequests.deadLetterReasons(stack, 4, Duration.ofSeconds(10)));
      assertEquals(
          Integer.toString(2 * perTenant + 1),
          db.instance().sql("SELECT COUNT(*) FROM strongroom.users").scalar());
    }
  }
}
