package dev.strongroom.contracts.records;

import dev.strongroom.contracts.internal.Pkcs8Pem;
import dev.strongroom.contracts.keys.KeyId;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;

/**
 * The crypto-service's X25519 key that encrypt requests are sealed to (HPKE recipient key). The
 * private key is a PKCS#8 PEM file ({@code openssl genpkey -algorithm x25519} compatible, mode
 * 0600); the public key is published with its id {@code base64url(SHA-256(raw 32-byte public
 * key))}.
 */
public final class SealingKey {
  private final X25519PrivateKeyParameters key;
  private final byte[] publicKey;
  private final String kid;

  private SealingKey(X25519PrivateKeyParameters key) {
    this.key = key;
    this.publicKey = key.generatePublicKey().getEncoded();
    this.kid = kidOf(publicKey);
  }

  public static SealingKey generate() {
    return new SealingKey(new X25519PrivateKeyParameters(new SecureRandom()));
  }

  public static SealingKey fromPem(String pem) {
    return new SealingKey(Pkcs8Pem.read(pem, X25519PrivateKeyParameters.class, "X25519"));
  }

  public static SealingKey load(Path file) {
    return new SealingKey(Pkcs8Pem.load(file, X25519PrivateKeyParameters.class, "X25519 sealing"));
  }

  public String toPem() {
    return Pkcs8Pem.write(key);
  }

  /** The raw 32-byte public key (publish it). */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** base64url SHA-256 of the raw public key. */
  public String kid() {
    return kid;
  }

  byte[] privateKeyBytes() {
    return key.getEncoded();
  }

  /** The id of a raw X25519 public key. */
  public static String kidOf(byte[] rawPublicKey) {
    return KeyId.of(rawPublicKey);
  }

  @Override
  public String toString() {
    return "SealingKey[kid=" + kid + "]";
  }
}
