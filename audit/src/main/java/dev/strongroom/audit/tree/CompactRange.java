package dev.strongroom.audit.tree;

import java.util.ArrayList;
import java.util.List;

/**
 * The compact range {@code [0, size)} of an RFC 6962 tree: the roots of its perfect subtrees, one
 * per set bit of {@code size}, largest first — all a writer needs to append leaves and compute the
 * new root without the earlier leaves (transparency-dev/merkle's {@code compact.Range}, starting at
 * 0). {@link #append} reports every node it completes to a {@link Visitor}, which is how a tile
 * writer learns each new hash of every level. Not thread-safe.
 */
public final class CompactRange {
  /** Receives each node completed by an append: level 0 is the leaf itself. */
  @FunctionalInterface
  public interface Visitor {
    void visit(int level, long index, byte[] hash);
  }

  private static final Visitor NONE = (l, i, h) -> {};

  private long size;
  private final List<byte[]> hashes;

  private CompactRange(long size, List<byte[]> hashes) {
    this.size = size;
    this.hashes = hashes;
  }

  /** The empty range. */
  public static CompactRange empty() {
    return new CompactRange(0, new ArrayList<>());
  }

  /**
   * Resumes from stored state: {@code hashes} are the perfect-subtree roots of {@code [0, size)},
   * largest first ({@link #hashes()}).
   *
   * @throws IllegalArgumentException if their number is not the number of set bits of {@code size}
   */
  public static CompactRange of(long size, List<byte[]> hashes) {
    if (size < 0 || hashes.size() != Long.bitCount(size)) {
      throw new IllegalArgumentException(
          "a compact range of size " + size + " has " + Long.bitCount(size) + " hashes");
    }
    List<byte[]> copy = new ArrayList<>();
    for (byte[] h : hashes) {
      if (h.length != Rfc6962.HASH_SIZE) {
        throw new IllegalArgumentException("a hash has 32 bytes");
      }
      copy.add(h.clone());
    }
    return new CompactRange(size, copy);
  }

  /**
   * The compact range of the first {@code size} leaves of {@code nodes}: the nodes at the set bits
   * of {@code size}.
   */
  public static CompactRange of(NodeSource nodes, long size) {
    List<byte[]> hs = new ArrayList<>();
    for (int level = 63; level >= 0; level--) {
      if (((size >>> level) & 1) == 1) {
        hs.add(nodes.node(level, (size >>> level) - 1));
      }
    }
    return new CompactRange(size, hs);
  }

  /** The number of leaves covered. */
  public long size() {
    return size;
  }

  /** The perfect-subtree roots, largest first (copies). */
  public List<byte[]> hashes() {
    List<byte[]> out = new ArrayList<>();
    for (byte[] h : hashes) {
      out.add(h.clone());
    }
    return out;
  }

  /** Appends a leaf hash. */
  public void append(byte[] leafHash) {
    append(leafHash, NONE);
  }

  /** Appends a leaf hash, reporting the leaf and every node it completes, bottom-up. */
  public void append(byte[] leafHash, Visitor visitor) {
    if (leafHash.length != Rfc6962.HASH_SIZE) {
      throw new IllegalArgumentException("a leaf hash has 32 bytes");
    }
    byte[] h = leafHash.clone();
    long index = size;
    int level = 0;
    visitor.visit(0, index, h.clone());
    while (((size >>> level) & 1) == 1) {
      h = Rfc6962.nodeHash(hashes.remove(hashes.size() - 1), h);
      level++;
      index >>>= 1;
      visitor.visit(level, index, h.clone());
    }
    hashes.add(h);
    size++;
  }

  /** The root of {@code [0, size)}; the empty root for 0. */
  public byte[] root() {
    if (hashes.isEmpty()) {
      return Rfc6962.emptyRoot();
    }
    byte[] h = hashes.get(hashes.size() - 1);
    for (int i = hashes.size() - 2; i >= 0; i--) {
      h = Rfc6962.nodeHash(hashes.get(i), h);
    }
    return h.clone();
  }
}
