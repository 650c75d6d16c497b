package dev.strongroom.contracts.keys;

import dev.strongroom.contracts.internal.Pkcs8Pem;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * A service's Ed25519 event-signing key. Stored as a PKCS#8 PEM file ({@code -----BEGIN PRIVATE
 * KEY-----}), one per service, found by path from config and never placed in the key registry.
 * Interoperable with {@code openssl genpkey -algorithm ed25519}.
 */
public final class SigningKey {
  private final Ed25519PrivateKeyParameters key;
  private final byte[] publicKey;
  private final String kid;

  private SigningKey(Ed25519PrivateKeyParameters key) {
    this.key = key;
    this.publicKey = key.generatePublicKey().getEncoded();
    this.kid = Ed25519Keys.kid(publicKey);
  }

  /** A fresh random key. */
  public static SigningKey generate() {
    return new SigningKey(Ed25519Keys.generate(new SecureRandom()));
  }

  /** The key whose RFC 8032 private seed is {@code seed} (32 bytes); used by test vectors. */
  public static SigningKey fromSeed(byte[] seed) {
    if (seed.length != Ed25519Keys.KEY_LENGTH) {
      throw new IllegalArgumentException("an Ed25519 seed is 32 bytes");
    }
    return new SigningKey(new Ed25519PrivateKeyParameters(seed, 0));
  }

  /** Parses a PKCS#8 PEM Ed25519 private key. */
  public static SigningKey fromPem(String pem) {
    return new SigningKey(Pkcs8Pem.read(pem, Ed25519PrivateKeyParameters.class, "Ed25519"));
  }

  /** Reads a PKCS#8 PEM file. */
  public static SigningKey load(Path pemFile) {
    return new SigningKey(
        Pkcs8Pem.load(pemFile, Ed25519PrivateKeyParameters.class, "Ed25519 signing"));
  }

  /** The PKCS#8 PEM text of this key (keep it at mode 0600). */
  public String toPem() {
    return Pkcs8Pem.write(key);
  }

  /** The raw 32-byte public key. */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** {@link Ed25519Keys#kid(byte[])} of the public key. */
  public String kid() {
    return kid;
  }

  /** Signs {@code message}. */
  public byte[] sign(byte[] message) {
    return Ed25519Keys.sign(key, message);
  }

  @Override
  public String toString() {
    return "SigningKey[kid=" + kid + "]"; // never the secret
  }
}
