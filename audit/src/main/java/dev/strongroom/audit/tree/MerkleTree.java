package dev.strongroom.audit.tree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An append-only RFC 6962 tree in memory: every complete node of every level, 32 bytes each in flat
 * arrays (about 64 bytes per leaf). A {@link NodeSource}, so {@link Proofs} builds roots and proofs
 * from it; {@link #root()}, {@link #inclusionProof} and {@link #consistencyProof} are the
 * shortcuts. Not thread-safe.
 */
public final class MerkleTree implements NodeSource {
  private static final int H = Rfc6962.HASH_SIZE;

  /** levels.get(L): the complete nodes of level L, concatenated. */
  private final List<byte[]> levels = new ArrayList<>();

  private final List<Long> counts = new ArrayList<>();

  /** Appends an entry (hashed as a leaf); returns its index. */
  public long append(byte[] entry) {
    return appendLeafHash(Rfc6962.leafHash(entry));
  }

  /** Appends a leaf hash; returns its index. */
  public long appendLeafHash(byte[] leafHash) {
    if (leafHash.length != H) {
      throw new IllegalArgumentException("a leaf hash has 32 bytes");
    }
    long index = size();
    byte[] h = leafHash;
    int level = 0;
    long i = index;
    while (true) {
      put(level, h);
      if ((i & 1) == 0) {
        break;
      }
      h = Rfc6962.nodeHash(get(level, i - 1), h);
      level++;
      i >>>= 1;
    }
    return index;
  }

  /** The number of leaves. */
  public long size() {
    return counts.isEmpty() ? 0 : counts.get(0);
  }

  /** The current root. */
  public byte[] root() {
    return Proofs.root(this, size());
  }

  /** The root of the first {@code size} leaves. */
  public byte[] root(long size) {
    checkSize(size);
    return Proofs.root(this, size);
  }

  /** The inclusion proof of leaf {@code index} in the tree of {@code size}. */
  public List<byte[]> inclusionProof(long index, long size) {
    checkSize(size);
    return Proofs.inclusionProof(this, index, size);
  }

  /** The consistency proof from size {@code size1} to {@code size2}. */
  public List<byte[]> consistencyProof(long size1, long size2) {
    checkSize(size2);
    return Proofs.consistencyProof(this, size1, size2);
  }

  @Override
  public byte[] node(int level, long index) {
    if (level < 0 || level >= levels.size() || index < 0 || index >= counts.get(level)) {
      throw new IllegalArgumentException(
          "no complete node at level " + level + " index " + index + " (size " + size() + ")");
    }
    return get(level, index);
  }

  private void checkSize(long size) {
    if (size < 0 || size > size()) {
      throw new IllegalArgumentException("size " + size + " is beyond the tree (" + size() + ")");
    }
  }

  private byte[] get(int level, long index) {
    int off = Math.toIntExact(index * H);
    return Arrays.copyOfRange(levels.get(level), off, off + H);
  }

  private void put(int level, byte[] h) {
    if (level == levels.size()) {
      levels.add(new byte[H * 16]);
      counts.add(0L);
    }
    long n = counts.get(level);
    byte[] a = levels.get(level);
    int off = Math.toIntExact(n * H);
    if (off + H > a.length) {
      a = Arrays.copyOf(a, Math.max(off + H, a.length * 2));
      levels.set(level, a);
    }
    System.arraycopy(h, 0, a, off, H);
    counts.set(level, n + 1);
  }
}
