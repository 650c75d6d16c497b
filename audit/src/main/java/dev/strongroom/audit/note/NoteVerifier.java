package dev.strongroom.audit.note;

/**
 * Verifies signatures of one key: the (name, key ID) pair identifies the key and its algorithm
 * (C2SP signed-note). {@link Ed25519NoteVerifier} for log signatures (type 0x01), {@link
 * CosignatureV1Verifier} for witness cosignatures (type 0x04).
 */
public interface NoteVerifier {
  /** The key name. */
  String name();

  /** The 32-bit key ID. */
  int keyId();

  /**
   * Whether {@code sig} (already matched by name and key ID) is valid over the note {@code text}.
   */
  boolean verify(String text, NoteSignature sig);
}
