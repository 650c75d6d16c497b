package dev.strongroom.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.aead.AesGcmHkdfFieldCipher;
import dev.strongroom.crypto.aead.EncryptedField;
import dev.strongroom.crypto.aead.FieldContext;
import dev.strongroom.crypto.kms.DataKeyWrapContext;
import dev.strongroom.crypto.kms.InsecureLocalKeyring;
import dev.strongroom.crypto.kms.WrappedKey;
import dev.strongroom.provisioner.db.ClientConnection;
import dev.strongroom.provisioner.db.ClientResult;
import dev.strongroom.provisioner.db.DbAccount;
import dev.strongroom.provisioner.db.Dialect;
import dev.strongroom.provisioner.db.InstanceLayout;
import dev.strongroom.provisioner.db.MariaDbBinaries;
import dev.strongroom.provisioner.db.MariaDbInstance;
import dev.strongroom.provisioner.db.ServerSettings;
import dev.strongroom.provisioner.db.TlsFiles;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import dev.strongroom.provisioner.schema.AuditInstaller;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * Test support: a private hardened MariaDB with the schema and the audit chain (sealed every second
 * by the event scheduler, as on the stack), a development KMS keyring, a backup signing key, and
 * records written the normal way — fields encrypted by the crypto library, stored through {@code
 * app_create_user_encrypted} as {@code app_user} with a tenant token.
 */
final class BackupTestDb implements AutoCloseable {
  /** The certificate the test tokens are bound to (the database checks the binding's shape). */
  static final String CNF =
      TenantTokens.thumbprint(
          "backup test application".getBytes(java.nio.charset.StandardCharsets.UTF_8));

  static final String KEK = "strongroom-dev-kek";
  final Path base;
  final PkiDirectory pki;
  final MariaDbInstance db;
  final byte[] tokenKey = TenantTokens.generateKey();
  final TenantTokens tokens = new TenantTokens(tokenKey, Clock.systemUTC());
  final InsecureLocalKeyring kms;
  final SigningKey signer = SigningKey.generate();
  final WormBackupStore store;
  final Path wormDir;
  final SecureRandom random = new SecureRandom();

  BackupTestDb(String prefix) throws IOException {
    base = Files.createTempDirectory(Path.of("/tmp"), prefix);
    pki = PkiDirectory.open(base.resolve("pki"), PkiSpec.strongroom(List.of()));
    pki.ensure();
    db = MariaDbInstance.prepare(settings(base.resolve("db")), MariaDbBinaries.debian());
    db.start();
    db.applyAccounts(DbAccount.strongroomIdentities(pki));
    AuditInstaller.install(db, tokenKey, new AuditInstaller.Options(Duration.ofSeconds(1)));
    Path keyring = base.resolve("kek.keyring");
    InsecureLocalKeyring.addVersion(keyring, "1", random);
    kms = InsecureLocalKeyring.load(KEK, keyring, random);
    wormDir = base.resolve("worm");
    store = new WormBackupStore(dev.strongroom.audit.worm.LocalDirWormStore.open(wormDir));
  }

  ServerSettings settings(Path dir) {
    return ServerSettings.builder(Dialect.MARIADB_10_11, new InstanceLayout(dir), TlsFiles.of(pki))
        .port(0)
        .bufferPoolMb(32)
        .redoLogMb(16)
        .maxConnections(30)
        .maxUserConnections(10)
        .build();
  }

  BackupKeys keys() {
    return new BackupKeys(kms, java.util.Optional.of(signer), signer.publicKey());
  }

  DbTools.Server server() {
    return new DbTools.Server(db.socket(), db.installerUser());
  }

  /** The {@code backup} identity over TCP with mutual TLS, as the scheduled backup runs. */
  DbTools.Server backupIdentity() {
    var cred = pki.client("backup");
    return DbTools.Server.tls(
        "127.0.0.1", db.port(), "backup", pki.caCertPem(), cred.certPem(), cred.keyPem());
  }

  BackupWriter writer() {
    return new BackupWriter(
        DbTools.debian(), Backups.SCHEMAS, Backups.AUDIT_SCHEMA, Clock.systemUTC());
  }

  ClientConnection as(String identity) {
    var cred = pki.client(identity);
    return ClientConnection.tcp(db.port(), identity)
        .tls(pki.caCertPem(), cred.certPem(), cred.keyPem())
        .arg("--database=strongroom");
  }

  /** One tenant's data key, wrapped by the KMS as the crypto plane does. */
  record TenantKey(String tenant, DataKey key, WrappedKey wrapped) {}

  TenantKey tenantKey(String tenant) {
    String dekId = "dek-" + UUID.randomUUID();
    DataKey key = DataKey.generate(dekId, random);
    return new TenantKey(tenant, key, kms.wrap(key, DataKeyWrapContext.encode(tenant, dekId)));
  }

  /**
   * Stores {@code names.size()} records for the tenant, each name encrypted; returns record ids.
   */
  List<String> store(TenantKey tk, List<String> names) {
    AesGcmHkdfFieldCipher cipher = AesGcmHkdfFieldCipher.create(tk.key(), random);
    HexFormat hex = HexFormat.of();
    StringBuilder sql = new StringBuilder();
    sql.append("CALL security_set_tenant('")
        .append(tokens.issue(tk.tenant(), "backup-test", Duration.ofMinutes(10), BackupTestDb.CNF))
        .append("');\n");
    List<String> ids = new ArrayList<>();
    for (String name : names) {
      String recordId = uuid7();
      ids.add(recordId);
      EncryptedField f =
          cipher.encrypt(name.getBytes(StandardCharsets.UTF_8), context(tk, recordId));
      sql.append("CALL app_create_user_encrypted('req-")
          .append(UUID.randomUUID())
          .append("', '")
          .append(recordId)
          .append("', '")
          .append(tk.key().id())
          .append("', X'")
          .append(hex.formatHex(tk.wrapped().bytes()))
          .append("', '")
          .append(tk.wrapped().keyName())
          .append("', '")
          .append(tk.wrapped().keyVersion())
          .append("', NULL, NULL, X'")
          .append(hex.formatHex(f.ciphertext()))
          .append("', X'")
          .append(hex.formatHex(f.iv()))
          .append("', NULL, NULL, NULL, NULL, NULL, NULL);\n");
    }
    ClientResult r = db.client().executeScript(as("app_user"), sql.toString());
    assertEquals(0, r.exitCode(), () -> "store failed: " + r.stderr());
    return ids;
  }

  static FieldContext context(TenantKey tk, String recordId) {
    return FieldContext.builder()
        .tenantId(tk.tenant())
        .recordId(recordId)
        .fieldName("name")
        .schemaVersion(1)
        .dataKeyId(tk.key().id())
        .build();
  }

  /** Waits until the sealer has chained every audit event. */
  void awaitSealed() throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      String n =
          db.sql(
                  "SELECT (SELECT COUNT(*) FROM strongroom_audit.audit_events)"
                      + " - (SELECT COUNT(*) FROM strongroom_audit.audit_chain)")
              .stdout()
              .strip();
      if (n.equals("0")) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the sealer did not catch up");
  }

  static String uuid7() {
    StringBuilder s = new StringBuilder(UUID.randomUUID().toString());
    s.setCharAt(14, '7');
    return s.toString();
  }

  @Override
  public void close() {
    try {
      db.stop();
    } finally {
      BackupWriter.deleteTree(base);
    }
  }
}
