/** The audit chain's outside verifier (DESIGN §4 "Audit chain", docs/audit-chain.md). */
package dev.strongroom.provisioner.audit;
