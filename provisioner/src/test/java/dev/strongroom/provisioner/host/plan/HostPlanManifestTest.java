package dev.strongroom.provisioner.host.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * The host plan's last file step installs the bundle's manifest at {@code
 * /etc/strongroom/host/MANIFEST.tsv} (where the proof's host controls look for it), checked by a
 * real shell under a throwaway root.
 */
class HostPlanManifestTest {
  @TempDir Path root;

  @Test
  void lastFileStep_isTheManifest_missingThenUnchangedOnceInPlace() throws Exception {
    HostBundle bundle = HostBundleRenderer.render(HostOptions.builder().build());
    HostPlan plan = new HostPlan(bundle, root.toRealPath());
    try (LocalShell sh = new LocalShell(Duration.ofSeconds(30))) {
      List<StepResult> before = plan.plan(sh);
      StepResult manifest = before.get(before.size() - 2);
      assertEquals("file /etc/strongroom/host/MANIFEST.tsv", manifest.id());
      assertEquals(StepStatus.WOULD_CHANGE, manifest.status());
      assertEquals("missing", manifest.detail());

      Path installed = root.resolve("etc/strongroom/host/MANIFEST.tsv");
      Files.createDirectories(installed.getParent());
      Files.writeString(installed, bundle.manifest());
      Files.setPosixFilePermissions(
          installed, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
      List<StepResult> after = plan.plan(sh);
      assertEquals(StepStatus.UNCHANGED, after.get(after.size() - 2).status());

      Files.writeString(installed, bundle.manifest() + "x\tedited\n");
      List<StepResult> edited = plan.plan(sh);
      assertEquals("content differs", edited.get(edited.size() - 2).detail());
    }
  }
}
