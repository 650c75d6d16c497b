package dev.strongroom.provisioner.host.plan;

import dev.strongroom.provisioner.os.LoopbackPorts;
import dev.strongroom.provisioner.os.Processes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH server (Debian {@code openssh-server}) for tests: its own host key and
 * configuration under a test directory, started with {@code /usr/sbin/sshd -D -f} on a free
 * loopback port — the machine's ssh service is never started. Public-key logins from the keys
 * {@link #authorize authorized}; {@link #close} stops every server it started. Shared by the
 * provisioner's and the provisioner-service's tests (test-jar).
 */
public final class TestSshd implements AutoCloseable {
  private static final Duration T = Duration.ofSeconds(30);
  private final Path base;
  private final List<Process> servers = new ArrayList<>();

  /** Uses {@code base} (an existing directory) for keys, configuration and logs. */
  public TestSshd(Path base) throws IOException {
    this.base = base;
    // sshd insists on its privilege-separation directory; creating it starts nothing.
    Files.createDirectories(Path.of("/run/sshd"));
    keygen(base, "host");
    Files.write(base.resolve("authorized_keys"), new byte[0]);
  }

  /** Writes an ECDSA P-256 key pair {@code dir/name} and {@code dir/name.pub} (ssh-keygen). */
  public static Path keygen(Path dir, String name) {
    Processes.Result r =
        Processes.run(
            List.of(
                "ssh-keygen",
                "-q",
                "-t",
                "ecdsa",
                "-b",
                "256",
                "-N",
                "",
                "-C",
                name,
                "-f",
                dir.resolve(name).toString()),
            null,
            T);
    if (r.exitCode() != 0) {
      throw new IllegalStateException("ssh-keygen failed: " + r.output());
    }
    return dir.resolve(name);
  }

  /** The server's host public key file (OpenSSH line). */
  public Path hostPublicKey() {
    return base.resolve("host.pub");
  }

  /** A {@code known_hosts} line pinning this server's host key at {@code port} on loopback. */
  public String knownHostsLine(int port) throws IOException {
    return "[127.0.0.1]:" + port + " " + Files.readString(hostPublicKey()).trim() + "\n";
  }

  /** Lets the holder of public key file {@code pub} log in (as any user, root included). */
  public void authorize(Path pub) throws IOException {
    Files.writeString(
        base.resolve("authorized_keys"),
        Files.readString(pub, StandardCharsets.UTF_8).trim() + "\n",
        StandardOpenOption.APPEND);
  }

  /** A server that accepts public keys only. */
  public int startKeyOnly() throws Exception {
    return start("PubkeyAuthentication yes", "PasswordAuthentication no");
  }

  /** Starts sshd with extra configuration lines; returns its port once it listens. */
  public int start(String... extra) throws Exception {
    int port = LoopbackPorts.free();
    List<String> cfg =
        new ArrayList<>(
            List.of(
                "Port " + port,
                "ListenAddress 127.0.0.1",
                "HostKey " + base.resolve("host"),
                "PidFile " + base.resolve("sshd-" + port + ".pid"),
                "AuthorizedKeysFile " + base.resolve("authorized_keys"),
                "PermitRootLogin prohibit-password",
                "UsePAM no",
                "StrictModes no",
                "KbdInteractiveAuthentication no"));
    cfg.addAll(List.of(extra));
    Path conf = base.resolve("sshd-" + port + ".conf");
    Files.write(conf, cfg);
    Processes.Result t =
        Processes.run(List.of("/usr/sbin/sshd", "-t", "-f", conf.toString()), null, T);
    if (t.exitCode() != 0) {
      throw new IllegalStateException("sshd -t refused the configuration: " + t.output());
    }
    Process p =
        new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(log(port).toFile())
            .start();
    servers.add(p);
    long deadline = System.nanoTime() + T.toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
        return port;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new AssertionError("sshd did not listen: " + Files.readString(log(port)));
  }

  /**
   * Starts sshd through {@code launcher} (e.g. {@code ip netns exec NS}, so that it runs in a
   * network namespace) listening on {@code address} at every one of {@code ports}; returns once the
   * first port answers from here. Its log is {@link #log log(ports[0])}.
   */
  public void startAt(List<String> launcher, String address, int... ports) throws Exception {
    int first = ports[0];
    List<String> cfg = new ArrayList<>();
    for (int port : ports) {
      cfg.add("Port " + port);
    }
    cfg.addAll(
        List.of(
            "ListenAddress " + address,
            "HostKey " + base.resolve("host"),
            "PidFile " + base.resolve("sshd-" + first + ".pid"),
            "AuthorizedKeysFile " + base.resolve("authorized_keys"),
            "PermitRootLogin prohibit-password",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "UsePAM no",
            "StrictModes no",
            "KbdInteractiveAuthentication no"));
    Path conf = base.resolve("sshd-" + first + ".conf");
    Files.write(conf, cfg);
    Processes.Result t =
        Processes.run(List.of("/usr/sbin/sshd", "-t", "-f", conf.toString()), null, T);
    if (t.exitCode() != 0) {
      throw new IllegalStateException("sshd -t refused the configuration: " + t.output());
    }
    List<String> cmd = new ArrayList<>(launcher);
    cmd.addAll(List.of("/usr/sbin/sshd", "-D", "-e", "-f", conf.toString()));
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(log(first).toFile())
            .start();
    servers.add(p);
    long deadline = System.nanoTime() + T.toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getByName(address), first), 500);
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new AssertionError("sshd did not listen: " + Files.readString(log(first)));
  }

  /** The server's log ({@code sshd -e}) at {@code port}. */
  public Path log(int port) {
    return base.resolve("sshd-" + port + ".log");
  }

  @Override
  public void close() {
    boolean interrupted = false;
    for (Process p : servers) {
      p.destroy();
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        interrupted = true; // still stop the other servers; the flag is restored below
        p.destroyForcibly();
      }
    }
    servers.clear();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
