package dev.strongroom.provisionerservice.run;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.provisioner.ProvisionerException;
import dev.strongroom.provisioner.host.plan.HostShell;
import dev.strongroom.provisioner.host.plan.KnownHostsPins;
import dev.strongroom.provisioner.host.plan.LocalShell;
import dev.strongroom.provisioner.host.plan.SshShell;
import dev.strongroom.provisioner.host.plan.Target;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Optional;

/**
 * Opens a shell on a target with the service's own credentials: the SSH identity file and the host
 * key pinned for that target in the {@code known_hosts} file (re-read for every request, so an
 * operator can pin a new host without a restart); {@code local} only when allowed.
 */
public final class TargetShells {
  private final boolean allowLocal;
  private final Optional<Path> identity;
  private final Optional<Path> knownHosts;
  private final Duration timeout;

  public TargetShells(
      boolean allowLocal, Optional<Path> identity, Optional<Path> knownHosts, Duration timeout) {
    this.allowLocal = allowLocal;
    this.identity = identity;
    this.knownHosts = knownHosts;
    this.timeout = timeout;
  }

  /** A target this service will reach, with what it needs to: its pinned host key if SSH. */
  public record Admitted(Target target, PublicKey pin) {}

  /**
   * Whether this service serves {@code target} at all.
   *
   * @throws ProvisionerException {@code REFUSED} (the request is dead-lettered): local not allowed,
   *     no SSH identity or pins configured, no (or more than one) host key pinned for the target
   */
  public Admitted admit(Target target) {
    if (target.local()) {
      if (!allowLocal) {
        throw new ProvisionerException(
            ErrorCode.REFUSED,
            "the local target is not enabled on this provisioner"
                + " (strongroom.provisioner.allow-local)");
      }
      return new Admitted(target, null);
    }
    if (identity.isEmpty() || knownHosts.isEmpty()) {
      throw new ProvisionerException(
          ErrorCode.REFUSED,
          "this provisioner has no SSH identity or pinned host keys configured"
              + " (strongroom.provisioner.ssh.identity, strongroom.provisioner.ssh.known-hosts)");
    }
    return new Admitted(target, KnownHostsPins.load(knownHosts.get()).pinFor(target));
  }

  /**
   * Connects.
   *
   * @throws dev.strongroom.provisioner.host.plan.SshException when the target cannot be reached or
   *     refuses us (host key not the pinned one, our key not accepted)
   */
  public HostShell open(Admitted a) {
    if (a.target().local()) {
      return new LocalShell(timeout);
    }
    return SshShell.connect(a.target(), identity.orElseThrow(), a.pin(), timeout);
  }
}
