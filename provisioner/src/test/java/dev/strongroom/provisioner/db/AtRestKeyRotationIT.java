package dev.strongroom.provisioner.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.provisioner.pki.PkiDirectory;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * At-rest key rotation (DESIGN §6 invariant 11, second half): with keys served over HTTPS by a
 * Vault KV v2 API, adding key versions makes InnoDB re-encrypt every tablespace in the background —
 * the {@code MIN_KEY_VERSION} of every row of {@code INNODB_TABLESPACES_ENCRYPTION} moves from 1 to
 * 3 — without a restart, and the data stays readable, also after a restart (old versions are
 * fetched by number).
 */
class AtRestKeyRotationIT {
  private Path base;
  private MariaDbInstance db;
  private VaultKvV2TestServer vault;

  @AfterEach
  void cleanup() {
    try {
      if (db != null) {
        db.stop();
      }
    } finally {
      if (vault != null) {
        vault.close();
      }
      TestInstances.deleteTree(base);
    }
  }

  @Test
  void newVaultKeyVersions_reencryptEveryTablespace_withoutRestart() throws Exception {
    base = TestInstances.tempBase("sr-keyrot-");
    PkiDirectory pki = TestInstances.pki(base);
    vault = new VaultKvV2TestServer(pki.server(), "strongroom", "s.test-token-1", 1, 2);
    ServerSettings settings =
        ServerSettings.builder(
                Dialect.MARIADB_10_11, new InstanceLayout(base.resolve("db")), TlsFiles.of(pki))
            .port(0)
            .bufferPoolMb(32)
            .redoLogMb(16)
            .maxConnections(30)
            .maxUserConnections(10)
            .vault(new VaultKeyManagement(vault.url(), "s.test-token-1", pki.caCertPem(), 50))
            .build();
    db = MariaDbInstance.prepare(settings, MariaDbBinaries.debian());
    db.start();
    db.applyAccounts(DbAccount.strongroomIdentities(pki));
    db.sql(
        "CREATE TABLE strongroom.k (id INT PRIMARY KEY, v VARCHAR(50)); INSERT INTO strongroom.k VALUES (1, 'kept')");
    assertEquals(List.of(List.of("1", "1")), versions());
    assertTrue(
        vault.requests().contains("/v1/sys/mounts/strongroom/tune"), vault.requests().toString());
    // the token is not exposed as a system variable
    assertEquals(
        List.of(), db.sql("SHOW GLOBAL VARIABLES LIKE 'hashicorp_key_management_token'").rows());
    assertEquals(
        "https://127.0.0.1:" + vault.url().getPort() + "/v1/strongroom",
        db.sql("SELECT @@hashicorp_key_management_vault_url").scalar());

    assertEquals(2, vault.newVersion(1));
    assertEquals(3, vault.newVersion(1));
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!versions().equals(List.of(List.of("3", "3"))) && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertEquals(
        List.of(List.of("3", "3")), versions(), "tablespaces not re-encrypted under key version 3");
    System.out.println(
        "[AtRestKeyRotationIT] "
            + db.sql("SELECT COUNT(*) FROM information_schema.INNODB_TABLESPACES_ENCRYPTION")
                .scalar()
            + " tablespaces now at key version 3");
    assertEquals("kept", db.sql("SELECT v FROM strongroom.k WHERE id = 1").scalar());

    db.stop();
    db.start();
    assertEquals("kept", db.sql("SELECT v FROM strongroom.k WHERE id = 1").scalar());
    assertEquals(List.of(List.of("3", "3")), versions());
  }

  /** Distinct (MIN_KEY_VERSION, CURRENT_KEY_VERSION) pairs over all InnoDB tablespaces. */
  private List<List<String>> versions() {
    return db.sql(
            "SELECT DISTINCT MIN_KEY_VERSION, CURRENT_KEY_VERSION"
                + " FROM information_schema.INNODB_TABLESPACES_ENCRYPTION")
        .rows();
  }
}
