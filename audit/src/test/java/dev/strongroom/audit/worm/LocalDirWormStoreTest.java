package dev.strongroom.audit.worm;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalDirWormStoreTest {
  @TempDir Path dir;

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void put_createsAReadOnlyFile_thenSameBytesAreAlreadyPresent() throws Exception {
    LocalDirWormStore s = LocalDirWormStore.open(dir.resolve("worm"));
    String name = "checkpoints/strongroom.local_db1/20261204T090000.000Z-15.note";
    assertEquals(PutOutcome.CREATED, s.put(name, b("note")));
    assertEquals(PutOutcome.ALREADY_PRESENT, s.put(name, b("note")));
    Path f = dir.resolve("worm").resolve(name);
    assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    assertArrayEquals(b("note"), s.get(name));
    assertTrue(s.exists(name));
    assertTrue(s.location().startsWith("file:/"), s.location());
  }

  @Test
  void otherBytes_areAConflict_namingBothDigests_andTheObjectIsUnchanged() throws Exception {
    LocalDirWormStore s = LocalDirWormStore.open(dir);
    s.put("tile/0/000", b("first"));
    WormConflictException e =
        assertThrows(WormConflictException.class, () -> s.put("tile/0/000", b("second")));
    assertEquals("tile/0/000", e.name());
    assertFalse(e.retriable());
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    assertArrayEquals(md.digest(b("first")), e.existingSha256());
    assertArrayEquals(md.digest(b("second")), e.attemptedSha256());
    assertTrue(
        e.getMessage().contains(HexFormat.of().formatHex(md.digest(b("first")))), e.getMessage());
    assertArrayEquals(b("first"), s.get("tile/0/000"));
  }

  @Test
  void anObjectAlteredOnDisk_isAConflictWhenRewritten_neverRestoredSilently() throws Exception {
    LocalDirWormStore s = LocalDirWormStore.open(dir);
    s.put("tile/entries/000", b("bundle"));
    Path f = dir.resolve("tile/entries/000");
    f.toFile().setWritable(true);
    Files.write(f, b("tampered"));
    assertThrows(WormConflictException.class, () -> s.put("tile/entries/000", b("bundle")));
    assertArrayEquals(b("tampered"), Files.readAllBytes(f));
  }

  @Test
  void get_ofAMissingObject_isTypedNotFound() {
    LocalDirWormStore s = LocalDirWormStore.open(dir);
    WormObjectNotFoundException e =
        assertThrows(WormObjectNotFoundException.class, () -> s.get("checkpoints/none"));
    assertEquals("checkpoints/none", e.name());
    assertEquals(Optional.empty(), s.find("checkpoints/none"));
    assertFalse(s.exists("checkpoints/none"));
  }

  @Test
  void list_byPrefix_isSorted_andSkipsTemporaryFiles() throws Exception {
    LocalDirWormStore s = LocalDirWormStore.open(dir);
    for (String n :
        List.of("tile/1/000", "tile/0/001", "tile/0/000.p/5", "tile/0/000", "tile0-x")) {
      s.put(n, b(n));
    }
    s.put("checkpoints/o/a.note", b("a"));
    Files.write(dir.resolve("tile/0/.tmp-123.part"), b("half-written"));
    assertEquals(List.of("tile/0/000", "tile/0/000.p/5", "tile/0/001"), s.list("tile/0/"));
    assertEquals(
        List.of("tile/0/000", "tile/0/000.p/5", "tile/0/001", "tile/1/000", "tile0-x"),
        s.list("tile"));
    assertEquals(6, s.list("").size());
    assertEquals(List.of(), s.list("nothing/here"));
  }

  @Test
  void badNames_areRefused_andNothingEscapesTheRoot() {
    LocalDirWormStore s = LocalDirWormStore.open(dir.resolve("root"));
    for (String bad :
        List.of(
            "",
            "/abs",
            "a//b",
            "../x",
            "a/../../x",
            ".hidden",
            "a/.tmp-1.part",
            "a\\b",
            "a b",
            "a/",
            "é")) {
      assertThrows(IllegalArgumentException.class, () -> s.put(bad, b("x")), bad);
    }
    assertFalse(Files.exists(dir.resolve("x")));
  }

  @Test
  void aNameThatIsADirectory_isRefused_notReplaced() {
    LocalDirWormStore s = LocalDirWormStore.open(dir);
    s.put("tile/0/000", b("t"));
    WormStoreException e = assertThrows(WormStoreException.class, () -> s.put("tile/0", b("x")));
    assertFalse(e.retriable());
    assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
    assertThrows(WormStoreException.class, () -> s.put("tile/0/000/x", b("x")));
  }

  @Test
  void concurrentPuts_createExactlyOnce_andOtherBytesConflict() throws Exception {
    LocalDirWormStore s = LocalDirWormStore.open(dir);
    int n = 8;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Object>> results = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        byte[] bytes = b(k % 2 == 0 ? "even" : "odd");
        Callable<Object> put =
            () -> {
              go.await();
              try {
                return s.put("race/one", bytes);
              } catch (WormConflictException e) {
                return e;
              }
            };
        results.add(pool.submit(put));
      }
      go.countDown();
      int created = 0;
      int present = 0;
      int conflicts = 0;
      for (Future<Object> f : results) {
        Object o = f.get();
        if (o == PutOutcome.CREATED) {
          created++;
        } else if (o == PutOutcome.ALREADY_PRESENT) {
          present++;
        } else {
          conflicts++;
        }
      }
      assertEquals(1, created);
      assertEquals(3, present);
      assertEquals(4, conflicts);
    } finally {
      pool.shutdownNow();
    }
    try (Stream<Path> left = Files.list(dir.resolve("race"))) {
      assertEquals(List.of("one"), left.map(p -> p.getFileName().toString()).toList());
    }
  }
}
