package dev.strongroom.proof.run;

import dev.strongroom.proof.host.HostTarget;
import dev.strongroom.provisioner.host.HostBundle;
import dev.strongroom.provisioner.host.HostOptions;
import dev.strongroom.provisioner.host.plan.HostShell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The host the host controls measure ({@link HostTarget}: this machine, or an SSH target and the
 * root the bundle was applied under there) and whether the provisioner hardened it. Host controls
 * (firewall, fail2ban, AppArmor, FIPS) are attacked only on a target that holds the applied
 * bundle's manifest; anywhere else they are NOT_APPLICABLE with {@link #notApplicableReason()},
 * never PASS.
 *
 * @param hardenedHostManifest the host bundle's manifest (as a path on the target) when the target
 *     was provisioned by it
 * @param target where the host controls run
 */
public record HostFacts(Optional<Path> hardenedHostManifest, HostTarget target) {
  /**
   * Where an applied host-hardening bundle leaves its manifest: the ops plane's {@code
   * HostBundle.installedManifest} under the default config directory ({@code
   * /etc/strongroom/host/MANIFEST.tsv}), written by {@code HostPlan} as its last step.
   */
  public static final Path DEFAULT_MANIFEST =
      HostBundle.installedManifest(HostOptions.builder().build().configDir());

  /** The manifest's header line starts so; anything else at its place is not a manifest. */
  static final String MANIFEST_HEADER = "path\thost_path\t";

  public HostFacts {
    Objects.requireNonNull(hardenedHostManifest, "hardenedHostManifest");
    Objects.requireNonNull(target, "target");
  }

  /** This machine at root {@code /}, hardened when {@code hardenedHostManifest} is present. */
  public HostFacts(Optional<Path> hardenedHostManifest) {
    this(hardenedHostManifest, HostTarget.local());
  }

  /** Looks for the applied host bundle's manifest at {@link #DEFAULT_MANIFEST} on this machine. */
  public static HostFacts detect() {
    return detect(DEFAULT_MANIFEST);
  }

  /**
   * Looks for an applied host bundle's manifest at {@code manifest} on this machine: a regular file
   * that starts with the manifest's header line ({@code path<TAB>host_path<TAB>…}); anything else
   * is not a hardened host.
   */
  public static HostFacts detect(Path manifest) {
    if (!Files.isRegularFile(manifest)) {
      return new HostFacts(Optional.empty());
    }
    try (java.io.BufferedReader r =
        Files.newBufferedReader(manifest, java.nio.charset.StandardCharsets.UTF_8)) {
      String first = r.readLine();
      return first != null && first.startsWith(MANIFEST_HEADER)
          ? new HostFacts(Optional.of(manifest))
          : new HostFacts(Optional.empty());
    } catch (java.io.IOException e) {
      return new HostFacts(Optional.empty());
    }
  }

  /**
   * Looks for the manifest at {@link #DEFAULT_MANIFEST} under {@code target}'s root, on the target
   * ({@code head -n 1} over its shell): the same rule as {@link #detect(Path)}.
   */
  public static HostFacts detect(HostTarget target) {
    String manifest = target.rooted(DEFAULT_MANIFEST);
    HostShell.Result r =
        target.exec("f=" + HostShell.quote(manifest) + "; [ -f \"$f\" ] && head -n 1 -- \"$f\"");
    boolean found = r.exitCode() == 0 && r.stdout().startsWith(MANIFEST_HEADER);
    return new HostFacts(found ? Optional.of(Path.of(manifest)) : Optional.empty(), target);
  }

  public boolean hardenedVm() {
    return hardenedHostManifest.isPresent();
  }

  public String notApplicableReason() {
    if (target.target().local() && !target.rehearsalRoot()) {
      return "not a host provisioned by the host-hardening bundle (no "
          + DEFAULT_MANIFEST
          + "); host controls apply only on a hardened VM";
    }
    return target.describe()
        + " was not provisioned by the host-hardening bundle (no "
        + target.rooted(DEFAULT_MANIFEST)
        + " there); host controls apply only on a host the bundle hardened";
  }
}
