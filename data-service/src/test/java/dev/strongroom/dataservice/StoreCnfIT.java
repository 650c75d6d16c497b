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

  /** After the refusal: the service's log is all JSON records and holds no token or key. */
  @org.junit.jupiter.api.AfterAll
  static void theLog_holdsNoTokenOrKey() throws Exception {
    dev.strongroom.devstack.testing.ServiceContract.assertTheLogHoldsNoSecret(java.util.List.of());
  }
}
