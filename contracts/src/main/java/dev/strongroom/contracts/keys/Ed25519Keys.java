package dev.strongroom.contracts.keys;

import java.security.SecureRandom;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** Ed25519 over raw 32-byte keys (RFC 8032), through Bouncy Castle's lightweight API. */
public final class Ed25519Keys {
  public static final int KEY_LENGTH = 32;
  public static final int SIGNATURE_LENGTH = 64;

  private Ed25519Keys() {}

  /** The key id of DESIGN §3: base64url (no padding) of SHA-256 of the raw 32-byte public key. */
  public static String kid(byte[] rawPublicKey) {
    if (rawPublicKey.length != KEY_LENGTH) {
      throw new IllegalArgumentException("an Ed25519 public key is 32 bytes");
    }
    return KeyId.of(rawPublicKey);
  }

  /** A fresh private key from {@code random}. */
  public static Ed25519PrivateKeyParameters generate(SecureRandom random) {
    return new Ed25519PrivateKeyParameters(random);
  }

  /** Signs {@code message} with {@code key}; Ed25519 is deterministic. */
  public static byte[] sign(Ed25519PrivateKeyParameters key, byte[] message) {
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, key);
    signer.update(message, 0, message.length);
    return signer.generateSignature();
  }

  /**
   * True if {@code signature} is a valid Ed25519 signature of {@code message} under the raw public
   * key.
   */
  public static boolean verify(byte[] rawPublicKey, byte[] message, byte[] signature) {
    if (rawPublicKey.length != KEY_LENGTH || signature.length != SIGNATURE_LENGTH) {
      return false;
    }
    Ed25519PublicKeyParameters pub;
    try {
      pub = new Ed25519PublicKeyParameters(rawPublicKey, 0);
    } catch (IllegalArgumentException e) {
      return false;
    }
    Ed25519Signer verifier = new Ed25519Signer();
    verifier.init(false, pub);
    verifier.update(message, 0, message.length);
    return verifier.verifySignature(signature);
  }
}
