package dev.strongroom.crypto.internal;

import dev.strongroom.crypto.InvalidCiphertextException;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The raw AES-GCM primitive every software path of this library uses (field encryption, the
 * insecure local keyring), and the one the Wycheproof vectors are replayed against. 256-bit keys,
 * 96-bit IVs and 128-bit tags only. Not API.
 *
 * <p>Output layout: {@code ciphertext || tag}. One JCE {@link Cipher} per thread is reused.
 */
public final class AesGcm {
  public static final int KEY_LENGTH = 32;
  public static final int IV_LENGTH = 12;
  public static final int TAG_LENGTH = 16;

  private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(AesGcm::newCipher);

  private AesGcm() {}

  /** Encrypts {@code pt[ptOff, ptOff+ptLen)} into {@code out} at {@code outOff}; returns bytes written. */
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
  public static byte[] decrypt(byte[] key, byte[] iv, byte[] aad, byte[] ctAndTag, int off, int len) {
    if (key == null || key.length != KEY_LENGTH || iv == null || iv.length != IV_LENGTH
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
