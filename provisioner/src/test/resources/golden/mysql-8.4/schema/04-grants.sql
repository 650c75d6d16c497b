-- Strongroom schema, part 4: the identities' privileges, exactly (DESIGN §4). Everything is revoked first, so a
-- re-install also removes any privilege granted by hand. Identities must already exist (AccountProvisioner).
REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'app_user'@'127.0.0.1', 'auditor'@'127.0.0.1', 'migration'@'127.0.0.1';

-- app_user: EXECUTE on the API procedures, one by one; SELECT on the tenant-scoped views, one by one; nothing on
-- any table; no schema-wide EXECUTE or SELECT.
GRANT EXECUTE ON PROCEDURE strongroom.security_set_tenant TO 'app_user'@'127.0.0.1';
GRANT EXECUTE ON PROCEDURE strongroom.security_clear_tenant TO 'app_user'@'127.0.0.1';
GRANT EXECUTE ON PROCEDURE strongroom.security_current_tenant TO 'app_user'@'127.0.0.1';
GRANT EXECUTE ON PROCEDURE strongroom.app_create_user_encrypted TO 'app_user'@'127.0.0.1';
GRANT EXECUTE ON PROCEDURE strongroom.app_get_user TO 'app_user'@'127.0.0.1';
GRANT EXECUTE ON PROCEDURE strongroom.app_list_users TO 'app_user'@'127.0.0.1';
GRANT EXECUTE ON PROCEDURE strongroom.app_rewrap_data_key TO 'app_user'@'127.0.0.1';
GRANT EXECUTE ON PROCEDURE strongroom.app_record_decrypt TO 'app_user'@'127.0.0.1';
GRANT SELECT ON strongroom.v_users TO 'app_user'@'127.0.0.1';
GRANT SELECT ON strongroom.v_data_keys TO 'app_user'@'127.0.0.1';

-- auditor: binds a tenant (the audit schema's SELECT arrives with the audit schema).
GRANT EXECUTE ON PROCEDURE strongroom.security_set_tenant TO 'auditor'@'127.0.0.1';

-- migration: DDL and DML on the data schema's tables. DROP only per table, so DROP DATABASE (which would
-- take the API routines with it) stays refused; no routine, trigger, view, event or temporary-table privilege.
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, REFERENCES ON strongroom.* TO 'migration'@'127.0.0.1';
GRANT DROP ON strongroom.tenants TO 'migration'@'127.0.0.1';
GRANT DROP ON strongroom.data_keys TO 'migration'@'127.0.0.1';
GRANT DROP ON strongroom.users TO 'migration'@'127.0.0.1';
GRANT DROP ON strongroom.record_decrypts TO 'migration'@'127.0.0.1';
