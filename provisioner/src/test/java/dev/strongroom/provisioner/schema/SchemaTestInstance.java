package dev.strongroom.provisioner.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.provisioner.db.ClientConnection;
import dev.strongroom.provisioner.db.ClientResult;
import dev.strongroom.provisioner.db.MariaDbInstance;
import dev.strongroom.provisioner.db.ServerError;
import dev.strongroom.provisioner.db.TestInstances;
import dev.strongroom.provisioner.pki.PkiDirectory;
import java.io.IOException;
import java.nio.file.Path;
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
    base = TestInstances.tempBase(prefix);
    pki = TestInstances.pki(base);
    db = TestInstances.startWithAccounts(TestInstances.settings(base, pki), pki);
    long t0 = System.nanoTime();
    SchemaInstaller.install(db, tokenKey);
    installMillis = (System.nanoTime() - t0) / 1_000_000;
  }

  ClientConnection as(String identity) {
    var cred = pki.client(identity);
    return ClientConnection.tcp(db.port(), identity)
        .tls(pki.caCertPem(), cred.certPem(), cred.keyPem())
        .tlsVersion("TLSv1.3")
        // anchor_writer holds nothing on the data schema: it logs in to the audit schema
        .arg("--database=" + ("anchor_writer".equals(identity) ? "strongroom_audit" : "strongroom"))
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
    assertNotEquals(
        0, r.exitCode(), () -> "expected a refusal for " + sql + ", got: " + r.stdout());
    return r.error().orElseThrow(() -> new AssertionError("no ERROR line in: " + r.stderr()));
  }

  /**
   * Runs {@code sql} (no quoted semicolons) with {@code --force} (go on after an error) and returns
   * every error, in order.
   */
  List<ServerError> errors(String identity, String sql) {
    // fed on standard input: with --execute the 10.11 client stops at the first error even with
    // --force
    ClientResult r =
        db.client().executeScript(as(identity).arg("--force"), sql.replace(";", ";\n"));
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
      TestInstances.deleteTree(base);
    }
  }
}
