package dev.strongroom.devstack.testing;

import dev.strongroom.provisioner.db.DbAccount;
import dev.strongroom.provisioner.db.Dialect;
import dev.strongroom.provisioner.db.InstanceLayout;
import dev.strongroom.provisioner.db.MariaDbBinaries;
import dev.strongroom.provisioner.db.MariaDbInstance;
import dev.strongroom.provisioner.db.ServerSettings;
import dev.strongroom.provisioner.db.TlsFiles;
import dev.strongroom.provisioner.pki.Credential;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.schema.AuditInstaller;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test support: a private hardened MariaDB (TLS 1.3, mutual TLS, the Strongroom identities, the
 * proc-only schema and the audit chain sealed every second) in a directory of its own on a free
 * loopback port, the way {@code up} provisions it; never the machine's shared server.
 */
public final class TestDatabase implements AutoCloseable {
  private final PkiDirectory pki;
  private final MariaDbInstance instance;

  private TestDatabase(PkiDirectory pki, MariaDbInstance instance) {
    this.pki = pki;
    this.instance = instance;
  }

  /**
   * Provisions and starts with the certificates of {@code pki} (ensured); the database verifies
   * tokens made with {@code tenantTokenKey}.
   */
  public static TestDatabase start(Path dir, PkiDirectory pki, byte[] tenantTokenKey) {
    ServerSettings settings =
        ServerSettings.builder(
                Dialect.MARIADB_10_11, new InstanceLayout(dir.resolve("db")), TlsFiles.of(pki))
            .port(0)
            .bufferPoolMb(64)
            .redoLogMb(32)
            .build();
    MariaDbInstance instance = MariaDbInstance.prepare(settings, MariaDbBinaries.debian().check());
    instance.start();
    try {
      instance.applyAccounts(DbAccount.strongroomIdentities(pki));
      AuditInstaller.install(
          instance, tenantTokenKey, new AuditInstaller.Options(Duration.ofSeconds(1)));
    } catch (RuntimeException e) {
      instance.stop();
      throw e;
    }
    return new TestDatabase(pki, instance);
  }

  /** The running server (root over its socket: {@code instance().sql(...)}, stop, start). */
  public MariaDbInstance instance() {
    return instance;
  }

  /** The PKI of this database (CA, the identities' certificates). */
  public PkiDirectory pki() {
    return pki;
  }

  /** The data-service's {@code strongroom.data.db.*} settings for this database. */
  public Map<String, String> dataServiceConfig() {
    Credential app = pki.client("app_user");
    Map<String, String> c = new LinkedHashMap<>();
    c.put("strongroom.data.db.host", "127.0.0.1");
    c.put("strongroom.data.db.port", Integer.toString(instance.port()));
    c.put("strongroom.data.db.ca-cert", pki.caCertPem().toString());
    c.put("strongroom.data.db.cert", app.certPem().toString());
    c.put("strongroom.data.db.key", app.keyPem().toString());
    return c;
  }

  /**
   * The proof-service's {@code strongroom.proof.*} settings for this database: every identity, the
   * installer's socket and the data directory, bundles under {@code evidenceDir}.
   */
  public Map<String, String> proofServiceConfig(Path evidenceDir, Path tenantTokenKeyFile) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("strongroom.proof.enabled", "true");
    c.put("strongroom.proof.evidence-dir", evidenceDir.toString());
    c.put("strongroom.proof.tenant-token-key", tenantTokenKeyFile.toString());
    c.put("strongroom.proof.db.host", "127.0.0.1");
    c.put("strongroom.proof.db.port", Integer.toString(instance.port()));
    c.put("strongroom.proof.db.socket", instance.socket().toString());
    c.put("strongroom.proof.db.data-dir", instance.layout().dataDir().toString());
    c.put("strongroom.proof.db.ca-cert", pki.caCertPem().toString());
    for (String id : dev.strongroom.provisioner.pki.PkiSpec.DB_IDENTITIES) {
      Credential cred = pki.client(id);
      c.put("strongroom.proof.db.identities." + id + ".cert", cred.certPem().toString());
      c.put("strongroom.proof.db.identities." + id + ".key", cred.keyPem().toString());
    }
    return c;
  }

  /**
   * The audit-anchor-service's scheduled backup ({@code strongroom.backup.*}, docs/backups.md) for
   * this database: as the {@code backup} identity over mutual TLS, every {@code schedule}, the
   * backup key wrapped by the development keyring {@code keyring} (KEK {@code kekName}), signed
   * with {@code signingKey}, into the WORM directory {@code worm} (the service's {@code
   * strongroom.audit-anchor.worm.*}).
   */
  public Map<String, String> backupServiceConfig(
      String schedule, Path worm, Path workDir, Path signingKey, String kekName, Path keyring) {
    Credential backup = pki.client("backup");
    Map<String, String> c = new LinkedHashMap<>();
    c.put("strongroom.backup.enabled", "true");
    c.put("strongroom.backup.schedule", schedule);
    c.put("strongroom.backup.work-dir", workDir.toString());
    c.put("strongroom.backup.signing-key", signingKey.toString());
    c.put("strongroom.backup.kms.kind", "INSECURE_LOCAL_KEYRING");
    c.put("strongroom.backup.kms.key-name", kekName);
    c.put("strongroom.backup.kms.keyring-file", keyring.toString());
    c.put("strongroom.backup.db.host", "127.0.0.1");
    c.put("strongroom.backup.db.port", Integer.toString(instance.port()));
    c.put("strongroom.backup.db.ca-cert", pki.caCertPem().toString());
    c.put("strongroom.backup.db.cert", backup.certPem().toString());
    c.put("strongroom.backup.db.key", backup.keyPem().toString());
    c.put("strongroom.audit-anchor.worm.kind", "local-dir");
    c.put("strongroom.audit-anchor.worm.location", worm.toString());
    return c;
  }

  /**
   * The audit-anchor-service's audit watch ({@code strongroom.audit-anchor.*},
   * docs/audit-anchor-service.md) for this database: as its own {@code anchor_writer} identity over
   * mutual TLS, one tick every {@code interval} (lease five intervals), tail state in {@code
   * stateDir}, checkpoints signed with the log key file {@code logKey} into the WORM directory
   * {@code worm}.
   */
  public Map<String, String> auditWatchConfig(
      String interval, Path stateDir, Path worm, Path logKey) {
    Credential writer = pki.client("anchor_writer");
    Map<String, String> c = new LinkedHashMap<>();
    c.put("strongroom.audit-anchor.enabled", "true");
    c.put("strongroom.audit-anchor.holder", "audit-anchor-it");
    c.put("strongroom.audit-anchor.interval", interval);
    c.put(
        "strongroom.audit-anchor.lease-ttl",
        java.time.Duration.parse(interval).multipliedBy(5).toString());
    c.put("strongroom.audit-anchor.state-dir", stateDir.toString());
    c.put("strongroom.audit-anchor.db.host", "127.0.0.1");
    c.put("strongroom.audit-anchor.db.port", Integer.toString(instance.port()));
    c.put("strongroom.audit-anchor.db.ca-cert", pki.caCertPem().toString());
    c.put("strongroom.audit-anchor.db.user", "anchor_writer");
    c.put("strongroom.audit-anchor.db.cert", writer.certPem().toString());
    c.put("strongroom.audit-anchor.db.key", writer.keyPem().toString());
    c.put("strongroom.audit-anchor.worm.kind", "local-dir");
    c.put("strongroom.audit-anchor.worm.location", worm.toString());
    c.put("strongroom.audit-anchor.log-key", logKey.toString());
    c.put("strongroom.backup.enabled", "false");
    return c;
  }

  @Override
  public void close() {
    instance.stop();
  }
}
