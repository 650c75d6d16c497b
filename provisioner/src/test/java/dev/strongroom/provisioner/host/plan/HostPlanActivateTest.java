package dev.strongroom.provisioner.host.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.provisioner.host.HostBundle;
import dev.strongroom.provisioner.host.HostBundleRenderer;
import dev.strongroom.provisioner.host.HostOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code activate} step reads {@code systemctl --root=ROOT is-enabled} the way every systemd
 * release prints it, and never unmasks what an operator masked: real {@code systemctl} on a
 * throwaway root (it only writes symlinks under it and never talks to a running manager).
 */
class HostPlanActivateTest {
  @TempDir Path dir;

  @Test
  void unitState_missingUnitFile_sameOnEverySystemdRelease() {
    // up to systemd 253: nothing on stdout (the error goes to stderr); later: "not-found"
    assertEquals("missing", HostPlan.unitState(""));
    assertEquals("missing", HostPlan.unitState("not-found"));
    assertEquals("missing", HostPlan.unitState("not-found\n"));
    assertEquals("enabled", HostPlan.unitState("enabled\n"));
    assertEquals("disabled", HostPlan.unitState(" disabled "));
    assertEquals("masked", HostPlan.unitState("masked"));
    assertEquals("static", HostPlan.unitState("static"));
  }

  @Test
  void aMaskedPackagedUnit_isReportedAndRefused_neverUnmasked() throws Exception {
    Path root = Files.createDirectories(dir.resolve("root")).toRealPath();
    Path units = Files.createDirectories(root.resolve("usr/lib/systemd/system"));
    Files.copy(
        Path.of("/usr/lib/systemd/system/nftables.service"), units.resolve("nftables.service"));
    HostBundle bundle = HostBundleRenderer.render(HostOptions.builder().build());
    HostPlan plan = new HostPlan(bundle, root);
    try (LocalShell sh = new LocalShell(Duration.ofSeconds(60))) {
      assertEquals(
          0,
          sh.exec("systemctl --root=" + root + " mask nftables.service", null).exitCode(),
          "mask under the throwaway root");
      Path mask = root.resolve("etc/systemd/system/nftables.service");
      assertTrue(Files.isSymbolicLink(mask));

      String masked =
          "masked under "
              + root
              + ": nftables.service (masked); the plan does not unmask a unit an operator masked"
              + " (systemctl --root="
              + root
              + " unmask UNIT, then apply again)";
      // the plan fails at the step as the apply does: nothing the step could do settles it
      PlanFailedException planned = assertThrows(PlanFailedException.class, () -> plan.plan(sh));
      assertEquals("activate", planned.stepId());
      assertEquals(masked, planned.detail());

      PlanFailedException refused = assertThrows(PlanFailedException.class, () -> plan.apply(sh));
      assertEquals("activate", refused.stepId());
      assertEquals(masked, refused.detail());
      // every step before it applied; the mask and the firewall unit untouched
      // users, ownership, db keyring, db datadir, manifest
      assertEquals(bundle.files().size() + 5, refused.done().size());
      assertEquals(Path.of("/dev/null"), Files.readSymbolicLink(mask));
      assertTrue(
          Files.notExists(
              root.resolve("etc/systemd/system/sysinit.target.wants/nftables.service")));

      assertEquals(
          0, sh.exec("systemctl --root=" + root + " unmask nftables.service", null).exitCode());
      List<StepResult> applied = plan.apply(sh);
      StepResult activate = applied.get(applied.size() - 1);
      assertEquals(StepStatus.CHANGED, activate.status(), applied.toString());
      assertTrue(
          Files.isSymbolicLink(
              root.resolve("etc/systemd/system/sysinit.target.wants/nftables.service")));
      List<StepResult> again = plan.apply(sh);
      assertTrue(
          again.stream().allMatch(r -> r.status() == StepStatus.UNCHANGED), again.toString());
      // the manifest stays readable by the service user, whose proof-service looks for it (the
      // plan's shell runs with umask 077: without the tmpfiles rule its directory was 0700 root)
      assertEquals(
          "rwxr-xr-x",
          java.nio.file.attribute.PosixFilePermissions.toString(
              Files.getPosixFilePermissions(root.resolve("etc/strongroom/host"))));
      assertEquals(
          "rw-r--r--",
          java.nio.file.attribute.PosixFilePermissions.toString(
              Files.getPosixFilePermissions(root.resolve("etc/strongroom/host/MANIFEST.tsv"))));
    }
  }
}
