package dev.strongroom.provisioner.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.provisioner.db.ClientConnection;
import dev.strongroom.provisioner.db.ClientResult;
import dev.strongroom.provisioner.db.DbAccount;
import dev.strongroom.provisioner.db.Dialect;
import dev.strongroom.provisioner.db.InstanceLayout;
import dev.strongroom.provisioner.db.MariaDbBinaries;
import dev.strongroom.provisioner.db.MariaDbInstance;
import dev.strongroom.provisioner.db.ServerError;
import dev.strongroom.provisioner.db.ServerSettings;
import dev.strongroom.provisioner.db.TlsFiles;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.List;

/**
 * Test support: a private hardened MariaDB on a free loopback port under /tmp (never the machine's
 * shared server), accounts applied, schema installed; identities connect over TLS 1.3 with their
 * certificates through the stock client ({@code --binary-as-hex}).
 */
final class SchemaTestInstance implements AutoCloseable {
  final Path base;
  final PkiDirectory pki;
  final MariaDbInstance db;
  final byte[] tokenKey = TenantTokens.generateKey();
  final TenantTokens tokens = new TenantTokens(tokenKey, Clock.systemUTC());
  final long installMillis;

  SchemaTestInstance(String prefix) throws IOException {
    base = Files.createTempDirectory(Path.of("/tmp"), prefix);
    pki = PkiDirectory.open(base.resolve("pki"), PkiSpec.strongroom(List.of()));
    pki.ensure();
    ServerSettings settings =
        ServerSettings.builder(Dialect.MARIADB_10_11, new InstanceLayout(base.resolve("db")), TlsFiles.of(pki))
            .port(0)
            .bufferPoolMb(32)
            .redoLogMb(16)
            .maxConnections(30)
            .maxUserConnections(10)
            .build();
    db = MariaDbInstance.prepare(settings, MariaDbBinaries.debian());
    db.start();
    db.applyAccounts(DbAccount.strongroomIdentities(pki));
    long t0 = System.nanoTime();
    SchemaInstaller.install(db, tokenKey);
    installMillis = (System.nanoTime() - t0) / 1_000_000;
  }

  ClientConnection as(String identity) {
    var cred = pki.client(identity);
    return ClientConnection.tcp(db.port(), identity)
        .tls(pki.caCertPem(), cred.certPem(), cred.keyPem())
        .tlsVersion("TLSv1.3")
        .arg("--database=strongroom")
        .arg("--binary-as-hex");
  }

  /** Runs {@code sql} as {@code identity} in one connection. */
  ClientResult run(String identity, String sql) {
    return db.client().execute(as(identity), sql);
  }

  ClientResult ok(String identity, String sql) {
    ClientResult r = run(identity, sql);
    assertEquals(0, r.exitCode(), () -> "expected success for " + sql + ", got " + r.stderr());
    return r;
  }

  /** The exact error {@code sql} fails with, as {@code identity}. */
  ServerError refusal(String identity, String sql) {
    ClientResult r = run(identity, sql);
    assertNotEquals(0, r.exitCode(), () -> "expected a refusal for " + sql + ", got: " + r.stdout());
    return r.error().orElseThrow(() -> new AssertionError("no ERROR line in: " + r.stderr()));
  }

  /** Runs {@code sql} (no quoted semicolons) with {@code --force} (go on after an error) and returns every error, in order. */
  List<ServerError> errors(String identity, String sql) {
    // fed on standard input: with --execute the 10.11 client stops at the first error even with --force
    ClientResult r = db.client().executeScript(as(identity).arg("--force"), sql.replace(";", ";\n"));
    List<ServerError> out = new java.util.ArrayList<>();
    for (String line : r.stderr().split("\n")) {
      ServerError.parse(line).ifPresent(out::add);
    }
    return out;
  }

  static ServerError signal(String message) {
    return new ServerError(1644, "45000", message);
  }

  @Override
  public void close() {
    try {
      db.stop();
    } finally {
      deleteTree(base);
    }
  }

  static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
              Files.delete(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      // best effort
    }
  }
}
