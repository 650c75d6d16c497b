package dev.strongroom.provisionerservice.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.provision.ProvisionCompleted;
import dev.strongroom.contracts.provision.ProvisionMode;
import dev.strongroom.contracts.provision.ProvisionProgressed;
import dev.strongroom.contracts.provision.ProvisionRequest;
import dev.strongroom.contracts.provision.StepOutcome;
import dev.strongroom.provisioner.ProvisionerException;
import dev.strongroom.provisioner.host.HostOptions;
import dev.strongroom.provisioner.host.HostRequests;
import dev.strongroom.provisioner.host.InvalidHostOptionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core of a provisioning run on the {@code local} target under a throwaway root (a real shell,
 * real systemd-sysusers/tmpfiles with {@code --root}): progress, outcomes, the ledger, refusals.
 */
class ProvisionJobTest {
  @TempDir Path dir;

  private ProvisionJob job(boolean allowLocal) throws Exception {
    Path root = Files.createDirectories(dir.resolve("root")).toRealPath();
    return new ProvisionJob(
        new TargetShells(allowLocal, Optional.empty(), Optional.empty(), Duration.ofSeconds(30)),
        root,
        dir.resolve("ledger"),
        dir.resolve("pki"),
        Clock.systemUTC());
  }

  private static ProvisionRequest request(String id, ProvisionMode mode) {
    return new ProvisionRequest(
        id, mode, "local", HostRequests.toRequest(HostOptions.builder().build()), null);
  }

  @Test
  void apply_changesEveryStep_reapplySaysNoChange_aRepeatIsRecalledWithoutProgress()
      throws Exception {
    ProvisionJob job = job(true);
    List<ProvisionProgressed> progress = new ArrayList<>();
    ProvisionJob.Result first = job.run(request("a-1", ProvisionMode.APPLY), progress::add);
    ProvisionCompleted c = first.completed();
    assertFalse(first.repeated());
    assertEquals(ProvisionCompleted.Outcome.CHANGED, c.outcome());
    // every step but the TLS reload and the schema (no database server runs under the root)
    assertEquals(c.steps().size() - 2, c.count(StepOutcome.CHANGED), c.toString());
    assertEquals(2, c.count(StepOutcome.SKIPPED), c.toString());
    assertEquals(2 * c.steps().size(), progress.size());
    for (int i = 0; i < progress.size(); i++) {
      assertEquals(i, progress.get(i).seq());
    }

    List<ProvisionProgressed> none = new ArrayList<>();
    ProvisionJob.Result again = job.run(request("a-2", ProvisionMode.APPLY), none::add);
    assertEquals(ProvisionCompleted.Outcome.NO_CHANGE, again.completed().outcome());

    none.clear();
    ProvisionJob.Result repeat = job.run(request("a-1", ProvisionMode.APPLY), none::add);
    assertTrue(repeat.repeated());
    assertEquals(c, repeat.completed());
    assertEquals(List.of(), none, "a recalled result publishes no progress");
  }

  /**
   * The host plan installs the host's certificates from its PKI (no database runs under the root:
   * the reload is skipped); a rotation request then runs the target's certificate plan: every
   * certificate re-issued and installed, the old ones revoked; the same instant again changes
   * nothing, an instant after the provisioner's clock is refused before any step.
   */
  @Test
  void hostPlanInstallsTheCertificates_aRotationReplacesThem_thenTheSameInstantChangesNothing()
      throws Exception {
    ProvisionJob job = job(true);
    ProvisionCompleted host = job.run(request("h-1", ProvisionMode.APPLY), p -> {}).completed();
    ProvisionCompleted.Step issue =
        host.steps().stream().filter(s -> s.id().equals("pki")).findFirst().orElseThrow();
    assertEquals(StepOutcome.CHANGED, issue.status());
    assertTrue(issue.detail().startsWith("issue ca, crl, server, app_user"), host.toString());
    ProvisionCompleted.Step hostReload =
        host.steps().stream().filter(s -> s.id().equals("reload tls")).findFirst().orElseThrow();
    assertEquals(StepOutcome.SKIPPED, hostReload.status());
    assertTrue(
        Files.exists(dir.resolve("root/etc/strongroom/pki/clients/data-service.key")),
        "a service's key on the host");
    assertFalse(
        Files.exists(dir.resolve("root/etc/strongroom/pki/ca/ca.key")),
        "the CA key stays with the provisioner");
    assertTrue(Files.exists(dir.resolve("pki/local/ca/ca.key")));

    Thread.sleep(1_100); // the instant is whole seconds: after the host plan's issue
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    List<ProvisionProgressed> progress = new ArrayList<>();
    ProvisionCompleted c =
        job.run(rotation("r-1", ProvisionMode.APPLY, now), progress::add).completed();
    assertEquals(ProvisionCompleted.Outcome.CHANGED, c.outcome(), c.toString());
    assertEquals("pki", c.steps().get(0).id());
    assertTrue(c.steps().get(0).detail().startsWith("rotate server, app_user"), c.toString());
    // no database and no service runs under the root: reload and check skipped
    ProvisionCompleted.Step reload = c.steps().get(c.steps().size() - 3);
    assertEquals("reload tls", reload.id());
    assertEquals(StepOutcome.SKIPPED, reload.status());
    ProvisionCompleted.Step services = c.steps().get(c.steps().size() - 2);
    assertEquals("services present the new certificates", services.id());
    assertEquals(StepOutcome.SKIPPED, services.status());
    ProvisionCompleted.Step revoke = c.steps().get(c.steps().size() - 1);
    assertEquals("revoke superseded", revoke.id());
    assertEquals(StepOutcome.CHANGED, revoke.status());
    // the CA is kept, the CRL changes only in the last step
    assertEquals(c.steps().size() - 4, c.count(StepOutcome.CHANGED), c.toString());
    assertEquals(2 * c.steps().size(), progress.size());

    ProvisionCompleted again =
        job.run(rotation("r-2", ProvisionMode.APPLY, now), p -> {}).completed();
    assertEquals(ProvisionCompleted.Outcome.NO_CHANGE, again.outcome(), again.toString());

    ProvisionerException future =
        assertThrows(
            ProvisionerException.class,
            () ->
                job.run(
                    rotation("r-3", ProvisionMode.PLAN, now.plus(Duration.ofHours(1))), p -> {}));
    assertEquals(ErrorCode.SCHEMA, future.code());
    assertTrue(
        future.getMessage().contains("is after this provisioner's clock"), future.getMessage());
  }

  private static ProvisionRequest rotation(String id, ProvisionMode mode, Instant before) {
    return new ProvisionRequest(
        id,
        mode,
        "local",
        HostRequests.toRequest(HostOptions.builder().build()),
        new ProvisionRequest.Rotate(before),
        null);
  }

  @Test
  void atRestKeyRotation_withNoServerRunning_failsAtKeyManagement_andAFutureInstantIsRefused()
      throws Exception {
    ProvisionJob job = job(true);
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    List<ProvisionProgressed> progress = new ArrayList<>();
    ProvisionCompleted c =
        job.run(atRestRotation("k-1", ProvisionMode.PLAN, now), progress::add).completed();
    assertEquals(ProvisionCompleted.Outcome.FAILED, c.outcome());
    ProvisionCompleted.Failure e = c.errorIfFailed().orElseThrow();
    assertEquals("REFUSED", e.code());
    assertEquals("key management", e.stepIfAny().orElseThrow());
    assertTrue(
        e.detail().startsWith("no database server at " + dir.resolve("root").toRealPath()),
        e.detail());
    assertEquals(
        List.of(StepOutcome.STARTED, StepOutcome.FAILED),
        progress.stream().map(ProvisionProgressed::status).toList());
    // recorded by request id: the repeat gets the same failure, without a second run
    ProvisionJob.Result again = job.run(atRestRotation("k-1", ProvisionMode.PLAN, now), p -> {});
    assertTrue(again.repeated());
    assertEquals(c.runId(), again.completed().runId());
    ProvisionerException future =
        assertThrows(
            ProvisionerException.class,
            () ->
                job.run(
                    atRestRotation("k-2", ProvisionMode.PLAN, now.plus(Duration.ofHours(1))),
                    p -> {}));
    assertEquals(ErrorCode.SCHEMA, future.code());
    assertTrue(
        future.getMessage().startsWith("SCHEMA: rotateAtRestKeys.issuedBefore "),
        future.getMessage());
  }

  private static ProvisionRequest atRestRotation(String id, ProvisionMode mode, Instant before) {
    return new ProvisionRequest(
        id,
        mode,
        "local",
        HostRequests.toRequest(HostOptions.builder().build()),
        null,
        new ProvisionRequest.Rotate(before),
        null);
  }

  @Test
  void aStepThatFails_endsTheRunFailed_namingIt() throws Exception {
    ProvisionJob job = job(true);
    Files.writeString(dir.resolve("root/etc"), "not a directory");
    List<ProvisionProgressed> progress = new ArrayList<>();
    ProvisionCompleted c = job.run(request("f-1", ProvisionMode.APPLY), progress::add).completed();
    assertEquals(ProvisionCompleted.Outcome.FAILED, c.outcome());
    ProvisionCompleted.Failure e = c.errorIfFailed().orElseThrow();
    assertEquals("REFUSED", e.code());
    String step = e.stepIfAny().orElseThrow();
    assertTrue(step.startsWith("file /etc/"), step);
    assertEquals(StepOutcome.FAILED, c.steps().get(c.steps().size() - 1).status());
    ProvisionProgressed last = progress.get(progress.size() - 1);
    assertEquals(StepOutcome.FAILED, last.status());
    assertEquals(step, last.step());
  }

  @Test
  void theLocalTarget_unlessAllowed_andBadOptions_areRefusedBeforeAnyStep() throws Exception {
    List<ProvisionProgressed> progress = new ArrayList<>();
    ProvisionerException local =
        assertThrows(
            ProvisionerException.class,
            () -> job(false).run(request("l-1", ProvisionMode.PLAN), progress::add));
    assertEquals(ErrorCode.REFUSED, local.code());

    ProvisionRequest.Host h = HostRequests.toRequest(HostOptions.builder().build());
    ProvisionRequest sameUsers =
        new ProvisionRequest(
            "o-1",
            ProvisionMode.PLAN,
            "local",
            new ProvisionRequest.Host(
                h.allowRemote(),
                h.allowedCidrs(),
                h.dialect(),
                h.sshPort(),
                h.dbPort(),
                "strongroom",
                "strongroom",
                h.installDir(),
                h.configDir(),
                h.stateDir(),
                h.logDir(),
                h.maxRetry(),
                h.findTime(),
                h.banTime(),
                h.verifyAuditEvery()),
            null);
    InvalidHostOptionException bad =
        assertThrows(
            InvalidHostOptionException.class, () -> job(true).run(sameUsers, progress::add));
    assertEquals(ErrorCode.SCHEMA, bad.code());
    assertEquals(List.of(), progress);
    assertFalse(Files.exists(dir.resolve("ledger")), "a refused request leaves no record");
  }
}
