package dev.strongroom.audit.note;

import java.nio.ByteBuffer;
import java.util.Base64;

/**
 * One signature line of a signed note: {@code — <name> base64(keyId || signature)} (C2SP
 * signed-note). {@code signature} is everything after the 4-byte key ID (for a cosignature/v1, the
 * timestamp and the Ed25519 signature).
 */
public record NoteSignature(String name, int keyId, byte[] signature) {
  public NoteSignature {
    Notes.checkKeyName(name);
    signature = signature.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** {@code keyId || signature}, base64 in the line. */
  public byte[] keyIdAndSignature() {
    return ByteBuffer.allocate(4 + signature.length).putInt(keyId).put(signature).array();
  }

  /** The line, with its final newline. */
  public String line() {
    return "\u2014 " + name + " " + Base64.getEncoder().encodeToString(keyIdAndSignature()) + "\n";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NoteSignature s
        && s.name.equals(name)
        && s.keyId == keyId
        && java.util.Arrays.equals(s.signature, signature);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + keyId;
  }

  @Override
  public String toString() {
    return line().strip();
  }
}
