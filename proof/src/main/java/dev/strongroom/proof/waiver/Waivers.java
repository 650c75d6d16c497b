package dev.strongroom.proof.waiver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.proof.check.CheckResult;
import dev.strongroom.proof.check.Status;
import dev.strongroom.proof.run.ProofReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Applies a verified waiver file to a report. A control that is {@code fail} or {@code error} and
 * has a waiver that has not expired becomes {@code waived} (the run no longer fails on it; the
 * detail keeps what was seen). An expired waiver changes nothing but the detail, which says it
 * expired: the control fails again. A waiver of a passing control, or of a control the catalogue
 * does not have, is recorded as unused.
 *
 * <p>The bundle keeps the signed file verbatim ({@value #FILE}) and what was done with each waiver
 * ({@value #APPLIED}), both covered by the manifest.
 */
public final class Waivers {
  public static final String FILE = "waivers/waivers.json";
  public static final String APPLIED = "waivers/applied.json";

  /** What one waiver did in this run. */
  public enum Effect {
    /** It turned a fail or error into waived. */
    WAIVED,
    /** It has expired: the control stays fail or error. */
    EXPIRED,
    /** Its control passed, was not-applicable, or is not in the catalogue. */
    UNUSED
  }

  /** One waiver's effect; {@code before} is empty for a control not in the catalogue. */
  public record Application(Waiver waiver, Effect effect, String before) {}

  /** The report with waivers applied, and what each waiver did. */
  public record Applied(ProofReport report, List<Application> applications, WaiverFile file) {
    /** The bundle files that record the waivers (signed file and effects). */
    public Map<String, byte[]> bundleFiles() {
      Map<String, byte[]> out = new LinkedHashMap<>();
      out.put(FILE, file.raw());
      ObjectNode n = CanonicalJson.mapper().createObjectNode();
      n.put("signedBy", file.kid());
      ArrayNode arr = n.putArray("waivers");
      for (Application a : applications) {
        arr.addObject()
            .put("control", a.waiver().control())
            .put("effect", a.effect().name().toLowerCase(java.util.Locale.ROOT))
            .put("before", a.before())
            .put("expires", a.waiver().expires().toString())
            .put("approver", a.waiver().approver())
            .put("reason", a.waiver().reason());
      }
      try {
        out.put(
            APPLIED,
            (CanonicalJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n")
                .getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out;
    }
  }

  private Waivers() {}

  /** Applies {@code file} to {@code report} as of {@code now}. */
  public static Applied apply(ProofReport report, WaiverFile file, Instant now) {
    Map<String, Waiver> byControl = new LinkedHashMap<>();
    file.waivers().forEach(w -> byControl.put(w.control(), w));
    List<CheckResult> results = new ArrayList<>();
    List<Application> applications = new ArrayList<>();
    Set<String> seen = new TreeSet<>();
    for (CheckResult r : report.results()) {
      Waiver w = byControl.get(r.control().id());
      seen.add(r.control().id());
      if (w == null) {
        results.add(r);
        continue;
      }
      boolean failing = r.status() == Status.FAIL || r.status() == Status.ERROR;
      if (!failing) {
        applications.add(new Application(w, Effect.UNUSED, r.status().wireName()));
        results.add(r);
      } else if (w.activeAt(now)) {
        applications.add(new Application(w, Effect.WAIVED, r.status().wireName()));
        results.add(
            with(
                r,
                Status.WAIVED,
                "waived until "
                    + w.expires()
                    + " by "
                    + w.approver()
                    + ": "
                    + w.reason()
                    + " (was "
                    + r.status().wireName()
                    + ": "
                    + r.detail()
                    + ")"));
      } else {
        applications.add(new Application(w, Effect.EXPIRED, r.status().wireName()));
        results.add(
            with(
                r,
                r.status(),
                r.detail() + " (waiver by " + w.approver() + " expired " + w.expires() + ")"));
      }
    }
    for (Waiver w : file.waivers()) {
      if (!seen.contains(w.control())) {
        applications.add(new Application(w, Effect.UNUSED, "absent"));
      }
    }
    ProofReport out =
        new ProofReport(
            report.runId(),
            report.toolVersion(),
            report.catalogueVersion(),
            report.target(),
            report.started(),
            report.finished(),
            results);
    return new Applied(out, applications, file);
  }

  private static CheckResult with(CheckResult r, Status s, String detail) {
    return new CheckResult(r.control(), s, detail, r.started(), r.finished(), r.evidence());
  }
}
