/**
 * The evidence bundle (DESIGN §6 invariant 12): a deterministic tar.gz whose {@code MANIFEST} lists
 * the SHA-256 of every other file in {@code sha256sum} format and whose {@code MANIFEST.sig} is a
 * detached Ed25519 signature over the manifest's bytes. {@code docs/proof.md} shows how to verify
 * it with {@code openssl} and {@code sha256sum} alone.
 */
package dev.strongroom.proof.bundle;
