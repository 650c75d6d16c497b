package dev.strongroom.contracts.proof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.schema.EventCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The proof events round-trip through their schemas; the schemas refuse what a run never says. */
class ProofEventsTest {
  private static final EventCatalog CATALOG = EventCatalog.standard();

  private static JsonNode golden(String type, String file) throws Exception {
    return CanonicalJson.parse(
            Files.readAllBytes(Path.of("src/test/resources/golden/" + type + "/" + file)))
        .get("data");
  }

  private static ObjectNode passed() throws Exception {
    return (ObjectNode) golden(EventCatalog.PROOF_COMPLETED.type(), "v1-passed.json").deepCopy();
  }

  @Test
  void request_roundTrips() throws Exception {
    JsonNode data = golden(EventCatalog.PROOF_REQUESTED.type(), "v1-requested.json");
    ProofRequest r = ProofRequest.fromData(data);
    assertEquals("proof-0001", r.requestId());
    assertEquals(data, r.toData());
    assertTrue(CATALOG.validate(EventCatalog.PROOF_REQUESTED, r.toData()).isEmpty());
    assertTrue(
        CATALOG
            .validate(EventCatalog.PROOF_REQUESTED, new ProofRequest("p-2", null).toData())
            .isEmpty());
  }

  @Test
  void request_withAnUnsafeIdOrAnUnknownMember_violatesTheSchema() {
    assertFalse(
        CATALOG
            .validate(EventCatalog.PROOF_REQUESTED, new ProofRequest("../../etc", null).toData())
            .isEmpty());
    ObjectNode extra = new ProofRequest("p-3", null).toData();
    extra.put("waivers", "/etc/shadow");
    assertEquals(
        List.of(
            ": property 'waivers' is not defined in the schema and the schema does not allow additional properties"),
        CATALOG.validate(EventCatalog.PROOF_REQUESTED, extra));
  }

  @Test
  void completed_roundTrips_bothGoldenRuns() throws Exception {
    for (String f : List.of("v1-passed.json", "v1-failed-scheduled.json")) {
      JsonNode data = golden(EventCatalog.PROOF_COMPLETED.type(), f);
      ProofCompleted c = ProofCompleted.fromData(data);
      assertEquals(data, c.toData(), f);
      assertTrue(CATALOG.validate(EventCatalog.PROOF_COMPLETED, c.toData()).isEmpty(), f);
    }
    ProofCompleted failed =
        ProofCompleted.fromData(
            golden(EventCatalog.PROOF_COMPLETED.type(), "v1-failed-scheduled.json"));
    assertEquals(ProofCompleted.Trigger.SCHEDULE, failed.trigger());
    assertTrue(failed.requestIdIfRequested().isEmpty());
    assertEquals(List.of("SR-DB-TLS-01"), failed.controlsWith("fail"));
  }

  @Test
  void completed_withAnUnknownStatus_aBadDigestOrABadControlId_violatesTheSchema()
      throws Exception {
    ObjectNode status = passed();
    ((ObjectNode) status.get("controls")).put("SR-DB-TLS-01", "ok");
    assertFalse(CATALOG.validate(EventCatalog.PROOF_COMPLETED, status).isEmpty());

    ObjectNode digest = passed();
    ((ObjectNode) digest.get("bundle")).put("manifestSha256", "ABC");
    assertFalse(CATALOG.validate(EventCatalog.PROOF_COMPLETED, digest).isEmpty());

    ObjectNode id = passed();
    ((ObjectNode) id.get("controls")).put("drop table", "pass");
    assertFalse(CATALOG.validate(EventCatalog.PROOF_COMPLETED, id).isEmpty());

    ObjectNode path = passed();
    ((ObjectNode) path.get("bundle")).put("file", "../../etc/passwd");
    assertFalse(CATALOG.validate(EventCatalog.PROOF_COMPLETED, path).isEmpty());
  }

  @Test
  void completed_requestIdIsPresentExactlyForRequestedRuns() throws Exception {
    ProofCompleted c = ProofCompleted.fromData(passed());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new ProofCompleted(
                    c.runId(),
                    ProofCompleted.Trigger.SCHEDULE,
                    "proof-0001",
                    c.passed(),
                    c.toolVersion(),
                    c.catalogueVersion(),
                    c.target(),
                    c.started(),
                    c.finished(),
                    c.counts(),
                    c.controls(),
                    c.manifestSha256(),
                    c.bundleFile()));
    assertEquals("requestId is present exactly when trigger is REQUEST", e.getMessage());
  }
}
