package dev.strongroom.provisioner.db;

import dev.strongroom.provisioner.internal.Processes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
          "statement failed (" + connection + ")" + (r.error().isPresent() ? "" : ": " + r.stderr().strip()),
          r.error().orElse(null));
    }
    return r;
  }
}
