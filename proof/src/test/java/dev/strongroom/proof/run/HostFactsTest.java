package dev.strongroom.proof.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.provisioner.host.HostBundle;
import dev.strongroom.provisioner.host.HostBundleRenderer;
import dev.strongroom.provisioner.host.HostOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host controls look for the manifest exactly where the ops plane's host plan leaves it, under
 * the name the ops plane gives it ({@code MANIFEST.tsv}, not {@code MANIFEST}), and only a real
 * manifest counts.
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
}
