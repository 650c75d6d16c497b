package dev.strongroom.proof.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.proof.bundle.BundleException;
import dev.strongroom.proof.bundle.BundleVerifier;
import dev.strongroom.proof.bundle.BundleWriter;
import dev.strongroom.proof.bundle.ChainRecord;
import dev.strongroom.proof.check.CheckResult;
import dev.strongroom.proof.check.Status;
import dev.strongroom.proof.run.DbTarget;
import dev.strongroom.proof.run.HostFacts;
import dev.strongroom.proof.run.ProofContext;
import dev.strongroom.proof.run.ProofReport;
import dev.strongroom.proof.run.ProofRunner;
import dev.strongroom.proof.run.StandardCatalogue;
import dev.strongroom.provisioner.db.ClientConnection;
import dev.strongroom.provisioner.db.ClientResult;
import dev.strongroom.provisioner.db.DbAccount;
import dev.strongroom.provisioner.db.Dialect;
import dev.strongroom.provisioner.db.InstanceLayout;
import dev.strongroom.provisioner.db.MariaDbBinaries;
import dev.strongroom.provisioner.db.MariaDbClient;
import dev.strongroom.provisioner.db.MariaDbInstance;
import dev.strongroom.provisioner.db.ServerSettings;
import dev.strongroom.provisioner.db.TlsFiles;
import dev.strongroom.provisioner.pki.Credential;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import dev.strongroom.provisioner.schema.AuditInstaller;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The database catalogue against a real MariaDB 10.11 this test provisions (hardened instance,
 * identities, proc-only schema, audit chain): healthy, every database control passes; then the
 * instance is weakened in five ways the issue names and exactly the controls that guard them fail.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProofDatabaseIT {
  private Path base;
  private PkiDirectory pki;
  private MariaDbInstance db;
  private TenantTokens authority;
  private ProofReport healthy;

  @BeforeAll
  void start() throws IOException {
    base = Files.createTempDirectory(Path.of("/tmp"), "sr-proof-");
    pki = PkiDirectory.open(base.resolve("pki"), PkiSpec.strongroom(List.of()));
    pki.ensure();
    ServerSettings settings =
        ServerSettings.builder(
                Dialect.MARIADB_10_11, new InstanceLayout(base.resolve("db")), TlsFiles.of(pki))
            .port(0)
            .bufferPoolMb(32)
            .redoLogMb(16)
            .maxConnections(30)
            .maxUserConnections(10)
            .build();
    db = MariaDbInstance.prepare(settings, MariaDbBinaries.debian());
    db.start();
    db.applyAccounts(DbAccount.strongroomIdentities(pki));
    byte[] tokenKey = TenantTokens.generateKey();
    AuditInstaller.install(db, tokenKey, AuditInstaller.Options.manualSealing());
    authority = new TenantTokens(tokenKey, Clock.systemUTC());
  }

  @AfterAll
  void stop() throws IOException {
    try {
      if (db != null) {
        db.stop();
      }
    } finally {
      try (Stream<Path> s = Files.walk(base)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private DbTarget target() {
    Map<String, DbTarget.CertKey> ids = new LinkedHashMap<>();
    for (String id : PkiSpec.DB_IDENTITIES) {
      Credential c = pki.client(id);
      ids.put(id, new DbTarget.CertKey(c.certPem(), c.keyPem()));
    }
    return new DbTarget(
        "127.0.0.1",
        db.port(),
        Optional.of(db.socket()),
        Dialect.MARIADB_10_11.id(),
        "strongroom",
        Optional.of(db.layout().dataDir()),
        pki.caCertPem(),
        ids);
  }

  private ProofReport prove() throws IOException {
    DbTarget target = target();
    Path scratch = Files.createTempDirectory(base, "scratch-");
    ProofContext ctx =
        new ProofContext(
            Optional.of(target),
            Optional.of(authority),
            new HostFacts(Optional.empty()),
            scratch,
            Clock.systemUTC());
    long t0 = System.nanoTime();
    ProofReport report = new ProofRunner(StandardCatalogue.create()).run(ctx);
    System.out.println(
        "[ProofDatabaseIT] "
            + report.results().size()
            + " controls in "
            + (System.nanoTime() - t0) / 1_000_000
            + " ms: "
            + report.counts());
    return report;
  }

  private static Set<String> withStatus(ProofReport r, Status s) {
    return r.results().stream()
        .filter(x -> x.status() == s)
        .map(x -> x.control().id())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static String table(ProofReport r) {
    return r.results().stream()
        .map(x -> x.control().id() + " " + x.status() + " " + x.detail())
        .collect(Collectors.joining("\n"));
  }

  @Test
  @Order(1)
  void healthyInstance_passesEveryDatabaseControl() throws IOException {
    ProofReport r = prove();
    healthy = r;
    assertEquals(Set.of(), withStatus(r, Status.FAIL), () -> table(r));
    assertEquals(Set.of(), withStatus(r, Status.ERROR), () -> table(r));
    // off a hardened VM every host control is not-applicable, never pass; so is the chain check
    // against its anchors, since this target names no anchored log (ProveCommandIT runs it), and
    // so are the pipeline controls on a database-only target (StackCommandIT runs them)
    // the server runs as root here (the test runs as root, off a hardened VM): not-applicable
    // with what was seen, never pass; on a hardened host that is a fail
    assertEquals(
        Set.of(
            "SR-DB-AUD-04",
            "SR-DB-OS-01",
            "SR-PIPE-01",
            "SR-PIPE-02",
            "SR-PIPE-03",
            "SR-HOST-F2B-01",
            "SR-HOST-FIPS-01",
            "SR-HOST-FW-01",
            "SR-HOST-MAC-01"),
        withStatus(r, Status.NOT_APPLICABLE),
        () -> table(r));
    assertEquals(
        "the target has no running pipeline (Kafka and the services): a database-only target",
        detail(r, "SR-PIPE-03"));
    assertTrue(
        detail(r, "SR-HOST-FW-01").endsWith("host controls apply only on a hardened VM"), table(r));
    assertTrue(detail(r, "SR-DB-REST-08").startsWith("marker absent from "), table(r));
    assertTrue(
        detail(r, "SR-DB-OS-01").matches("mariadbd \\(pid \\d+\\) runs as root \\(uid 0\\): .*"),
        table(r));
    assertEquals("only 'root'@'localhost' (the installer) holds them", detail(r, "SR-DB-PRIV-08"));
    assertTrue(
        detail(r, "SR-DB-FILE-01").matches("\\d+ paths owned by root, none open to other accounts"),
        table(r));
    assertTrue(r.passed());
    CheckResult tls12 =
        r.results().stream()
            .filter(x -> x.control().id().equals("SR-DB-TLS-04"))
            .findFirst()
            .orElseThrow();
    assertTrue(tls12.evidence().get(0).action().contains("-tls1_2"), tls12.evidence().toString());
    assertTrue(tls12.evidence().get(0).response().contains("alert protocol version"));
    // the report becomes a bundle that verifies
    SigningKey key = SigningKey.generate();
    Path bundle = base.resolve("healthy.tar.gz");
    BundleWriter.write(r, key, bundle, Map.of());
    assertEquals(List.of(), BundleVerifier.verify(bundle, key.publicKey()).problems());
  }

  @Test
  @Order(2)
  void aBundlesDigest_goesOnTheChainOnce_andNoIdentityCanAlterIt() throws Exception {
    ProofReport r = prove();
    SigningKey key = SigningKey.generate();
    BundleWriter.Written w = BundleWriter.write(r, key, base.resolve("chained.tar.gz"), Map.of());
    DbTarget target = target();
    ChainRecord chain = ChainRecord.withDebianClient();
    ChainRecord.Recorded first = chain.record(target, r, w.manifestSha256());
    assertTrue(first.recorded());
    long event = first.eventId().orElseThrow();
    // a retried call records nothing more; the same digest with other fields is a conflict
    assertEquals(
        new ChainRecord.Recorded(false, java.util.OptionalLong.empty()),
        chain.record(target, r, w.manifestSha256()));
    ProofReport other =
        new ProofReport(
            r.runId(),
            r.toolVersion(),
            r.catalogueVersion(),
            "elsewhere",
            r.started(),
            r.finished(),
            r.results());
    BundleException conflict =
        org.junit.jupiter.api.Assertions.assertThrows(
            BundleException.class, () -> chain.record(target, other, w.manifestSha256()));
    assertTrue(
        conflict
            .getMessage()
            .contains("SR-CONFLICT: that bundle digest is recorded with other fields"),
        conflict.getMessage());
    MariaDbClient client = new MariaDbClient(MariaDbBinaries.debian().client());
    ClientConnection root = ClientConnection.socket(db.socket(), System.getProperty("user.name"));
    ClientConnection auditor = asAuditor();
    // a malformed digest is refused by the procedure itself, whoever calls it
    ClientResult bad =
        client.execute(
            auditor,
            "CALL strongroom_audit.audit_evidence_append('NOT-HEX', 'r', 't', 'c', 'x', 0,"
                + " '2026-01-01 00:00:00')");
    assertTrue(
        bad.stderr()
            .contains("SR-AUDIT-BAD-EVIDENCE: a bundle record needs a lowercase hex SHA-256"),
        bad.stderr());
    // auditor writes only through the procedure; nobody, root included, edits or removes a record
    ClientResult insert =
        client.execute(
            auditor,
            "INSERT INTO strongroom_audit.audit_evidence VALUES (REPEAT('a', 64), 'r', 't', 'c', 'x',"
                + " 0, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))");
    assertTrue(
        insert.stderr().contains("INSERT command denied to user 'auditor'"), insert.stderr());
    ClientResult edit =
        client.execute(
            root, "UPDATE strongroom_audit.audit_evidence SET failed_controls = 0 WHERE TRUE");
    assertTrue(edit.stderr().contains("SR-AUDIT-IMMUTABLE"), edit.stderr());
    ClientResult delete =
        client.execute(root, "DELETE FROM strongroom_audit.audit_evidence WHERE TRUE");
    assertTrue(delete.stderr().contains("SR-AUDIT-IMMUTABLE"), delete.stderr());
    // sealed onto the chain: the chained payload carries the digest, and the hash links it
    client.require(root, "CALL strongroom_audit.audit_seal(100000)");
    List<String> row =
        client
            .require(
                root,
                "SELECT c.prev_hash, c.curr_hash, strongroom_audit.audit_payload(c.event_id),"
                    + " e.table_name, e.request_id FROM strongroom_audit.audit_chain c JOIN"
                    + " strongroom_audit.audit_events e ON e.event_id = c.event_id WHERE"
                    + " c.event_id = "
                    + event)
            .rows()
            .get(0);
    assertEquals("audit_evidence", row.get(3));
    assertEquals(r.runId(), row.get(4));
    String payload = row.get(2);
    assertTrue(payload.contains("\"manifest_sha256\":\"" + w.manifestSha256() + "\""), payload);
    assertTrue(payload.contains("\"target\":\"" + r.target() + "\""), payload);
    assertTrue(payload.contains("\"failed_controls\":\"0\""), payload);
    java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
    String linked =
        java.util.HexFormat.of()
            .formatHex(
                sha.digest(
                    (row.get(0) + "|" + payload)
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertEquals(row.get(1), linked, "curr_hash = SHA-256(prev_hash | payload)");
    assertEquals(
        "1",
        client
            .require(
                auditor,
                "SELECT COUNT(*) FROM strongroom_audit.audit_evidence WHERE manifest_sha256 = '"
                    + w.manifestSha256()
                    + "'")
            .scalar());
  }

  private ClientConnection asAuditor() {
    Credential c = pki.client("auditor");
    return ClientConnection.tcp(db.port(), "auditor")
        .tls(pki.caCertPem(), c.certPem(), c.keyPem())
        .tlsVersion("TLSv1.3");
  }

  @Test
  @Order(3)
  void weakenedInstance_failsExactlyTheControlsThatGuardEachWeakness() throws IOException {
    // TLS 1.2 allowed (with a TLS 1.2 cipher: the hardened ssl_cipher lists TLS 1.3 suites only)
    Path options = db.layout().optionFile();
    String conf = Files.readString(options);
    String weakConf =
        conf.replaceFirst("(?m)^tls_version\\s*=.*$", "tls_version = TLSv1.2,TLSv1.3")
            .replaceFirst(
                "(?m)^ssl_cipher\\s*=.*$",
                "ssl_cipher = ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-GCM-SHA384:"
                    + ServerSettings.TLS13_SUITES);
    assertTrue(!weakConf.equals(conf), "the option file has tls_version and ssl_cipher lines");
    db.stop();
    Files.writeString(options, weakConf);
    db.start();
    // require_secure_transport off; a '%' account; an unencrypted table; a dropped audit trigger
    db.sql("SET GLOBAL require_secure_transport = OFF");
    db.sql("CREATE USER 'weak'@'%' IDENTIFIED BY 'Weak-pw-1'");
    db.sql("SET GLOBAL innodb_encrypt_tables = ON");
    db.sql("CREATE TABLE strongroom.plain_notes (id INT PRIMARY KEY, note TEXT) ENCRYPTED=NO");
    db.sql("DROP TRIGGER strongroom.users_audit_delete");
    // and what CIS and the STIG look for beyond those: an administrator's privilege for an
    // application identity, a test database, a binary-log directory others may read
    db.sql("GRANT PROCESS ON *.* TO 'auditor'@'127.0.0.1'");
    db.sql("CREATE DATABASE test");
    Path binlogDir = db.layout().binlogDir();
    Files.setPosixFilePermissions(
        binlogDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));

    ProofReport r = prove();
    Set<String> failing =
        new TreeSet<>(
            Set.of(
                "SR-DB-TLS-01", // require_secure_transport off: the plaintext login succeeds
                "SR-DB-TLS-04", // TLS 1.2 allowed: the handshake completes
                "SR-DB-PRIV-04", // the '%' account
                "SR-DB-REST-01", // the unencrypted table
                "SR-DB-REST-02", // creating it needed innodb_encrypt_tables below FORCE
                "SR-DB-AUD-03", // the dropped trigger
                "SR-DB-PRIV-08", // PROCESS for auditor
                "SR-DB-CONF-11", // the test database
                "SR-DB-FILE-01")); // the binary-log directory open to others
    assertEquals(failing, withStatus(r, Status.FAIL), () -> table(r));
    // ... and no others: every other control keeps its healthy status, nothing errors
    assertEquals(Set.of(), withStatus(r, Status.ERROR), () -> table(r));
    Set<String> stillPassing = withStatus(healthy, Status.PASS);
    assertTrue(stillPassing.containsAll(failing), "each failing control passed when healthy");
    stillPassing.removeAll(failing);
    assertEquals(stillPassing, withStatus(r, Status.PASS), () -> table(r));
    assertEquals(
        withStatus(healthy, Status.NOT_APPLICABLE),
        withStatus(r, Status.NOT_APPLICABLE),
        () -> table(r));
    assertEquals(Set.of(), withStatus(r, Status.WAIVED), () -> table(r));
    assertEquals(healthy.results().size(), r.results().size());
    assertEquals("missing audit triggers: [users:DELETE]", detail(r, "SR-DB-AUD-03"));
    assertEquals("wildcard or anonymous accounts: ['weak'@'%']", detail(r, "SR-DB-PRIV-04"));
    assertEquals(
        "not encrypted: [strongroom.plain_notes InnoDB scheme=0]", detail(r, "SR-DB-REST-01"));
    assertEquals(
        "a plaintext login with a correct password was accepted", detail(r, "SR-DB-TLS-01"));
    assertTrue(detail(r, "SR-DB-TLS-04").startsWith("a TLS 1.2 handshake completed"), table(r));
    assertEquals(
        "held beyond the installer: ['auditor'@'127.0.0.1' PROCESS ON *.*]",
        detail(r, "SR-DB-PRIV-08"));
    assertEquals("found: [database test]", detail(r, "SR-DB-CONF-11"));
    assertEquals(
        "open to another account (owner must be root, no bits for others, key files none for the"
            + " group unless root's and read-only to the server's own group, which no other account"
            + " is in): ["
            + binlogDir
            + " rwxr-xr-x uid 0]",
        detail(r, "SR-DB-FILE-01"));
    assertTrue(!r.passed());
  }

  @Test
  @Order(4)
  void anAnchorWriterProcedureForTheAuditor_andAWriteForTheAnchorWriter_failTheirControls()
      throws IOException {
    // what the security review found (issue 12): the auditor certificate stepping a sink's cursor;
    // and the anchor service's identity given a table write it must never hold
    db.sql(
        "GRANT EXECUTE ON PROCEDURE strongroom_audit.audit_sink_delivered TO 'auditor'@'127.0.0.1';"
            + " GRANT INSERT ON strongroom_audit.audit_sink_deliveries"
            + " TO 'anchor_writer'@'127.0.0.1'");
    try {
      ProofReport r = prove();
      assertEquals(Status.FAIL, status(r, "SR-DB-PRIV-07"), () -> table(r));
      assertEquals(
          "wrong: [audit_sink_delivered → ERROR 1644 (45000): SR-AUDIT-BAD-ANCHOR: a delivery"
              + " needs a sink name of [A-Za-z0-9._:,=@/-], start or sent, and an anchor]",
          detail(r, "SR-DB-PRIV-07"));
      assertEquals(Status.FAIL, status(r, "SR-DB-PRIV-10"), () -> table(r));
      assertEquals(
          "wrong: [INSERT INTO strongroom_audit.audit_sink_deliveries () VALUES () → ERROR 1364"
              + " (HY000): Field 'sink' doesn't have a default value]",
          detail(r, "SR-DB-PRIV-10"));
    } finally {
      db.sql(
          "REVOKE EXECUTE ON PROCEDURE strongroom_audit.audit_sink_delivered"
              + " FROM 'auditor'@'127.0.0.1';"
              + " REVOKE INSERT ON strongroom_audit.audit_sink_deliveries"
              + " FROM 'anchor_writer'@'127.0.0.1'");
    }
    ProofReport after = prove();
    assertEquals(Status.PASS, status(after, "SR-DB-PRIV-07"), () -> table(after));
    assertEquals(Status.PASS, status(after, "SR-DB-PRIV-10"), () -> table(after));
    assertEquals(
        "0",
        db.sql("SELECT COUNT(*) FROM strongroom_audit.audit_sink_deliveries").scalar(),
        "the probes recorded no delivery");
    assertEquals(
        "0",
        db.sql("SELECT epoch FROM strongroom_audit.audit_anchor_lease").scalar(),
        "and took no lease");
  }

  @Test
  @Order(5)
  void everyWayToAnAdministratorsPower_failsPriv08_andTheLockedSystemAccountStaysOut()
      throws IOException {
    db.sql("REVOKE PROCESS ON *.* FROM 'auditor'@'127.0.0.1'"); // order 3's weakness
    String healthyDetail = "only 'root'@'localhost' (the installer) holds them";
    // the PROXY row MariaDB's installer leaves for root at the host's name, whose account it never
    // creates (a restore drill's instance has one): nobody can log in with it, so no finding
    db.sql(
        "INSERT INTO mysql.proxies_priv (Host, User, Proxied_host, Proxied_user, With_grant)"
            + " VALUES ('sr-proof-host', 'root', '', '', 1); FLUSH PRIVILEGES");
    assertEquals(healthyDetail, detail(prove(), "SR-DB-PRIV-08"));
    // what the earlier list missed: MariaDB's other SUPER parts, a write on the grant tables
    // (global, on the schema, on one table), an administrator's privilege through a role, a
    // PROXY grant, and the server's own system account unlocked
    String grant =
        "GRANT BINLOG REPLAY ON *.* TO 'migration'@'127.0.0.1';"
            + " GRANT DELETE ON *.* TO 'anchor_writer'@'127.0.0.1';"
            + " GRANT UPDATE (Priv) ON mysql.global_priv TO 'anchor_writer'@'127.0.0.1';"
            + " GRANT REPLICATION SLAVE ON *.* TO 'app_user'@'127.0.0.1';"
            + " GRANT INSERT ON mysql.* TO 'backup'@'127.0.0.1';"
            + " GRANT UPDATE ON mysql.global_priv TO 'auditor'@'127.0.0.1';"
            + " CREATE ROLE sr_ops; GRANT SUPER ON *.* TO sr_ops;"
            + " GRANT sr_ops TO 'app_user'@'127.0.0.1';"
            + " GRANT PROXY ON 'auditor'@'127.0.0.1' TO 'app_user'@'127.0.0.1';"
            + " ALTER USER 'mariadb.sys'@'localhost' ACCOUNT UNLOCK;"
            // a role named to break out of SHOW GRANTS (or to make it fail and hide SUPER)
            + " CREATE ROLE `x';DROP DATABASE strongroom_audit;#`;"
            + " GRANT SUPER ON *.* TO `x';DROP DATABASE strongroom_audit;#`;"
            + " GRANT `x';DROP DATABASE strongroom_audit;#` TO 'auditor'@'127.0.0.1'";
    db.sql(grant);
    try {
      ProofReport r = prove();
      assertEquals(Status.FAIL, status(r, "SR-DB-PRIV-08"), () -> table(r));
      String evil =
          java.util.HexFormat.of()
              .formatHex(
                  "auditor\t127.0.0.1\tx';DROP DATABASE strongroom_audit;#\t"
                      .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      assertEquals(
          "held beyond the installer: ["
              + "'anchor_writer'@'127.0.0.1' DELETE ON *.*, "
              + "'anchor_writer'@'127.0.0.1' UPDATE (Priv) ON mysql.global_priv, "
              + "'app_user'@'127.0.0.1' PROXY ON 'auditor'@'127.0.0.1', "
              + "'app_user'@'127.0.0.1' REPLICATION SLAVE ON *.*, "
              + "'app_user'@'127.0.0.1' SUPER ON *.* (role 'sr_ops'), "
              + "'auditor'@'127.0.0.1' UPDATE ON mysql.global_priv, "
              + "'backup'@'127.0.0.1' INSERT ON mysql.*, "
              + "'mariadb.sys'@'localhost' DELETE ON mysql.global_priv, "
              + "'migration'@'127.0.0.1' BINLOG REPLAY ON *.*, "
              + "a role grant with a name outside [A-Za-z0-9_.%:-] ("
              + evil
              + ": grantee and role in hex), whose grants are not read]",
          detail(r, "SR-DB-PRIV-08"));
    } finally {
      db.sql(
          "ALTER USER 'mariadb.sys'@'localhost' ACCOUNT LOCK;"
              + " REVOKE PROXY ON 'auditor'@'127.0.0.1' FROM 'app_user'@'127.0.0.1';"
              + " DROP ROLE sr_ops; DROP ROLE `x';DROP DATABASE strongroom_audit;#`;"
              + " REVOKE UPDATE ON mysql.global_priv FROM 'auditor'@'127.0.0.1';"
              + " REVOKE INSERT ON mysql.* FROM 'backup'@'127.0.0.1';"
              + " REVOKE DELETE ON *.* FROM 'anchor_writer'@'127.0.0.1';"
              + " REVOKE UPDATE (Priv) ON mysql.global_priv FROM 'anchor_writer'@'127.0.0.1';"
              + " REVOKE REPLICATION SLAVE ON *.* FROM 'app_user'@'127.0.0.1';"
              + " REVOKE BINLOG REPLAY ON *.* FROM 'migration'@'127.0.0.1'");
    }
    assertEquals(healthyDetail, detail(prove(), "SR-DB-PRIV-08"));
    assertEquals(
        "1",
        db.sql(
                "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME ="
                    + " 'strongroom_audit'")
            .scalar(),
        "nothing injected");
  }

  private static Status status(ProofReport r, String id) {
    return r.results().stream()
        .filter(x -> x.control().id().equals(id))
        .findFirst()
        .orElseThrow()
        .status();
  }

  private static String detail(ProofReport r, String id) {
    return r.results().stream()
        .filter(x -> x.control().id().equals(id))
        .findFirst()
        .orElseThrow()
        .detail();
  }
}
