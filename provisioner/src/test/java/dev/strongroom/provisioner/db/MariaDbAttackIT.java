package dev.strongroom.provisioner.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.provisioner.os.Processes;
import dev.strongroom.provisioner.pki.Credential;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import dev.strongroom.provisioner.pki.RevocationReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * DESIGN §6 invariants 1 and 2 against a real MariaDB 10.11 instance provisioned by this library:
 * every way in that must be refused is tried with the stock {@code mariadb} client and with {@code
 * openssl s_client -starttls mysql}, and the exact refusal is asserted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MariaDbAttackIT {
  private static final String DENIED_NO_PW =
      "Access denied for user '%s'@'127.0.0.1' (using password: NO)";
  private static final ServerError LOST_AT_AUTH =
      new ServerError(
          2013,
          "HY000",
          "Lost connection to server at 'sending authentication information', system error: 104");

  /**
   * With TLS 1.3 the client finishes its handshake before the server has checked the client
   * certificate; the server's alert then races the client's first authentication packet. The client
   * reports either the alert (2026) or the reset (2013) — one of exactly these two.
   */
  private static Set<ServerError> handshakeRefusal(String alert) {
    return Set.of(LOST_AT_AUTH, new ServerError(2026, "HY000", "TLS/SSL error: " + alert));
  }

  private Path base;
  private PkiDirectory pki;
  private PkiDirectory foreignPki;
  private MariaDbInstance db;
  private Path revokedCert;
  private Path revokedKey;
  private List<String> accounts;

  @BeforeAll
  void start() throws Exception {
    base = TestInstances.tempBase("sr-attack-");
    pki = TestInstances.pki(base);
    // A second CA with the very same names: the ISSUER string matches, only the signature differs.
    foreignPki = PkiDirectory.open(base.resolve("foreign-pki"), PkiSpec.strongroom(List.of()));
    foreignPki.ensure();
    // Keep a copy of auditor's first certificate, revoke it, let ensure() issue a replacement.
    Credential first = pki.client("auditor");
    revokedCert = Files.copy(first.certPem(), base.resolve("revoked-auditor.pem"));
    revokedKey =
        Files.copy(
            first.keyPem(),
            base.resolve("revoked-auditor.key"),
            StandardCopyOption.COPY_ATTRIBUTES);
    pki.revokeClient("auditor", RevocationReason.KEY_COMPROMISE);
    assertEquals(List.of("auditor"), pki.ensure().issued());

    db = MariaDbInstance.prepare(TestInstances.settings(base, pki), MariaDbBinaries.debian());
    db.start();
    System.out.println(
        "[MariaDbAttackIT] instance ready in "
            + db.lastStartDuration().toMillis()
            + " ms on 127.0.0.1:"
            + db.port());
    accounts = db.applyAccounts(DbAccount.strongroomIdentities(pki));
  }

  @AfterAll
  void stop() {
    try {
      if (db != null) {
        db.stop();
      }
    } finally {
      TestInstances.deleteTree(base);
    }
  }

  private ClientConnection tls(String user, Credential cred) {
    return ClientConnection.tcp(db.port(), user)
        .tls(pki.caCertPem(), cred.certPem(), cred.keyPem());
  }

  private ServerError refusal(ClientConnection c) {
    ClientResult r = db.client().execute(c, "SELECT 1");
    assertNotEquals(0, r.exitCode(), "expected a refusal, got: " + r.stdout());
    return r.error().orElseThrow(() -> new AssertionError("no ERROR line in: " + r.stderr()));
  }

  // ------------------------------------------------------------------ the allowed case

  @Test
  void appUser_withItsCert_overTls13_selects1() {
    ClientResult r =
        db.client()
            .require(
                tls("app_user", pki.client("app_user")),
                "SELECT 1; SHOW STATUS LIKE 'Ssl_version'; SHOW STATUS LIKE 'Ssl_cipher'; SELECT CURRENT_USER()");
    List<List<String>> rows = r.rows();
    assertEquals(List.of("1"), rows.get(0));
    assertEquals(List.of("Ssl_version", "TLSv1.3"), rows.get(1));
    assertEquals("Ssl_cipher", rows.get(2).get(0));
    assertTrue(
        Set.of("TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256")
            .contains(rows.get(2).get(1)));
    assertEquals(List.of("app_user@127.0.0.1"), rows.get(3));
  }

  @Test
  void everyIdentity_andTheSecondSuite_work() {
    for (String id : List.of("auditor", "migration")) {
      assertEquals("1", db.client().require(tls(id, pki.client(id)), "SELECT 1").scalar());
    }
    ClientResult chacha =
        db.client()
            .require(
                tls("app_user", pki.client("app_user")).cipher("TLS_CHACHA20_POLY1305_SHA256"),
                "SHOW STATUS LIKE 'Ssl_cipher'");
    assertEquals(List.of(List.of("Ssl_cipher", "TLS_CHACHA20_POLY1305_SHA256")), chacha.rows());
  }

  @Test
  void opensslSeesTls13_withTheServerCertificate() {
    Processes.Result r =
        TestInstances.sClient(
            db.port(), "-CAfile", pki.caCertPem().toString(), "-verify_ip", "127.0.0.1");
    assertTrue(r.stdout().contains("New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384"), r.output());
    assertTrue(r.stdout().contains("Verify return code: 0 (ok)"), r.output());
    assertTrue(r.stdout().contains("CN = strongroom-db"), r.output());
  }

  // ------------------------------------------------------------------ transport

  @Test
  void plaintext_skipSsl_refused() {
    assertEquals(
        new ServerError(1045, "28000", DENIED_NO_PW.formatted("app_user")),
        refusal(ClientConnection.tcp(db.port(), "app_user").plaintext()));
  }

  @Test
  void plaintext_sslEquals0_refused() {
    assertEquals(
        new ServerError(1045, "28000", DENIED_NO_PW.formatted("app_user")),
        refusal(ClientConnection.tcp(db.port(), "app_user").arg("--ssl=0")));
  }

  /**
   * An account without any REQUIRE clause and a correct password: accepted over TLS, refused in
   * plaintext — and accepted in plaintext once require_secure_transport is switched off, which
   * shows the refusal is the transport rule. MariaDB reports it as 1045, not MySQL's 3159.
   */
  @Test
  void requireSecureTransport_refusesPlaintextEvenWithCorrectPassword() {
    db.sql("CREATE USER 'probe'@'127.0.0.1' IDENTIFIED BY 'Probe-pw-1'");
    try {
      ClientConnection plain =
          ClientConnection.tcp(db.port(), "probe").password("Probe-pw-1").plaintext();
      assertEquals(
          new ServerError(
              1045, "28000", "Access denied for user 'probe'@'127.0.0.1' (using password: YES)"),
          refusal(plain));
      ClientConnection overTls =
          ClientConnection.tcp(db.port(), "probe")
              .password("Probe-pw-1")
              .tls(pki.caCertPem(), null, null);
      assertEquals(
          "TLSv1.3",
          db.client().require(overTls, "SHOW STATUS LIKE 'Ssl_version'").rows().get(0).get(1));
      db.sql("SET GLOBAL require_secure_transport = OFF");
      try {
        assertEquals("1", db.client().require(plain, "SELECT 1").scalar());
      } finally {
        db.sql("SET GLOBAL require_secure_transport = ON");
      }
      assertEquals(1045, refusal(plain).code());
    } finally {
      db.sql("DROP USER 'probe'@'127.0.0.1'");
    }
  }

  @Test
  void tls12_refused_byMariadbClient() {
    assertEquals(
        new ServerError(2026, "HY000", "TLS/SSL error: tlsv1 alert protocol version"),
        refusal(tls("app_user", pki.client("app_user")).tlsVersion("TLSv1.2")));
  }

  @Test
  void tls12_refused_byOpenssl() {
    Processes.Result r = TestInstances.sClient(db.port(), "-tls1_2");
    assertNotEquals(0, r.exitCode());
    assertTrue(r.stderr().contains("tlsv1 alert protocol version"), r.output());
    assertTrue(r.stderr().contains("SSL alert number 70"), r.output());
  }

  @Test
  void tls13SuiteOutsideTheTwo_refused() {
    Processes.Result r =
        TestInstances.sClient(db.port(), "-ciphersuites", "TLS_AES_128_GCM_SHA256");
    assertNotEquals(0, r.exitCode());
    assertTrue(r.stderr().contains("sslv3 alert handshake failure"), r.output());
    assertTrue(r.stderr().contains("SSL alert number 40"), r.output());
    assertEquals(
        new ServerError(2026, "HY000", "TLS/SSL error: sslv3 alert handshake failure"),
        refusal(tls("app_user", pki.client("app_user")).cipher("TLS_AES_128_GCM_SHA256")));
  }

  // ------------------------------------------------------------------ client certificates

  @Test
  void noClientCert_refused() {
    assertEquals(
        new ServerError(1045, "28000", DENIED_NO_PW.formatted("app_user")),
        refusal(ClientConnection.tcp(db.port(), "app_user").tls(pki.caCertPem(), null, null)));
  }

  @Test
  void certFromAnotherCaWithSameNames_refusedInHandshake() {
    Credential evil = foreignPki.client("app_user");
    ServerError e =
        refusal(
            ClientConnection.tcp(db.port(), "app_user")
                .tls(pki.caCertPem(), evil.certPem(), evil.keyPem()));
    assertTrue(handshakeRefusal("tlsv1 alert unknown ca").contains(e), e.toString());
    Processes.Result r =
        TestInstances.sClient(
            db.port(),
            "-ign_eof",
            "-cert",
            evil.certPem().toString(),
            "-key",
            evil.keyPem().toString());
    assertTrue(r.stderr().contains("tlsv1 alert unknown ca"), r.output());
    assertTrue(r.stderr().contains("SSL alert number 48"), r.output());
  }

  @Test
  void revokedCert_refusedInHandshake_replacementWorks() {
    ServerError e =
        refusal(
            ClientConnection.tcp(db.port(), "auditor")
                .tls(pki.caCertPem(), revokedCert, revokedKey));
    assertTrue(handshakeRefusal("sslv3 alert certificate revoked").contains(e), e.toString());
    Processes.Result r =
        TestInstances.sClient(
            db.port(), "-ign_eof", "-cert", revokedCert.toString(), "-key", revokedKey.toString());
    assertTrue(r.stderr().contains("sslv3 alert certificate revoked"), r.output());
    assertTrue(r.stderr().contains("SSL alert number 44"), r.output());
    assertEquals(
        "1", db.client().require(tls("auditor", pki.client("auditor")), "SELECT 1").scalar());
  }

  @Test
  void identityAsCert_loggingInAsB_refused() {
    assertEquals(
        new ServerError(1045, "28000", DENIED_NO_PW.formatted("app_user")),
        refusal(tls("app_user", pki.client("migration"))));
    assertEquals(
        new ServerError(1045, "28000", DENIED_NO_PW.formatted("migration")),
        refusal(tls("migration", pki.client("operator"))));
  }

  /**
   * root exists only at 'localhost' (socket) and authenticates only via unix_socket. Over TCP there
   * is no root account at all; MariaDB then runs a fake authentication that borrows the plugin of
   * an existing account, picked by a hash of the name over the account list: 1698 (unix_socket's
   * "no password" denial) when it borrows root's, 1045 when it borrows a certificate identity's.
   * Which one is an artefact of the account list (adding the {@code backup} identity moved it from
   * 1698 to 1045); the refusal, its SQLSTATE and the account it names are what matter.
   */
  @Test
  void rootOverTcp_refused_evenWithValidCert() {
    for (ClientConnection c :
        List.of(
            tls("root", pki.client("operator")),
            ClientConnection.tcp(db.port(), "root").tls(pki.caCertPem(), null, null))) {
      ServerError e = refusal(c);
      assertTrue(Set.of(1045, 1698).contains(e.code()), e.toString());
      assertEquals("28000", e.sqlState(), e.toString());
      assertTrue(e.message().startsWith("Access denied for user 'root'@'127.0.0.1'"), e.toString());
    }
  }

  // ------------------------------------------------------------------ accounts and surface

  @Test
  void accounts_areExactlyInstallerSystemAndTheIdentities() {
    assertEquals(
        List.of(
            "'anchor_writer'@'127.0.0.1'",
            "'app_user'@'127.0.0.1'",
            "'auditor'@'127.0.0.1'",
            "'backup'@'127.0.0.1'",
            "'mariadb.sys'@'localhost'",
            "'migration'@'127.0.0.1'",
            "'root'@'localhost'"),
        accounts);
    assertEquals(
        "unix_socket",
        db.sql("SELECT JSON_VALUE(Priv, '$.plugin') FROM mysql.global_priv WHERE User='root'")
            .scalar());
    assertEquals(
        "CREATE USER `root`@`localhost` IDENTIFIED VIA unix_socket",
        db.sql("SHOW CREATE USER 'root'@'localhost'").scalar());
    assertEquals(
        "0",
        db.sql("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='test'")
            .scalar());
    assertEquals(
        List.of(
            List.of(
                "/O=Strongroom/OU=db/CN=app_user", "/O=Strongroom/OU=pki/CN=Strongroom Root CA")),
        db.sql(
                "SELECT JSON_VALUE(Priv,'$.x509_subject'), JSON_VALUE(Priv,'$.x509_issuer')"
                    + " FROM mysql.global_priv WHERE User='app_user'")
            .rows());
    // idempotent: a second run changes nothing
    assertEquals(accounts, db.applyAccounts(DbAccount.strongroomIdentities(pki)));
  }

  @Test
  void unencryptedTable_andNonInnodbEngine_refused() {
    ClientResult noEnc =
        db.client()
            .execute(
                ClientConnection.socket(db.socket(), db.installerUser()),
                "CREATE TABLE strongroom.plain (i INT) ENCRYPTED=NO");
    assertEquals(
        new ServerError(
            1005,
            "HY000",
            "Can't create table `strongroom`.`plain` (errno: 140 \"Wrong create options\")"),
        noEnc.error().orElseThrow());
    ClientResult aria =
        db.client()
            .execute(
                ClientConnection.socket(db.socket(), db.installerUser()),
                "CREATE TABLE strongroom.a (i INT) ENGINE=Aria");
    assertEquals(
        new ServerError(
            1290,
            "HY000",
            "The MariaDB server is running with the NO_ENGINE_SUBSTITUTION option so it cannot execute this statement"),
        aria.error().orElseThrow());
  }

  @Test
  void auditPlugin_cannotBeUnloaded_andLogsConnections() throws Exception {
    ClientResult r =
        db.client()
            .execute(
                ClientConnection.socket(db.socket(), db.installerUser()),
                "UNINSTALL SONAME 'server_audit'");
    assertFalse(r.ok());
    System.out.println("[MariaDbAttackIT] UNINSTALL server_audit -> " + r.error().orElseThrow());
    assertEquals(
        "FORCE_PLUS_PERMANENT",
        db.sql(
                "SELECT LOAD_OPTION FROM information_schema.PLUGINS WHERE PLUGIN_NAME='SERVER_AUDIT'")
            .scalar());
    db.client().require(tls("migration", pki.client("migration")), "SELECT 1");
    String audit = Files.readString(db.layout().auditLog());
    assertTrue(audit.contains(",migration,127.0.0.1,"), "audit log lacks migration's CONNECT");
    assertTrue(audit.contains(",CONNECT,"), "audit log lacks CONNECT events");
  }

  @Test
  void serverVariables_matchTheRenderedHardening() {
    List<List<String>> rows =
        db.sql(
                "SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.GLOBAL_VARIABLES WHERE VARIABLE_NAME IN"
                    + " ('TLS_VERSION','SSL_CIPHER','REQUIRE_SECURE_TRANSPORT','LOCAL_INFILE','SKIP_NAME_RESOLVE',"
                    + " 'BIND_ADDRESS','INNODB_ENCRYPT_TABLES','ENCRYPT_BINLOG','HAVE_SYMLINK') ORDER BY 1")
            .rows();
    assertEquals(
        List.of(
            List.of("BIND_ADDRESS", "127.0.0.1"),
            List.of("ENCRYPT_BINLOG", "ON"),
            List.of("HAVE_SYMLINK", "DISABLED"),
            List.of("INNODB_ENCRYPT_TABLES", "FORCE"),
            List.of("LOCAL_INFILE", "OFF"),
            List.of("REQUIRE_SECURE_TRANSPORT", "ON"),
            List.of("SKIP_NAME_RESOLVE", "ON"),
            List.of("SSL_CIPHER", "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"),
            List.of("TLS_VERSION", "TLSv1.3")),
        rows);
  }
}
