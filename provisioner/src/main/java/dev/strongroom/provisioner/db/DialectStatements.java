package dev.strongroom.provisioner.db;

import java.util.List;

/**
 * Operational statements that differ between the dialects (docs/runbook-rotation.md). MariaDB runs
 * here; the MySQL 8.4 forms are rendered and pinned by golden files until a MySQL server can run
 * here.
 */
public final class DialectStatements {
  private DialectStatements() {}

  /** Re-read the server certificate, key, CA and CRL without a restart. */
  public static String reloadTls(Dialect dialect) {
    return dialect == Dialect.MYSQL_8_4 ? "ALTER INSTANCE RELOAD TLS" : "FLUSH SSL";
  }

  /**
   * Rotate the at-rest master keys. MySQL 8.4: new InnoDB and binlog master keys in the keyring
   * component (tablespace keys are re-wrapped, data is not rewritten). MariaDB: none — a new key
   * version is created in the key-management backend (Vault KV v2) and the encryption threads
   * re-encrypt pages older than {@code innodb_encryption_rotate_key_age} versions, so the list is
   * empty.
   */
  public static List<String> rotateAtRestKeys(Dialect dialect) {
    return dialect == Dialect.MYSQL_8_4
        ? List.of(
            "ALTER INSTANCE ROTATE INNODB MASTER KEY", "ALTER INSTANCE ROTATE BINLOG MASTER KEY")
        : List.of();
  }

  /**
   * Run once after initialising a data directory. MySQL 8.4 creates the {@code mysql} system
   * tablespace unencrypted even with {@code default_table_encryption=ON}; MariaDB encrypts its
   * system tables at install time when the option file enables it, so nothing is needed there.
   */
  public static List<String> afterInitialise(Dialect dialect) {
    return dialect == Dialect.MYSQL_8_4
        ? List.of("ALTER TABLESPACE mysql ENCRYPTION = 'Y'")
        : List.of();
  }
}
