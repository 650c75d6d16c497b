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

  /**
   * How the programs log in: {@code login} (always {@code --no-defaults}), and the installer's
   * database account, which the accounts part leaves out (a restored instance has its own).
   */
  public record Server(ClientConnection login, String installerUser) {
    /** The installer over the instance's Unix socket (the command on the database host). */
    public Server(Path socket, String installerUser) {
      this(ClientConnection.socket(socket, installerUser), installerUser);
    }

    /**
     * The {@code backup} identity (docs/backups.md, "The backup identity") over TCP with mutual
     * TLS, the server's certificate verified against {@code ca}: what a service runs as. The
     * installer's account is {@code root} ({@code mariadb-install-db
     * --auth-root-authentication-method=socket}).
     */
    public static Server tls(String host, int port, String user, Path ca, Path cert, Path key) {
      return new Server(ClientConnection.tcp(host, port, user).tls(ca, cert, key), "root");
    }

    List<String> connection() {
      return login.args();
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
