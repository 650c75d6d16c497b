package dev.strongroom.audit.note;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;

/**
 * Verifies Ed25519 note signatures (C2SP signed-note, type 0x01) of the key given by a verifier key
 * string {@code <name>+<hex key ID>+base64(0x01 || 32-byte public key)}.
 */
public final class Ed25519NoteVerifier implements NoteVerifier {
  private final String name;
  private final int keyId;
  private final byte[] publicKey;
  private final PublicKey key;

  private Ed25519NoteVerifier(String name, int keyId, byte[] publicKey) {
    this.name = name;
    this.keyId = keyId;
    this.publicKey = publicKey;
    this.key = Ed25519Keys.publicKey(publicKey);
  }

  /**
   * Reads a verifier key; the key ID must be the one the name and key give.
   *
   * @throws MalformedNoteException naming what is wrong
   */
  public static Ed25519NoteVerifier parse(String vkey) {
    VerifierKeys.Parts p = VerifierKeys.parse(vkey, Ed25519NoteSigner.TYPE, 32);
    return new Ed25519NoteVerifier(p.name(), p.keyId(), p.key());
  }

  /** A verifier for {@code name} and a raw 32-byte public key. */
  public static Ed25519NoteVerifier of(String name, byte[] publicKey) {
    Notes.checkKeyName(name);
    return new Ed25519NoteVerifier(
        name, Notes.keyId(name, Ed25519NoteSigner.TYPE, publicKey), publicKey.clone());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int keyId() {
    return keyId;
  }

  /** The raw 32-byte public key. */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** The public key as the JDK's (for PEM export: {@code getEncoded()} is SubjectPublicKeyInfo). */
  public PublicKey jdkPublicKey() {
    return key;
  }

  @Override
  public boolean verify(String text, NoteSignature sig) {
    return sig.name().equals(name)
        && sig.keyId() == keyId
        && Ed25519Keys.verify(key, text.getBytes(StandardCharsets.UTF_8), sig.signature());
  }
}
