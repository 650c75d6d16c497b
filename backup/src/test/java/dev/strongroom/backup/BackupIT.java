package dev.strongroom.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.crypto.DataKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code backup} against a private hardened MariaDB: what it stores, and that none of it is
 * plaintext.
 */
class BackupIT {
  static BackupTestDb t;
  static BackupWriter.Result first;
  static BackupWriter.Result second;
  static String marker;
  static String tenant;
  static List<String> records = new ArrayList<>();

  @BeforeAll
  static void backUp() throws Exception {
    t = new BackupTestDb("bk-it-");
    marker = "MARKER-" + java.util.UUID.randomUUID();
    tenant =
        "tenant-" + marker; // plaintext in the database by design: only the backup must hide it
    BackupTestDb.TenantKey tk = t.tenantKey(tenant);
    records.addAll(
        t.store(tk, List.of(marker + "-name-1", marker + "-name-2", marker + "-name-3")));
    t.awaitSealed();
    first = t.writer().backup(t.server(), t.keys(), t.store, t.base.resolve("work"));
    records.addAll(t.store(tk, List.of(marker + "-name-4")));
    t.awaitSealed();
    second = t.writer().backup(t.server(), t.keys(), t.store, t.base.resolve("work"));
  }

  @AfterAll
  static void stop() {
    if (t != null) {
      t.close();
    }
  }

  @Test
  void manifest_countsTheSnapshotsRows_andTheAuditChain() {
    Manifest m = first.manifest();
    assertEquals(3L, m.tables().get("strongroom.users"));
    assertEquals(1L, m.tables().get("strongroom.tenants"));
    assertEquals(1L, m.tables().get("strongroom.data_keys"));
    assertEquals(0L, m.tables().get("strongroom.record_decrypts"));
    // tenants + data_keys + 3 users inserted → 5 audit events, all sealed before the backup
    assertEquals(5L, m.tables().get("strongroom_audit.audit_events"));
    assertEquals(5L, m.auditSize());
    String head =
        t.db
            .sql("SELECT curr_hash FROM strongroom_audit.audit_chain WHERE seq = 5")
            .stdout()
            .strip();
    assertEquals(head, m.auditHead().orElseThrow());
    assertEquals(4L, second.manifest().tables().get("strongroom.users"));
    assertEquals(6L, second.manifest().auditSize());
  }

  @Test
  void binlogs_continueFromThePreviousBackup_withoutOverlapOrGap() {
    Manifest a = first.manifest();
    Manifest b = second.manifest();
    assertTrue(a.previousBackup().isEmpty());
    assertEquals(a.backupId(), b.previousBackup().orElseThrow());
    assertEquals("binlog.000001", a.binlogFiles().get(0));
    long lastOfA = BackupWriter.number(a.binlogFiles().get(a.binlogFiles().size() - 1));
    assertEquals(lastOfA + 1, BackupWriter.number(b.binlogFiles().get(0)));
    assertTrue(b.binlogFiles().contains(b.snapshotBinlogFile()));
    for (String f : b.binlogFiles()) {
      assertTrue(b.part(BackupWriter.BINLOG_DIR + f + ".gz.enc").isPresent(), f);
    }
  }

  @Test
  void storedFiles_areExactlyTheManifestsParts_andVerify() throws IOException {
    BackupReader reader = new BackupReader(t.store, t.keys());
    assertEquals(
        List.of(first.manifest().backupId(), second.manifest().backupId()),
        reader.completeBackups());
    Manifest m = reader.verify(second.manifest().backupId());
    List<String> stored;
    Path dir = t.wormDir.resolve(second.directory());
    try (Stream<Path> s = Files.walk(dir)) {
      stored =
          s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
    }
    List<String> expected = new ArrayList<>();
    m.parts().forEach(p -> expected.add(p.name()));
    expected.add(Manifest.FILE);
    expected.add(Manifest.SIGNATURE_FILE);
    assertEquals(expected.stream().sorted().toList(), stored);
  }

  /**
   * The marker scan: the tenant id and the record ids are plaintext columns in the database and in
   * the decrypted dump (the control), yet no byte sequence of them is in any stored file; nor is
   * the marker inside the encrypted name fields.
   */
  @Test
  void plaintextMarkerScan_findsNothingInAnyBackupFile_butFindsItInTheDecryptedDump()
      throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(t.wormDir)) {
      files = s.filter(Files::isRegularFile).toList();
    }
    assertTrue(files.size() >= 8, "parts of two backups: " + files);
    List<byte[]> needles = new ArrayList<>();
    needles.add(marker.getBytes(StandardCharsets.UTF_8));
    needles.add(marker.getBytes(StandardCharsets.UTF_16LE));
    needles.add(
        java.util.HexFormat.of()
            .formatHex(marker.getBytes(StandardCharsets.UTF_8))
            .getBytes(StandardCharsets.US_ASCII));
    for (String r : records) {
      needles.add(r.getBytes(StandardCharsets.US_ASCII));
    }
    for (Path f : files) {
      byte[] bytes = Files.readAllBytes(f);
      for (byte[] n : needles) {
        assertFalse(contains(bytes, n), () -> f + " holds a plaintext marker");
      }
    }
    // Control: the same scan on the decrypted dump finds the tenant and the record ids.
    BackupReader reader = new BackupReader(t.store, t.keys());
    Manifest m = reader.verify(first.manifest().backupId());
    DataKey key = reader.backupKey(m);
    byte[] dump;
    try (InputStream in = reader.openPart(m, key, BackupWriter.DUMP_PART)) {
      dump = in.readAllBytes();
    } finally {
      key.destroy();
    }
    assertTrue(
        contains(dump, marker.getBytes(StandardCharsets.UTF_8)),
        "the control must find the tenant id");
    assertTrue(contains(dump, records.get(0).getBytes(StandardCharsets.US_ASCII)));
    // the PII itself was encrypted by the client: the name never reaches the dump in plaintext
    assertFalse(contains(dump, (marker + "-name-1").getBytes(StandardCharsets.UTF_8)));
  }

  static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
