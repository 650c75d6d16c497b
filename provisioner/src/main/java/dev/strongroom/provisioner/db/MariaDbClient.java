package dev.strongroom.provisioner.db;

import dev.strongroom.provisioner.os.Processes;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs SQL through the stock {@code mariadb} command-line client — the tool an operator would use,
 * so the ITs exercise exactly what a person at the console gets. Batch mode, tab-separated output,
 * no column names; the SQL is passed with {@code -e}.
 */
public final class MariaDbClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private final Path binary;

  public MariaDbClient(Path binary) {
    this.binary = binary;
  }

  /** Runs {@code sql}; never throws for a SQL or connection error (inspect the result). */
  public ClientResult execute(ClientConnection connection, String sql) {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary.toString());
    cmd.addAll(connection.args());
    cmd.add("--batch");
    cmd.add("--skip-column-names");
    cmd.add("--connect-timeout=10");
    cmd.add("--execute=" + sql);
    Processes.Result r = Processes.run(cmd, null, TIMEOUT);
    if (r.timedOut()) {
      throw new SqlException("the mariadb client timed out (" + connection + ")", null);
    }
    return new ClientResult(r.exitCode(), r.stdout(), r.stderr());
  }

  /** Runs {@code sql} and throws {@link SqlException} with the server's error when it fails. */
  public ClientResult require(ClientConnection connection, String sql) {
    ClientResult r = execute(connection, sql);
    if (!r.ok()) {
      throw new SqlException(
          "statement failed ("
              + connection
              + ")"
              + (r.error().isPresent() ? "" : ": " + r.stderr().strip()),
          r.error().orElse(null));
    }
    return r;
  }

  /**
   * Runs {@code script} fed to the client's standard input through a pipe (never on the command
   * line, where other local users could read it in {@code /proc/<pid>/cmdline}, and never in a
   * file): for scripts that carry key material or use {@code DELIMITER}. Batch mode, stops at the
   * first error. Never throws for a SQL or connection error (inspect the result).
   */
  public ClientResult executeScript(ClientConnection connection, String script) {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary.toString());
    cmd.addAll(connection.args());
    cmd.add("--batch");
    cmd.add("--skip-column-names");
    cmd.add("--connect-timeout=10");
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("sr-sql-", ".out");
      err = Files.createTempFile("sr-sql-", ".err");
      Process p =
          new ProcessBuilder(cmd)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .redirectInput(ProcessBuilder.Redirect.PIPE)
              .start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(script.getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        // the client exited early (e.g. it could not connect); its stderr says why
      }
      if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        throw new SqlException("the mariadb client timed out (" + connection + ")", null);
      }
      return new ClientResult(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new SqlException("cannot run " + binary + ": " + e.getMessage(), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SqlException("interrupted while running " + binary, null);
    } finally {
      for (Path f : new Path[] {out, err}) {
        if (f != null) {
          try {
            Files.deleteIfExists(f);
          } catch (IOException ignored) {
            // best effort
          }
        }
      }
    }
  }

  /**
   * {@link #executeScript} that throws {@link SqlException} with the server's error when it fails.
   */
  public ClientResult requireScript(ClientConnection connection, String script) {
    ClientResult r = executeScript(connection, script);
    if (!r.ok()) {
      throw new SqlException(
          "script failed ("
              + connection
              + ")"
              + (r.error().isPresent() ? "" : ": " + r.stderr().strip()),
          r.error().orElse(null));
    }
    return r;
  }
}
