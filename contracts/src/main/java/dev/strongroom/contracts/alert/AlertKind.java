package dev.strongroom.contracts.alert;

/** Alert kinds of DESIGN §3; the names are wire values. */
public enum AlertKind {
  CHAIN_BREAK,
  ANCHOR_GAP,
  ANCHOR_MISMATCH,
  SIGNATURE_INVALID,
  STALE,
  REPLAY,
  SCHEMA_DRIFT,
  GRANT_CHANGE,
  PROOF_FAILED,
  /**
   * A scheduled backup did not complete (docs/runbook-backup.md); {@code related.reason} says why.
   */
  BACKUP_FAILED
}
