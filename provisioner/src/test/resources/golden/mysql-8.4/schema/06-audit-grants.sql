-- Strongroom schema, part 6: the identities' privileges on the audit schema (DESIGN §4). Runs after part 4,
-- which revoked everything from the identities. auditor (assessors, `prove`, `verify-audit`, `receipt`) reads the audit
-- tables and views, runs the sealer and the payload function, and records proof bundles; it does not execute the anchor
-- service's writer procedures (lease, anchor append, sink delivered): those belong to anchor_writer, the service's own
-- identity (06-anchor-writer-grants.sql; docs/decisions.md). app_user and migration get nothing here. No identity holds
-- DROP (TRUNCATE needs it), INSERT, UPDATE or DELETE on strongroom_audit. auditor gets no privilege at all on
-- audit_seal_lock and audit_anchor_lease: with SELECT it could lock their one row (SELECT … FOR UPDATE) and stall the
-- sealer or the anchor service indefinitely.
GRANT SELECT ON strongroom_audit.audit_events TO 'auditor'@'127.0.0.1';
GRANT SELECT ON strongroom_audit.audit_chain TO 'auditor'@'127.0.0.1';
GRANT SELECT ON strongroom_audit.audit_anchors TO 'auditor'@'127.0.0.1';
GRANT SELECT ON strongroom_audit.audit_schema_baseline TO 'auditor'@'127.0.0.1';
GRANT SELECT ON strongroom_audit.audit_row_baseline TO 'auditor'@'127.0.0.1';
GRANT SELECT ON strongroom_audit.audit_schema_state TO 'auditor'@'127.0.0.1';
GRANT SELECT ON strongroom_audit.audit_schema_drift TO 'auditor'@'127.0.0.1';
GRANT SELECT ON strongroom_audit.audit_row_counts TO 'auditor'@'127.0.0.1';
GRANT SELECT ON strongroom_audit.audit_row_reconciliation TO 'auditor'@'127.0.0.1';
GRANT EXECUTE ON PROCEDURE strongroom_audit.audit_seal TO 'auditor'@'127.0.0.1';
GRANT EXECUTE ON FUNCTION strongroom_audit.audit_payload TO 'auditor'@'127.0.0.1';
-- the anchor service's per-sink delivery cursors, read only (anchor_writer records them with audit_sink_delivered)
GRANT SELECT ON strongroom_audit.audit_sink_deliveries TO 'auditor'@'127.0.0.1';
-- the prover records each signed bundle's digest on the chain (audit_evidence_append) and reads what it recorded
GRANT SELECT ON strongroom_audit.audit_evidence TO 'auditor'@'127.0.0.1';
GRANT EXECUTE ON PROCEDURE strongroom_audit.audit_evidence_append TO 'auditor'@'127.0.0.1';
