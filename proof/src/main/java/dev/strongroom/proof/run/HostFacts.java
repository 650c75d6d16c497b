package dev.strongroom.proof.run;

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
  /** Where an applied host-hardening bundle leaves its manifest. */
  public static final Path DEFAULT_MANIFEST = Path.of("/etc/strongroom/host/MANIFEST");

  /** Looks for the applied host bundle's manifest at {@link #DEFAULT_MANIFEST}. */
  public static HostFacts detect() {
    return Files.isRegularFile(DEFAULT_MANIFEST)
        ? new HostFacts(Optional.of(DEFAULT_MANIFEST))
        : new HostFacts(Optional.empty());
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
