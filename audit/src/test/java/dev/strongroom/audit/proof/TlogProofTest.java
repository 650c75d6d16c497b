package dev.strongroom.audit.proof;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.audit.note.CosignatureV1Signer;
import dev.strongroom.audit.note.CosignatureV1Verifier;
import dev.strongroom.audit.note.Ed25519NoteVerifier;
import dev.strongroom.audit.note.NoteSignature;
import dev.strongroom.audit.note.NoteVerificationException;
import dev.strongroom.audit.note.Notes;
import dev.strongroom.audit.tiles.TileLogReader;
import dev.strongroom.audit.tree.InvalidProofException;
import dev.strongroom.audit.tree.Proofs;
import dev.strongroom.audit.tree.Rfc6962;
import dev.strongroom.audit.worm.LocalDirWormStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Receipts over tessera's 15-entry log (testvectors/tessera/SOURCE.md), cosigned by a witness. */
class TlogProofTest {
  static final String VKEY =
      "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx";

  private static LocalDirWormStore tessera() throws Exception {
    return LocalDirWormStore.open(
        Path.of(TlogProofTest.class.getResource("/testvectors/tessera/log").toURI()));
  }

  private static byte[] cosigned(byte[] note, CosignatureV1Signer w) {
    Notes.Parsed p = Notes.parse(note);
    List<NoteSignature> sigs = new ArrayList<>(p.signatures());
    sigs.add(w.cosign(p.text(), 1764840000L));
    return Notes.encode(p.text(), sigs);
  }

  @Test
  void receipt_roundTrips_andVerifiesOffline_withAWitnessCosignature() throws Exception {
    LocalDirWormStore log = tessera();
    CosignatureV1Signer w = CosignatureV1Signer.fromSeed("witness.example/w1", new byte[32]);
    byte[] note = cosigned(log.get("checkpoint.15"), w);
    TileLogReader r = new TileLogReader(log, 15);
    TlogProof p =
        new TlogProof(Optional.of("six".getBytes(UTF_8)), 5, Proofs.inclusionProof(r, 5, 15), note);
    byte[] enc = p.encode();
    String text = new String(enc, UTF_8);
    assertTrue(text.startsWith("c2sp.org/tlog-proof@v1\nextra c2l4\nindex 5\n"), text);
    assertTrue(text.contains("\n\nexample.com/log/testdata\n15\n"), text);
    TlogProof back = TlogProof.parse(enc);
    assertArrayEquals(enc, back.encode());
    TlogProof.Verified v =
        back.verify(
            Rfc6962.leafHash("six".getBytes(UTF_8)),
            Ed25519NoteVerifier.parse(VKEY),
            List.of(w.verifier()),
            1);
    assertEquals(15, v.checkpoint().size());
    assertEquals("witness.example/w1", v.cosignatures().get(0).name());
  }

  @Test
  void anotherEntry_anotherLogKey_tooFewCosignatures_areEachRefused() throws Exception {
    LocalDirWormStore log = tessera();
    TileLogReader r = new TileLogReader(log, 15);
    TlogProof p = TlogProof.of(5, Proofs.inclusionProof(r, 5, 15), log.get("checkpoint.15"));
    Ed25519NoteVerifier key = Ed25519NoteVerifier.parse(VKEY);
    assertThrows(
        InvalidProofException.class,
        () -> p.verify(Rfc6962.leafHash("seven".getBytes(UTF_8)), key, List.of(), 0));
    Ed25519NoteVerifier other =
        dev.strongroom.audit.note.Ed25519NoteSigner.fromSeed(
                "example.com/log/testdata", new byte[32])
            .verifier();
    assertThrows(
        NoteVerificationException.class,
        () -> p.verify(Rfc6962.leafHash("six".getBytes(UTF_8)), other, List.of(), 0));
    CosignatureV1Verifier w =
        CosignatureV1Signer.fromSeed("witness.example/w1", new byte[32]).verifier();
    InvalidTlogProofException e =
        assertThrows(
            InvalidTlogProofException.class,
            () -> p.verify(Rfc6962.leafHash("six".getBytes(UTF_8)), key, List.of(w), 1));
    assertEquals(
        "checkpoint has 0 valid cosignature(s) of known witnesses, 1 required", e.getMessage());
  }

  @Test
  void malformedReceipts_areRefused() {
    for (String bad :
        List.of(
            "c2sp.org/tlog-proof@v2\nindex 0\n\nx\n",
            "c2sp.org/tlog-proof@v1\nindex 01\n\nx\n",
            "c2sp.org/tlog-proof@v1\nindex 1\nnot-base64!\n\nx\n",
            "c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\nx\n",
            "c2sp.org/tlog-proof@v1\nindex 1\n")) {
      assertThrows(
          InvalidTlogProofException.class, () -> TlogProof.parse(bad.getBytes(UTF_8)), bad);
    }
  }
}
