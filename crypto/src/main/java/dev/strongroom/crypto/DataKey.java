package dev.strongroom.crypto;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * A 256-bit data encryption key (DEK) with its identifier ({@code data_keys.dek_id}).
 *
 * <p>The key bytes never leave this object except inside {@link #useKeyBytes}, which lends them to
 * a function under a read lock; {@link #destroy()} takes the write lock and overwrites them with
 * zeros (Java cannot promise that no other copy exists, e.g. after a GC move, but no copy made by
 * this library outlives its use). Using a destroyed key throws {@link IllegalStateException} rather
 * than silently encrypting under an all-zero key. Material derived from the key and kept for reuse
 * (e.g. a cipher's per-data-key subkey) is registered with {@link #onDestroy} and wiped together
 * with it.
 */
public final class DataKey {
  /** Length of a data key in bytes (AES-256). */
  public static final int LENGTH = 32;

  private final String id;
  private final byte[] key;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean destroyed;
  private final List<Runnable> wipers = new ArrayList<>(1);

  private DataKey(String id, byte[] key) {
    this.id = requireId(id);
    this.key = key;
  }

  /** Generates a fresh random data key. */
  public static DataKey generate(String id, SecureRandom random) {
    byte[] k = new byte[LENGTH];
    random.nextBytes(k);
    return new DataKey(id, k);
  }

  /**
   * Wraps existing key bytes (e.g. just unwrapped by a KMS). The array is taken over, not copied:
   * the caller must not use it afterwards; {@link #destroy()} wipes it.
   */
  public static DataKey adopt(String id, byte[] keyBytes, SecretKeyAccess access) {
    SecretKeyAccess.check(access);
    Objects.requireNonNull(keyBytes, "keyBytes");
    if (keyBytes.length != LENGTH) {
      Arrays.fill(keyBytes, (byte) 0);
      throw new IllegalArgumentException("a data key is " + LENGTH + " bytes");
    }
    return new DataKey(id, keyBytes);
  }

  /** The data key id ({@code data_keys.dek_id}); part of every field's AAD. */
  public String id() {
    return id;
  }

  /**
   * Lends the raw key bytes to {@code fn}. The function must not keep, modify or leak the array.
   *
   * @throws IllegalStateException if the key was destroyed
   */
  public <T> T useKeyBytes(SecretKeyAccess access, Function<byte[], T> fn) {
    SecretKeyAccess.check(access);
    ReentrantReadWriteLock.ReadLock r = lock.readLock();
    r.lock();
    try {
      if (destroyed) {
        throw new IllegalStateException("data key " + id + " was destroyed");
      }
      return fn.apply(key);
    } finally {
      r.unlock();
    }
  }

  /**
   * Registers {@code wipe}, which overwrites material derived from this key, to run once when the
   * key is destroyed: inside {@link #destroy()}, under the write lock, so never while a {@link
   * #useKeyBytes} call is running. Holders of derived material should use it only inside {@link
   * #useKeyBytes} (which then also refuses a destroyed key). Register once per holder (e.g. per
   * cipher), not per operation: registrations are kept until the key is destroyed.
   *
   * @throws IllegalStateException if the key was already destroyed ({@code wipe} then runs first)
   */
  public void onDestroy(SecretKeyAccess access, Runnable wipe) {
    SecretKeyAccess.check(access);
    Objects.requireNonNull(wipe, "wipe");
    ReentrantReadWriteLock.WriteLock w = lock.writeLock();
    w.lock();
    try {
      if (destroyed) {
        wipe.run();
        throw new IllegalStateException("data key " + id + " was destroyed");
      }
      wipers.add(wipe);
    } finally {
      w.unlock();
    }
  }

  /** Overwrites the key bytes, and every registered derived material, with zeros; idempotent. */
  public void destroy() {
    ReentrantReadWriteLock.WriteLock w = lock.writeLock();
    w.lock();
    try {
      Arrays.fill(key, (byte) 0);
      destroyed = true;
      for (Runnable r : wipers) {
        r.run();
      }
      wipers.clear();
    } finally {
      w.unlock();
    }
  }

  public boolean isDestroyed() {
    ReentrantReadWriteLock.ReadLock r = lock.readLock();
    r.lock();
    try {
      return destroyed;
    } finally {
      r.unlock();
    }
  }

  /** Never prints key material. */
  @Override
  public String toString() {
    return "DataKey[id=" + id + (isDestroyed() ? ", destroyed" : "") + "]";
  }

  private static String requireId(String id) {
    Objects.requireNonNull(id, "id");
    if (id.isEmpty() || id.length() > 128) {
      throw new IllegalArgumentException("data key id must be 1..128 characters");
    }
    return id;
  }
}
