-- Strongroom schema, part 2: the locked account that owns every DEFINER routine, and exactly its privileges.
CREATE USER IF NOT EXISTS 'api_definer'@'localhost' IDENTIFIED VIA unix_socket ACCOUNT LOCK;
ALTER USER 'api_definer'@'localhost' IDENTIFIED VIA unix_socket ACCOUNT LOCK;
REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'api_definer'@'localhost';
GRANT SELECT, INSERT, UPDATE, EXECUTE ON strongroom.* TO 'api_definer'@'localhost';
-- EVENT: it owns the event that purges expired bindings (03-routines.sql).
GRANT SELECT, INSERT, DELETE, EXECUTE, EVENT ON strongroom_security.* TO 'api_definer'@'localhost';
