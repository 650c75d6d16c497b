package dev.strongroom.provisioner.db;

import dev.strongroom.provisioner.os.Processes;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Test support: a PKI plus a private MariaDB instance under a short temp path; cleanup; openssl.
 */
public final class TestInstances {
  private TestInstances() {}

  /** A temp dir under /tmp (short: the socket path must stay under 107 bytes). */
  public static Path tempBase(String prefix) throws IOException {
    return Files.createTempDirectory(Path.of("/tmp"), prefix);
  }

  public static PkiDirectory pki(Path base) {
    PkiDirectory pki = PkiDirectory.open(base.resolve("pki"), PkiSpec.strongroom(List.of()));
    pki.ensure();
    return pki;
  }

  /** Small-footprint settings on a free port. */
  public static ServerSettings settings(Path base, PkiDirectory pki) {
    return settings(base, pki, 32, 16, 30, 10);
  }

  /** Settings on a free port with the given sizes (the concurrency tests need more). */
  public static ServerSettings settings(
      Path base,
      PkiDirectory pki,
      int bufferPoolMb,
      int redoLogMb,
      int maxConnections,
      int maxUserConnections) {
    return ServerSettings.builder(
            Dialect.MARIADB_10_11, new InstanceLayout(base.resolve("db")), TlsFiles.of(pki))
        .port(0)
        .bufferPoolMb(bufferPoolMb)
        .redoLogMb(redoLogMb)
        .maxConnections(maxConnections)
        .maxUserConnections(maxUserConnections)
        .build();
  }

  /**
   * Prepares and starts an instance with {@code settings} and applies the Strongroom identities.
   */
  public static MariaDbInstance startWithAccounts(ServerSettings settings, PkiDirectory pki) {
    MariaDbInstance db = MariaDbInstance.prepare(settings, MariaDbBinaries.debian());
    db.start();
    db.applyAccounts(DbAccount.strongroomIdentities(pki));
    return db;
  }

  public static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc)
                throws IOException {
              Files.delete(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      // best effort
    }
  }

  /** {@code openssl s_client -starttls mysql} against 127.0.0.1:port with extra arguments. */
  static Processes.Result sClient(int port, String... extra) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "openssl",
                "s_client",
                "-starttls",
                "mysql",
                "-connect",
                "127.0.0.1:" + port,
                "-servername",
                "localhost"));
    cmd.addAll(List.of(extra));
    return Processes.run(cmd, null, Duration.ofSeconds(20));
  }

  static Processes.Result openssl(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    return Processes.run(cmd, null, Duration.ofSeconds(20));
  }
}
