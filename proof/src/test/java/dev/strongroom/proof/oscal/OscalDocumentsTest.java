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
import gov.nist.secauto.metaschema.core.model.validation.IValidationResult;
import gov.nist.secauto.metaschema.core.model.validation.JsonSchemaContentValidator;
import gov.nist.secauto.metaschema.databind.io.Format;
import gov.nist.secauto.oscal.lib.OscalBindingContext;
import gov.nist.secauto.oscal.lib.model.AssessmentPlan;
import gov.nist.secauto.oscal.lib.model.AssessmentResults;
import gov.nist.secauto.oscal.lib.model.Finding;
import gov.nist.secauto.oscal.lib.model.Result;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OSCAL documents of a run with every status, checked by NIST: the OSCAL 1.1.3 JSON schemas
 * that ship inside NIST's liboscal-java 5.2.0, checked by NIST's own validator (metaschema-core),
 * then read by liboscal-java into its bound model. The OSCAL Metaschema constraints are not run:
 * they resolve the plan's imported system security plan, which Strongroom does not publish.
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

  /**
   * Validates {@code doc} with NIST's own JSON-schema validator (metaschema-core's {@code
   * JsonSchemaContentValidator}) against the OSCAL schema shipped in liboscal-java.
   */
  private static List<String> schemaViolations(String schemaResource, byte[] doc) throws Exception {
    try (InputStream in =
        OscalDocumentsTest.class.getClassLoader().getResourceAsStream(schemaResource)) {
      IValidationResult v =
          new JsonSchemaContentValidator(in)
              .validate(new java.io.ByteArrayInputStream(doc), URI.create("urn:test:doc"));
      return v.getFindings().stream().map(f -> f.getPath() + ": " + f.getMessage()).toList();
    }
  }

  private Path write(Map<String, byte[]> docs) throws Exception {
    for (Map.Entry<String, byte[]> e : docs.entrySet()) {
      Path p = dir.resolve(e.getKey());
      Files.createDirectories(p.getParent());
      Files.write(p, e.getValue());
    }
    return dir.resolve("oscal");
  }

  @Test
  void nistsOscalSchemas_acceptThePlanAndTheResults() throws Exception {
    Map<String, byte[]> docs = OscalDocuments.render(report(), "kid-1");
    assertEquals(
        List.of(),
        schemaViolations("schema/json/oscal-ap_schema.json", docs.get(OscalDocuments.PLAN)));
    assertEquals(
        List.of(),
        schemaViolations("schema/json/oscal-ar_schema.json", docs.get(OscalDocuments.RESULTS)));
  }

  @Test
  void nistsLibrary_readsBothDocuments_intoItsBoundModel() throws Exception {
    Path oscal = write(OscalDocuments.render(report(), "kid-1"));
    OscalBindingContext nist = OscalBindingContext.instance();
    AssessmentPlan plan =
        nist.newDeserializer(Format.JSON, AssessmentPlan.class)
            .deserialize(oscal.resolve("assessment-plan.json"));
    assertEquals("1.1.3", plan.getMetadata().getOscalVersion());
    AssessmentResults ar =
        nist.newDeserializer(Format.JSON, AssessmentResults.class)
            .deserialize(oscal.resolve("assessment-results.json"));
    Result run = ar.getResults().get(0);
    assertEquals(4, run.getObservations().size());
    Map<String, String> states = new TreeMap<>();
    for (Finding f : run.getFindings()) {
      states.put(
          f.getTarget().getTargetId(),
          f.getTarget().getStatus().getState() + "/" + f.getTarget().getStatus().getReason());
    }
    // not-applicable has an observation, never a finding (and never "satisfied")
    assertEquals(
        Map.of(
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
        schemaViolations("schema/json/oscal-ar_schema.json", CanonicalJson.canonicalize(ar));
    assertFalse(v.isEmpty());
    assertTrue(
        v.stream().anyMatch(m -> m.contains("findings/0/target/status/state")), v.toString());
  }

  @Test
  void theSameReport_rendersTheSameBytes() {
    Map<String, byte[]> a = OscalDocuments.render(report(), "kid-1");
    Map<String, byte[]> b = OscalDocuments.render(report(), "kid-1");
    assertEquals(a.keySet(), b.keySet());
    a.forEach((k, v) -> assertArrayEquals(v, b.get(k), k));
  }
}
