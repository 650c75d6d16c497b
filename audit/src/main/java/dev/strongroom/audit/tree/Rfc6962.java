package dev.strongroom.audit.tree;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * RFC 6962 / RFC 9162 §2.1.1 tree hashing with SHA-256 (DESIGN §5): {@code leaf = SHA-256(0x00 ||
 * entry)}, {@code node = SHA-256(0x01 || left || right)}, the empty tree's root {@code SHA-256()}.
 * Thread-safe (one digest per thread).
 */
public final class Rfc6962 {
  /** Hash size in bytes. */
  public static final int HASH_SIZE = 32;

  private static final byte[] EMPTY_ROOT = sha256().digest();
  private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(Rfc6962::sha256);

  private Rfc6962() {}

  /** The root of the empty tree, {@code SHA-256()} of no bytes. */
  public static byte[] emptyRoot() {
    return EMPTY_ROOT.clone();
  }

  /** {@code SHA-256(0x00 || entry)}. */
  public static byte[] leafHash(byte[] entry) {
    MessageDigest md = DIGEST.get();
    md.update((byte) 0);
    return md.digest(entry);
  }

  /** {@code SHA-256(0x01 || left || right)}. */
  public static byte[] nodeHash(byte[] left, byte[] right) {
    MessageDigest md = DIGEST.get();
    md.update((byte) 1);
    md.update(left);
    return md.digest(right);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
