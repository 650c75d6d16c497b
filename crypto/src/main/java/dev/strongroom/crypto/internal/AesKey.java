package dev.strongroom.crypto.internal;

import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import javax.crypto.SecretKey;

/**
 * An AES-256 key held for reuse by one {@link javax.crypto.Cipher} per thread: passing the same key
 * bytes to {@code Cipher.init} again lets the SunJCE AES implementation keep its expanded key
 * schedule (it re-expands only when the key bytes change). Unlike {@link
 * javax.crypto.spec.SecretKeySpec}, which in JDK 17 cannot be destroyed, {@link #destroy()}
 * overwrites the bytes with zeros; a destroyed key refuses {@link #getEncoded()}. Not serialisable.
 * Not API.
 */
public final class AesKey implements SecretKey {
  private static final long serialVersionUID = 1L;

  private final byte[] key;
  private volatile boolean destroyed;

  /** Takes over {@code key} (not copied); the caller must not use the array afterwards. */
  public static AesKey adopt(byte[] key) {
    if (key == null || key.length != AesGcm.KEY_LENGTH) {
      throw new IllegalArgumentException("AES-256 key required");
    }
    return new AesKey(key);
  }

  private AesKey(byte[] key) {
    this.key = key;
  }

  @Override
  public String getAlgorithm() {
    return "AES";
  }

  @Override
  public String getFormat() {
    return "RAW";
  }

  /** A copy of the key bytes (the JCE asks for them on every {@code init}). */
  @Override
  public byte[] getEncoded() {
    if (destroyed) {
      throw new IllegalStateException("key destroyed");
    }
    return key.clone();
  }

  @Override
  public void destroy() {
    Arrays.fill(key, (byte) 0);
    destroyed = true;
  }

  @Override
  public boolean isDestroyed() {
    return destroyed;
  }

  @Override
  public String toString() {
    return "AesKey[" + (destroyed ? "destroyed" : "256 bits") + "]";
  }

  private void writeObject(ObjectOutputStream out) throws NotSerializableException {
    throw new NotSerializableException("AesKey");
  }
}
