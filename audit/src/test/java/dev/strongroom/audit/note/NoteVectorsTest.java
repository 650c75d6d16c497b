package dev.strongroom.audit.note;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Published vectors: golang.org/x/mod {@code sumdb/note/note_test.go} TestSign / TestOpen (commit
 * fe2ec04f7c3c3aa6fad97631aafcff6e49e2d1db) and the C2SP signed-note example (C2SP/C2SP {@code
 * signed-note.md}, commit 5ba5ee830903e91240fc6f9f3a7a9293d49e69c9).
 */
class NoteVectorsTest {
  static final String PETER_SKEY =
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
  static final String PETER_VKEY =
      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
  static final String ENOCH_VKEY =
      "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
  static final String TEXT =
      "If you think cryptography is the answer to your problem,\n"
          + "then you don't know what your problem is.\n";
  static final String PETER_SIG =
      "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
  static final String ENOCH_SIG =
      "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

  @Test
  void goSumdbNote_TestSign_byteForByte() {
    Ed25519NoteSigner s = Ed25519NoteSigner.fromSignerKey(PETER_SKEY);
    assertEquals(PETER_VKEY, s.verifierKey());
    assertEquals(0xc74f20a3, s.keyId());
    assertEquals(TEXT + "\n" + PETER_SIG, new String(s.signNote(TEXT), UTF_8));
  }

  @Test
  void goSumdbNote_TestOpen_oneKnownOneUnknown_bothKnown_noneKnown() {
    byte[] note = (TEXT + "\n" + PETER_SIG + ENOCH_SIG).getBytes(UTF_8);
    Ed25519NoteVerifier peter = Ed25519NoteVerifier.parse(PETER_VKEY);
    Ed25519NoteVerifier enoch = Ed25519NoteVerifier.parse(ENOCH_VKEY);
    Notes.Opened o = Notes.open(note, List.of(peter));
    assertEquals(TEXT, o.text());
    assertEquals(1, o.verified().size());
    assertEquals(PETER_SIG, o.verified().get(0).line());
    assertEquals(ENOCH_SIG, o.unverified().get(0).line());
    assertEquals(2, Notes.open(note, List.of(peter, enoch)).verified().size());
    NoteVerificationException e =
        assertThrows(NoteVerificationException.class, () -> Notes.open(note, List.of()));
    assertEquals("note has no verifiable signatures", e.getMessage());
  }

  @Test
  void aKnownKeysBadSignature_rejectsTheWholeNote() {
    String bad = PETER_SIG.replace("ZJkuBS9", "ZJkuBS8");
    byte[] note = (TEXT + "\n" + bad + ENOCH_SIG).getBytes(UTF_8);
    NoteVerificationException e =
        assertThrows(
            NoteVerificationException.class,
            () ->
                Notes.open(
                    note,
                    List.of(
                        Ed25519NoteVerifier.parse(PETER_VKEY),
                        Ed25519NoteVerifier.parse(ENOCH_VKEY))));
    assertEquals("invalid signature by PeterNeumann+c74f20a3", e.getMessage());
    byte[] edited = (TEXT.replace("answer", "answers") + "\n" + PETER_SIG).getBytes(UTF_8);
    assertThrows(
        NoteVerificationException.class,
        () -> Notes.open(edited, List.of(Ed25519NoteVerifier.parse(PETER_VKEY))));
  }

  @Test
  void c2spSignedNoteExample_verifies() {
    String vkey = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
    String note =
        "This is an example message.\n\n\u2014 example.com/foo"
            + " Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
    Notes.Opened o = Notes.open(note.getBytes(UTF_8), List.of(Ed25519NoteVerifier.parse(vkey)));
    assertEquals("This is an example message.\n", o.text());
  }

  @Test
  void goSumdbNote_TestNewVerifier_everyManglingIsRefused() {
    Ed25519NoteVerifier.parse(PETER_VKEY);
    byte[] b = PETER_VKEY.getBytes(UTF_8);
    int refused = 0;
    for (int i = 0; i <= b.length; i++) {
      for (int j = i + 1; j <= b.length; j++) {
        if (i != 0 || j != b.length) {
          String k = new String(b, i, j - i, UTF_8);
          assertThrows(MalformedNoteException.class, () -> Ed25519NoteVerifier.parse(k), k);
          refused++;
        }
      }
    }
    for (int i = 0; i < b.length; i++) {
      b[i]++;
      String k = new String(b, UTF_8);
      assertThrows(MalformedNoteException.class, () -> Ed25519NoteVerifier.parse(k), k);
      b[i]--;
    }
    assertThrows(
        MalformedNoteException.class,
        () ->
            Ed25519NoteVerifier.parse(
                "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="));
    assertThrows(
        MalformedNoteException.class,
        () ->
            Ed25519NoteVerifier.parse(
                "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"));
    assertTrue(refused > 1000);
  }

  @Test
  void malformedNotes_areRefusedWithAReason() {
    String sig = PETER_SIG;
    for (String bad :
        List.of(
            TEXT + sig, // no blank line
            TEXT + "\n", // no signature
            TEXT + "\n" + sig.replace("\u2014", "-"), // not an em dash
            TEXT + "\n" + sig.substring(0, sig.length() - 1), // no final newline
            TEXT.replace("you", "y\tu") + "\n" + sig, // a control character
            TEXT + "\n" + "\u2014 PeterNeumann !!!\n")) {
      assertThrows(MalformedNoteException.class, () -> Notes.parse(bad.getBytes(UTF_8)), bad);
    }
    assertThrows(
        MalformedNoteException.class, () -> Notes.parse(new byte[] {(byte) 0xff, '\n', '\n'}));
  }

  @Test
  void cosignatureV1_roundTrip_andTheMessageIsBoundToTheTimestamp() {
    CosignatureV1Signer w = CosignatureV1Signer.fromSeed("witness.example/w1", new byte[32]);
    String text = "example.com/log\n3\nWqx3HImawpLnS/Gv4ubjAvi1WIOy0b8Ze0amvqbavKk=\n";
    NoteSignature cs = w.cosign(text, 1679315147L);
    CosignatureV1Verifier v = CosignatureV1Verifier.parse(w.verifierKey());
    assertTrue(v.verify(text, cs));
    assertEquals(1679315147L, CosignatureV1Verifier.timestamp(cs));
    byte[] raw = cs.signature();
    raw[7] ^= 1; // another timestamp, same signature
    assertTrue(!v.verify(text, new NoteSignature(cs.name(), cs.keyId(), raw)));
    assertTrue(!v.verify(text.replace("3\n", "4\n"), cs));
    // a cosignature key is not a log key (type 0x04 vs 0x01)
    assertThrows(MalformedNoteException.class, () -> Ed25519NoteVerifier.parse(w.verifierKey()));
  }
}
