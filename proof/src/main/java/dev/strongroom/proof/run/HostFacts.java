package dev.strongroom.proof.run;

import dev.strongroom.proof.host.HostTarget;
import dev.strongroom.provisioner.host.HostBundle;
import dev.strongroom.provisioner.host.HostOptions;
import dev.strongroom.provisioner.host.plan.HostShell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The host the host controls measure ({@link HostTarget}: this machine, or an SSH target and the
 * root the bundle was applied under there) and whether the provisioner hardened it. Host controls
 * (firewall, fail2ban, AppArmor, FIPS) are attacked only on a target that holds the applied
 * bundle's manifest; anywhere else they are NOT_APPLICABLE with {@link #notApplicableReason()},
 * never PASS.
 *
 * <p>Where the manifest is looked for ({@link #manifestLocations(HostTarget, Path)}): first under
 * the config directory the prove run is given ({@code HostBundle.installedManifest(configDir)}, the
 * {@code --state} of {@code prove}: a host provisioned with another {@code HostOptions.configDir}
 * is found when that is the state), then at {@link #DEFAULT_MANIFEST}. The config directory is a
 * path on the prover's machine, so it counts only when the target is this machine at root {@code
 * /}; an SSH target or a rehearsal root is looked at under its root at the default place only.
 *
 * @param hardenedHostManifest the host bundle's manifest (as a path on the target) when the target
 *     was provisioned by it
 * @param target where the host controls run
 * @param manifestLocations where the manifest was looked for, in order, as paths on a booted host
 *     (the reason of a not-applicable result names them under the target's root)
 */
public record HostFacts(
    Optional<Path> hardenedHostManifest, HostTarget target, List<Path> manifestLocations) {
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
    manifestLocations = List.copyOf(manifestLocations);
    if (manifestLocations.isEmpty()) {
      throw new IllegalArgumentException("no manifest location");
    }
  }

  /** {@code target}, the manifest looked for at {@link #DEFAULT_MANIFEST} under its root. */
  public HostFacts(Optional<Path> hardenedHostManifest, HostTarget target) {
    this(hardenedHostManifest, target, List.of(DEFAULT_MANIFEST));
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
    return new HostFacts(
        isManifest(manifest) ? Optional.of(manifest) : Optional.empty(),
        HostTarget.local(),
        List.of(manifest));
  }

  private static boolean isManifest(Path manifest) {
    if (!Files.isRegularFile(manifest)) {
      return false;
    }
    try (java.io.BufferedReader r =
        Files.newBufferedReader(manifest, java.nio.charset.StandardCharsets.UTF_8)) {
      String first = r.readLine();
      return first != null && first.startsWith(MANIFEST_HEADER);
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /**
   * Looks for the manifest at {@link #DEFAULT_MANIFEST} under {@code target}'s root, on the target
   * ({@code head -n 1} over its shell): the same rule as {@link #detect(Path)}.
   */
  public static HostFacts detect(HostTarget target) {
    return detect(target, List.of(DEFAULT_MANIFEST));
  }

  /**
   * Looks for the manifest on {@code target} at each of {@link #manifestLocations(HostTarget,
   * Path)} in turn ({@code head -n 1} over its shell, the same rule as {@link #detect(Path)}); the
   * first manifest found is the one the host controls name.
   *
   * @param configDir the config directory the prove run was given ({@code prove --state}), absolute
   */
  public static HostFacts detect(HostTarget target, Path configDir) {
    return detect(target, manifestLocations(target, configDir));
  }

  private static HostFacts detect(HostTarget target, List<Path> locations) {
    for (Path location : locations) {
      String manifest = target.rooted(location);
      HostShell.Result r =
          target.exec("f=" + HostShell.quote(manifest) + "; [ -f \"$f\" ] && head -n 1 -- \"$f\"");
      if (r.exitCode() == 0 && r.stdout().startsWith(MANIFEST_HEADER)) {
        return new HostFacts(Optional.of(Path.of(manifest)), target, locations);
      }
    }
    return new HostFacts(Optional.empty(), target, locations);
  }

  /**
   * Where {@link #detect(HostTarget, Path)} looks for the manifest, in order: {@code
   * HostBundle.installedManifest(configDir)} when {@code target} is this machine at root {@code /}
   * (the config directory is a path here, not on another host nor under a rehearsal root) and it is
   * not the default one, then {@link #DEFAULT_MANIFEST}.
   */
  public static List<Path> manifestLocations(HostTarget target, Path configDir) {
    if (!configDir.isAbsolute()) {
      throw new IllegalArgumentException("configDir must be absolute: " + configDir);
    }
    Path given = HostBundle.installedManifest(configDir.normalize());
    boolean here = target.target().local() && !target.rehearsalRoot();
    return here && !given.equals(DEFAULT_MANIFEST)
        ? List.of(given, DEFAULT_MANIFEST)
        : List.of(DEFAULT_MANIFEST);
  }

  public boolean hardenedVm() {
    return hardenedHostManifest.isPresent();
  }

  public String notApplicableReason() {
    if (target.target().local() && !target.rehearsalRoot()) {
      return "not a host provisioned by the host-hardening bundle (no "
          + lookedAt()
          + "); host controls apply only on a hardened VM";
    }
    return target.describe()
        + " was not provisioned by the host-hardening bundle (no "
        + lookedAt()
        + " there); host controls apply only on a host the bundle hardened";
  }

  /** The manifest locations under the target's root: {@code A}, or {@code A nor B}. */
  private String lookedAt() {
    return manifestLocations.stream().map(target::rooted).collect(Collectors.joining(" nor "));
  }
}
