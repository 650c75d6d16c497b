-- Strongroom schema, part 6: the identities' privileges on the audit schema (DESIGN §4). Runs after part 4,
-- which revoked everything from the identities. auditor reads the audit tables and views it needs, runs the sealer,
-- the payload function and the anchor lease procedures; app_user and migration get nothing here. No identity holds
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
GRANT EXECUTE ON PROCEDURE strongroom_audit.audit_lease_acquire TO 'auditor'@'127.0.0.1';
GRANT EXECUTE ON PROCEDURE strongroom_audit.audit_anchor_append TO 'auditor'@'127.0.0.1';
-- the anchor service's per-sink delivery cursors (audit_sink_delivered writes them under the lease epoch)
GRANT SELECT ON strongroom_audit.audit_sink_deliveries TO 'auditor'@'127.0.0.1';
GRANT EXECUTE ON PROCEDURE strongroom_audit.audit_sink_delivered TO 'auditor'@'127.0.0.1';
-- the prover records each signed bundle's digest on the chain (audit_evidence_append) and reads what it recorded
GRANT SELECT ON strongroom_audit.audit_evidence TO 'auditor'@'127.0.0.1';
GRANT EXECUTE ON PROCEDURE strongroom_audit.audit_evidence_append TO 'auditor'@'127.0.0.1';
