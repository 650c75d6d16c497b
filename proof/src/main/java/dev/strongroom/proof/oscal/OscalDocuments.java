package dev.strongroom.proof.oscal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.f4b6a3.uuid.UuidCreator;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.proof.check.CheckResult;
import dev.strongroom.proof.check.Method;
import dev.strongroom.proof.check.Status;
import dev.strongroom.proof.run.ProofReport;
import dev.strongroom.proof.run.ToolVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A proof run as OSCAL 1.1.3 JSON: the assessment plan ({@value #PLAN}: what is assessed — every
 * control of the catalogue against the target) and the assessment results ({@value #RESULTS}, which
 * imports the plan): one result for the run, one observation per control (method, status, detail, a
 * link to its raw evidence in the bundle) and one finding per control that reached a verdict.
 *
 * <table>
 *   <caption>status → OSCAL</caption>
 *   <tr><th>status</th><th>finding {@code target.status}</th></tr>
 *   <tr><td>pass</td><td>{@code satisfied}, reason {@code pass}</td></tr>
 *   <tr><td>fail</td><td>{@code not-satisfied}, reason {@code fail}</td></tr>
 *   <tr><td>error</td><td>{@code not-satisfied}, reason {@code other} (no verdict is not a pass)</td></tr>
 *   <tr><td>waived</td><td>{@code not-satisfied}, reason {@code other} (an accepted risk is not a satisfied control; the detail names the waiver)</td></tr>
 *   <tr><td>not-applicable</td><td>no finding; the observation says why</td></tr>
 * </table>
 *
 * Every observation carries {@code props} {@code status} and {@code method} in the {@value #NS}
 * namespace, so the bundle's own status is never lost in translation. UUIDs are version 5 (OSCAL
 * accepts 4 and 5 only), derived from the run id, so the same report renders the same bytes. Built
 * with Jackson, not NIST's binding classes: liboscal-java drags ~60 jars (JUnit among them, at
 * compile scope) into every embedder; {@code OscalDocumentsTest} validates the output with NIST's
 * schemas and NIST's library (docs/decisions.md).
 */
public final class OscalDocuments {
  /** The OSCAL version the documents declare and are validated against. */
  public static final String OSCAL_VERSION = "1.1.3";

  /** Namespace of Strongroom's own props. */
  public static final String NS = "https://strongroom.dev/ns/oscal";

  public static final String PLAN = "oscal/assessment-plan.json";
  public static final String RESULTS = "oscal/assessment-results.json";

  /** Namespace of the name-based UUIDs. */
  private static final UUID UUID_NS = UUID.fromString("6c1a1f0e-5b0e-5d2a-9b61-3f1c0d7e2a10");

  private OscalDocuments() {}

  /** Both documents, path in the bundle → bytes (pretty JSON, UTF-8, trailing newline). */
  public static Map<String, byte[]> render(ProofReport report, String signerKid) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    out.put(PLAN, json(plan(report)));
    out.put(RESULTS, json(results(report, signerKid)));
    return out;
  }

  static UUID uuid(ProofReport report, String what) {
    return UuidCreator.getNameBasedSha1(UUID_NS, report.runId() + "/" + what);
  }

  static ObjectNode plan(ProofReport report) {
    ObjectNode root = mapper().createObjectNode();
    ObjectNode ap = root.putObject("assessment-plan");
    ap.put("uuid", uuid(report, "plan").toString());
    ObjectNode md =
        metadata(
            ap,
            "Strongroom control catalogue "
                + report.catalogueVersion()
                + " against "
                + report.target(),
            report.finished(),
            report.catalogueVersion());
    prop(md.putArray("props"), "catalogue-version", report.catalogueVersion());
    UUID stack = uuid(report, "stack");
    ap.putObject("import-ssp").put("href", "#" + stack);
    reviewedControls(ap, report);
    ArrayNode subjects = ap.putArray("assessment-subjects");
    ObjectNode subject = subjects.addObject();
    subject.put("type", "component");
    subject.put("description", line("The Strongroom stack " + report.target()));
    subject.putObject("include-all");
    ObjectNode res = ap.putObject("back-matter").putArray("resources").addObject();
    res.put("uuid", stack.toString());
    res.put("title", line("Strongroom stack " + report.target()));
    res.put(
        "description",
        "The system under assessment. Strongroom keeps no OSCAL system security plan; its"
            + " controls, their sources (CIS MySQL Community 8.4, DISA STIG MySQL 8, dev-sec"
            + " mysql-baseline, the seed) and methods are listed in docs/controls.md.");
    return root;
  }

  static ObjectNode results(ProofReport report, String signerKid) {
    ObjectNode root = mapper().createObjectNode();
    ObjectNode ar = root.putObject("assessment-results");
    ar.put("uuid", uuid(report, "results").toString());
    ObjectNode md =
        metadata(ar, "Strongroom proof run " + report.runId(), report.finished(), report.runId());
    ArrayNode props = md.putArray("props");
    prop(props, "run-id", report.runId());
    prop(props, "tool", ToolVersion.TOOL);
    prop(props, "tool-version", report.toolVersion());
    prop(props, "catalogue-version", report.catalogueVersion());
    prop(props, "target", report.target());
    prop(props, "signer-kid", signerKid);
    prop(props, "passed", Boolean.toString(report.passed()));
    ar.putObject("import-ap").put("href", "assessment-plan.json");
    ObjectNode result = ar.putArray("results").addObject();
    result.put("uuid", uuid(report, "result").toString());
    result.put("title", line("Proof run " + report.runId() + " of " + report.target()));
    result.put(
        "description",
        "Every control of catalogue "
            + report.catalogueVersion()
            + " checked by attack or by measured fact; raw evidence per control under evidence/"
            + " in the signed bundle.");
    result.put("start", report.started().toString());
    result.put("end", report.finished().toString());
    reviewedControls(result, report);
    ArrayNode observations = result.putArray("observations");
    ArrayNode findings = mapper().createArrayNode();
    for (CheckResult r : report.results()) {
      String id = r.control().id();
      UUID obs = uuid(report, "observation/" + id);
      ObjectNode o = observations.addObject();
      o.put("uuid", obs.toString());
      o.put("title", line(id + " " + r.control().title()));
      o.put("description", text(r.detail()));
      ArrayNode op = o.putArray("props");
      prop(op, "control-id", id);
      prop(op, "status", r.status().wireName());
      prop(op, "method", r.control().method().wireName());
      o.putArray("methods").add(r.control().method() == Method.ATTACK ? "TEST" : "EXAMINE");
      o.putArray("types").add("control-objective");
      ObjectNode ev = o.putArray("relevant-evidence").addObject();
      ev.put("href", "../evidence/" + id + ".json");
      ev.put("description", "The raw exchanges of " + id + ", verbatim (covered by MANIFEST).");
      o.put("collected", r.finished().toString());
      if (r.status() == Status.NOT_APPLICABLE) {
        continue;
      }
      ObjectNode f = findings.addObject();
      f.put("uuid", uuid(report, "finding/" + id).toString());
      f.put("title", line(id + " " + r.control().title()));
      f.put("description", text(r.detail()));
      ObjectNode t = f.putObject("target");
      t.put("type", "objective-id");
      t.put("target-id", id);
      ObjectNode st = t.putObject("status");
      switch (r.status()) {
        case PASS -> st.put("state", "satisfied").put("reason", "pass");
        case FAIL -> st.put("state", "not-satisfied").put("reason", "fail");
        default -> st.put("state", "not-satisfied").put("reason", "other");
      }
      f.putArray("related-observations").addObject().put("observation-uuid", obs.toString());
    }
    if (!findings.isEmpty()) {
      result.set("findings", findings);
    }
    return root;
  }

  private static ObjectNode metadata(
      ObjectNode doc, String title, Instant lastModified, String version) {
    ObjectNode md = doc.putObject("metadata");
    md.put("title", line(title));
    md.put("last-modified", lastModified.toString());
    md.put("version", line(version));
    md.put("oscal-version", OSCAL_VERSION);
    return md;
  }

  private static void reviewedControls(ObjectNode parent, ProofReport report) {
    ArrayNode include =
        parent
            .putObject("reviewed-controls")
            .putArray("control-selections")
            .addObject()
            .putArray("include-controls");
    for (CheckResult r : report.results()) {
      include.addObject().put("control-id", r.control().id());
    }
  }

  private static void prop(ArrayNode props, String name, String value) {
    props.addObject().put("name", name).put("ns", NS).put("value", line(value));
  }

  /** A single line without leading or trailing whitespace (OSCAL's string and markup-line). */
  static String line(String s) {
    String one = s == null ? "" : s.replaceAll("\\s+", " ").strip();
    return one.isEmpty() ? "(none)" : one;
  }

  private static String text(String s) {
    return s == null || s.isBlank() ? "(no detail)" : s.strip();
  }

  private static com.fasterxml.jackson.databind.ObjectMapper mapper() {
    return CanonicalJson.mapper();
  }

  private static byte[] json(ObjectNode n) {
    try {
      return (mapper().writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n")
          .getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
