/**
 * Reads the audit chain through the command-line client for the audit library's verifier ({@code
 * dev.strongroom.audit.chain}; DESIGN §4 "Audit chain", docs/audit-chain.md).
 */
package dev.strongroom.provisioner.audit;
