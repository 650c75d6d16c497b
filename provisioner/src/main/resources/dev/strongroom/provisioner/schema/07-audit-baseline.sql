-- Strongroom schema, part 7: the baseline the audit plane checks for drift (docs/audit-chain.md, "Drift"). Taken by
-- the installer at the end of every install, after the grants, so it is exactly what the installer left behind.
START TRANSACTION;
DELETE FROM strongroom_audit.audit_schema_baseline;
INSERT INTO strongroom_audit.audit_schema_baseline (kind, object, detail)
  SELECT kind, object, detail FROM strongroom_audit.audit_schema_state;
DELETE FROM strongroom_audit.audit_row_baseline;
INSERT INTO strongroom_audit.audit_row_baseline (table_name, row_count, inserted, deleted)
  SELECT table_name, row_count, inserted, deleted FROM strongroom_audit.audit_row_counts;
COMMIT;
