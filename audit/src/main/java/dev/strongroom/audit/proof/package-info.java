/**
 * Per-record receipts in the c2sp.org/tlog-proof@v1 format ({@link
 * dev.strongroom.audit.proof.TlogProof}): encode, parse, verify offline.
 */
package dev.strongroom.audit.proof;
