package dev.strongroom.backup;

import dev.strongroom.provisioner.db.ClientConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The stock MariaDB programs the backup drives, and how they reach a server: as the installer
 * (root) over the instance's own Unix socket, with {@code --no-defaults} so no option file on the
 * host can redirect them.
 */
public record DbTools(Path dump, Path binlog, Path client) {
  public static DbTools debian() {
    return new DbTools(
        Path.of("/usr/bin/mariadb-dump"),
        Path.of("/usr/bin/mariadb-binlog"),
        Path.of("/usr/bin/mariadb"));
  }

  /** Fails with TOOL_FAILED when a program is missing. */
  public DbTools check() {
    for (Path p : List.of(dump, binlog, client)) {
      if (!Files.isExecutable(p)) {
        throw new BackupException(
            BackupException.Reason.TOOL_FAILED,
            null,
            p
                + " is not an executable; install MariaDB 10.11's client (apt-get install mariadb-client)");
      }
    }
    return this;
  }

  /** A server reached over its socket as the installer. */
  public record Server(Path socket, String installerUser) {
    List<String> connection() {
      return ClientConnection.socket(socket, installerUser).args();
    }
  }

  List<String> command(Path program, Server server, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(program.toString());
    cmd.addAll(server.connection());
    cmd.addAll(List.of(args));
    return cmd;
  }
}
