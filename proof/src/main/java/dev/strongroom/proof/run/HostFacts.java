package dev.strongroom.proof.run;

import dev.strongroom.provisioner.host.HostBundle;
import dev.strongroom.provisioner.host.HostOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether the prover runs on a host that the provisioner hardened. Host controls (firewall,
 * fail2ban, AppArmor, FIPS) are attacked only there; anywhere else they are NOT_APPLICABLE with
 * {@link #notApplicableReason()}, never PASS.
 *
 * @param hardenedHostManifest the host bundle's manifest when this host was provisioned by it
 */
public record HostFacts(Optional<Path> hardenedHostManifest) {
  /**
   * Where an applied host-hardening bundle leaves its manifest: the ops plane's {@code
   * HostBundle.installedManifest} under the default config directory ({@code
   * /etc/strongroom/host/MANIFEST.tsv}), written by {@code HostPlan} as its last step.
   */
  public static final Path DEFAULT_MANIFEST =
      HostBundle.installedManifest(HostOptions.builder().build().configDir());

  /** Looks for the applied host bundle's manifest at {@link #DEFAULT_MANIFEST}. */
  public static HostFacts detect() {
    return detect(DEFAULT_MANIFEST);
  }

  /**
   * Looks for an applied host bundle's manifest at {@code manifest}: a regular file that starts
   * with the manifest's header line ({@code path<TAB>host_path<TAB>…}); anything else is not a
   * hardened host.
   */
  public static HostFacts detect(Path manifest) {
    if (!Files.isRegularFile(manifest)) {
      return new HostFacts(Optional.empty());
    }
    try (java.io.BufferedReader r =
        Files.newBufferedReader(manifest, java.nio.charset.StandardCharsets.UTF_8)) {
      String first = r.readLine();
      return first != null && first.startsWith("path\thost_path\t")
          ? new HostFacts(Optional.of(manifest))
          : new HostFacts(Optional.empty());
    } catch (java.io.IOException e) {
      return new HostFacts(Optional.empty());
    }
  }

  public boolean hardenedVm() {
    return hardenedHostManifest.isPresent();
  }

  public String notApplicableReason() {
    return "not a host provisioned by the host-hardening bundle (no "
        + DEFAULT_MANIFEST
        + "); host controls apply only on a hardened VM";
  }
}
