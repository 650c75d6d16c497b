package dev.strongroom.proofservice.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strongroom.contracts.alert.AlertKind;
import dev.strongroom.contracts.alert.SecurityAlert;
import dev.strongroom.contracts.alert.Severity;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.contracts.proof.ProofCompleted;
import dev.strongroom.proof.bundle.BundleException;
import dev.strongroom.proof.bundle.BundleVerifier;
import dev.strongroom.proof.bundle.BundleWriter;
import dev.strongroom.proof.bundle.ChainRecord;
import dev.strongroom.proof.check.CheckResult;
import dev.strongroom.proof.check.Status;
import dev.strongroom.proof.drift.Drift;
import dev.strongroom.proof.run.Catalogue;
import dev.strongroom.proof.run.DbTarget;
import dev.strongroom.proof.run.ProofContext;
import dev.strongroom.proof.run.ProofReport;
import dev.strongroom.proof.run.ProofRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
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
 *
 * <p>Each run is compared with the service's previous one ({@value #LAST_RUN} in the evidence
 * directory names its bundle): that bundle is verified under the service's own key first, then the
 * controls whose status changed are kept in the new bundle as {@code drift.json} (covered by the
 * signature, so the completed event's {@code manifestSha256} binds it), and a regression (held, now
 * fails or errors) is named in the PROOF_FAILED alert. A previous bundle that is missing or does
 * not verify is not compared with, and {@link Result#previousRefused} says why.
 */
public final class ProofJob {
  /** The service's pointer to its newest bundle: {@code {"runId","file","manifestSha256"}}. */
  public static final String LAST_RUN = "last-run.json";

  /** Directories the service creates under the evidence directory: the owner's alone. */
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIR =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

  /**
   * What one call produced. {@code repeated}: an earlier run's result for the same request id.
   * {@code drift}: the changes since the service's previous run (empty on the first run, on a
   * repeat, or when the previous bundle was refused: {@code previousRefused} says why).
   */
  public record Result(
      ProofCompleted completed,
      Optional<SecurityAlert> alert,
      Path bundle,
      boolean repeated,
      Optional<Drift> drift,
      Optional<String> previousRefused) {}

  /** What the alert says about the drift: the previous run's id and the regressed controls. */
  record Regressions(String againstRunId, List<String> controls) {
    static Optional<Regressions> of(Optional<Drift> d) {
      return d.filter(x -> !x.regressions().isEmpty())
          .map(
              x ->
                  new Regressions(
                      x.againstRunId(),
                      x.regressions().stream().map(Drift.Change::control).toList()));
    }
  }

  private final Catalogue catalogue;
  private final Function<Path, ProofContext> contexts;
  private final SigningKey bundleKey;
  private final Path evidenceDir;
  private final ChainRecord chainRecord = ChainRecord.withDebianClient();
  private static final org.jboss.logging.Logger LOG =
      org.jboss.logging.Logger.getLogger(ProofJob.class);

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
        Optional<Regressions> regressed = Optional.empty();
        JsonNode r = data.path(LEDGER_REGRESSIONS);
        if (r.isObject()) {
          List<String> ids = new ArrayList<>();
          r.path("controls").forEach(x -> ids.add(x.asText()));
          regressed = Optional.of(new Regressions(r.path("against").asText(), ids));
        }
        return new Result(
            earlier,
            alertFor(earlier, regressed),
            evidenceDir.resolve(earlier.bundleFile()),
            true,
            Optional.empty(),
            Optional.empty());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + ledger, e);
      }
    }
    Result r = runOnce(ProofCompleted.Trigger.REQUEST, requestId);
    // the completed data as published, plus the regressions its alert named (ignored by fromData)
    com.fasterxml.jackson.databind.node.ObjectNode entry = r.completed().toData();
    Regressions.of(r.drift())
        .ifPresent(
            g -> {
              com.fasterxml.jackson.databind.node.ObjectNode n =
                  entry.putObject(LEDGER_REGRESSIONS);
              n.put("against", g.againstRunId());
              g.controls().forEach(n.putArray("controls")::add);
            });
    writeAtomically(ledger, CanonicalJson.canonicalize(entry));
    return r;
  }

  private static final String LEDGER_REGRESSIONS = "regressions";

  private Result runOnce(ProofCompleted.Trigger trigger, String requestId) {
    ProofReport report;
    Path scratch;
    try {
      Files.createDirectories(evidenceDir, OWNER_ONLY_DIR);
      scratch = Files.createTempDirectory("sr-proof-run-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the run", e);
    }
    Optional<DbTarget> db;
    try {
      ProofContext context = contexts.apply(scratch);
      db = context.db();
      report = new ProofRunner(catalogue).run(context);
    } finally {
      deleteTree(scratch);
    }
    Optional<Drift> drift = Optional.empty();
    Optional<String> refused = Optional.empty();
    Map<String, byte[]> extra = new LinkedHashMap<>();
    try {
      Optional<Map<String, byte[]>> previous = previousVerified();
      if (previous.isPresent()) {
        drift = Optional.of(Drift.between(previous.get(), report));
        extra.put(Drift.FILE, drift.get().toJson());
      }
    } catch (PreviousRefused e) {
      refused = Optional.of(e.getMessage());
    }
    String file = "proof-" + report.runId() + ".tar.gz";
    BundleWriter.Written w =
        BundleWriter.write(report, bundleKey, evidenceDir.resolve(file), extra);
    com.fasterxml.jackson.databind.node.ObjectNode last =
        CanonicalJson.mapper()
            .createObjectNode()
            .put("runId", report.runId())
            .put("file", file)
            .put("manifestSha256", w.manifestSha256());
    // the bundle's digest goes on the audit chain (anchored with it); a failure is kept and logged
    if (db.isPresent()) {
      try {
        ChainRecord.Recorded rec = chainRecord.record(db.get(), report, w.manifestSha256());
        rec.eventId().ifPresent(id -> last.put("auditEventId", id));
      } catch (BundleException e) {
        last.put("auditChainProblem", e.getMessage());
        LOG.warnf("proof run %s: %s", report.runId(), e.getMessage());
      }
    }
    writeAtomically(evidenceDir.resolve(LAST_RUN), CanonicalJson.canonicalize(last));
    ProofCompleted completed = completed(report, trigger, requestId, w.manifestSha256(), file);
    return new Result(
        completed, alertFor(completed, Regressions.of(drift)), w.path(), false, drift, refused);
  }

  /** The previous run's bundle files, verified under the service's key; empty on a first run. */
  private Optional<Map<String, byte[]>> previousVerified() {
    Path last = evidenceDir.resolve(LAST_RUN);
    if (!Files.isRegularFile(last)) {
      return Optional.empty();
    }
    String file;
    try {
      file = CanonicalJson.parse(Files.readAllBytes(last)).path("file").asText();
    } catch (IOException | RuntimeException e) {
      throw new PreviousRefused(LAST_RUN + " is unreadable: " + e.getMessage());
    }
    if (!file.matches("proof-[0-9a-f-]{36}\\.tar\\.gz")) {
      throw new PreviousRefused(LAST_RUN + " names no bundle of this service: " + file);
    }
    Path bundle = evidenceDir.resolve(file);
    if (!Files.isRegularFile(bundle)) {
      throw new PreviousRefused("the previous bundle " + file + " is missing");
    }
    BundleVerifier.Verification v = BundleVerifier.verify(bundle, bundleKey.publicKey());
    if (!v.valid()) {
      throw new PreviousRefused(
          "the previous bundle "
              + file
              + " does not verify under this service's key: "
              + v.problems().stream().map(Object::toString).collect(Collectors.joining("; ")));
    }
    return Optional.of(v.files());
  }

  /** Why the previous run is not compared with. */
  private static final class PreviousRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PreviousRefused(String message) {
      super(message);
    }
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
    return alertFor(c, Optional.empty());
  }

  /**
   * As {@link #alertFor(ProofCompleted)}; with regressions since the previous run, the detail adds
   * {@code ; regressed since run <id>: <ids>} and {@code related} {@code against} and {@code
   * regressed}.
   */
  static Optional<SecurityAlert> alertFor(ProofCompleted c, Optional<Regressions> regressed) {
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
            + String.join(", ", all)
            + regressed
                .map(
                    g ->
                        "; regressed since run "
                            + g.againstRunId()
                            + ": "
                            + String.join(", ", g.controls()))
                .orElse("");
    Map<String, Object> related = new LinkedHashMap<>();
    related.put("runId", c.runId());
    related.put("manifestSha256", c.manifestSha256());
    related.put("bundle", c.bundleFile());
    related.put("failed", String.join(",", failed));
    related.put("errored", String.join(",", errored));
    c.requestIdIfRequested().ifPresent(id -> related.put("requestId", id));
    regressed.ifPresent(
        g -> {
          related.put("against", g.againstRunId());
          related.put("regressed", String.join(",", g.controls()));
        });
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
      Files.createDirectories(file.getParent(), OWNER_ONLY_DIR);
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
