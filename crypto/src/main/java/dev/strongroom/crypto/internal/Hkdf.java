package dev.strongroom.crypto.internal;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF (RFC 5869) over an HMAC from the JDK. Not API.
 *
 * <p>RFC 5869 §2.2: {@code PRK = HMAC-Hash(salt, IKM)}; §2.3: {@code T(i) = HMAC-Hash(PRK, T(i-1) |
 * info | i)}, {@code OKM} = the first L octets of {@code T(1) | T(2) | ...}. One {@link Mac} per
 * thread per algorithm is kept, since {@code Mac.getInstance} costs more than a short HMAC.
 */
public final class Hkdf {
  public static final Hkdf SHA512 = new Hkdf("HmacSHA512");
  public static final Hkdf SHA256 = new Hkdf("HmacSHA256");

  private final String macAlgorithm;
  private final ThreadLocal<Mac> macs;
  private final int hashLen;

  private Hkdf(String macAlgorithm) {
    this.macAlgorithm = macAlgorithm;
    this.macs = ThreadLocal.withInitial(() -> newMac(macAlgorithm));
    this.hashLen = newMac(macAlgorithm).getMacLength();
  }

  public int hashLength() {
    return hashLen;
  }

  /** HKDF-Extract. An empty salt means HashLen zero octets (RFC 5869 §2.2). */
  public byte[] extract(byte[] salt, byte[] ikm) {
    byte[] s = (salt == null || salt.length == 0) ? new byte[hashLen] : salt;
    Mac mac = macs.get();
    init(mac, s);
    return mac.doFinal(ikm);
  }

  /** HKDF-Expand to {@code length} octets (at most 255 * HashLen). */
  public byte[] expand(byte[] prk, byte[] info, int length) {
    if (length < 0 || length > 255 * hashLen) {
      throw new IllegalArgumentException("HKDF length out of range");
    }
    if (prk.length < hashLen) {
      throw new IllegalArgumentException("PRK shorter than HashLen");
    }
    Mac mac = macs.get();
    init(mac, prk);
    byte[] okm = new byte[length];
    byte[] t = new byte[0];
    int done = 0;
    for (int i = 1; done < length; i++) {
      mac.update(t);
      mac.update(info);
      mac.update((byte) i);
      t = mac.doFinal();
      int n = Math.min(t.length, length - done);
      System.arraycopy(t, 0, okm, done, n);
      done += n;
    }
    java.util.Arrays.fill(t, (byte) 0);
    return okm;
  }

  /** Extract then expand. */
  public byte[] derive(byte[] salt, byte[] ikm, byte[] info, int length) {
    byte[] prk = extract(salt, ikm);
    try {
      return expand(prk, info, length);
    } finally {
      java.util.Arrays.fill(prk, (byte) 0);
    }
  }

  private void init(Mac mac, byte[] key) {
    try {
      mac.init(new SecretKeySpec(key, macAlgorithm));
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("HMAC key rejected", e);
    }
  }

  private static Mac newMac(String alg) {
    try {
      return Mac.getInstance(alg);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(alg + " is not available", e);
    }
  }
}
