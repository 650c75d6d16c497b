package dev.strongroom.proof.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.proof.check.CheckResult;
import dev.strongroom.proof.check.EvidenceStep;
import dev.strongroom.proof.check.Status;
import dev.strongroom.proof.oscal.OscalDocuments;
import dev.strongroom.proof.run.ProofReport;
import dev.strongroom.proof.run.ToolVersion;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The files of a bundle, rendered from a report (path → bytes):
 *
 * <ul>
 *   <li>{@code run.json} — the binding: tool and version, catalogue version, target, run id, start
 *       and end, the signer's key id; the manifest covers it, so the signature binds them
 *   <li>{@code results.json} — every control: id, title, sources, method, status, detail, times
 *   <li>{@code evidence/<control id>.json} — that control's raw exchanges, verbatim
 *   <li>{@code junit.xml} — the same verdicts for CI tools (FAIL = failure, ERROR = error,
 *       NOT_APPLICABLE and WAIVED = skipped with the reason)
 *   <li>{@code signer.pub.pem} — the signer's public key, for convenience; a verifier pins its own
 *   <li>{@code oscal/assessment-plan.json}, {@code oscal/assessment-results.json} — the run as
 *       OSCAL 1.1.3 ({@link OscalDocuments})
 * </ul>
 */
public final class BundleFiles {
  public static final String RUN = "run.json";
  public static final String RESULTS = "results.json";
  public static final String JUNIT = "junit.xml";
  public static final String SIGNER_PEM = "signer.pub.pem";
  public static final String EVIDENCE_DIR = "evidence/";

  private BundleFiles() {}

  /** Renders {@code report}; {@code extra} files (e.g. {@code oscal/…}) are added as they are. */
  public static Map<String, byte[]> render(
      ProofReport report, byte[] signerPublicKey, String signerKid, Map<String, byte[]> extra) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(RUN, json(runJson(report, signerKid)));
    files.put(RESULTS, json(resultsJson(report)));
    for (CheckResult r : report.results()) {
      files.put(evidencePath(r.control().id()), json(evidenceJson(r)));
    }
    files.put(JUNIT, junit(report));
    files.put(SIGNER_PEM, Ed25519Pem.ascii(Ed25519Pem.publicKeyPem(signerPublicKey)));
    files.putAll(OscalDocuments.render(report, signerKid));
    extra.forEach(
        (p, b) -> {
          if (files.containsKey(p)
              || p.equals(Manifest.FILE)
              || p.equals(Manifest.SIGNATURE_FILE)) {
            throw new BundleException("extra file collides with a bundle file: " + p);
          }
          files.put(p, b);
        });
    return files;
  }

  public static String evidencePath(String controlId) {
    return EVIDENCE_DIR + controlId + ".json";
  }

  private static ObjectMapper mapper() {
    return CanonicalJson.mapper();
  }

  private static ObjectNode runJson(ProofReport report, String signerKid) {
    ObjectNode n = mapper().createObjectNode();
    n.put("tool", ToolVersion.TOOL);
    n.put("toolVersion", report.toolVersion());
    n.put("catalogueVersion", report.catalogueVersion());
    n.put("target", report.target());
    n.put("runId", report.runId());
    n.put("started", report.started().toString());
    n.put("finished", report.finished().toString());
    ObjectNode s = n.putObject("signer");
    s.put("alg", "ed25519");
    s.put("kid", signerKid);
    return n;
  }

  private static ObjectNode resultsJson(ProofReport report) {
    ObjectNode n = mapper().createObjectNode();
    n.put("runId", report.runId());
    n.put("catalogueVersion", report.catalogueVersion());
    n.put("target", report.target());
    n.put("passed", report.passed());
    ObjectNode counts = n.putObject("counts");
    report.counts().forEach((s, c) -> counts.put(s.wireName(), c));
    ArrayNode controls = n.putArray("controls");
    for (CheckResult r : report.results()) {
      ObjectNode c = controls.addObject();
      c.put("id", r.control().id());
      c.put("title", r.control().title());
      ArrayNode src = c.putArray("sources");
      r.control().sources().forEach(src::add);
      c.put("method", r.control().method().wireName());
      c.put("status", r.status().wireName());
      c.put("detail", r.detail());
      c.put("started", r.started().toString());
      c.put("finished", r.finished().toString());
      c.put("evidence", evidencePath(r.control().id()));
    }
    return n;
  }

  private static ObjectNode evidenceJson(CheckResult r) {
    ObjectNode n = mapper().createObjectNode();
    n.put("control", r.control().id());
    n.put("status", r.status().wireName());
    ArrayNode steps = n.putArray("steps");
    for (EvidenceStep s : r.evidence()) {
      ObjectNode e = steps.addObject();
      e.put("actor", s.actor());
      e.put("action", s.action());
      e.put("exitCode", s.exitCode());
      e.put("response", s.response());
      e.put("started", s.started().toString());
      e.put("finished", s.finished().toString());
    }
    return n;
  }

  static byte[] json(ObjectNode n) {
    try {
      return (mapper().writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n")
          .getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] junit(ProofReport report) {
    Map<Status, Integer> counts = report.counts();
    StringWriter out = new StringWriter();
    try {
      // the JDK's own writer, whatever StAX implementation the classpath carries (Woodstox writes
      // empty elements differently): the same report gives the same junit.xml bytes everywhere
      XMLStreamWriter w = XMLOutputFactory.newDefaultFactory().createXMLStreamWriter(out);
      w.writeStartDocument("UTF-8", "1.0");
      w.writeCharacters("\n");
      w.writeStartElement("testsuite");
      w.writeAttribute("name", "strongroom-proof " + report.catalogueVersion());
      w.writeAttribute("tests", Integer.toString(report.results().size()));
      w.writeAttribute("failures", Integer.toString(counts.get(Status.FAIL)));
      w.writeAttribute("errors", Integer.toString(counts.get(Status.ERROR)));
      w.writeAttribute(
          "skipped",
          Integer.toString(counts.get(Status.NOT_APPLICABLE) + counts.get(Status.WAIVED)));
      w.writeAttribute("timestamp", report.started().toString());
      w.writeAttribute("time", seconds(Duration.between(report.started(), report.finished())));
      w.writeAttribute("hostname", report.target());
      for (CheckResult r : report.results()) {
        w.writeCharacters("\n  ");
        w.writeStartElement("testcase");
        w.writeAttribute("classname", "strongroom.controls");
        w.writeAttribute("name", r.control().id() + " " + r.control().title());
        w.writeAttribute("time", seconds(Duration.between(r.started(), r.finished())));
        switch (r.status()) {
          case FAIL -> element(w, "failure", r.detail());
          case ERROR -> element(w, "error", r.detail());
          case NOT_APPLICABLE, WAIVED -> element(w, "skipped", r.detail());
          case PASS -> {}
        }
        w.writeEndElement();
      }
      w.writeCharacters("\n");
      w.writeEndElement();
      w.writeCharacters("\n");
      w.writeEndDocument();
      w.close();
    } catch (XMLStreamException e) {
      throw new BundleException("junit.xml", e);
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void element(XMLStreamWriter w, String name, String message)
      throws XMLStreamException {
    w.writeStartElement(name);
    w.writeAttribute("message", message);
    w.writeEndElement();
  }

  private static String seconds(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.3f", d.toMillis() / 1000.0);
  }
}
