package dev.strongroom.auditanchor.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.audit.worm.LocalDirWormStore;
import dev.strongroom.audit.worm.PutOutcome;
import dev.strongroom.audit.worm.WormStore;
import dev.strongroom.audit.worm.WormStoreException;
import dev.strongroom.backup.BackupKeys;
import dev.strongroom.backup.BackupReader;
import dev.strongroom.backup.BackupWriter;
import dev.strongroom.backup.Backups;
import dev.strongroom.backup.DbTools;
import dev.strongroom.backup.WormBackupStore;
import dev.strongroom.contracts.alert.AlertKind;
import dev.strongroom.contracts.alert.Severity;
import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.KmsException;
import dev.strongroom.crypto.kms.InsecureLocalKeyring;
import dev.strongroom.crypto.kms.KeyWrapper;
import dev.strongroom.crypto.kms.WrappedKey;
import dev.strongroom.provisioner.db.MariaDbInstance;
import dev.strongroom.provisioner.db.TestInstances;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.schema.AuditInstaller;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One scheduled run against a private hardened MariaDB as the {@code backup} identity (mutual TLS)
 * and a real create-only directory, the causes BackupScheduleIT does not stage: a WORM store that
 * takes no writes → {@code STORE_FAILED} naming the part it refused, nothing stored as complete; a
 * KMS that refuses to wrap → {@code KMS_FAILED}; each one typed BACKUP_FAILED alert with the count
 * of failures in a row; the cause removed → the next run stores a backup that verifies and
 * continues the previous one's binary logs, and the count resets.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScheduledBackupIT {
  private static Path base;
  private static MariaDbInstance db;
  private static LocalDirWormStore dir;
  private static final AtomicBoolean writesRefused = new AtomicBoolean();
  private static final AtomicBoolean kmsDown = new AtomicBoolean();
  private static WormBackupStore store;
  private static BackupKeys keys;
  private static ScheduledBackup job;
  private static ScheduledBackup.Succeeded first;

  @BeforeAll
  static void start() throws Exception {
    base = TestInstances.tempBase("sr-schedbk-");
    PkiDirectory pki = TestInstances.pki(base);
    db = TestInstances.startWithAccounts(TestInstances.settings(base, pki), pki);
    AuditInstaller.install(db, TenantTokens.generateKey(), AuditInstaller.Options.manualSealing());
    db.sql("INSERT INTO strongroom.tenants VALUES ('t-1', UTC_TIMESTAMP(6))");
    dir = LocalDirWormStore.open(base.resolve("worm"));
    store = new WormBackupStore(new ReadOnlySwitch(dir, writesRefused));
    Path keyring = base.resolve("kek.keyring");
    SecureRandom random = new SecureRandom();
    InsecureLocalKeyring.addVersion(keyring, "1", random);
    SigningKey signer = SigningKey.generate();
    keys =
        new BackupKeys(
            new RefusingSwitch(InsecureLocalKeyring.load("kek", keyring, random), kmsDown),
            Optional.of(signer),
            signer.publicKey());
    var cred = pki.client("backup");
    job =
        new ScheduledBackup(
            new BackupWriter(
                DbTools.debian(), Backups.SCHEMAS, Backups.AUDIT_SCHEMA, Clock.systemUTC()),
            DbTools.Server.tls(
                "127.0.0.1", db.port(), "backup", pki.caCertPem(), cred.certPem(), cred.keyPem()),
            keys,
            store,
            base.resolve("work"),
            Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    if (db != null) {
      db.stop();
    }
    if (base != null) {
      TestInstances.deleteTree(base);
    }
  }

  private static int complete() {
    return new BackupReader(store, keys).completeBackups().size();
  }

  @Test
  @Order(1)
  void aRun_storesABackupThatVerifies() {
    first = assertInstanceOf(ScheduledBackup.Succeeded.class, job.run());
    assertArrayEquals(
        first.manifest().toJson(),
        new BackupReader(store, keys).verify(first.manifest().backupId()).toJson());
    assertEquals(1L, first.manifest().tables().get("strongroom.tenants"));
    assertEquals(0, job.consecutiveFailures());
  }

  @Test
  @Order(2)
  void wormTakesNoWrites_storeFailed_namingThePart_nothingComplete() {
    writesRefused.set(true);
    ScheduledBackup.Failed f;
    try {
      f = assertInstanceOf(ScheduledBackup.Failed.class, job.run());
    } finally {
      writesRefused.set(false);
    }
    assertEquals("STORE_FAILED", f.reason());
    assertEquals(Optional.of(BackupWriter.DUMP_PART), f.part());
    assertEquals(AlertKind.BACKUP_FAILED, f.alert().kind());
    assertEquals(Severity.HIGH, f.alert().severity());
    assertEquals("STORE_FAILED", f.alert().related().get("reason"));
    assertEquals(BackupWriter.DUMP_PART, f.alert().related().get("part"));
    assertEquals(1, f.alert().related().get("consecutiveFailures"));
    assertEquals(dir.location(), f.alert().related().get("store"));
    assertTrue(f.alert().detail().contains("read-only"), f.alert().detail());
    assertEquals(1, complete(), "the refused run left no complete backup");
  }

  @Test
  @Order(3)
  void kmsRefusesToWrap_kmsFailed() {
    kmsDown.set(true);
    ScheduledBackup.Failed f;
    try {
      f = assertInstanceOf(ScheduledBackup.Failed.class, job.run());
    } finally {
      kmsDown.set(false);
    }
    assertEquals(ScheduledBackup.KMS_FAILED, f.reason());
    assertEquals(Optional.empty(), f.part());
    assertEquals(2, f.alert().related().get("consecutiveFailures"));
    assertTrue(f.alert().detail().contains("permission denied"), f.alert().detail());
    assertEquals(1, complete());
  }

  @Test
  @Order(4)
  void causeGone_nextRunSucceeds_continuingTheBinaryLogs() {
    db.sql("INSERT INTO strongroom.tenants VALUES ('t-2', UTC_TIMESTAMP(6))");
    ScheduledBackup.Succeeded s = assertInstanceOf(ScheduledBackup.Succeeded.class, job.run());
    assertEquals(0, job.consecutiveFailures());
    assertEquals(2L, s.manifest().tables().get("strongroom.tenants"));
    assertEquals(first.manifest().backupId(), s.manifest().previousBackup().orElseThrow());
    List<String> a = first.manifest().binlogFiles();
    long last = Long.parseLong(a.get(a.size() - 1).replaceAll(".*\\.", ""));
    assertEquals(
        last + 1,
        Long.parseLong(s.manifest().binlogFiles().get(0).replaceAll(".*\\.", "")),
        "no binary log gap across the failed runs");
    assertEquals(2, complete());
  }

  /** The real directory, refusing writes while the switch is on (a read-only or full store). */
  private record ReadOnlySwitch(WormStore store, AtomicBoolean on) implements WormStore {
    @Override
    public PutOutcome put(String name, byte[] bytes) {
      if (on.get()) {
        throw new WormStoreException("the store is read-only", false, null);
      }
      return store.put(name, bytes);
    }

    @Override
    public Optional<byte[]> find(String name) {
      return store.find(name);
    }

    @Override
    public List<String> list(String prefix) {
      return store.list(prefix);
    }

    @Override
    public String location() {
      return store.location();
    }
  }

  /** The real keyring, refusing to wrap while the switch is on (the identity lost its right). */
  private record RefusingSwitch(KeyWrapper kms, AtomicBoolean on) implements KeyWrapper {
    @Override
    public String keyName() {
      return kms.keyName();
    }

    @Override
    public String primaryVersion() {
      return kms.primaryVersion();
    }

    @Override
    public WrappedKey wrap(DataKey dataKey, byte[] associatedData) {
      if (on.get()) {
        throw new KmsException("permission denied on the KEK (encrypt)", false, null);
      }
      return kms.wrap(dataKey, associatedData);
    }

    @Override
    public DataKey unwrap(WrappedKey wrapped, String dataKeyId, byte[] associatedData) {
      return kms.unwrap(wrapped, dataKeyId, associatedData);
    }
  }
}
