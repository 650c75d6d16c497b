package dev.strongroom.crypto.internal;

import dev.strongroom.crypto.InvalidCiphertextException;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The raw AES-GCM primitive every software path of this library uses (field encryption, the
 * insecure local keyring), and the one the Wycheproof vectors are replayed against. 256-bit keys,
 * 96-bit IVs and 128-bit tags only. Not API.
 *
 * <p>Output layout: {@code ciphertext || tag}. One JCE {@link Cipher} per thread is reused. The
 * {@link SecretKey} overloads are for a key used many times (a per-data-key subkey, see {@link
 * AesKey}): initialising the thread's cipher with the same key bytes again lets SunJCE keep the
 * expanded AES key schedule. Their associated data is given in two parts (header, context), fed to
 * GCM one after the other, which equals GCM over their concatenation without building it.
 */
public final class AesGcm {
  public static final int KEY_LENGTH = 32;
  public static final int IV_LENGTH = 12;
  public static final int TAG_LENGTH = 16;

  private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(AesGcm::newCipher);

  private AesGcm() {}

  /**
   * Encrypts {@code pt[ptOff, ptOff+ptLen)} into {@code out} at {@code outOff}; returns bytes
   * written.
   */
  public static int encrypt(
      byte[] key, byte[] iv, byte[] aad, byte[] pt, int ptOff, int ptLen, byte[] out, int outOff) {
    checkParams(key, iv);
    Cipher c = CIPHERS.get();
    try {
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
      if (aad != null && aad.length > 0) {
        c.updateAAD(aad);
      }
      return c.doFinal(pt, ptOff, ptLen, out, outOff);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /**
   * Encrypts {@code pt[ptOff, ptOff+ptLen)} into {@code out} at {@code outOff} with associated data
   * {@code aad1[aad1Off, aad1Off+aad1Len) || aad2}; returns bytes written. {@code out} may be the
   * array holding {@code aad1} (the AAD is consumed before any output is written).
   */
  public static int encrypt(
      SecretKey key,
      byte[] iv,
      byte[] aad1,
      int aad1Off,
      int aad1Len,
      byte[] aad2,
      byte[] pt,
      int ptOff,
      int ptLen,
      byte[] out,
      int outOff) {
    if (iv == null || iv.length != IV_LENGTH) {
      throw new IllegalArgumentException("96-bit IV required");
    }
    Cipher c = CIPHERS.get();
    try {
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
      c.updateAAD(aad1, aad1Off, aad1Len);
      c.updateAAD(aad2);
      return c.doFinal(pt, ptOff, ptLen, out, outOff);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /**
   * Decrypts {@code ctAndTag[off, off+len)} with associated data {@code aad1[aad1Off,
   * aad1Off+aad1Len) || aad2}.
   *
   * @throws InvalidCiphertextException on any failure, including a bad tag
   */
  public static byte[] decrypt(
      SecretKey key,
      byte[] iv,
      byte[] aad1,
      int aad1Off,
      int aad1Len,
      byte[] aad2,
      byte[] ctAndTag,
      int off,
      int len) {
    if (iv == null || iv.length != IV_LENGTH || len < TAG_LENGTH) {
      throw new InvalidCiphertextException();
    }
    Cipher c = CIPHERS.get();
    try {
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, iv));
      c.updateAAD(aad1, aad1Off, aad1Len);
      c.updateAAD(aad2);
      return c.doFinal(ctAndTag, off, len);
    } catch (GeneralSecurityException | IllegalStateException e) {
      throw new InvalidCiphertextException();
    }
  }

  /** Returns {@code ciphertext || tag}. */
  public static byte[] encrypt(byte[] key, byte[] iv, byte[] aad, byte[] pt) {
    byte[] out = new byte[pt.length + TAG_LENGTH];
    encrypt(key, iv, aad, pt, 0, pt.length, out, 0);
    return out;
  }

  /**
   * Decrypts {@code ctAndTag[off, off+len)}.
   *
   * @throws InvalidCiphertextException on any failure, including a bad tag
   */
  public static byte[] decrypt(
      byte[] key, byte[] iv, byte[] aad, byte[] ctAndTag, int off, int len) {
    if (key == null
        || key.length != KEY_LENGTH
        || iv == null
        || iv.length != IV_LENGTH
        || len < TAG_LENGTH) {
      throw new InvalidCiphertextException();
    }
    Cipher c = CIPHERS.get();
    try {
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
      if (aad != null && aad.length > 0) {
        c.updateAAD(aad);
      }
      return c.doFinal(ctAndTag, off, len);
    } catch (AEADBadTagException e) {
      throw new InvalidCiphertextException();
    } catch (GeneralSecurityException | IllegalStateException e) {
      throw new InvalidCiphertextException();
    }
  }

  public static byte[] decrypt(byte[] key, byte[] iv, byte[] aad, byte[] ctAndTag) {
    return decrypt(key, iv, aad, ctAndTag, 0, ctAndTag.length);
  }

  private static void checkParams(byte[] key, byte[] iv) {
    if (key == null || key.length != KEY_LENGTH) {
      throw new IllegalArgumentException("AES-256 key required");
    }
    if (iv == null || iv.length != IV_LENGTH) {
      throw new IllegalArgumentException("96-bit IV required");
    }
  }

  private static Cipher newCipher() {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
      throw new IllegalStateException("AES/GCM/NoPadding is not available", e);
    }
  }
}
