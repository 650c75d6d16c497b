package dev.strongroom.contracts.keys;

import dev.strongroom.contracts.encoding.Base64Url;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The key id of DESIGN §3, the one function for every key kind: base64url (no padding) of SHA-256
 * of the raw public key bytes. Event signing keys (Ed25519, 32 bytes) and sealing keys (X25519, 32
 * bytes) are named the same way; the caller checks the length its key kind requires.
 */
public final class KeyId {
  private KeyId() {}

  /** The id of {@code rawPublicKey}. */
  public static String of(byte[] rawPublicKey) {
    try {
      return Base64Url.encode(MessageDigest.getInstance("SHA-256").digest(rawPublicKey));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }
}
