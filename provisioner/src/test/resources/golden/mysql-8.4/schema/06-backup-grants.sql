-- Strongroom schema, part 6b: the backup identity's privileges (docs/backups.md, "The backup identity"). Runs after
-- the audit schema exists and before the drift baseline, so the baseline holds exactly these grants. What
-- mariadb-dump --single-transaction --master-data=2 --routines --triggers --events, the accounts part and the binary
-- logs need, measured on MariaDB 10.11, and nothing more: no INSERT, UPDATE, DELETE, DDL, EXECUTE or LOCK TABLES
-- anywhere, no SUPER, no BINLOG ADMIN (PURGE BINARY LOGS), no CREATE USER.
--   SELECT, SHOW VIEW, TRIGGER, EVENT on the three schemas: the rows (the security schema's definer-only tables
--     too: a restore without them cannot verify a token), view, trigger and event definitions. The snapshot's
--     binary log position comes from Binlog_snapshot_file/position, so no FLUSH TABLES WITH READ LOCK is needed.
--   SELECT on mysql.*: routine bodies (mysql.proc; MariaDB 10.11 has no SHOW CREATE ROUTINE privilege), and
--     SHOW CREATE USER / SHOW GRANTS FOR the other accounts. Certificate identities and locked definers hold no
--     password hash there.
--   RELOAD: FLUSH BINARY LOGS (MariaDB accepts no narrower privilege for it).
--   REPLICATION CLIENT (MariaDB: BINLOG MONITOR): SHOW BINARY LOGS. REPLICATION SLAVE: reading the binary logs
--     from the server (mariadb-binlog --read-from-remote-server), which decrypts their at-rest encryption.
REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'backup'@'127.0.0.1';
GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON strongroom.* TO 'backup'@'127.0.0.1';
GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON strongroom_security.* TO 'backup'@'127.0.0.1';
GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON strongroom_audit.* TO 'backup'@'127.0.0.1';
GRANT SELECT ON mysql.* TO 'backup'@'127.0.0.1';
GRANT RELOAD, REPLICATION CLIENT, REPLICATION SLAVE ON *.* TO 'backup'@'127.0.0.1';
