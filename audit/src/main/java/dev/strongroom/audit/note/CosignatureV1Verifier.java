package dev.strongroom.audit.note;

import java.nio.ByteBuffer;
import java.security.PublicKey;
import java.util.Arrays;

/**
 * Verifies {@code cosignature/v1} signatures of one witness key (see {@link CosignatureV1Signer}).
 */
public final class CosignatureV1Verifier implements NoteVerifier {
  private final String name;
  private final int keyId;
  private final PublicKey key;

  private CosignatureV1Verifier(String name, int keyId, byte[] publicKey) {
    this.name = name;
    this.keyId = keyId;
    this.key = Ed25519Keys.publicKey(publicKey);
  }

  /** Reads {@code <name>+<hex key ID>+base64(0x04 || 32-byte key)}. */
  public static CosignatureV1Verifier parse(String vkey) {
    VerifierKeys.Parts p = VerifierKeys.parse(vkey, CosignatureV1Signer.TYPE, 32);
    return new CosignatureV1Verifier(p.name(), p.keyId(), p.key());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int keyId() {
    return keyId;
  }

  /** The timestamp a cosignature carries (POSIX seconds). */
  public static long timestamp(NoteSignature sig) {
    byte[] s = sig.signature();
    if (s.length != 72) {
      throw new MalformedNoteException("a cosignature/v1 has 72 bytes after the key ID");
    }
    return ByteBuffer.wrap(s, 0, 8).getLong();
  }

  @Override
  public boolean verify(String text, NoteSignature sig) {
    byte[] s = sig.signature();
    if (!sig.name().equals(name) || sig.keyId() != keyId || s.length != 72) {
      return false;
    }
    long ts = ByteBuffer.wrap(s, 0, 8).getLong();
    if (ts < 0) {
      return false;
    }
    return Ed25519Keys.verify(
        key, CosignatureV1Signer.message(text, ts), Arrays.copyOfRange(s, 8, 72));
  }
}
