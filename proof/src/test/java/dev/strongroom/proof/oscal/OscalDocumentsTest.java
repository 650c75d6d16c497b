package dev.strongroom.proof.oscal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.proof.check.CheckResult;
import dev.strongroom.proof.check.Control;
import dev.strongroom.proof.check.EvidenceStep;
import dev.strongroom.proof.check.Method;
import dev.strongroom.proof.check.Status;
import dev.strongroom.proof.run.ProofReport;
import dev.strongroom.proof.testing.NistOscal;
import gov.nist.secauto.metaschema.core.metapath.MetapathException;
import gov.nist.secauto.oscal.lib.model.AssessmentPlan;
import gov.nist.secauto.oscal.lib.model.AssessmentResults;
import gov.nist.secauto.oscal.lib.model.Finding;
import gov.nist.secauto.oscal.lib.model.Result;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OSCAL documents of a run with every status, checked by NIST: the OSCAL 1.1.3 JSON schemas
 * that ship inside NIST's liboscal-java 5.2.0, checked by NIST's own validator (metaschema-core),
 * then read by liboscal-java into its bound model ({@link NistOscal}, which ProveCommandIT runs on
 * real bundles too). NIST's Metaschema constraint validation runs offline but stops at the plan's
 * imported system security plan, which Strongroom does not publish; a test pins exactly that.
 */
class OscalDocumentsTest {
  @TempDir Path dir;

  static ProofReport report() {
    Instant t = Instant.parse("2026-12-04T10:00:00.000Z");
    List<CheckResult> results =
        List.of(
            result("SR-DB-TLS-01", Method.ATTACK, Status.PASS, "refused: ERROR 3159", t),
            result("SR-DB-PRIV-04", Method.MEASURED_FACT, Status.FAIL, "'weak'@'%' exists\n", t),
            result("SR-DB-REST-01", Method.MEASURED_FACT, Status.ERROR, "IOException: gone", t),
            result(
                "SR-HOST-FW-01",
                Method.MEASURED_FACT,
                Status.NOT_APPLICABLE,
                "not a host provisioned by the host-hardening bundle",
                t),
            result(
                "SR-DB-CONF-06",
                Method.MEASURED_FACT,
                Status.WAIVED,
                "waived until 2026-12-05T10:00:00Z by alice@example: ticket 7 (was fail: general_log"
                    + " = ON, expected OFF)",
                t));
    return new ProofReport(
        "01a24140-233b-7d47-b38a-4b598b7bdd0a",
        "0.1.0-SNAPSHOT",
        "strongroom-controls-2",
        "mariadb-10.11@127.0.0.1:3306/strongroom",
        t,
        t.plusSeconds(30),
        results);
  }

  private static CheckResult result(
      String id, Method method, Status status, String detail, Instant t) {
    return new CheckResult(
        new Control(id, "title of " + id, List.of("seed"), method, ""),
        status,
        detail,
        t,
        t.plusSeconds(1),
        List.of(new EvidenceStep("installer", "SELECT 1", 0, "1", t, t.plusSeconds(1))));
  }

  @Test
  void nistsOscalSchemas_acceptThePlanAndTheResults() throws Exception {
    Map<String, byte[]> docs = OscalDocuments.render(report(), "kid-1");
    assertEquals(List.of(), NistOscal.bundleSchemaViolations(docs));
  }

  @Test
  void nistsLibrary_readsBothDocuments_intoItsBoundModel() throws Exception {
    Path oscal = NistOscal.write(OscalDocuments.render(report(), "kid-1"), dir);
    AssessmentPlan plan = NistOscal.readPlan(oscal);
    assertEquals("1.1.3", plan.getMetadata().getOscalVersion());
    AssessmentResults ar = NistOscal.readResults(oscal);
    Result run = ar.getResults().get(0);
    assertEquals(5, run.getObservations().size());
    Map<String, String> states = new TreeMap<>();
    for (Finding f : run.getFindings()) {
      states.put(
          f.getTarget().getTargetId(),
          f.getTarget().getStatus().getState() + "/" + f.getTarget().getStatus().getReason());
    }
    // not-applicable has an observation, never a finding (and never "satisfied"); a waived
    // control is an accepted risk, not a satisfied one
    assertEquals(
        Map.of(
            "SR-DB-CONF-06", "not-satisfied/other",
            "SR-DB-PRIV-04", "not-satisfied/fail",
            "SR-DB-REST-01", "not-satisfied/other",
            "SR-DB-TLS-01", "satisfied/pass"),
        states);
  }

  @Test
  void aStatusOscalDoesNotKnow_isRefusedByNistsSchema() throws Exception {
    ObjectNode ar =
        (ObjectNode)
            CanonicalJson.parse(
                OscalDocuments.render(report(), "kid-1").get(OscalDocuments.RESULTS));
    ((ObjectNode)
            ar.path("assessment-results")
                .path("results")
                .get(0)
                .path("findings")
                .get(0)
                .path("target")
                .path("status"))
        .put("state", "passed");
    List<String> v =
        NistOscal.schemaViolations(NistOscal.RESULTS_SCHEMA, CanonicalJson.canonicalize(ar));
    assertFalse(v.isEmpty());
    assertTrue(
        v.stream().anyMatch(m -> m.contains("findings/0/target/status/state")), v.toString());
  }

  /**
   * NIST's Metaschema constraint validation (what {@code oscal-cli validate} runs after the schema)
   * works offline, but its first constraint on either document resolves the imports down to a
   * system security plan or profile: the plan's {@code import-ssp} names a back-matter resource
   * with no {@code rlink}, because Strongroom publishes no SSP (docs/decisions.md). This pins that
   * reason: the day Strongroom publishes one, or liboscal stops resolving it, this fails and the
   * constraints can be asserted clean.
   */
  @Test
  void nistsConstraintValidation_stopsAtTheImportedSsp_thatStrongroomDoesNotPublish()
      throws Exception {
    Path oscal = NistOscal.write(OscalDocuments.render(report(), "kid-1"), dir);
    String stack = OscalDocuments.uuid(report(), "stack").toString();
    for (String doc : List.of("assessment-plan.json", "assessment-results.json")) {
      MetapathException e =
          Assertions.assertThrows(
              MetapathException.class, () -> NistOscal.constraints(oscal.resolve(doc)));
      assertTrue(
          e.getMessage()
              .endsWith(
                  "FOER0000: The backmatter resource '"
                      + stack
                      + "' does not have an rlink entry."),
          doc + ": " + e.getMessage());
      assertTrue(e.getMessage().contains("import-ssp/@href"), e.getMessage());
    }
  }

  @Test
  void theSameReport_rendersTheSameBytes() {
    Map<String, byte[]> a = OscalDocuments.render(report(), "kid-1");
    Map<String, byte[]> b = OscalDocuments.render(report(), "kid-1");
    assertEquals(a.keySet(), b.keySet());
    a.forEach((k, v) -> assertArrayEquals(v, b.get(k), k));
  }
}
