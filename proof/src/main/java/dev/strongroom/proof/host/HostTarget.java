package dev.strongroom.proof.host;

import dev.strongroom.provisioner.host.plan.HostShell;
import dev.strongroom.provisioner.host.plan.LocalShell;
import dev.strongroom.provisioner.host.plan.SshShell;
import dev.strongroom.provisioner.host.plan.Target;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the host controls run: this machine ({@code local}, commands through {@code sh -c}) or an
 * SSH target ({@code ssh://user@host[:port]}) reached the way the provisioner reaches it — the
 * provisioner's {@link SshShell} (Apache MINA SSHD: exactly the pinned host key, public-key login
 * only, one session) — and the root the host bundle was applied under there: {@code /} on a booted
 * host, a directory for a rehearsal or image root ({@code strongroom.provisioner.root}).
 *
 * <p>Every command a host control runs goes through {@link #exec} and is kept as its evidence
 * exactly as sent, with its output. The SSH session is opened once, by {@link #ssh}, and ends with
 * {@link #close}.
 */
public final class HostTarget implements AutoCloseable {
  /** The per-command timeout of the local shell. */
  static final Duration LOCAL_TIMEOUT = Duration.ofSeconds(20);

  private final Target target;
  private final Path root;
  private final HostShell shell;

  private HostTarget(Target target, Path root, HostShell shell) {
    this.target = Objects.requireNonNull(target, "target");
    this.root = Objects.requireNonNull(root, "root");
    this.shell = Objects.requireNonNull(shell, "shell");
    if (!root.isAbsolute() || !root.normalize().equals(root)) {
      throw new IllegalArgumentException("root must be absolute and normalized: " + root);
    }
  }

  /** The prover's own host, root {@code /} (what {@code prove} measures without {@code --host}). */
  public static HostTarget local() {
    return local(Path.of("/"));
  }

  /** This machine, the bundle applied under {@code root} (a rehearsal root unless {@code /}). */
  public static HostTarget local(Path root) {
    return new HostTarget(Target.LOCAL, root, new LocalShell(LOCAL_TIMEOUT));
  }

  /**
   * Connects to {@code target} with the provisioner's SSH client: the server must present {@code
   * pinnedHostKey}, the login is {@code identity} alone (no password is ever tried).
   *
   * @param root where the host bundle was applied on the target ({@code /} on a booted host)
   * @throws dev.strongroom.provisioner.host.plan.SshException {@code REFUSED} (another host key,
   *     the key not accepted) or {@code UNAVAILABLE} (no answer)
   */
  public static HostTarget ssh(
      Target target, Path identity, PublicKey pinnedHostKey, Path root, Duration timeout) {
    if (target.local()) {
      throw new IllegalArgumentException("not an SSH target: " + target);
    }
    return new HostTarget(target, root, SshShell.connect(target, identity, pinnedHostKey, timeout));
  }

  /** A target reached through {@code shell} (already connected; closed with this). */
  public static HostTarget over(Target target, Path root, HostShell shell) {
    return new HostTarget(target, root, shell);
  }

  public Target target() {
    return target;
  }

  public Path root() {
    return root;
  }

  /**
   * Whether the bundle sits under a directory rather than at {@code /}: a rehearsal or image root,
   * not the running system of the machine that holds it.
   */
  public boolean rehearsalRoot() {
    return root.getNameCount() > 0;
  }

  /** {@code hostPath} (absolute, as on a booted host) under this target's root. */
  public String rooted(Path hostPath) {
    return rehearsalRoot() ? root + hostPath.toString() : hostPath.toString();
  }

  /**
   * Who ran a command, as the evidence names it: {@code host} on this machine (as before SSH
   * targets existed), the target ({@code ssh://user@host:port}) over SSH.
   */
  public String actor() {
    return target.local() ? "host" : target.toString();
  }

  /** The target as results and reasons name it: {@code ssh://…} and its root when not {@code /}. */
  public String describe() {
    return target + (rehearsalRoot() ? " (root " + root + ")" : "");
  }

  /** Runs {@code command} ({@code sh -c}) on the target and waits for it. */
  public HostShell.Result exec(String command) {
    return shell.exec(command, null);
  }

  @Override
  public void close() {
    shell.close();
  }

  @Override
  public String toString() {
    return describe();
  }
}
