package dev.strongroom.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.provisioner.db.ClientResult;
import dev.strongroom.provisioner.db.MariaDbInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code backup} identity (docs/backups.md, "The backup identity"), as the audit-anchor-service
 * runs it: over TCP with mutual TLS, with only its grants (06-backup-grants.sql). Its backup is
 * whole — it verifies, and restored after the data schema is dropped it brings back the same rows,
 * the same chain head and the same RFC 6962 root, with the accounts able to log in — and the
 * identity, tried as an attacker would, can change nothing.
 */
class BackupIdentityIT {
  static BackupTestDb t;
  static Manifest backup;
  static java.util.Map<String, Long> sourceRows;

  @BeforeAll
  static void setUp() throws Exception {
    t = new BackupTestDb("bk-id-");
    t.store(t.tenantKey("tenant-a"), List.of("a", "b", "c"));
    t.awaitSealed();
    backup =
        t.writer().backup(t.backupIdentity(), t.keys(), t.store, t.base.resolve("work")).manifest();
    sourceRows = Restorer.count(t.db, backup.tables().keySet());
  }

  @AfterAll
  static void stop() {
    if (t != null) {
      t.close();
    }
  }

  @Test
  void backupAsTheBackupIdentity_verifies_andRestoresTheSameRowsHeadAndRoot() {
    assertArrayEquals(
        backup.toJson(), new BackupReader(t.store, t.keys()).verify(backup.backupId()).toJson());
    assertEquals(3L, backup.tables().get("strongroom.users"));
    assertEquals(sourceRows, backup.tables());
    String sourceRoot = backup.auditRoot().orElseThrow();
    t.db.sql("DROP DATABASE strongroom");
    try (Restorer.Restored r =
        new Restorer(DbTools.debian(), dev.strongroom.provisioner.db.MariaDbBinaries.debian())
            .restore(
                t.store,
                t.keys(),
                new Restorer.Request(Optional.empty(), Optional.empty()),
                t.settings(t.base.resolve("restored")))) {
      assertEquals(backup.tables(), r.rows());
      MariaDbInstance db = r.instance();
      List<String> chain =
          List.of(
              db.sql("SELECT curr_hash FROM strongroom_audit.audit_chain ORDER BY seq")
                  .stdout()
                  .strip()
                  .split("\n"));
      assertEquals(backup.auditSize(), chain.size());
      assertEquals(backup.auditHead().orElseThrow(), chain.get(chain.size() - 1));
      assertEquals(sourceRoot, AuditLogRoot.of(chain), "the restored log's RFC 6962 root");
      // the accounts part carried the backup identity itself: the restored instance backs up too
      assertEquals(
          "1",
          db.sql("SELECT COUNT(*) FROM mysql.global_priv WHERE User = 'backup'").stdout().strip());
    }
  }

  /**
   * The one thing its grants allow beyond reading (EVENT, which mariadb-dump's SHOW EVENTS needs):
   * altering events. Not refused, so caught: dropping the audit sealer is SCHEMA_DRIFT in the audit
   * watch's drift state, as the rename bypass is for migration.
   */
  @Test
  void backupIdentity_droppingTheSealerEvent_isCaughtAsDrift() {
    assertEquals(
        "",
        t.db
            .sql("SELECT kind FROM strongroom_audit.audit_schema_drift WHERE kind = 'event'")
            .stdout()
            .strip(),
        "no event drift after the install");
    ClientResult r =
        t.db
            .client()
            .execute(t.backupIdentity().login(), "DROP EVENT strongroom_audit.audit_sealer");
    assertTrue(r.ok(), r.stderr());
    assertEquals(
        "missing event strongroom_audit.audit_sealer",
        t.db
            .sql(
                "SELECT CONCAT(change_kind, ' ', kind, ' ', object)"
                    + " FROM strongroom_audit.audit_schema_drift WHERE kind = 'event'")
            .stdout()
            .strip());
  }

  /** Every write, DDL, account, binary-log and server change the identity tries is refused. */
  @Test
  void backupIdentity_cannotWriteDropGrantPurgeOrReconfigure() {
    List<String> allowed = new ArrayList<>();
    for (String sql :
        List.of(
            "INSERT INTO strongroom.tenants VALUES ('x', UTC_TIMESTAMP(6))",
            "UPDATE strongroom.users SET name_ct = name_ct",
            "DELETE FROM strongroom_audit.audit_chain WHERE 1 = 0",
            "TRUNCATE TABLE strongroom_audit.audit_events",
            "DROP TABLE strongroom.users",
            "CREATE TABLE strongroom.sr_probe (x INT)",
            "DROP TRIGGER strongroom.users_audit_delete",
            "CALL strongroom.security_clear_tenant()",
            "CREATE USER 'sr_probe'@'127.0.0.1'",
            "GRANT SELECT ON strongroom.* TO 'auditor'@'127.0.0.1'",
            "PURGE BINARY LOGS BEFORE NOW()",
            "SET GLOBAL require_secure_transport = OFF",
            "SET SQL_LOG_BIN = 0",
            "SELECT 1 INTO OUTFILE '/tmp/sr-backup-probe'")) {
      ClientResult r = t.db.client().execute(t.backupIdentity().login(), sql);
      if (r.ok()) {
        allowed.add(sql);
      }
    }
    assertEquals(List.of(), allowed);
    // and what it is for, it can do: read every schema and the binary logs
    ClientResult read =
        t.db
            .client()
            .execute(
                t.backupIdentity().login(),
                "SELECT COUNT(*) FROM strongroom_security.token_keys; SHOW BINARY LOGS");
    assertTrue(read.ok(), read.stderr());
  }
}
