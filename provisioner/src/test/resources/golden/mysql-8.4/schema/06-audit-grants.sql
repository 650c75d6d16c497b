-- Strongroom schema, part 6: the identities' privileges on the audit schema (DESIGN §4). Runs after part 4,
-- which revoked everything from the identities. auditor reads the audit schema and may run the sealer and the
-- payload function; app_user and migration get nothing here. No identity holds DROP (TRUNCATE needs it),
-- INSERT, UPDATE or DELETE on strongroom_audit.
GRANT SELECT ON strongroom_audit.* TO 'auditor'@'127.0.0.1';
GRANT EXECUTE ON PROCEDURE strongroom_audit.audit_seal TO 'auditor'@'127.0.0.1';
GRANT EXECUTE ON FUNCTION strongroom_audit.audit_payload TO 'auditor'@'127.0.0.1';
