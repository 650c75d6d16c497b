package dev.strongroom.contracts.records;

import dev.strongroom.contracts.errors.InvalidConfigurationException;
import dev.strongroom.contracts.internal.Base64Url;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * The crypto-service's X25519 key that encrypt requests are sealed to (HPKE recipient key). The private
 * key is a PKCS#8 PEM file ({@code openssl genpkey -algorithm x25519} compatible, mode 0600); the public
 * key is published with its id {@code base64url(SHA-256(raw 32-byte public key))}.
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
    try (PemReader reader = new PemReader(new StringReader(pem))) {
      PemObject obj = reader.readPemObject();
      if (obj == null || !"PRIVATE KEY".equals(obj.getType())) {
        throw new InvalidConfigurationException("expected a PKCS#8 'PRIVATE KEY' PEM block");
      }
      AsymmetricKeyParameter p = PrivateKeyFactory.createKey(obj.getContent());
      if (!(p instanceof X25519PrivateKeyParameters)) {
        throw new InvalidConfigurationException("the sealing key is not an X25519 key");
      }
      return new SealingKey((X25519PrivateKeyParameters) p);
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidConfigurationException("unreadable X25519 private key: " + e.getMessage(), e);
    }
  }

  public static SealingKey load(Path file) {
    try {
      return fromPem(Files.readString(file, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new InvalidConfigurationException("cannot read sealing key " + file + ": " + e.getMessage(), e);
    }
  }

  public String toPem() {
    try {
      StringWriter out = new StringWriter();
      try (PemWriter w = new PemWriter(out)) {
        w.writeObject(new PemObject("PRIVATE KEY", PrivateKeyInfoFactory.createPrivateKeyInfo(key).getEncoded()));
      }
      return out.toString();
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode the key", e);
    }
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
    try {
      return Base64Url.encode(MessageDigest.getInstance("SHA-256").digest(rawPublicKey));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "SealingKey[kid=" + kid + "]";
  }
}
