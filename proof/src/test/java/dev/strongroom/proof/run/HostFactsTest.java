package dev.strongroom.proof.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.strongroom.proof.host.HostTarget;
import dev.strongroom.provisioner.host.HostBundle;
import dev.strongroom.provisioner.host.HostBundleRenderer;
import dev.strongroom.provisioner.host.HostOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host controls look for the manifest exactly where the ops plane's host plan leaves it, under
 * the name the ops plane gives it ({@code MANIFEST.tsv}, not {@code MANIFEST}), and only a real
 * manifest counts. A host provisioned with another config directory is found through the config
 * directory the prove run is given ({@code prove}'s {@code --state}), looked at before the default.
 */
class HostFactsTest {
  @TempDir Path dir;

  @Test
  void defaultManifest_isWhereTheHostPlanWritesIt() {
    assertEquals(Path.of("/etc/strongroom/host/MANIFEST.tsv"), HostFacts.DEFAULT_MANIFEST);
    assertEquals(
        HostBundle.installedManifest(HostOptions.builder().build().configDir()),
        HostFacts.DEFAULT_MANIFEST);
    assertTrue(HostFacts.detect().notApplicableReason().contains("MANIFEST.tsv"));
  }

  @Test
  void theOpsPlanesManifest_marksAHardenedHost_theOldNameAndAStrayFileDoNot() throws Exception {
    HostBundle bundle = HostBundleRenderer.render(HostOptions.builder().build());
    Path host = Files.createDirectories(dir.resolve("etc/strongroom/host"));
    Path tsv = Files.writeString(host.resolve(HostBundle.MANIFEST), bundle.manifest());
    assertTrue(HostFacts.detect(tsv).hardenedVm());

    // the name HostFacts used to read: the ops plane never writes it
    Path old = Files.writeString(host.resolve("MANIFEST"), bundle.manifest());
    assertFalse(HostFacts.detect(host.resolve("MANIFEST.missing")).hardenedVm());
    assertEquals("MANIFEST.tsv", HostFacts.DEFAULT_MANIFEST.getFileName().toString());
    assertFalse(old.getFileName().equals(HostFacts.DEFAULT_MANIFEST.getFileName()));

    // an empty or foreign file at the right place is not a hardened host
    Files.writeString(tsv, "");
    assertFalse(HostFacts.detect(tsv).hardenedVm());
    Files.writeString(tsv, "hardened=yes\n");
    assertFalse(HostFacts.detect(tsv).hardenedVm());
  }

  @Test
  void aCustomConfigDir_givenAsProvesState_isLookedAtFirst_andItsManifestMarksTheHost()
      throws Exception {
    assumeFalse(Files.exists(HostFacts.DEFAULT_MANIFEST), "this machine was provisioned");
    Path configDir = Files.createDirectories(dir.resolve("srv/strongroom/etc"));
    HostBundle bundle =
        HostBundleRenderer.render(HostOptions.builder().configDir(configDir).build());
    Path installed = HostBundle.installedManifest(configDir);
    // the bundle ships no proof unit: a timer's prove would have no devstack state on the host
    // and no root for the host controls (docs/ops-plane.md)
    assertTrue(
        bundle.files().stream().noneMatch(f -> f.bundlePath().contains("prove")),
        bundle.manifest());
    assertEquals(
        List.of(installed, HostFacts.DEFAULT_MANIFEST),
        HostFacts.manifestLocations(HostTarget.local(), configDir));

    // not applied yet: not hardened, and the reason names both places looked at, in order
    HostFacts none = HostFacts.detect(HostTarget.local(), configDir);
    assertFalse(none.hardenedVm());
    assertEquals(
        "not a host provisioned by the host-hardening bundle (no "
            + installed
            + " nor /etc/strongroom/host/MANIFEST.tsv); host controls apply only on a hardened VM",
        none.notApplicableReason());

    // the manifest where the host plan writes it for this config dir
    Files.createDirectories(installed.getParent());
    Files.writeString(installed, bundle.manifest());
    HostFacts found = HostFacts.detect(HostTarget.local(), configDir);
    assertTrue(found.hardenedVm());
    assertEquals(Optional.of(installed), found.hardenedHostManifest());

    // a stray file there is no manifest, as at the default place
    Files.writeString(installed, "hardened=yes\n");
    assertFalse(HostFacts.detect(HostTarget.local(), configDir).hardenedVm());
  }

  @Test
  void theDefaultConfigDir_isLookedAtOnce_andAConfigDirCountsOnlyForThisMachineAtItsRoot() {
    Path etc = HostOptions.builder().build().configDir();
    assertEquals(
        List.of(HostFacts.DEFAULT_MANIFEST), HostFacts.manifestLocations(HostTarget.local(), etc));
    // a rehearsal root: the config dir is a path on this machine, not under the root
    Path root = dir.resolve("image");
    assertEquals(
        List.of(HostFacts.DEFAULT_MANIFEST),
        HostFacts.manifestLocations(HostTarget.local(root), dir.resolve("state")));
    assertThrows(
        IllegalArgumentException.class,
        () -> HostFacts.manifestLocations(HostTarget.local(), Path.of("etc/strongroom")));
  }
}
