package dev.strongroom.backup;

import dev.strongroom.audit.chain.ChainHash;
import dev.strongroom.audit.tree.MerkleTree;
import java.util.Base64;

/**
 * The audit log's RFC 6962 root as a checkpoint carries it (DESIGN §5): entry {@code i} is the 32
 * raw bytes of the chain's {@code curr_hash} at {@code seq = i + 1}; the root is written in
 * standard base64, as on a checkpoint's third line, so a manifest's {@code audit.root} compares
 * with an anchored checkpoint byte for byte.
 */
public final class AuditLogRoot {
  private AuditLogRoot() {}

  /** A tree over {@code currHashes} (lower-case hex, in seq order from seq 1). */
  public static MerkleTree tree(Iterable<String> currHashes) {
    MerkleTree t = new MerkleTree();
    for (String h : currHashes) {
      t.append(ChainHash.entry(h));
    }
    return t;
  }

  /** The root of the first {@code size} entries of {@code tree}, base64. */
  public static String root(MerkleTree tree, long size) {
    return Base64.getEncoder().encodeToString(tree.root(size));
  }

  /** The root over all of {@code currHashes}, base64. */
  public static String of(Iterable<String> currHashes) {
    MerkleTree t = tree(currHashes);
    return root(t, t.size());
  }
}
