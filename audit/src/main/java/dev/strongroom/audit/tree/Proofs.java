package dev.strongroom.audit.tree;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * RFC 6962 §2.1 / RFC 9162 §2.1 Merkle tree roots, inclusion proofs ({@code PATH}) and consistency
 * proofs ({@code PROOF}/{@code SUBPROOF}): generated from a {@link NodeSource}, verified from
 * hashes alone. Proof hashes are ordered bottom-up, as both RFCs and every tlog client expect.
 *
 * <p>Verification follows transparency-dev/merkle's {@code proof} package (the decomposition into
 * an inner and a border part), checked against all of that repository's {@code
 * testdata/{inclusion,consistency}} vectors, negatives included. Sizes and indexes are unsigned
 * 63-bit values; a negative one (an unsigned value above {@code 2^63 - 1}) is refused.
 */
public final class Proofs {
  private static final HexFormat HEX = HexFormat.of();

  private Proofs() {}

  // ---- generation --------------------------------------------------------------------------

  /** The tree head (root) of the first {@code size} leaves; the empty root for 0. */
  public static byte[] root(NodeSource nodes, long size) {
    if (size < 0) {
      throw new IllegalArgumentException("negative size: " + size);
    }
    return size == 0 ? Rfc6962.emptyRoot() : subtreeRoot(nodes, 0, size);
  }

  /** {@code MTH(D[begin:end])} for a non-empty range whose start is aligned as RFC 6962 splits. */
  static byte[] subtreeRoot(NodeSource nodes, long begin, long end) {
    long n = end - begin;
    if (Long.bitCount(n) == 1 && begin % n == 0) {
      int level = Long.numberOfTrailingZeros(n);
      return nodes.node(level, begin >>> level);
    }
    long k = largestPowerOfTwoBelow(n);
    return Rfc6962.nodeHash(
        subtreeRoot(nodes, begin, begin + k), subtreeRoot(nodes, begin + k, end));
  }

  /** RFC 6962 {@code PATH(index, D[0:size])}: the audit path of leaf {@code index}. */
  public static List<byte[]> inclusionProof(NodeSource nodes, long index, long size) {
    if (index < 0 || size < 0 || index >= size) {
      throw new IllegalArgumentException("index " + index + " is not in a tree of size " + size);
    }
    List<byte[]> out = new ArrayList<>();
    path(nodes, index, 0, size, out);
    return out;
  }

  private static void path(NodeSource nodes, long m, long begin, long end, List<byte[]> out) {
    long n = end - begin;
    if (n == 1) {
      return;
    }
    long k = largestPowerOfTwoBelow(n);
    if (m < begin + k) {
      path(nodes, m, begin, begin + k, out);
      out.add(subtreeRoot(nodes, begin + k, end));
    } else {
      path(nodes, m, begin + k, end, out);
      out.add(subtreeRoot(nodes, begin, begin + k));
    }
  }

  /**
   * RFC 6962 {@code PROOF(size1, D[0:size2])}: empty when the sizes are equal; {@code 0 < size1 <=
   * size2}.
   */
  public static List<byte[]> consistencyProof(NodeSource nodes, long size1, long size2) {
    if (size1 <= 0 || size2 < size1) {
      throw new IllegalArgumentException(
          "no consistency proof from size " + size1 + " to size " + size2);
    }
    List<byte[]> out = new ArrayList<>();
    if (size1 < size2) {
      subproof(nodes, size1, 0, size2, true, out);
    }
    return out;
  }

  private static void subproof(
      NodeSource nodes, long m, long begin, long end, boolean whole, List<byte[]> out) {
    long n = end - begin;
    if (m == n) {
      if (!whole) {
        out.add(subtreeRoot(nodes, begin, end));
      }
      return;
    }
    long k = largestPowerOfTwoBelow(n);
    if (m <= k) {
      subproof(nodes, m, begin, begin + k, whole, out);
      out.add(subtreeRoot(nodes, begin + k, end));
    } else {
      subproof(nodes, m - k, begin + k, end, false, out);
      out.add(subtreeRoot(nodes, begin, begin + k));
    }
  }

  /** The largest power of two strictly below {@code n} ({@code n >= 2}). */
  static long largestPowerOfTwoBelow(long n) {
    return Long.highestOneBit(n - 1);
  }

  // ---- verification ------------------------------------------------------------------------

  /**
   * The root that {@code proof} gives for leaf hash {@code leafHash} at {@code index} in a tree of
   * {@code size}.
   *
   * @throws InvalidProofException if the proof cannot be for that index and size
   */
  public static byte[] rootFromInclusionProof(
      long index, long size, byte[] leafHash, List<byte[]> proof) {
    if (index < 0 || size < 0) {
      throw new InvalidProofException("index and size must be at most 2^63-1");
    }
    if (index >= size) {
      throw new InvalidProofException("index is beyond size: " + index + " >= " + size);
    }
    checkHash("leaf hash", leafHash);
    checkHashes(proof);
    int inner = innerProofSize(index, size);
    int border = Long.bitCount(index >>> inner);
    if (proof.size() != inner + border) {
      throw new InvalidProofException(
          "wrong proof size " + proof.size() + ", want " + (inner + border));
    }
    byte[] res = chainInner(leafHash, proof.subList(0, inner), index);
    return chainBorderRight(res, proof.subList(inner, proof.size()));
  }

  /**
   * Checks that {@code proof} proves leaf hash {@code leafHash} at {@code index} in the tree of
   * {@code size} with root {@code root}.
   *
   * @throws InvalidProofException naming what failed
   */
  public static void verifyInclusion(
      long index, long size, byte[] leafHash, List<byte[]> proof, byte[] root) {
    match(rootFromInclusionProof(index, size, leafHash, proof), root);
  }

  /**
   * The root of the tree of {@code size2} that {@code proof} gives from the tree of {@code size1}
   * with root {@code root1}, after checking that the proof reproduces {@code root1}.
   *
   * @throws InvalidProofException naming what failed
   */
  public static byte[] rootFromConsistencyProof(
      long size1, long size2, List<byte[]> proof, byte[] root1) {
    if (size1 < 0 || size2 < 0) {
      throw new InvalidProofException("sizes must be at most 2^63-1");
    }
    if (size2 < size1) {
      throw new InvalidProofException("size2 (" + size2 + ") < size1 (" + size1 + ")");
    }
    if (size1 == 0) {
      throw new InvalidProofException("a consistency proof from the empty tree is meaningless");
    }
    checkHashes(proof);
    if (size1 == size2) {
      if (!proof.isEmpty()) {
        throw new InvalidProofException("size1 = size2, but the proof is not empty");
      }
      return root1.clone();
    }
    if (proof.isEmpty()) {
      throw new InvalidProofException("empty proof");
    }
    checkHash("root1", root1);
    int inner = innerProofSize(size1 - 1, size2);
    int border = Long.bitCount((size1 - 1) >>> inner);
    int shift = Long.numberOfTrailingZeros(size1);
    inner -= shift;

    byte[] seed;
    int start;
    if (size1 == 1L << shift) {
      seed = root1;
      start = 0;
    } else {
      seed = proof.get(0);
      start = 1;
    }
    if (proof.size() != start + inner + border) {
      throw new InvalidProofException(
          "wrong proof size " + proof.size() + ", want " + (start + inner + border));
    }
    List<byte[]> p = proof.subList(start, proof.size());
    long mask = (size1 - 1) >>> shift;

    byte[] hash1 = chainInnerRight(seed, p.subList(0, inner), mask);
    hash1 = chainBorderRight(hash1, p.subList(inner, p.size()));
    match(hash1, root1);

    byte[] hash2 = chainInner(seed, p.subList(0, inner), mask);
    return chainBorderRight(hash2, p.subList(inner, p.size()));
  }

  /**
   * Checks that {@code proof} proves the tree of {@code size1} with root {@code root1} is a prefix
   * of the tree of {@code size2} with root {@code root2}.
   *
   * @throws InvalidProofException naming what failed
   */
  public static void verifyConsistency(
      long size1, long size2, List<byte[]> proof, byte[] root1, byte[] root2) {
    match(rootFromConsistencyProof(size1, size2, proof, root1), root2);
  }

  private static int innerProofSize(long index, long size) {
    return 64 - Long.numberOfLeadingZeros(index ^ (size - 1));
  }

  private static byte[] chainInner(byte[] seed, List<byte[]> proof, long index) {
    for (int i = 0; i < proof.size(); i++) {
      if (((index >>> i) & 1) == 0) {
        seed = Rfc6962.nodeHash(seed, proof.get(i));
      } else {
        seed = Rfc6962.nodeHash(proof.get(i), seed);
      }
    }
    return seed;
  }

  private static byte[] chainInnerRight(byte[] seed, List<byte[]> proof, long index) {
    for (int i = 0; i < proof.size(); i++) {
      if (((index >>> i) & 1) == 1) {
        seed = Rfc6962.nodeHash(proof.get(i), seed);
      }
    }
    return seed;
  }

  private static byte[] chainBorderRight(byte[] seed, List<byte[]> proof) {
    for (byte[] h : proof) {
      seed = Rfc6962.nodeHash(h, seed);
    }
    return seed;
  }

  private static void match(byte[] calculated, byte[] expected) {
    if (expected == null || !MessageDigest.isEqual(calculated, expected)) {
      throw new InvalidProofException(
          "calculated root "
              + HEX.formatHex(calculated)
              + " does not match expected root "
              + (expected == null ? "null" : HEX.formatHex(expected)));
    }
  }

  private static void checkHash(String what, byte[] h) {
    if (h == null || h.length != Rfc6962.HASH_SIZE) {
      throw new InvalidProofException(
          what + " has size " + (h == null ? "null" : h.length) + ", want " + Rfc6962.HASH_SIZE);
    }
  }

  private static void checkHashes(List<byte[]> proof) {
    if (proof == null) {
      throw new InvalidProofException("no proof");
    }
    for (byte[] h : proof) {
      checkHash("proof hash", h);
    }
  }
}
