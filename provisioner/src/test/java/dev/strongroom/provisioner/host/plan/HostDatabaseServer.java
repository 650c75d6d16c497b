package dev.strongroom.provisioner.host.plan;

import dev.strongroom.provisioner.db.ClientConnection;
import dev.strongroom.provisioner.db.MariaDbBinaries;
import dev.strongroom.provisioner.db.MariaDbClient;
import dev.strongroom.provisioner.host.HostBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code mariadbd} of a host plan applied into a throwaway root, started exactly as the
 * bundle's {@code strongroom-db} unit starts it: its {@code ExecStart} as its {@code User} ({@code
 * setpriv}), at the host's paths ({@link HostPlan#atHostPaths}: a private mount namespace where
 * they resolve into the root). {@link #close} stops it. Shared by the provisioner's and the proof's
 * tests (test-jar).
 */
public final class HostDatabaseServer implements AutoCloseable {
  private final Process process;
  private final Path socket;
  private final long readyMs;

  private HostDatabaseServer(Process process, Path socket, long readyMs) {
    this.process = process;
    this.socket = socket;
    this.readyMs = readyMs;
  }

  /**
   * Starts the server of {@code bundle} applied under {@code root} and waits (up to 90 s) until the
   * installer logs in over its socket; the server's output goes to {@code output}.
   */
  public static HostDatabaseServer start(HostBundle bundle, Path root, Path output)
      throws IOException, InterruptedException {
    String unit = bundle.require("systemd/strongroom-db.service").content();
    String user = unitLine(unit, "User");
    String command =
        atHostPaths(
            root,
            bundle.options().stateDir(),
            "setpriv --reuid="
                + user
                + " --regid="
                + user
                + " --clear-groups "
                + unitLine(unit, "ExecStart"));
    long t0 = System.nanoTime();
    Process server =
        new ProcessBuilder("sh", "-c", "umask 077; exec " + command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    Path socket = Path.of(root + bundle.options().dbLayout().socket().toString());
    Path errorLog = Path.of(root + bundle.options().dbLayout().errorLog().toString());
    MariaDbClient client = new MariaDbClient(MariaDbBinaries.debian().client());
    ClientConnection installer = ClientConnection.socket(socket, "root");
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    try {
      while (!(Files.exists(socket) && client.execute(installer, "SELECT 1").ok())) {
        if (!server.isAlive()) {
          throw new IllegalStateException(
              "mariadbd exited: "
                  + Files.readString(output)
                  + (Files.exists(errorLog) ? Files.readString(errorLog) : ""));
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("mariadbd not ready in 90 s");
        }
        Thread.sleep(200);
      }
    } catch (RuntimeException | IOException | InterruptedException e) {
      stop(server);
      throw e;
    }
    return new HostDatabaseServer(server, socket, (System.nanoTime() - t0) / 1_000_000);
  }

  /**
   * {@code command} as it runs against the host's paths under {@code root} ({@link
   * HostPlan#atHostPaths}): for a test that runs a process where the server's own paths (its
   * variables) resolve as they do for the server.
   */
  public static String atHostPaths(Path root, Path stateDir, String command) {
    return HostPlan.atHostPaths(root, stateDir, command);
  }

  /** The value of the unit's first {@code key=} line. */
  static String unitLine(String unit, String key) {
    return unit.lines()
        .filter(l -> l.startsWith(key + "="))
        .findFirst()
        .orElseThrow()
        .substring(key.length() + 1);
  }

  /** The server's process ({@code setpriv} has exec'd into {@code mariadbd}). */
  public Process process() {
    return process;
  }

  /** The installer's socket, under the root. */
  public Path socket() {
    return socket;
  }

  /** From launch until the installer logged in. */
  public long readyMs() {
    return readyMs;
  }

  @Override
  public void close() {
    stop(process);
  }

  /** SIGTERM, then SIGKILL after 60 s (or at once when interrupted). */
  private static void stop(Process server) {
    server.destroy();
    try {
      if (server.waitFor(60, TimeUnit.SECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.destroyForcibly();
  }
}
