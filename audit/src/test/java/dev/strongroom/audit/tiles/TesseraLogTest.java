package dev.strongroom.audit.tiles;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.audit.checkpoint.Checkpoint;
import dev.strongroom.audit.note.Ed25519NoteSigner;
import dev.strongroom.audit.note.Ed25519NoteVerifier;
import dev.strongroom.audit.tree.MerkleTree;
import dev.strongroom.audit.tree.Proofs;
import dev.strongroom.audit.worm.LocalDirWormStore;
import dev.strongroom.audit.worm.WormConflictException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The complete 15-entry tlog-tiles log of transparency-dev/tessera {@code testdata/log}
 * (testvectors/tessera/SOURCE.md): rebuilt entry by entry into a WORM directory, every tile, bundle
 * and signed checkpoint (sizes 0 to 15) must be byte for byte tessera's; read back, every
 * checkpoint verifies and every tile re-hashes to its root.
 */
class TesseraLogTest {
  static final List<String> ENTRIES =
      List.of(
          "one",
          "two",
          "three",
          "four",
          "five",
          "six",
          "seven",
          "eit",
          "nain",
          "ten",
          "ileven",
          "twelf",
          "threeten",
          "fourten",
          "fivten");
  static final String SKEY =
      "PRIVATE+KEY+example.com/log/testdata+33d7b496+AeymY/SZAX0jZcJ8enZ5FY1Dz+wTML2yWSkK+9DSF3eg";
  static final String VKEY =
      "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx";

  @TempDir Path tmp;

  static Path tessera() throws Exception {
    return Path.of(TesseraLogTest.class.getResource("/testvectors/tessera/log").toURI());
  }

  static Map<String, byte[]> files(Path root) throws Exception {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
      }
    }
    return out;
  }

  @Test
  void rebuildingTheLog_reproducesEveryObjectByteForByte() throws Exception {
    Ed25519NoteSigner signer = Ed25519NoteSigner.fromSignerKey(SKEY);
    assertEquals(VKEY, signer.verifierKey());
    LocalDirWormStore store = LocalDirWormStore.open(tmp.resolve("log"));
    TileLogWriter writer = new TileLogWriter(store);
    MerkleTree tree = new MerkleTree();
    store.put("checkpoint.0", Checkpoint.of(signer.name(), 0, tree.root()).sign(signer));
    for (int i = 0; i < ENTRIES.size(); i++) {
      tree.append(ENTRIES.get(i).getBytes(UTF_8));
      writer.write(tree, k -> ENTRIES.get((int) k).getBytes(UTF_8), i, i + 1);
      store.put(
          "checkpoint." + (i + 1), Checkpoint.of(signer.name(), i + 1, tree.root()).sign(signer));
    }
    store.put("checkpoint", store.get("checkpoint.15"));

    Map<String, byte[]> want = files(tessera());
    Map<String, byte[]> got = files(tmp.resolve("log"));
    assertEquals(want.keySet(), got.keySet());
    for (String name : want.keySet()) {
      assertArrayEquals(want.get(name), got.get(name), name);
    }
    assertEquals(47, want.size(), "16 checkpoints + the latest, 15 partial tiles, 15 bundles");
  }

  @Test
  void readingTheLog_everyCheckpointVerifies_andTheTilesRehashToIt() throws Exception {
    LocalDirWormStore store = LocalDirWormStore.open(tessera());
    Ed25519NoteVerifier key = Ed25519NoteVerifier.parse(VKEY);
    Checkpoint prev = null;
    for (int size = 0; size <= 15; size++) {
      Checkpoint c = Checkpoint.open(store.get("checkpoint." + size), key, List.of()).checkpoint();
      assertEquals(size, c.size());
      assertEquals("example.com/log/testdata", c.origin());
      TileLogReader r = new TileLogReader(store, size);
      if (size > 0) {
        List<byte[]> entries = r.verify(c.root());
        assertEquals(size, entries.size());
        assertEquals(ENTRIES.get(size - 1), new String(entries.get(size - 1), UTF_8));
        for (long i = 0; i < size; i++) {
          Proofs.verifyInclusion(
              i, size, r.node(0, i), Proofs.inclusionProof(r, i, size), c.root());
        }
      }
      if (prev != null && prev.size() > 0) {
        Proofs.verifyConsistency(
            prev.size(),
            size,
            Proofs.consistencyProof(r, prev.size(), size),
            prev.root(),
            c.root());
      }
      prev = c;
    }
  }

  @Test
  void anAlteredBundle_isNamed_andAForkedTileIsAConflict() throws Exception {
    LocalDirWormStore copy = LocalDirWormStore.open(tmp.resolve("copy"));
    for (Map.Entry<String, byte[]> e : files(tessera()).entrySet()) {
      byte[] b = e.getValue();
      if (e.getKey().equals("tile/entries/000.p/15")) {
        b = b.clone();
        b[b.length - 1] ^= 1; // "fivten" -> "fivteo"
      }
      copy.put(e.getKey(), b);
    }
    byte[] root =
        Checkpoint.open(copy.get("checkpoint.15"), Ed25519NoteVerifier.parse(VKEY), List.of())
            .checkpoint()
            .root();
    TileException e =
        assertThrows(TileException.class, () -> new TileLogReader(copy, 15).verify(root));
    assertEquals(
        "entry 14 of tile/entries/000.p/15 does not hash to its leaf in tile/0/000.p/15",
        e.getMessage());

    MerkleTree forked = new MerkleTree();
    for (String s : ENTRIES) {
      forked.append((s.equals("six") ? "SIX" : s).getBytes(UTF_8));
    }
    assertThrows(
        WormConflictException.class,
        () ->
            new TileLogWriter(copy)
                .write(forked, k -> ENTRIES.get((int) k).getBytes(UTF_8), 14, 15));
    assertTrue(copy.exists("tile/0/000.p/15"));
  }
}
