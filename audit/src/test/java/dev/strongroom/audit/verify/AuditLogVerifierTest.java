package dev.strongroom.audit.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.audit.AuditException;
import dev.strongroom.audit.chain.AuditEvent;
import dev.strongroom.audit.chain.ChainHash;
import dev.strongroom.audit.chain.ChainRow;
import dev.strongroom.audit.checkpoint.Checkpoint;
import dev.strongroom.audit.note.CosignatureV1Signer;
import dev.strongroom.audit.note.Ed25519NoteSigner;
import dev.strongroom.audit.note.NoteSignature;
import dev.strongroom.audit.note.Notes;
import dev.strongroom.audit.proof.InvalidTlogProofException;
import dev.strongroom.audit.proof.TlogProof;
import dev.strongroom.audit.tiles.TileLogWriter;
import dev.strongroom.audit.tree.MerkleTree;
import dev.strongroom.audit.tree.Rfc6962;
import dev.strongroom.audit.worm.LocalDirWormStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * verify-audit against a real create-only directory, by attack: a row edited and re-chained to the
 * head, a row edited with the chain left broken, a truncated chain, a forked checkpoint, a
 * checkpoint whose text was edited, a bundle altered or deleted — each named with its seq.
 */
class AuditLogVerifierTest {
  private static final String ORIGIN = "strongroom.local/verify-test";
  private static final Ed25519NoteSigner KEY =
      Ed25519NoteSigner.fromSeed(ORIGIN, HexFormat.of().parseHex("11".repeat(32)));

  @TempDir Path dir;
  private LocalDirWormStore store;
  private List<ChainRow> rows;
  private final List<String> names = new ArrayList<>();

  private static AuditEvent event(long id, String tenant) {
    return new AuditEvent(
        id,
        "2026-12-04 09:00:00.000000",
        "app_user@127.0.0.1",
        "audit_definer@localhost",
        tenant,
        "INSERT",
        "users",
        "{\"id\":" + id + "}",
        null,
        "{\"id\":" + id + "}",
        "req-" + id);
  }

  /** Rows {@code 1..n} chained by the library; {@code edits} changes the tenant of one event. */
  private static List<ChainRow> chain(int n, long editedSeq, boolean rechain) {
    List<ChainRow> out = new ArrayList<>();
    String prev = ChainHash.GENESIS;
    for (int k = 1; k <= n; k++) {
      AuditEvent honest = event(k, "t");
      AuditEvent stored = k == editedSeq ? event(k, "someone-else") : honest;
      String h = ChainHash.hash(prev, (rechain ? stored : honest).payload());
      out.add(new ChainRow(k, k, prev, h, stored));
      prev = h;
    }
    return out;
  }

  /** Publishes checkpoints at the given sizes from {@code rows}, as the anchor service does. */
  private void publish(List<ChainRow> from, long... sizes) {
    MerkleTree tree = new MerkleTree();
    long written = 0;
    int second = 0;
    for (long size : sizes) {
      while (tree.size() < size) {
        tree.append(HexFormat.of().parseHex(from.get((int) tree.size()).currHash()));
      }
      new TileLogWriter(store)
          .write(tree, i -> HexFormat.of().parseHex(from.get((int) i).currHash()), written, size);
      written = size;
      String name =
          AuditLogVerifier.checkpointPrefix(ORIGIN)
              + String.format("20261204T0900%02d.000Z-%d.note", second++, size);
      store.put(name, Checkpoint.of(ORIGIN, size, tree.root()).sign(KEY));
      names.add(name);
    }
  }

  private AuditLogVerifier.Report verify(List<ChainRow> db) {
    return AuditLogVerifier.verify(store, KEY.verifier(), db.iterator());
  }

  @BeforeEach
  void publishAnHonestLog() {
    store = LocalDirWormStore.open(dir.resolve("worm"));
    rows = chain(305, 0, false);
    publish(rows, 0, 100, 300);
  }

  @Test
  void honestLog_isOk_withRowsPastTheNewestCheckpoint() {
    AuditLogVerifier.Report r = verify(rows);
    assertEquals("OK 305 events, 3 checkpoints", r.line());
    assertTrue(r.ok());
    assertEquals(300, r.anchored());
  }

  @Test
  void aRowEditedAndRechainedToTheHead_isNamedFromTheAnchors() {
    List<ChainRow> rewritten = chain(305, 42, true);
    assertEquals(
        "DIVERGED at seq 42: the database's curr_hash "
            + rewritten.get(41).currHash()
            + " is not the anchored "
            + rows.get(41).currHash()
            + " (checkpoint "
            + names.get(2)
            + "): the chain was rewritten after it was anchored",
        verify(rewritten).line());
  }

  @Test
  void aRowEditedWithTheChainLeftBroken_isNamed() {
    assertEquals(
        "DIVERGED at seq 42: curr_hash does not match event 42 recomputed: the event or the chain"
            + " row was edited",
        verify(chain(305, 42, false)).line());
  }

  @Test
  void aTruncatedChain_isNamedAtTheFirstMissingSeq() {
    assertEquals(
        "DIVERGED at seq 251: the database's chain ends at seq 250 but "
            + names.get(2)
            + " anchored 300 events: the chain was truncated after it was anchored",
        verify(rows.subList(0, 250)).line());
  }

  @Test
  void aForkedCheckpoint_signedByTheLogKey_withItsOwnTiles_isNotConsistent() {
    // a second writer (or a stolen key) forks at seq 200 and publishes size 350 with every tile
    // it can add: create-only keeps the honest full tiles, so it adds only new (partial) names
    List<ChainRow> fork = chain(350, 200, true);
    MerkleTree t = new MerkleTree();
    fork.forEach(r -> t.append(HexFormat.of().parseHex(r.currHash())));
    LocalDirWormStore scratch = LocalDirWormStore.open(dir.resolve("fork"));
    new TileLogWriter(scratch)
        .write(t, i -> HexFormat.of().parseHex(fork.get((int) i).currHash()), 0, 350);
    for (String n : scratch.list("tile/")) {
      if (!store.exists(n)) {
        store.put(n, scratch.get(n));
      }
    }
    String name = AuditLogVerifier.checkpointPrefix(ORIGIN) + "20261204T090100.000Z-350.note";
    store.put(name, Checkpoint.of(ORIGIN, 350, t.root()).sign(KEY));
    assertEquals(
        "DIVERGED at seq 101: the stored entries do not hash to the root of checkpoint "
            + names.get(2)
            + " (size 300): the checkpoints are not consistent",
        verify(rows).line());
  }

  @Test
  void aCheckpointWhoseTextWasEdited_failsItsSignature() throws IOException {
    Path f = store.root().resolve(names.get(1));
    f.toFile().setWritable(true);
    Files.writeString(f, Files.readString(f).replace("\n100\n", "\n99\n"));
    AuditLogVerifier.Report r = verify(rows);
    assertEquals(1L, r.divergedAt(), r.line());
    assertTrue(r.why().startsWith("checkpoint " + names.get(1) + ": "), r.why());
  }

  @Test
  void anAlteredBundle_namesTheEntry_andADeletedOneNamesTheObject() throws IOException {
    Path bundle = store.root().resolve("tile/entries/000");
    bundle.toFile().setWritable(true);
    byte[] b = Files.readAllBytes(bundle);
    b[2 + 34 * 7] ^= 1; // entry 7's first byte (each entry: 2-byte length + 32 bytes)
    Files.write(bundle, b);
    assertEquals(
        "DIVERGED at seq 8: entry 7 in tile/entries/000 does not hash to its leaf in tile/0/000",
        verify(rows).line());
    Files.delete(bundle);
    AuditLogVerifier.Report r = verify(rows);
    assertEquals(1L, r.divergedAt());
    assertTrue(r.why().startsWith("tile/entries/000 is missing from "), r.why());
  }

  @Test
  void aReceipt_verifiesOffline_andNotForARewrittenHash_norBeyondTheAnchors() {
    TlogProof p = Receipts.receipt(store, KEY.verifier(), 42, rows.get(41).currHash());
    TlogProof parsed = TlogProof.parse(p.encode());
    assertTrue(
        new String(p.encode(), StandardCharsets.UTF_8)
            .startsWith("c2sp.org/tlog-proof@v1\nindex 41\n"));
    assertEquals(
        300,
        parsed
            .verify(
                Rfc6962.leafHash(HexFormat.of().parseHex(rows.get(41).currHash())),
                KEY.verifier(),
                List.of(),
                0)
            .checkpoint()
            .size());
    String forged = chain(305, 42, true).get(41).currHash();
    assertThrows(
        AuditException.class,
        () ->
            parsed.verify(
                Rfc6962.leafHash(HexFormat.of().parseHex(forged)), KEY.verifier(), List.of(), 0));
    assertThrows(AuditException.class, () -> Receipts.receipt(store, KEY.verifier(), 42, forged));
    Receipts.ReceiptException e =
        assertThrows(
            Receipts.ReceiptException.class,
            () -> Receipts.receipt(store, KEY.verifier(), 301, rows.get(300).currHash()));
    assertEquals(
        "seq 301 is not anchored yet (the newest checkpoint has 300 events)", e.getMessage());
  }

  private static final CosignatureV1Signer WITNESS =
      CosignatureV1Signer.fromSeed(
          "witness.example/receipts", HexFormat.of().parseHex("22".repeat(32)));

  /**
   * Keeps {@code signer}'s cosigned copy of checkpoint {@code name}, as the anchor service does.
   */
  private void cosign(String name, CosignatureV1Signer signer) {
    Notes.Parsed note = Notes.parse(store.get(name));
    List<NoteSignature> sigs = new ArrayList<>(note.signatures());
    sigs.add(signer.cosign(note.text(), 1_764_838_800L));
    store.put(
        AuditLogVerifier.cosignaturePrefix(name) + signer.name().replace('/', '_') + ".note",
        Notes.encode(note.text(), sigs));
  }

  private static TlogProof.Verified check(TlogProof p, ChainRow row, int witnesses) {
    return TlogProof.parse(p.encode())
        .verify(
            Rfc6962.leafHash(HexFormat.of().parseHex(row.currHash())),
            KEY.verifier(),
            List.of(WITNESS.verifier()),
            witnesses);
  }

  @Test
  void aReceipt_carriesTheWitnessCosignature_andVerifiesOfflineWithTheLogAndWitnessKeys() {
    // the witness cosigned the checkpoint of size 100, not yet the newest (300)
    cosign(names.get(1), WITNESS);
    TlogProof p =
        Receipts.receipt(
            store, KEY.verifier(), List.of(WITNESS.verifier()), 42, rows.get(41).currHash());
    String text = new String(p.encode(), StandardCharsets.UTF_8);
    assertTrue(text.contains("\n100\n"), "against the cosigned checkpoint of size 100: " + text);
    assertTrue(text.contains("\u2014 witness.example/receipts "), "the cosignature line: " + text);
    TlogProof.Verified v = check(p, rows.get(41), 1);
    assertEquals(100, v.checkpoint().size());
    assertEquals(
        List.of("witness.example/receipts"),
        v.cosignatures().stream().map(NoteSignature::name).toList());
    // another witness's key: the cosignature is not one it knows
    CosignatureV1Signer other =
        CosignatureV1Signer.fromSeed(
            "witness.example/receipts", HexFormat.of().parseHex("33".repeat(32)));
    assertThrows(
        InvalidTlogProofException.class,
        () ->
            TlogProof.parse(p.encode())
                .verify(
                    Rfc6962.leafHash(HexFormat.of().parseHex(rows.get(41).currHash())),
                    KEY.verifier(),
                    List.of(other.verifier()),
                    1));
    // an event past the cosigned size: the newest checkpoint, without a cosignature
    TlogProof late =
        Receipts.receipt(
            store, KEY.verifier(), List.of(WITNESS.verifier()), 200, rows.get(199).currHash());
    assertEquals(300, check(late, rows.get(199), 0).checkpoint().size());
    assertThrows(InvalidTlogProofException.class, () -> check(late, rows.get(199), 1));
    // once the newest is cosigned, every receipt is against it, cosigned
    cosign(names.get(2), WITNESS);
    TlogProof.Verified now =
        check(
            Receipts.receipt(store, KEY.verifier(), 42, rows.get(41).currHash()), rows.get(41), 1);
    assertEquals(300, now.checkpoint().size());
  }

  @Test
  void aForgedCosignature_orACopyOfAnotherCheckpoint_isRefused() {
    cosign(names.get(2), WITNESS);
    String copy =
        AuditLogVerifier.cosignaturePrefix(names.get(2)) + "witness.example_receipts.note";
    byte[] good = store.get(copy);
    Path file = dir.resolve("worm").resolve(copy);
    file.toFile().setWritable(true);
    byte[] forged = good.clone();
    int at = forged.length - 20; // inside the cosignature's base64
    forged[at] = (byte) (forged[at] == 'A' ? 'B' : 'A');
    try {
      Files.write(file, forged);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThrows(
        AuditException.class,
        () ->
            Receipts.receipt(
                store, KEY.verifier(), List.of(WITNESS.verifier()), 42, rows.get(41).currHash()));
    // a copy that is of another checkpoint's text
    store.put(
        AuditLogVerifier.cosignaturePrefix(names.get(2)) + "witness.example_other.note",
        store.get(names.get(1)));
    AuditException e =
        assertThrows(
            AuditException.class,
            () -> Receipts.receipt(store, KEY.verifier(), 42, rows.get(41).currHash()));
    assertTrue(
        e.getMessage().contains("is a cosigned copy of another checkpoint than"), e.getMessage());
  }

  @Test
  void firstSeqOf_aTileName() {
    assertEquals(1, AuditLogVerifier.firstSeqOf("nothing named"));
    assertEquals(257, AuditLogVerifier.firstSeqOf("tile/entries/001.p/7 is missing"));
    assertEquals(256 * 256 * 2 + 1, AuditLogVerifier.firstSeqOf("hash 3 of tile/1/002 differs"));
  }
}
