package dev.strongroom.proofservice.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strongroom.contracts.alert.AlertKind;
import dev.strongroom.contracts.alert.SecurityAlert;
import dev.strongroom.contracts.alert.Severity;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.contracts.proof.ProofCompleted;
import dev.strongroom.proof.bundle.BundleWriter;
import dev.strongroom.proof.check.CheckResult;
import dev.strongroom.proof.check.Status;
import dev.strongroom.proof.run.Catalogue;
import dev.strongroom.proof.run.ProofContext;
import dev.strongroom.proof.run.ProofReport;
import dev.strongroom.proof.run.ProofRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * One proof run at a time: runs the catalogue against the target, writes the signed bundle {@code
 * proof-<runId>.tar.gz} into the evidence directory, and returns what to publish — the {@code
 * dev.strongroom.proof.completed.v1} data and, when a control failed or errored, a PROOF_FAILED
 * alert.
 *
 * <p>Requests are idempotent by request id: the first run's result is kept in {@code
 * requests/<sha256(requestId)>.json} under the evidence directory before anything is published, and
 * a repeat (a redelivery, or the requester's retry with a new event) returns that result again
 * without running the proof a second time. Scheduled runs have no request id and always run.
 */
public final class ProofJob {
  /** What one call produced. {@code repeated}: an earlier run's result for the same request id. */
  public record Result(
      ProofCompleted completed, Optional<SecurityAlert> alert, Path bundle, boolean repeated) {}

  private final Catalogue catalogue;
  private final Function<Path, ProofContext> contexts;
  private final SigningKey bundleKey;
  private final Path evidenceDir;

  /**
   * @param contexts builds the run's context around a fresh scratch directory (removed afterwards)
   * @param bundleKey signs the bundle's MANIFEST (the proof-service's key)
   */
  public ProofJob(
      Catalogue catalogue,
      Function<Path, ProofContext> contexts,
      SigningKey bundleKey,
      Path evidenceDir) {
    this.catalogue = Objects.requireNonNull(catalogue, "catalogue");
    this.contexts = Objects.requireNonNull(contexts, "contexts");
    this.bundleKey = Objects.requireNonNull(bundleKey, "bundleKey");
    this.evidenceDir = Objects.requireNonNull(evidenceDir, "evidenceDir");
  }

  /** The directory bundles are written to. */
  public Path evidenceDir() {
    return evidenceDir;
  }

  /** A scheduled run. */
  public synchronized Result scheduled() {
    return runOnce(ProofCompleted.Trigger.SCHEDULE, null);
  }

  /** A requested run, or the earlier result for the same request id. */
  public synchronized Result requested(String requestId) {
    Objects.requireNonNull(requestId, "requestId");
    Path ledger = ledgerFile(requestId);
    if (Files.isRegularFile(ledger)) {
      try {
        JsonNode data = CanonicalJson.parse(Files.readAllBytes(ledger));
        ProofCompleted earlier = ProofCompleted.fromData(data);
        return new Result(
            earlier, alertFor(earlier), evidenceDir.resolve(earlier.bundleFile()), true);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + ledger, e);
      }
    }
    Result r = runOnce(ProofCompleted.Trigger.REQUEST, requestId);
    writeAtomically(ledger, CanonicalJson.canonicalize(r.completed().toData()));
    return r;
  }

  private Result runOnce(ProofCompleted.Trigger trigger, String requestId) {
    ProofReport report;
    Path scratch;
    try {
      Files.createDirectories(evidenceDir);
      scratch = Files.createTempDirectory("sr-proof-run-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the run", e);
    }
    try {
      report = new ProofRunner(catalogue).run(contexts.apply(scratch));
    } finally {
      deleteTree(scratch);
    }
    String file = "proof-" + report.runId() + ".tar.gz";
    BundleWriter.Written w =
        BundleWriter.write(report, bundleKey, evidenceDir.resolve(file), Map.of());
    ProofCompleted completed = completed(report, trigger, requestId, w.manifestSha256(), file);
    return new Result(completed, alertFor(completed), w.path(), false);
  }

  /** The completed event's data for {@code report}. */
  static ProofCompleted completed(
      ProofReport report,
      ProofCompleted.Trigger trigger,
      String requestId,
      String manifestSha256,
      String file) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    report.counts().forEach((s, n) -> counts.put(s.wireName(), n));
    Map<String, String> controls = new TreeMap<>();
    for (CheckResult r : report.results()) {
      controls.put(r.control().id(), r.status().wireName());
    }
    return new ProofCompleted(
        report.runId(),
        trigger,
        requestId,
        report.passed(),
        report.toolVersion(),
        report.catalogueVersion(),
        report.target(),
        report.started(),
        report.finished(),
        counts,
        controls,
        manifestSha256,
        file);
  }

  /**
   * PROOF_FAILED (HIGH) when a control failed or errored: the detail names them, {@code related}
   * carries the run id, the bundle digest, the request id and the ids (comma-separated).
   */
  public static Optional<SecurityAlert> alertFor(ProofCompleted c) {
    List<String> failed = c.controlsWith(Status.FAIL.wireName());
    List<String> errored = c.controlsWith(Status.ERROR.wireName());
    if (failed.isEmpty() && errored.isEmpty()) {
      return Optional.empty();
    }
    List<String> all = new ArrayList<>(failed);
    all.addAll(errored);
    String detail =
        "proof run "
            + c.runId()
            + " of "
            + c.target()
            + ": "
            + failed.size()
            + " failed, "
            + errored.size()
            + " errored: "
            + String.join(", ", all);
    Map<String, Object> related = new LinkedHashMap<>();
    related.put("runId", c.runId());
    related.put("manifestSha256", c.manifestSha256());
    related.put("bundle", c.bundleFile());
    related.put("failed", String.join(",", failed));
    related.put("errored", String.join(",", errored));
    c.requestIdIfRequested().ifPresent(id -> related.put("requestId", id));
    return Optional.of(new SecurityAlert(AlertKind.PROOF_FAILED, Severity.HIGH, detail, related));
  }

  private Path ledgerFile(String requestId) {
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256").digest(requestId.getBytes(StandardCharsets.UTF_8));
      return evidenceDir
          .resolve("requests")
          .resolve(java.util.HexFormat.of().formatHex(h) + ".json");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void writeAtomically(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), ".ledger-", ".tmp");
      Files.write(tmp, bytes);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // scratch under the temp directory; best effort
    }
  }
}
