-- Strongroom schema, part 6c: the audit-anchor-service's own identity, anchor_writer (docs/audit-anchor-service.md,
-- "Database identity"; docs/decisions.md says why it is not auditor). Runs after the audit schema exists and before
-- the drift baseline, so the baseline holds exactly these grants. What the service reads and writes, and nothing
-- more: no INSERT, UPDATE, DELETE, DDL or DROP anywhere, nothing on the data or security schemas, no audit_seal,
-- audit_evidence_append or security_set_tenant, nothing on audit_seal_lock or audit_anchor_lease (a row lock there
-- would stall the sealer or the lease).
--   SELECT on audit_chain and audit_events: the tail (ChainTail) re-verifies every new row.
--   SELECT on audit_anchors and audit_sink_deliveries: the last checkpoint and each sink's cursor.
--   SELECT on the views audit_schema_drift and audit_row_reconciliation: SCHEMA_DRIFT, GRANT_CHANGE and the row-count
--     check (SchemaWatch). Both are SQL SECURITY DEFINER views: information_schema, the grant tables and the baselines
--     are read with audit_definer's privileges, not this account's.
--   EXECUTE on audit_lease_acquire, audit_anchor_append and audit_sink_delivered: the one-writer lease, the checkpoint
--     record and the sinks' delivery cursors, each fenced by the lease epoch in the procedure.
REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'anchor_writer'@'127.0.0.1';
GRANT SELECT ON strongroom_audit.audit_chain TO 'anchor_writer'@'127.0.0.1';
GRANT SELECT ON strongroom_audit.audit_events TO 'anchor_writer'@'127.0.0.1';
GRANT SELECT ON strongroom_audit.audit_anchors TO 'anchor_writer'@'127.0.0.1';
GRANT SELECT ON strongroom_audit.audit_sink_deliveries TO 'anchor_writer'@'127.0.0.1';
GRANT SELECT ON strongroom_audit.audit_schema_drift TO 'anchor_writer'@'127.0.0.1';
GRANT SELECT ON strongroom_audit.audit_row_reconciliation TO 'anchor_writer'@'127.0.0.1';
GRANT EXECUTE ON PROCEDURE strongroom_audit.audit_lease_acquire TO 'anchor_writer'@'127.0.0.1';
GRANT EXECUTE ON PROCEDURE strongroom_audit.audit_anchor_append TO 'anchor_writer'@'127.0.0.1';
GRANT EXECUTE ON PROCEDURE strongroom_audit.audit_sink_delivered TO 'anchor_writer'@'127.0.0.1';
