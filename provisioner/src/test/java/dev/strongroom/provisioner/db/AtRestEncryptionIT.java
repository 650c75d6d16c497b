package dev.strongroom.provisioner.db;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strongroom.provisioner.pki.PkiDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §6 invariant 11 (and the storage half of 8): a marker written through SQL never reaches a
 * file in plaintext — not the tablespaces, the redo log, the undo log, the system tablespace, the
 * binary log, the temporary files or the logs — both while the server runs (dirty pages flushed,
 * binlog rotated) and after a clean shutdown. The same byte search finds the marker in a plaintext
 * control file, and after a restart SQL reads the marker back, so the absence is encryption, not
 * loss.
 */
class AtRestEncryptionIT {
  private Path base;
  private MariaDbInstance db;

  @AfterEach
  void cleanup() {
    try {
      if (db != null) {
        db.stop();
      }
    } finally {
      TestInstances.deleteTree(base);
    }
  }

  @Test
  void marker_isAbsentFromEveryFile_runningAndStopped_yetReadable() throws Exception {
    base = TestInstances.tempBase("sr-atrest-");
    PkiDirectory pki = TestInstances.pki(base);
    db = MariaDbInstance.prepare(TestInstances.settings(base, pki), MariaDbBinaries.debian());
    db.start();
    db.applyAccounts(DbAccount.strongroomIdentities(pki));
    String marker = "SRMARKER-" + UUID.randomUUID();

    db.sql(
        "CREATE TABLE strongroom.pii (id INT PRIMARY KEY AUTO_INCREMENT, v VARCHAR(200) NOT NULL)");
    db.sql("INSERT INTO strongroom.pii (v) VALUES ('" + marker + "-insert')");
    // an update leaves the old image in the undo log
    db.sql(
        "INSERT INTO strongroom.pii (v) VALUES ('"
            + marker
            + "-old'); "
            + "UPDATE strongroom.pii SET v = '"
            + marker
            + "-new' WHERE v = '"
            + marker
            + "-old'");
    // an on-disk internal temporary table and a temporary InnoDB table
    db.sql(
        "CREATE TEMPORARY TABLE strongroom.t (v VARCHAR(200)) ENGINE=InnoDB; "
            + "INSERT INTO strongroom.t VALUES ('"
            + marker
            + "-temp'); "
            + "SET SESSION max_heap_table_size = 16384, tmp_table_size = 16384; "
            + "SELECT COUNT(*) FROM (SELECT v, seq FROM strongroom.pii, strongroom.seq_1_to_2000 ORDER BY v, seq DESC) x");
    // Definitions (no data) whose bodies MariaDB stores outside encrypted tablespaces.
    String gap = "SRDEF-" + UUID.randomUUID();
    db.sql(
        "CREATE PROCEDURE strongroom.p() SELECT '"
            + gap
            + "-proc'; "
            + "CREATE TRIGGER strongroom.tr BEFORE INSERT ON strongroom.pii FOR EACH ROW SET @x = '"
            + gap
            + "-trigger'; "
            + "CREATE VIEW strongroom.v AS SELECT '"
            + gap
            + "-view' AS c");
    db.sql("FLUSH BINARY LOGS");
    db.sql(
        "SET GLOBAL innodb_max_dirty_pages_pct_lwm = 0.001; SET GLOBAL innodb_max_dirty_pages_pct = 0");
    awaitNoDirtyPages();

    assertEquals(
        List.of(), filesContaining(base, marker), "running: plaintext marker found on disk");
    assertEquals(
        List.of(List.of("strongroom/pii", "1")),
        db.sql(
                "SELECT NAME, ENCRYPTION_SCHEME FROM information_schema.INNODB_TABLESPACES_ENCRYPTION"
                    + " WHERE NAME = 'strongroom/pii'")
            .rows());
    assertEquals(
        "0",
        db.sql(
                "SELECT COUNT(*) FROM information_schema.INNODB_TABLESPACES_ENCRYPTION"
                    + " WHERE ENCRYPTION_SCHEME = 0")
            .scalar(),
        "an unencrypted InnoDB tablespace exists");

    db.stop();
    assertEquals(
        List.of(), filesContaining(base, marker), "stopped: plaintext marker found on disk");

    // The documented gaps, exactly: Aria system tables themselves are encrypted
    // (aria_encrypt_tables
    // was on when mariadb-install-db created them), but the Aria log, .TRG and .frm files are not.
    Path data = db.layout().dataDir();
    assertEquals(
        List.of(data.resolve("aria_log.00000001")),
        filesContaining(data, "/O=Strongroom/OU=db/CN=app_user"),
        "grant rows: only in the Aria log");
    // and the audit log records DDL text by design (binary log: encrypted)
    assertEquals(
        List.of(db.layout().auditLog()), filesContaining(db.layout().logDir(), gap + "-view"));
    assertEquals(List.of(), filesContaining(db.layout().binlogDir(), gap));
    assertEquals(
        List.of(data.resolve("aria_log.00000001")),
        filesContaining(data, gap + "-proc"),
        "routine body: only in the Aria log");
    assertEquals(
        List.of(data.resolve("strongroom/pii.TRG")),
        filesContaining(data, gap + "-trigger"),
        "trigger body: in the .TRG file");
    assertEquals(
        List.of(data.resolve("strongroom/v.frm")),
        filesContaining(data, gap + "-view"),
        "view body: in the .frm file");

    // Positive control: the same search does find a plaintext copy.
    Path control = base.resolve("control.txt");
    Files.writeString(control, "xx" + marker + "xx");
    assertEquals(List.of(control), filesContaining(base, marker));
    Files.delete(control);

    db.start();
    assertEquals(
        "2", db.sql("SELECT COUNT(*) FROM strongroom.pii WHERE v LIKE '" + marker + "%'").scalar());
    System.out.println(
        "[AtRestEncryptionIT] restart ready in " + db.lastStartDuration().toMillis() + " ms");

    // A second prepare on the same directory while the server runs: refused, nothing rewritten.
    byte[] keyFile = Files.readAllBytes(db.layout().keyringDir().resolve("keys.enc"));
    byte[] optionFile = Files.readAllBytes(db.layout().optionFile());
    InstanceException busy =
        assertThrows(
            InstanceException.class,
            () ->
                MariaDbInstance.prepare(
                    TestInstances.settings(base, pki), MariaDbBinaries.debian()));
    assertEquals(
        "UNAVAILABLE: a server (pid "
            + db.pid()
            + ") is already running on "
            + db.layout().dataDir()
            + "; stop it first",
        busy.getMessage());
    assertArrayEquals(keyFile, Files.readAllBytes(db.layout().keyringDir().resolve("keys.enc")));
    assertArrayEquals(optionFile, Files.readAllBytes(db.layout().optionFile()));

    // Re-running prepare after a stop is idempotent: same keys, no re-initialisation, data
    // readable.
    db.stop();
    db = MariaDbInstance.prepare(TestInstances.settings(base, pki), MariaDbBinaries.debian());
    db.start();
    assertEquals(
        "2", db.sql("SELECT COUNT(*) FROM strongroom.pii WHERE v LIKE '" + marker + "%'").scalar());
  }

  private void awaitNoDirtyPages() throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      String dirty =
          db.sql(
                  "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS"
                      + " WHERE VARIABLE_NAME = 'INNODB_BUFFER_POOL_PAGES_DIRTY'")
              .scalar();
      if ("0".equals(dirty)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("dirty pages were not flushed within 10 s");
  }

  /** Every regular file under {@code root} whose bytes contain {@code marker} (ASCII). */
  static List<Path> filesContaining(Path root, String marker) throws IOException {
    byte[] needle = marker.getBytes(StandardCharsets.US_ASCII);
    List<Path> hits = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(p) && contains(Files.readAllBytes(p), needle)) {
          hits.add(p);
        }
      }
    }
    return hits;
  }

  private static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i <= hay.length - needle.length; i++) {
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
