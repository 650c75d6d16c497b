/**
 * RFC 6962 / RFC 9162 Merkle trees (DESIGN §5): hashing ({@link
 * dev.strongroom.audit.tree.Rfc6962}), roots and inclusion and consistency proofs generated from
 * any {@link dev.strongroom.audit.tree.NodeSource} and verified from hashes alone ({@link
 * dev.strongroom.audit.tree.Proofs}), an in-memory tree ({@link
 * dev.strongroom.audit.tree.MerkleTree}) and the compact range for appends ({@link
 * dev.strongroom.audit.tree.CompactRange}).
 */
package dev.strongroom.audit.tree;
