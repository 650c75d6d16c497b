package dev.strongroom.provisioner.db;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one {@code mariadb} client run produced: exit code, stdout (tab-separated rows, no column
 * names), stderr.
 */
public record ClientResult(int exitCode, String stdout, String stderr) {
  public boolean ok() {
    return exitCode == 0;
  }

  /** The server or client error the run printed, if any. */
  public Optional<ServerError> error() {
    return ServerError.parse(stderr).or(() -> ServerError.parse(stdout));
  }

  /** The result rows, columns split on tabs. */
  public List<List<String>> rows() {
    List<List<String>> rows = new ArrayList<>();
    for (String line : stdout.split("\n")) {
      if (!line.isEmpty()) {
        rows.add(List.of(line.split("\t", -1)));
      }
    }
    return rows;
  }

  /** The single value of a one-row, one-column result. */
  public String scalar() {
    List<List<String>> r = rows();
    if (r.size() != 1 || r.get(0).size() != 1) {
      throw new SqlException("expected one value, got " + r, null);
    }
    return r.get(0).get(0);
  }
}
