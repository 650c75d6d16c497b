package dev.strongroom.provisioner.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.provisioner.db.ClientConnection;
import dev.strongroom.provisioner.db.ClientResult;
import dev.strongroom.provisioner.db.MariaDbBinaries;
import dev.strongroom.provisioner.db.MariaDbInstance;
import dev.strongroom.provisioner.db.ServerError;
import dev.strongroom.provisioner.db.TestInstances;
import dev.strongroom.provisioner.os.Processes;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.schema.AuditInstaller;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Test support: a private hardened MariaDB 10.11 on a free loopback port under /tmp, accounts
 * applied, schema and audit plane installed ({@link AuditInstaller}); identities connect over TLS
 * 1.3 with their certificates.
 */
final class AuditTestInstance implements AutoCloseable {
  /** The certificate thumbprint test tokens are bound to (the database checks its shape only). */
  static final String CNF =
      TenantTokens.thumbprint(
          "a test client certificate".getBytes(java.nio.charset.StandardCharsets.UTF_8));

  final Path base;
  final PkiDirectory pki;
  final MariaDbInstance db;
  final byte[] tokenKey = TenantTokens.generateKey();
  final TenantTokens tokens = new TenantTokens(tokenKey, Clock.systemUTC());

  AuditTestInstance(String prefix) throws IOException {
    base = TestInstances.tempBase(prefix);
    pki = TestInstances.pki(base);
    db = TestInstances.startWithAccounts(TestInstances.settings(base, pki, 64, 64, 40, 20), pki);
    AuditInstaller.install(db, tokenKey, AuditInstaller.Options.manualSealing());
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

  CliAuditChainVerifier verifier() {
    return new CliAuditChainVerifier(db.client(), as("auditor"));
  }

  ClientResult run(String identity, String sql) {
    return db.client().execute(as(identity), sql);
  }

  ClientResult ok(String identity, String sql) {
    ClientResult r = run(identity, sql);
    assertEquals(0, r.exitCode(), () -> "expected success for " + sql + ", got " + r.stderr());
    return r;
  }

  ServerError refusal(String identity, String sql) {
    ClientResult r = run(identity, sql);
    assertNotEquals(
        0, r.exitCode(), () -> "expected a refusal for " + sql + ", got: " + r.stdout());
    return r.error().orElseThrow(() -> new AssertionError("no ERROR line in: " + r.stderr()));
  }

  /** The installer's (root over the socket) refusal. */
  ServerError rootRefusal(String sql) {
    ClientResult r =
        db.client().execute(ClientConnection.socket(db.socket(), db.installerUser()), sql);
    assertNotEquals(
        0, r.exitCode(), () -> "expected a refusal for " + sql + ", got: " + r.stdout());
    return r.error().orElseThrow(() -> new AssertionError("no ERROR line in: " + r.stderr()));
  }

  /** A long script on stdin as {@code identity}, with a long timeout; fails on any error. */
  ClientResult script(String identity, String sql, Duration timeout) {
    List<String> cmd = new ArrayList<>();
    cmd.add(MariaDbBinaries.debian().client().toString());
    cmd.addAll(as(identity).args());
    cmd.add("--batch");
    cmd.add("--skip-column-names");
    Processes.Result r = Processes.run(cmd, sql.getBytes(StandardCharsets.UTF_8), timeout);
    ClientResult c = new ClientResult(r.exitCode(), r.stdout(), r.stderr());
    assertEquals(0, c.exitCode(), () -> "script failed: " + c.stderr());
    return c;
  }

  static String bind(String token) {
    return "CALL security_set_tenant('" + token + "');\n";
  }

  /** A random lowercase UUIDv7-shaped id. */
  static String recordId() {
    StringBuilder s = new StringBuilder(UUID.randomUUID().toString());
    s.setCharAt(14, '7');
    return s.toString();
  }

  /** A create call with two fields (name, email) of dummy ciphertext. */
  static String create(String requestId, String recordId, String dekId) {
    return "CALL app_create_user_encrypted('"
        + requestId
        + "', '"
        + recordId
        + "', '"
        + dekId
        + "', X'01020304',"
        + " 'projects/p/locations/l/keyRings/r/cryptoKeys/k', '1', NULL, NULL,"
        + " X'AA01', X'000102030405060708090A0B', NULL, NULL, X'BB02', X'0C0D0E0F1011121314151617', NULL, NULL);\n";
  }

  /**
   * A rewrap of {@code dekId} from {@code expectedVersion} to {@code version}, wrapped key {@code
   * X'wrappedHex'}, no PQ pair.
   */
  static String rewrap(String dekId, String expectedVersion, String wrappedHex, String version) {
    return "CALL app_rewrap_data_key('"
        + dekId
        + "', '"
        + expectedVersion
        + "', X'"
        + wrappedHex
        + "',"
        + " 'projects/p/locations/l/keyRings/r/cryptoKeys/k', '"
        + version
        + "', NULL, NULL);\n";
  }

  static String decrypt(String recordId, String reader) {
    return "CALL app_record_decrypt('" + recordId + "', '" + reader + "');\n";
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
