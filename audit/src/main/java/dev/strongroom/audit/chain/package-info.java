/**
 * The audit chain (DESIGN §4 "Audit chain", docs/audit-chain.md): one event's payload bytes ({@link
 * dev.strongroom.audit.chain.AuditEvent}, {@link dev.strongroom.audit.chain.AuditJsonNotRfc8785}),
 * the chain hash ({@link dev.strongroom.audit.chain.ChainHash}) and the incremental verifier
 * ({@link dev.strongroom.audit.chain.HashChainVerifier}), independent of how rows are read.
 */
package dev.strongroom.audit.chain;
