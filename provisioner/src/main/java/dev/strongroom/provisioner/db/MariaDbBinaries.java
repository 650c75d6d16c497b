package dev.strongroom.provisioner.db;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the MariaDB programs are. {@link #debian()} is the layout of Debian's packages. */
public record MariaDbBinaries(Path server, Path installDb, Path client) {
  public static MariaDbBinaries debian() {
    return new MariaDbBinaries(
        Path.of("/usr/sbin/mariadbd"),
        Path.of("/usr/bin/mariadb-install-db"),
        Path.of("/usr/bin/mariadb"));
  }

  /** Fails with a clear message when a program is missing (exit code 3 territory for the CLI). */
  public MariaDbBinaries check() {
    for (Path p : new Path[] {server, installDb, client}) {
      if (!Files.isExecutable(p)) {
        throw new InstanceException(
            p + " is not an executable; install MariaDB 10.11 (apt-get install mariadb-server)");
      }
    }
    return this;
  }
}
