package dev.strongroom.provisionerservice.run;

import com.github.f4b6a3.uuid.UuidCreator;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.errors.StrongroomException;
import dev.strongroom.contracts.provision.ProvisionCompleted;
import dev.strongroom.contracts.provision.ProvisionMode;
import dev.strongroom.contracts.provision.ProvisionProgressed;
import dev.strongroom.contracts.provision.ProvisionRequest;
import dev.strongroom.contracts.provision.StepOutcome;
import dev.strongroom.provisioner.ProvisionerException;
import dev.strongroom.provisioner.atrest.VaultKvV2Client;
import dev.strongroom.provisioner.host.HostBundle;
import dev.strongroom.provisioner.host.HostBundleRenderer;
import dev.strongroom.provisioner.host.HostOptions;
import dev.strongroom.provisioner.host.HostRequests;
import dev.strongroom.provisioner.host.plan.AtRestKeyPlan;
import dev.strongroom.provisioner.host.plan.CertificatePlan;
import dev.strongroom.provisioner.host.plan.HostPlan;
import dev.strongroom.provisioner.host.plan.HostShell;
import dev.strongroom.provisioner.host.plan.PlanFailedException;
import dev.strongroom.provisioner.host.plan.PlanListener;
import dev.strongroom.provisioner.host.plan.StepResult;
import dev.strongroom.provisioner.host.plan.Target;
import dev.strongroom.provisioner.os.SecureFiles;
import dev.strongroom.provisioner.pki.PkiDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One provisioning run per request id. The request's host options are validated ({@code
 * HostOptions}) and rendered into the host bundle; the target must be one this service serves
 * ({@link TargetShells#admit}); then the bundle's {@link HostPlan} with the target's certificates
 * from its PKI ({@link #pkiOf}; issued and installed, never rotated) — or, for a request with
 * {@code rotate}, the target's {@link CertificatePlan} from its PKI; for one with {@code
 * rotateAtRestKeys}, its {@link AtRestKeyPlan} with this provisioner's Vault client — is checked
 * ({@code PLAN}) or applied ({@code APPLY}) under the configured root, each step reported to the
 * progress sink as it starts and ends. A target that cannot be reached or refuses us, and a step
 * that fails, end in a {@code FAILED} result with the error code and reason — not an exception: the
 * request itself was fine. A request the service refuses to run at all (bad options, a target it
 * does not serve) throws a fatal {@link StrongroomException}, which dead-letters it with that
 * reason.
 *
 * <p>Idempotent by request id: the result is recorded under {@code
 * <ledger>/<sha256(requestId)>.json} before it is returned, and a repeat (the requester's retry, or
 * a redelivery after the result was recorded) gets it back without a second run and without
 * progress events. A crash mid-run leaves no record; the redelivered request runs again, and every
 * step is idempotent, so it resumes.
 */
public final class ProvisionJob {
  private final TargetShells shells;
  private final Path root;
  private final Path ledger;
  private final Path pkis;
  private final Clock clock;
  private Supplier<VaultKvV2Client> vault;
  private Duration reencryptWait = AtRestKeyPlan.REENCRYPT_WAIT;

  /** A run's result, and whether it was recalled from the ledger rather than run now. */
  public record Result(ProvisionCompleted completed, boolean repeated) {}

  /**
   * @param pkis where the provisioner keeps one PKI per target ({@link #pkiOf}), for certificate
   *     rotations
   */
  public ProvisionJob(TargetShells shells, Path root, Path ledger, Path pkis, Clock clock) {
    this.shells = shells;
    this.root = root;
    this.ledger = ledger;
    this.pkis = pkis;
    this.clock = clock;
  }

  /**
   * Where at-rest key rotations write new key versions: this provisioner's own Vault client, made
   * for each rotation (so a replaced token file is read again); null when no Vault is configured (a
   * Vault-keyed target is then refused at step {@code key management}).
   *
   * @param reencryptWait how long step {@code re-encrypted} waits for the server
   */
  public ProvisionJob atRestKeys(Supplier<VaultKvV2Client> vault, Duration reencryptWait) {
    this.vault = vault;
    this.reencryptWait = reencryptWait;
    return this;
  }

  /**
   * The provisioner's PKI for {@code target}: {@code <pkis>/<host>_<port>} ({@code local} for the
   * local target), its server certificate valid for loopback and the target's host name. One CA per
   * target: rotating (and revoking on) one target never touches another's certificates or CRL, nor
   * the stack's own PKI.
   */
  public PkiDirectory pkiOf(Target target) {
    String name =
        target.local()
            ? "local"
            : target.host().replaceAll("[^A-Za-z0-9.-]", "_") + "_" + target.port();
    return PkiDirectory.open(
        pkis.resolve(name), CertificatePlan.spec(target.local() ? "localhost" : target.host()));
  }

  /** Runs (or recalls) {@code request}, handing each progress event to {@code progress}. */
  public Result run(ProvisionRequest request, Consumer<ProvisionProgressed> progress) {
    Path record = ledger.resolve(sha256(request.requestId()) + ".json");
    if (Files.exists(record)) {
      return new Result(recall(record, request), true);
    }
    HostOptions options = HostRequests.fromRequest(request.host());
    Target target = Target.parse(request.target());
    Instant issuedBefore = request.rotateIfGiven().map(r -> r.issuedBefore()).orElse(null);
    if (issuedBefore != null && issuedBefore.isAfter(clock.instant())) {
      throw new ProvisionerException(
          ErrorCode.SCHEMA,
          "rotate.issuedBefore "
              + issuedBefore
              + " is after this provisioner's clock ("
              + clock.instant().truncatedTo(ChronoUnit.SECONDS)
              + "): certificates issued now would still count as issued before it");
    }
    Instant keysBefore = request.rotateAtRestKeysIfGiven().map(r -> r.issuedBefore()).orElse(null);
    if (keysBefore != null && keysBefore.isAfter(clock.instant())) {
      throw new ProvisionerException(
          ErrorCode.SCHEMA,
          "rotateAtRestKeys.issuedBefore "
              + keysBefore
              + " is after this provisioner's clock ("
              + clock.instant().truncatedTo(ChronoUnit.SECONDS)
              + "): key versions written now would still count as written before it");
    }
    TargetShells.Admitted admitted = shells.admit(target);
    HostBundle bundle = HostBundleRenderer.render(options);
    String bundleSha256 = sha256(bundle.manifest());
    String runId = UuidCreator.getTimeOrderedEpoch().toString();
    Instant started = clock.instant();
    Reporter reporter = new Reporter(request, runId, progress);
    ProvisionCompleted completed;
    try (HostShell sh = shells.open(admitted)) {
      List<StepResult> results;
      if (keysBefore != null) {
        AtRestKeyPlan plan =
            new AtRestKeyPlan(options, root, keysBefore, vault == null ? null : vault.get())
                .reencryptWait(reencryptWait);
        results =
            request.mode() == ProvisionMode.APPLY
                ? plan.apply(sh, reporter)
                : plan.plan(sh, reporter);
      } else if (issuedBefore != null) {
        CertificatePlan plan = new CertificatePlan(pkiOf(target), options, root, issuedBefore);
        results =
            request.mode() == ProvisionMode.APPLY
                ? plan.apply(sh, reporter)
                : plan.plan(sh, reporter);
      } else {
        HostPlan plan = new HostPlan(bundle, root, pkiOf(target));
        results =
            request.mode() == ProvisionMode.APPLY
                ? plan.apply(sh, reporter)
                : plan.plan(sh, reporter);
      }
      List<ProvisionCompleted.Step> steps = new ArrayList<>();
      for (StepResult r : results) {
        steps.add(new ProvisionCompleted.Step(r.id(), outcome(r), r.detail()));
      }
      completed =
          new ProvisionCompleted(
              request.requestId(),
              runId,
              request.target(),
              request.mode(),
              outcomeOf(request.mode(), steps),
              started,
              clock.instant(),
              bundleSha256,
              steps,
              null);
    } catch (PlanFailedException e) {
      List<ProvisionCompleted.Step> steps = new ArrayList<>();
      for (StepResult r : e.done()) {
        steps.add(new ProvisionCompleted.Step(r.id(), outcome(r), r.detail()));
      }
      steps.add(new ProvisionCompleted.Step(e.stepId(), StepOutcome.FAILED, e.detail()));
      completed =
          failed(
              request,
              runId,
              started,
              bundleSha256,
              steps,
              new ProvisionCompleted.Failure(e.code().code(), e.stepId(), e.detail()));
    } catch (StrongroomException e) {
      // cannot connect, host key not the pinned one, our key refused, the connection lost mid-run
      String step = reporter.current();
      if (step != null) {
        reporter.failed(step, detail(e));
      }
      List<ProvisionCompleted.Step> steps = reporter.finishedSteps(detail(e));
      completed =
          failed(
              request,
              runId,
              started,
              bundleSha256,
              steps,
              new ProvisionCompleted.Failure(e.code().code(), step, detail(e)));
    }
    SecureFiles.write(record, CanonicalJson.canonicalize(completed.toData()), SecureFiles.SECRET);
    return new Result(completed, false);
  }

  private ProvisionCompleted failed(
      ProvisionRequest request,
      String runId,
      Instant started,
      String bundleSha256,
      List<ProvisionCompleted.Step> steps,
      ProvisionCompleted.Failure error) {
    return new ProvisionCompleted(
        request.requestId(),
        runId,
        request.target(),
        request.mode(),
        ProvisionCompleted.Outcome.FAILED,
        started,
        clock.instant(),
        bundleSha256,
        steps,
        error);
  }

  /** The exception's message without its {@code CODE: } prefix (the code travels on its own). */
  private static String detail(StrongroomException e) {
    String m = String.valueOf(e.getMessage());
    String prefix = e.code().code() + ": ";
    return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
  }

  private static ProvisionCompleted recall(Path record, ProvisionRequest request) {
    try {
      ProvisionCompleted c =
          ProvisionCompleted.fromData(CanonicalJson.parse(Files.readAllBytes(record)));
      if (!c.requestId().equals(request.requestId())) {
        throw new IllegalStateException("ledger record " + record + " is another request's");
      }
      return c;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the ledger record " + record, e);
    }
  }

  static StepOutcome outcome(StepResult r) {
    return switch (r.status()) {
      case UNCHANGED -> StepOutcome.UNCHANGED;
      case WOULD_CHANGE -> StepOutcome.WOULD_CHANGE;
      case CHANGED -> StepOutcome.CHANGED;
      case SKIPPED -> StepOutcome.SKIPPED;
    };
  }

  static ProvisionCompleted.Outcome outcomeOf(
      ProvisionMode mode, List<ProvisionCompleted.Step> steps) {
    StepOutcome changing =
        mode == ProvisionMode.APPLY ? StepOutcome.CHANGED : StepOutcome.WOULD_CHANGE;
    if (steps.stream().anyMatch(s -> s.status() == changing)) {
      return mode == ProvisionMode.APPLY
          ? ProvisionCompleted.Outcome.CHANGED
          : ProvisionCompleted.Outcome.WOULD_CHANGE;
    }
    return ProvisionCompleted.Outcome.NO_CHANGE;
  }

  static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Turns the plan's step callbacks into numbered progress events. */
  private static final class Reporter implements PlanListener {
    private final ProvisionRequest request;
    private final String runId;
    private final Consumer<ProvisionProgressed> sink;
    private final List<ProvisionCompleted.Step> finished = new ArrayList<>();
    private int seq;
    private String current;

    Reporter(ProvisionRequest request, String runId, Consumer<ProvisionProgressed> sink) {
      this.request = request;
      this.runId = runId;
      this.sink = sink;
    }

    private void emit(String step, StepOutcome status, String detail) {
      sink.accept(
          new ProvisionProgressed(
              request.requestId(),
              runId,
              request.target(),
              request.mode(),
              seq++,
              step,
              status,
              detail));
    }

    @Override
    public void started(String stepId) {
      current = stepId;
      emit(stepId, StepOutcome.STARTED, "");
    }

    @Override
    public void finished(StepResult r) {
      current = null;
      finished.add(new ProvisionCompleted.Step(r.id(), outcome(r), r.detail()));
      emit(r.id(), outcome(r), r.detail());
    }

    /** A long step's progress: another STARTED event of the same step, with how far it got. */
    @Override
    public void progressed(String stepId, String detail) {
      emit(stepId, StepOutcome.STARTED, detail);
    }

    @Override
    public void failed(String stepId, String detail) {
      emit(stepId, StepOutcome.FAILED, detail);
    }

    /** The step running when the connection failed, if any. */
    String current() {
      return current;
    }

    /** The steps that finished, plus the interrupted one as FAILED. */
    List<ProvisionCompleted.Step> finishedSteps(String detail) {
      List<ProvisionCompleted.Step> out = new ArrayList<>(finished);
      if (current != null) {
        out.add(new ProvisionCompleted.Step(current, StepOutcome.FAILED, detail));
      }
      return out;
    }
  }
}
