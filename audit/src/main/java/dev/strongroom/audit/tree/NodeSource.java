package dev.strongroom.audit.tree;

/**
 * The hashes of a log's perfect subtrees: {@code node(level, index)} is the root of leaves {@code
 * [index << level, (index + 1) << level)} — level 0 the leaf hashes. {@link MerkleTree} holds them
 * in memory; tlog-tiles hold them in storage. {@link Proofs} builds every root and proof from these
 * alone.
 */
@FunctionalInterface
public interface NodeSource {
  /**
   * The hash of the perfect subtree at {@code level}, {@code index}.
   *
   * @throws IllegalArgumentException if that subtree is not complete in this source
   */
  byte[] node(int level, long index);
}
