package dev.strongroom.contracts.keys;

import dev.strongroom.contracts.errors.InvalidConfigurationException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * A service's Ed25519 event-signing key. Stored as a PKCS#8 PEM file ({@code -----BEGIN PRIVATE KEY-----}),
 * one per service, found by path from config and never placed in the key registry. Interoperable with
 * {@code openssl genpkey -algorithm ed25519}.
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
    try (PemReader reader = new PemReader(new StringReader(pem))) {
      PemObject obj = reader.readPemObject();
      if (obj == null || !"PRIVATE KEY".equals(obj.getType())) {
        throw new InvalidConfigurationException("expected a PKCS#8 'PRIVATE KEY' PEM block");
      }
      AsymmetricKeyParameter params = PrivateKeyFactory.createKey(obj.getContent());
      if (!(params instanceof Ed25519PrivateKeyParameters)) {
        throw new InvalidConfigurationException("the private key is not an Ed25519 key");
      }
      return new SigningKey((Ed25519PrivateKeyParameters) params);
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidConfigurationException("unreadable Ed25519 private key: " + e.getMessage(), e);
    }
  }

  /** Reads a PKCS#8 PEM file. */
  public static SigningKey load(Path pemFile) {
    try {
      return fromPem(Files.readString(pemFile, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new InvalidConfigurationException("cannot read signing key " + pemFile + ": " + e.getMessage(), e);
    }
  }

  /** The PKCS#8 PEM text of this key (keep it at mode 0600). */
  public String toPem() {
    try {
      PrivateKeyInfo info = PrivateKeyInfoFactory.createPrivateKeyInfo(key);
      StringWriter out = new StringWriter();
      try (PemWriter writer = new PemWriter(out)) {
        writer.writeObject(new PemObject("PRIVATE KEY", info.getEncoded()));
      }
      return out.toString();
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode the key", e);
    }
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
