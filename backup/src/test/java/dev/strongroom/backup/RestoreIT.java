package dev.strongroom.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.provisioner.db.MariaDbBinaries;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code restore}: backup, drop the data schema, restore → the same rows and chain; a point in time
 * between two batches holds the first and not the second; an edited part, a removed binary log and
 * a wrong signature are refused with the part named, before any instance is made.
 */
class RestoreIT {
  static BackupTestDb t;
  static Manifest first;
  static Manifest second;
  static List<String> before = new ArrayList<>();
  static List<String> batch1 = new ArrayList<>();
  static List<String> batch2 = new ArrayList<>();
  static Instant between;
  static Map<String, Long> sourceRows;
  static String sourceHead;

  @BeforeAll
  static void setUp() throws Exception {
    t = new BackupTestDb("bk-rs-");
    BackupTestDb.TenantKey tk = t.tenantKey("tenant-a");
    before.addAll(t.store(tk, List.of("a", "b", "c")));
    t.awaitSealed();
    first = t.writer().backup(t.server(), t.keys(), t.store, t.base.resolve("work")).manifest();
    batch1.addAll(t.store(tk, List.of("d", "e")));
    Thread.sleep(1200);
    between = Instant.now();
    Thread.sleep(1200);
    batch2.addAll(t.store(t.tenantKey("tenant-b"), List.of("f", "g")));
    t.awaitSealed();
    second = t.writer().backup(t.server(), t.keys(), t.store, t.base.resolve("work")).manifest();
    sourceRows = Restorer.count(t.db, second.tables().keySet());
    sourceHead = head(t.db);
    // the disaster: the data schema is gone from the running instance
    t.db.sql("DROP DATABASE strongroom");
  }

  @AfterAll
  static void stop() {
    if (t != null) {
      t.close();
    }
  }

  Restorer restorer() {
    return new Restorer(DbTools.debian(), MariaDbBinaries.debian());
  }

  static String head(dev.strongroom.provisioner.db.MariaDbInstance db) {
    return db.sql("SELECT curr_hash FROM strongroom_audit.audit_chain ORDER BY seq DESC LIMIT 1")
        .stdout()
        .strip();
  }

  static Set<String> users(dev.strongroom.provisioner.db.MariaDbInstance db) {
    return new HashSet<>(
        List.of(db.sql("SELECT record_id FROM strongroom.users").stdout().strip().split("\n")));
  }

  @Test
  void restoreLatest_afterTheDataSchemaWasDropped_bringsBackTheSameRowsAndChain() {
    Path target = t.base.resolve("restore-latest");
    try (Restorer.Restored r =
        restorer()
            .restore(
                t.store,
                t.keys(),
                new Restorer.Request(Optional.empty(), Optional.empty()),
                t.settings(target))) {
      assertEquals(second.backupId(), r.base().backupId());
      assertEquals(second.tables(), r.rows());
      assertEquals(sourceRows, r.rows());
      assertEquals(second.auditHead().orElseThrow(), head(r.instance()));
      assertEquals(sourceHead, head(r.instance()));
      Set<String> all = new HashSet<>(before);
      all.addAll(batch1);
      all.addAll(batch2);
      assertEquals(all, users(r.instance()));
      // the restored procedures work for the identities, with the tenant authority's tokens
      String token =
          t.tokens.issue(
              "tenant-a", "restore-test", java.time.Duration.ofMinutes(5), BackupTestDb.CNF);
      var conn =
          dev.strongroom.provisioner.db.ClientConnection.tcp(r.instance().port(), "app_user")
              .tls(
                  t.pki.caCertPem(),
                  t.pki.client("app_user").certPem(),
                  t.pki.client("app_user").keyPem())
              .arg("--database=strongroom")
              .arg("--binary-as-hex");
      var res =
          r.instance()
              .client()
              .executeScript(
                  conn,
                  "CALL security_set_tenant('"
                      + token
                      + "');\nCALL app_get_user('"
                      + before.get(0)
                      + "');\n");
      assertEquals(0, res.exitCode(), res.stderr());
      assertTrue(res.stdout().contains(before.get(0)), res.stdout());
      // the restored instance is hardened like any other: every tablespace encrypted at rest
      assertEquals(
          "0",
          r.instance()
              .sql(
                  "SELECT COUNT(*) FROM information_schema.INNODB_TABLESPACES_ENCRYPTION"
                      + " WHERE ENCRYPTION_SCHEME = 0")
              .stdout()
              .strip());
    }
  }

  @Test
  void pointInTime_betweenTwoBatches_holdsTheFirstAndNotTheSecond() {
    Path target = t.base.resolve("restore-pitr");
    try (Restorer.Restored r =
        restorer()
            .restore(
                t.store,
                t.keys(),
                new Restorer.Request(Optional.empty(), Optional.of(between)),
                t.settings(target))) {
      assertEquals(first.backupId(), r.base().backupId());
      assertEquals(List.of(first.backupId(), second.backupId()), r.replayedBackups());
      Set<String> got = users(r.instance());
      assertTrue(got.containsAll(before), "the base backup's records");
      assertTrue(got.containsAll(batch1), "the first batch, replayed from the binary logs");
      for (String id : batch2) {
        assertFalse(got.contains(id), "the second batch is after the point in time: " + id);
      }
      assertEquals(before.size() + batch1.size(), got.size());
      assertEquals(
          "0",
          r.instance()
              .sql("SELECT COUNT(*) FROM strongroom.tenants WHERE tenant_id = 'tenant-b'")
              .stdout()
              .strip());
    }
  }

  /** A copy of the store to tamper with (the real one is create-only for everyone but root). */
  static TestDirectoryStore copyOfStore(String name) throws IOException {
    Path copy = t.base.resolve(name);
    try (Stream<Path> s = Files.walk(t.wormDir)) {
      for (Path p : s.toList()) {
        Path dst = copy.resolve(t.wormDir.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dst);
        } else {
          Files.copy(p, dst);
          dst.toFile().setWritable(true);
        }
      }
    }
    return new TestDirectoryStore(copy);
  }

  BackupException refusal(TestDirectoryStore store, Restorer.Request req, Path target) {
    BackupException e =
        assertThrows(
            BackupException.class,
            () -> restorer().restore(store, t.keys(), req, t.settings(target)).close());
    assertFalse(Files.exists(target), "nothing is made before the backup verified");
    return e;
  }

  @Test
  void editedPart_refused_namingThePart() throws IOException {
    TestDirectoryStore s = copyOfStore("worm-edited");
    Path part = s.root.resolve("backups/" + second.backupId() + "/" + BackupWriter.DUMP_PART);
    byte[] b = Files.readAllBytes(part);
    b[b.length / 2] ^= 0x01;
    Files.write(part, b);
    BackupException e =
        refusal(
            s,
            new Restorer.Request(Optional.empty(), Optional.empty()),
            t.base.resolve("r-edited"));
    assertEquals(BackupException.Reason.PART_DIGEST_MISMATCH, e.reason());
    assertEquals(Optional.of(BackupWriter.DUMP_PART), e.part());
  }

  @Test
  void removedBinlog_refused_namingThePart() throws IOException {
    TestDirectoryStore s = copyOfStore("worm-nobinlog");
    String file = second.binlogFiles().get(0);
    String part = BackupWriter.BINLOG_DIR + file + ".gz.enc";
    Files.delete(s.root.resolve("backups/" + second.backupId() + "/" + part));
    BackupException e =
        refusal(
            s,
            new Restorer.Request(Optional.empty(), Optional.of(between)),
            t.base.resolve("r-nobinlog"));
    assertEquals(BackupException.Reason.PART_MISSING, e.reason());
    assertEquals(Optional.of(part), e.part());
  }

  @Test
  void wrongSignature_refused_namingTheSignature() throws IOException {
    TestDirectoryStore s = copyOfStore("worm-badsig");
    Path dir = s.root.resolve("backups/" + second.backupId());
    // an insider re-signs an edited manifest with a key of their own
    byte[] manifest = Files.readAllBytes(dir.resolve(Manifest.FILE));
    String edited = new String(manifest, StandardCharsets.UTF_8).replace("\"size\":", "\"size\":1");
    Files.writeString(dir.resolve(Manifest.FILE), edited);
    SigningKey mallory = SigningKey.generate();
    Files.writeString(
        dir.resolve(Manifest.SIGNATURE_FILE),
        new BackupKeys(t.kms, Optional.of(mallory), mallory.publicKey())
            .sign(edited.getBytes(StandardCharsets.UTF_8)));
    BackupException e =
        refusal(
            s,
            new Restorer.Request(Optional.empty(), Optional.empty()),
            t.base.resolve("r-badsig"));
    assertEquals(BackupException.Reason.SIGNATURE_INVALID, e.reason());
    assertEquals(Optional.of(Manifest.SIGNATURE_FILE), e.part());
  }

  @Test
  void targetNotFresh_refused() throws IOException {
    Path target = t.base.resolve("r-used");
    Files.createDirectories(target.resolve("data"));
    BackupException e =
        assertThrows(
            BackupException.class,
            () ->
                restorer()
                    .restore(
                        t.store,
                        t.keys(),
                        new Restorer.Request(Optional.empty(), Optional.empty()),
                        t.settings(target))
                    .close());
    assertEquals(BackupException.Reason.TARGET_NOT_FRESH, e.reason());
  }
}
