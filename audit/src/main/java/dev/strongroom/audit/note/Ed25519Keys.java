package dev.strongroom.audit.note;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/** Ed25519 with the JDK (RFC 8032): raw 32-byte seeds and public keys. */
final class Ed25519Keys {
  private static final byte[] SPKI_PREFIX = hex("302a300506032b6570032100");
  private static final byte[] PKCS8_PREFIX = hex("302e020100300506032b657004220420");

  private Ed25519Keys() {}

  /** The key pair of a 32-byte RFC 8032 private key (seed). */
  static KeyPair fromSeed(byte[] seed) {
    if (seed.length != 32) {
      throw new MalformedNoteException("an Ed25519 private key has 32 bytes");
    }
    try {
      PrivateKey priv =
          KeyFactory.getInstance("Ed25519")
              .generatePrivate(new PKCS8EncodedKeySpec(concat(PKCS8_PREFIX, seed)));
      // The JDK derives the public key only through its generator, which draws the seed from
      // the random source: hand it exactly this seed.
      KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
      g.initialize(NamedParameterSpec.ED25519, new FixedSeed(seed));
      PublicKey pub = g.generateKeyPair().getPublic();
      return new KeyPair(pub, priv);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no Ed25519", e);
    }
  }

  static byte[] rawPublic(PublicKey pub) {
    byte[] enc = pub.getEncoded();
    return Arrays.copyOfRange(enc, enc.length - 32, enc.length);
  }

  static PublicKey publicKey(byte[] raw) {
    if (raw.length != 32) {
      throw new MalformedNoteException("an Ed25519 public key has 32 bytes");
    }
    try {
      return KeyFactory.getInstance("Ed25519")
          .generatePublic(new X509EncodedKeySpec(concat(SPKI_PREFIX, raw)));
    } catch (GeneralSecurityException e) {
      throw new MalformedNoteException("not an Ed25519 public key");
    }
  }

  static byte[] sign(PrivateKey key, byte[] msg) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key);
      s.update(msg);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static boolean verify(PublicKey key, byte[] msg, byte[] sig) {
    if (sig.length != 64) {
      return false;
    }
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key);
      s.update(msg);
      return s.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] hex(String s) {
    return java.util.HexFormat.of().parseHex(s);
  }

  /** A "random" source that yields one fixed seed. */
  private static final class FixedSeed extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final byte[] seed;

    FixedSeed(byte[] seed) {
      this.seed = seed.clone();
    }

    @Override
    public void nextBytes(byte[] bytes) {
      if (bytes.length != seed.length) {
        throw new IllegalStateException("unexpected request for " + bytes.length + " bytes");
      }
      System.arraycopy(seed, 0, bytes, 0, bytes.length);
    }
  }
}
