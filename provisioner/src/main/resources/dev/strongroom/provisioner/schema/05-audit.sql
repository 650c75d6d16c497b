-- Strongroom schema, part 5: the audit plane inside the database (DESIGN §4 "Audit chain", design (b)).
-- Installed by AuditInstaller after parts 1–4. Idempotent: tables are created if missing (never dropped or
-- altered); the definer, routines and triggers are replaced. The exact payload is specified in
-- docs/audit-chain.md; AuditChainVerifier recomputes it in Java.

CREATE DATABASE IF NOT EXISTS strongroom_audit CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;

-- One row per changed data row, written by the AFTER triggers below; never updated or deleted.
CREATE TABLE IF NOT EXISTS strongroom_audit.audit_events (
  event_id     BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  event_time   DATETIME(6) NOT NULL,
  db_user      VARCHAR(384) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  current_usr  VARCHAR(384) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  tenant_id    VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
  operation    VARCHAR(6) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  table_name   VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  primary_key  TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  before_image LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
  after_image  LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
  request_id   VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  PRIMARY KEY (event_id),
  CONSTRAINT ck_audit_events_op CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE'))
) ENGINE=InnoDB;

-- The chain: one row per sealed event, gapless seq from 1, appended only by audit_seal.
CREATE TABLE IF NOT EXISTS strongroom_audit.audit_chain (
  seq       BIGINT UNSIGNED NOT NULL,
  event_id  BIGINT UNSIGNED NOT NULL,
  prev_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  curr_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (seq),
  UNIQUE KEY uk_audit_chain_event (event_id),
  CONSTRAINT fk_audit_chain_event FOREIGN KEY (event_id) REFERENCES strongroom_audit.audit_events (event_id)
) ENGINE=InnoDB;

-- One row that sealers lock (SELECT … FOR UPDATE) to run one at a time. A row lock, not a user-level lock: those
-- names are global and need no privilege, so app_user or migration could hold the name and stop sealing; this row
-- can be locked only by an identity that may read the audit schema (the auditor).
CREATE TABLE IF NOT EXISTS strongroom_audit.audit_seal_lock (
  id TINYINT UNSIGNED NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT ck_audit_seal_lock_one CHECK (id = 1)
) ENGINE=InnoDB;
INSERT IGNORE INTO strongroom_audit.audit_seal_lock (id) VALUES (1);

-- The locked account that owns the audit triggers and routines (not api_definer: the API's owner cannot write
-- the audit schema, and the audit owner cannot change data).
CREATE USER IF NOT EXISTS 'audit_definer'@'localhost' IDENTIFIED VIA unix_socket ACCOUNT LOCK;
ALTER USER 'audit_definer'@'localhost' IDENTIFIED VIA unix_socket ACCOUNT LOCK;
REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'audit_definer'@'localhost';
GRANT SELECT, INSERT, TRIGGER, EXECUTE, EVENT ON strongroom_audit.* TO 'audit_definer'@'localhost';
GRANT SELECT, TRIGGER ON strongroom.tenants TO 'audit_definer'@'localhost';
GRANT SELECT, TRIGGER ON strongroom.data_keys TO 'audit_definer'@'localhost';
GRANT SELECT, TRIGGER ON strongroom.users TO 'audit_definer'@'localhost';
GRANT SELECT, TRIGGER ON strongroom.record_decrypts TO 'audit_definer'@'localhost';

-- Earlier installs routed the triggers through this procedure.
DROP PROCEDURE IF EXISTS strongroom_audit.audit_append;

DELIMITER $$

-- JSON string literal or null, exactly as JSON_QUOTE writes it (docs/audit-chain.md).
CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' FUNCTION strongroom_audit.jq(p LONGTEXT CHARACTER SET utf8mb4)
  RETURNS LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
  DETERMINISTIC NO SQL SQL SECURITY DEFINER
BEGIN
  RETURN IFNULL(JSON_QUOTE(p), 'null');
END$$

-- The canonical payload of one event (docs/audit-chain.md): a JSON object, keys sorted, no spaces. NULL if
-- the event does not exist.
CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' FUNCTION strongroom_audit.audit_payload(p_event_id BIGINT UNSIGNED)
  RETURNS LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
  NOT DETERMINISTIC READS SQL DATA SQL SECURITY DEFINER
BEGIN
  RETURN (SELECT CONCAT(
      '{"after":', IFNULL(e.after_image, 'null'),
      ',"before":', IFNULL(e.before_image, 'null'),
      ',"current_user":', strongroom_audit.jq(e.current_usr),
      ',"db_user":', strongroom_audit.jq(e.db_user),
      ',"event_id":', CAST(e.event_id AS CHAR),
      ',"operation":', strongroom_audit.jq(e.operation),
      ',"primary_key":', e.primary_key,
      ',"request_id":', strongroom_audit.jq(e.request_id),
      ',"table":', strongroom_audit.jq(e.table_name),
      ',"tenant":', strongroom_audit.jq(e.tenant_id),
      ',"time":', strongroom_audit.jq(DATE_FORMAT(e.event_time, '%Y-%m-%d %H:%i:%s.%f')),
      '}')
    FROM strongroom_audit.audit_events e WHERE e.event_id = p_event_id);
END$$

-- Seals up to p_max_rows unsealed events, in event_id order, onto the chain. Serialised by the audit_seal_lock
-- row, so two sealers can never fork the chain (the seq primary key would refuse a fork anyway); an event whose
-- transaction committed late (a lower id than one already sealed) is still sealed exactly once, because the
-- sealer takes "events without a chain row", not "ids above the last sealed" (and uk_audit_chain_event forbids a
-- second chain row). Result: sealed, head_seq, head_hash.
CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' PROCEDURE strongroom_audit.audit_seal(IN p_max_rows INT)
  MODIFIES SQL DATA SQL SECURITY DEFINER
BEGIN
  DECLARE v_done INT DEFAULT 0;
  DECLARE v_event BIGINT UNSIGNED;
  DECLARE v_seq BIGINT UNSIGNED;
  DECLARE v_prev CHAR(64) CHARACTER SET ascii;
  DECLARE v_hash CHAR(64) CHARACTER SET ascii;
  DECLARE v_count INT DEFAULT 0;
  DECLARE v_max INT DEFAULT IFNULL(p_max_rows, 0);
  DECLARE v_lock TINYINT UNSIGNED DEFAULT NULL;
  DECLARE c_unsealed CURSOR FOR
    SELECT e.event_id FROM strongroom_audit.audit_events e
    WHERE NOT EXISTS (SELECT 1 FROM strongroom_audit.audit_chain c WHERE c.event_id = e.event_id)
    ORDER BY e.event_id LIMIT v_max;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_done = 1;
  DECLARE EXIT HANDLER FOR 1205
  BEGIN
    ROLLBACK;
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-BUSY: another sealer holds the chain lock';
  END;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    ROLLBACK;
    RESIGNAL;
  END;

  IF v_max NOT BETWEEN 1 AND 1000000 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-INVALID-ARGUMENT: max_rows must be within 1..1000000';
  END IF;
  START TRANSACTION;
  -- one sealer at a time (waits up to innodb_lock_wait_timeout, then SR-AUDIT-BUSY); every later statement sees
  -- the chain rows the previous sealer committed (READ COMMITTED, and the lock is taken before the head is read)
  SELECT s.id INTO v_lock FROM strongroom_audit.audit_seal_lock s WHERE s.id = 1 FOR UPDATE;
  IF v_lock IS NULL THEN
    ROLLBACK;
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-LOCK-MISSING: the seal lock row is gone; re-install the audit plane';
  END IF;
  SET v_done = 0;
  SELECT c.seq, c.curr_hash INTO v_seq, v_prev FROM strongroom_audit.audit_chain c ORDER BY c.seq DESC LIMIT 1;
  IF v_done = 1 OR v_seq IS NULL THEN
    SET v_done = 0, v_seq = 0, v_prev = REPEAT('0', 64);
  END IF;
  OPEN c_unsealed;
  seal: LOOP
    FETCH c_unsealed INTO v_event;
    IF v_done = 1 THEN LEAVE seal; END IF;
    SET v_seq = v_seq + 1;
    SET v_hash = SHA2(CONCAT(CONVERT(v_prev USING utf8mb4) COLLATE utf8mb4_bin, '|', strongroom_audit.audit_payload(v_event)), 256);
    INSERT INTO strongroom_audit.audit_chain (seq, event_id, prev_hash, curr_hash) VALUES (v_seq, v_event, v_prev, v_hash);
    SET v_prev = v_hash, v_count = v_count + 1;
  END LOOP;
  CLOSE c_unsealed;
  COMMIT;
  SELECT v_count AS sealed, v_seq AS head_seq, v_prev AS head_hash;
END$$

-- Guards: audit rows are never updated or deleted, not even by root (TRUNCATE fires no trigger; it needs DROP,
-- which no identity holds on this schema).
CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom_audit.audit_events_no_update
  BEFORE UPDATE ON strongroom_audit.audit_events FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-IMMUTABLE: audit rows cannot be updated or deleted'$$
CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom_audit.audit_events_no_delete
  BEFORE DELETE ON strongroom_audit.audit_events FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-IMMUTABLE: audit rows cannot be updated or deleted'$$
CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom_audit.audit_chain_no_update
  BEFORE UPDATE ON strongroom_audit.audit_chain FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-IMMUTABLE: audit rows cannot be updated or deleted'$$
CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom_audit.audit_chain_no_delete
  BEFORE DELETE ON strongroom_audit.audit_chain FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-IMMUTABLE: audit rows cannot be updated or deleted'$$

-- Data-table triggers, one pattern for every table: the INSERT into audit_events is written inline (no routine
-- call on the write path). Images are built directly in canonical form (docs/audit-chain.md): a JSON object, keys
-- sorted, no whitespace, text as JSON_QUOTE writes it, binary columns as lowercase hex, DATETIME(6) as
-- 'YYYY-MM-DD HH:MM:SS.ffffff', integer columns as decimal strings, NULL as null. `tenant` is the changed row's
-- tenant (for the API's writes that is the bound tenant, which the procedures enforce; for a migration's write it
-- names whose data changed). An UPDATE that changed nothing (equal images) is not recorded.

CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom.tenants_audit_insert
  AFTER INSERT ON strongroom.tenants FOR EACH ROW
  INSERT INTO strongroom_audit.audit_events (event_time, db_user, current_usr, tenant_id, operation, table_name,
                                             primary_key, before_image, after_image, request_id)
  VALUES (UTC_TIMESTAMP(6), USER(), CURRENT_USER(), NEW.tenant_id, 'INSERT', 'tenants', CONCAT('{"tenant_id":', JSON_QUOTE(NEW.tenant_id), '}'),
    NULL,
    CONCAT('{"created_at":', CONCAT('"', DATE_FORMAT(NEW.created_at, '%Y-%m-%d %H:%i:%s.%f'), '"'),
      ',"tenant_id":', JSON_QUOTE(NEW.tenant_id), '}'),
    NULL)$$

CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom.tenants_audit_update
  AFTER UPDATE ON strongroom.tenants FOR EACH ROW
BEGIN
  DECLARE v_before LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT
    CONCAT('{"created_at":', CONCAT('"', DATE_FORMAT(OLD.created_at, '%Y-%m-%d %H:%i:%s.%f'), '"'),
      ',"tenant_id":', JSON_QUOTE(OLD.tenant_id), '}');
  DECLARE v_after LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT
    CONCAT('{"created_at":', CONCAT('"', DATE_FORMAT(NEW.created_at, '%Y-%m-%d %H:%i:%s.%f'), '"'),
      ',"tenant_id":', JSON_QUOTE(NEW.tenant_id), '}');
  IF NOT (v_before <=> v_after) THEN
    INSERT INTO strongroom_audit.audit_events (event_time, db_user, current_usr, tenant_id, operation, table_name,
                                               primary_key, before_image, after_image, request_id)
    VALUES (UTC_TIMESTAMP(6), USER(), CURRENT_USER(), NEW.tenant_id, 'UPDATE', 'tenants', CONCAT('{"tenant_id":', JSON_QUOTE(NEW.tenant_id), '}'),
      v_before,
      v_after,
      NULL);
  END IF;
END$$

CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom.tenants_audit_delete
  AFTER DELETE ON strongroom.tenants FOR EACH ROW
  INSERT INTO strongroom_audit.audit_events (event_time, db_user, current_usr, tenant_id, operation, table_name,
                                             primary_key, before_image, after_image, request_id)
  VALUES (UTC_TIMESTAMP(6), USER(), CURRENT_USER(), OLD.tenant_id, 'DELETE', 'tenants', CONCAT('{"tenant_id":', JSON_QUOTE(OLD.tenant_id), '}'),
    CONCAT('{"created_at":', CONCAT('"', DATE_FORMAT(OLD.created_at, '%Y-%m-%d %H:%i:%s.%f'), '"'),
      ',"tenant_id":', JSON_QUOTE(OLD.tenant_id), '}'),
    NULL,
    NULL)$$

CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom.data_keys_audit_insert
  AFTER INSERT ON strongroom.data_keys FOR EACH ROW
  INSERT INTO strongroom_audit.audit_events (event_time, db_user, current_usr, tenant_id, operation, table_name,
                                             primary_key, before_image, after_image, request_id)
  VALUES (UTC_TIMESTAMP(6), USER(), CURRENT_USER(), NEW.tenant_id, 'INSERT', 'data_keys', CONCAT('{"dek_id":', JSON_QUOTE(NEW.dek_id), '}'),
    NULL,
    CONCAT('{"created_at":', CONCAT('"', DATE_FORMAT(NEW.created_at, '%Y-%m-%d %H:%i:%s.%f'), '"'),
      ',"dek_id":', JSON_QUOTE(NEW.dek_id),
      ',"kms_key_name":', JSON_QUOTE(NEW.kms_key_name),
      ',"kms_key_version":', JSON_QUOTE(NEW.kms_key_version),
      ',"pq_alg":', IFNULL(JSON_QUOTE(NEW.pq_alg), 'null'),
      ',"pq_wrapped_dek":', IFNULL(CONCAT('"', LOWER(HEX(NEW.pq_wrapped_dek)), '"'), 'null'),
      ',"tenant_id":', JSON_QUOTE(NEW.tenant_id),
      ',"wrapped_dek":', CONCAT('"', LOWER(HEX(NEW.wrapped_dek)), '"'), '}'),
    NULL)$$

CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom.data_keys_audit_update
  AFTER UPDATE ON strongroom.data_keys FOR EACH ROW
BEGIN
  DECLARE v_before LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT
    CONCAT('{"created_at":', CONCAT('"', DATE_FORMAT(OLD.created_at, '%Y-%m-%d %H:%i:%s.%f'), '"'),
      ',"dek_id":', JSON_QUOTE(OLD.dek_id),
      ',"kms_key_name":', JSON_QUOTE(OLD.kms_key_name),
      ',"kms_key_version":', JSON_QUOTE(OLD.kms_key_version),
      ',"pq_alg":', IFNULL(JSON_QUOTE(OLD.pq_alg), 'null'),
      ',"pq_wrapped_dek":', IFNULL(CONCAT('"', LOWER(HEX(OLD.pq_wrapped_dek)), '"'), 'null'),
      ',"tenant_id":', JSON_QUOTE(OLD.tenant_id),
      ',"wrapped_dek":', CONCAT('"', LOWER(HEX(OLD.wrapped_dek)), '"'), '}');
  DECLARE v_after LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT
    CONCAT('{"created_at":', CONCAT('"', DATE_FORMAT(NEW.created_at, '%Y-%m-%d %H:%i:%s.%f'), '"'),
      ',"dek_id":', JSON_QUOTE(NEW.dek_id),
      ',"kms_key_name":', JSON_QUOTE(NEW.kms_key_name),
      ',"kms_key_version":', JSON_QUOTE(NEW.kms_key_version),
      ',"pq_alg":', IFNULL(JSON_QUOTE(NEW.pq_alg), 'null'),
      ',"pq_wrapped_dek":', IFNULL(CONCAT('"', LOWER(HEX(NEW.pq_wrapped_dek)), '"'), 'null'),
      ',"tenant_id":', JSON_QUOTE(NEW.tenant_id),
      ',"wrapped_dek":', CONCAT('"', LOWER(HEX(NEW.wrapped_dek)), '"'), '}');
  IF NOT (v_before <=> v_after) THEN
    INSERT INTO strongroom_audit.audit_events (event_time, db_user, current_usr, tenant_id, operation, table_name,
                                               primary_key, before_image, after_image, request_id)
    VALUES (UTC_TIMESTAMP(6), USER(), CURRENT_USER(), NEW.tenant_id, 'UPDATE', 'data_keys', CONCAT('{"dek_id":', JSON_QUOTE(NEW.dek_id), '}'),
      v_before,
      v_after,
      NULL);
  END IF;
END$$

CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom.data_keys_audit_delete
  AFTER DELETE ON strongroom.data_keys FOR EACH ROW
  INSERT INTO strongroom_audit.audit_events (event_time, db_user, current_usr, tenant_id, operation, table_name,
                                             primary_key, before_image, after_image, request_id)
  VALUES (UTC_TIMESTAMP(6), USER(), CURRENT_USER(), OLD.tenant_id, 'DELETE', 'data_keys', CONCAT('{"dek_id":', JSON_QUOTE(OLD.dek_id), '}'),
    CONCAT('{"created_at":', CONCAT('"', DATE_FORMAT(OLD.created_at, '%Y-%m-%d %H:%i:%s.%f'), '"'),
      ',"dek_id":', JSON_QUOTE(OLD.dek_id),
      ',"kms_key_name":', JSON_QUOTE(OLD.kms_key_name),
      ',"kms_key_version":', JSON_QUOTE(OLD.kms_key_version),
      ',"pq_alg":', IFNULL(JSON_QUOTE(OLD.pq_alg), 'null'),
      ',"pq_wrapped_dek":', IFNULL(CONCAT('"', LOWER(HEX(OLD.pq_wrapped_dek)), '"'), 'null'),
      ',"tenant_id":', JSON_QUOTE(OLD.tenant_id),
      ',"wrapped_dek":', CONCAT('"', LOWER(HEX(OLD.wrapped_dek)), '"'), '}'),
    NULL,
    NULL)$$

CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom.users_audit_insert
  AFTER INSERT ON strongroom.users FOR EACH ROW
  INSERT INTO strongroom_audit.audit_events (event_time, db_user, current_usr, tenant_id, operation, table_name,
                                             primary_key, before_image, after_image, request_id)
  VALUES (UTC_TIMESTAMP(6), USER(), CURRENT_USER(), NEW.tenant_id, 'INSERT', 'users', CONCAT('{"record_id":', JSON_QUOTE(NEW.record_id), '}'),
    NULL,
    CONCAT('{"created_at":', CONCAT('"', DATE_FORMAT(NEW.created_at, '%Y-%m-%d %H:%i:%s.%f'), '"'),
      ',"dek_id":', JSON_QUOTE(NEW.dek_id),
      ',"email_ct":', IFNULL(CONCAT('"', LOWER(HEX(NEW.email_ct)), '"'), 'null'),
      ',"email_iv":', IFNULL(CONCAT('"', LOWER(HEX(NEW.email_iv)), '"'), 'null'),
      ',"name_ct":', CONCAT('"', LOWER(HEX(NEW.name_ct)), '"'),
      ',"name_iv":', CONCAT('"', LOWER(HEX(NEW.name_iv)), '"'),
      ',"phone_ct":', IFNULL(CONCAT('"', LOWER(HEX(NEW.phone_ct)), '"'), 'null'),
      ',"phone_iv":', IFNULL(CONCAT('"', LOWER(HEX(NEW.phone_iv)), '"'), 'null'),
      ',"record_id":', JSON_QUOTE(NEW.record_id),
      ',"request_id":', JSON_QUOTE(NEW.request_id),
      ',"role_ct":', IFNULL(CONCAT('"', LOWER(HEX(NEW.role_ct)), '"'), 'null'),
      ',"role_iv":', IFNULL(CONCAT('"', LOWER(HEX(NEW.role_iv)), '"'), 'null'),
      ',"tenant_id":', JSON_QUOTE(NEW.tenant_id), '}'),
    NEW.request_id)$$

CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom.users_audit_update
  AFTER UPDATE ON strongroom.users FOR EACH ROW
BEGIN
  DECLARE v_before LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT
    CONCAT('{"created_at":', CONCAT('"', DATE_FORMAT(OLD.created_at, '%Y-%m-%d %H:%i:%s.%f'), '"'),
      ',"dek_id":', JSON_QUOTE(OLD.dek_id),
      ',"email_ct":', IFNULL(CONCAT('"', LOWER(HEX(OLD.email_ct)), '"'), 'null'),
      ',"email_iv":', IFNULL(CONCAT('"', LOWER(HEX(OLD.email_iv)), '"'), 'null'),
      ',"name_ct":', CONCAT('"', LOWER(HEX(OLD.name_ct)), '"'),
      ',"name_iv":', CONCAT('"', LOWER(HEX(OLD.name_iv)), '"'),
      ',"phone_ct":', IFNULL(CONCAT('"', LOWER(HEX(OLD.phone_ct)), '"'), 'null'),
      ',"phone_iv":', IFNULL(CONCAT('"', LOWER(HEX(OLD.phone_iv)), '"'), 'null'),
      ',"record_id":', JSON_QUOTE(OLD.record_id),
      ',"request_id":', JSON_QUOTE(OLD.request_id),
      ',"role_ct":', IFNULL(CONCAT('"', LOWER(HEX(OLD.role_ct)), '"'), 'null'),
      ',"role_iv":', IFNULL(CONCAT('"', LOWER(HEX(OLD.role_iv)), '"'), 'null'),
      ',"tenant_id":', JSON_QUOTE(OLD.tenant_id), '}');
  DECLARE v_after LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT
    CONCAT('{"created_at":', CONCAT('"', DATE_FORMAT(NEW.created_at, '%Y-%m-%d %H:%i:%s.%f'), '"'),
      ',"dek_id":', JSON_QUOTE(NEW.dek_id),
      ',"email_ct":', IFNULL(CONCAT('"', LOWER(HEX(NEW.email_ct)), '"'), 'null'),
      ',"email_iv":', IFNULL(CONCAT('"', LOWER(HEX(NEW.email_iv)), '"'), 'null'),
      ',"name_ct":', CONCAT('"', LOWER(HEX(NEW.name_ct)), '"'),
      ',"name_iv":', CONCAT('"', LOWER(HEX(NEW.name_iv)), '"'),
      ',"phone_ct":', IFNULL(CONCAT('"', LOWER(HEX(NEW.phone_ct)), '"'), 'null'),
      ',"phone_iv":', IFNULL(CONCAT('"', LOWER(HEX(NEW.phone_iv)), '"'), 'null'),
      ',"record_id":', JSON_QUOTE(NEW.record_id),
      ',"request_id":', JSON_QUOTE(NEW.request_id),
      ',"role_ct":', IFNULL(CONCAT('"', LOWER(HEX(NEW.role_ct)), '"'), 'null'),
      ',"role_iv":', IFNULL(CONCAT('"', LOWER(HEX(NEW.role_iv)), '"'), 'null'),
      ',"tenant_id":', JSON_QUOTE(NEW.tenant_id), '}');
  IF NOT (v_before <=> v_after) THEN
    INSERT INTO strongroom_audit.audit_events (event_time, db_user, current_usr, tenant_id, operation, table_name,
                                               primary_key, before_image, after_image, request_id)
    VALUES (UTC_TIMESTAMP(6), USER(), CURRENT_USER(), NEW.tenant_id, 'UPDATE', 'users', CONCAT('{"record_id":', JSON_QUOTE(NEW.record_id), '}'),
      v_before,
      v_after,
      NEW.request_id);
  END IF;
END$$

CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom.users_audit_delete
  AFTER DELETE ON strongroom.users FOR EACH ROW
  INSERT INTO strongroom_audit.audit_events (event_time, db_user, current_usr, tenant_id, operation, table_name,
                                             primary_key, before_image, after_image, request_id)
  VALUES (UTC_TIMESTAMP(6), USER(), CURRENT_USER(), OLD.tenant_id, 'DELETE', 'users', CONCAT('{"record_id":', JSON_QUOTE(OLD.record_id), '}'),
    CONCAT('{"created_at":', CONCAT('"', DATE_FORMAT(OLD.created_at, '%Y-%m-%d %H:%i:%s.%f'), '"'),
      ',"dek_id":', JSON_QUOTE(OLD.dek_id),
      ',"email_ct":', IFNULL(CONCAT('"', LOWER(HEX(OLD.email_ct)), '"'), 'null'),
      ',"email_iv":', IFNULL(CONCAT('"', LOWER(HEX(OLD.email_iv)), '"'), 'null'),
      ',"name_ct":', CONCAT('"', LOWER(HEX(OLD.name_ct)), '"'),
      ',"name_iv":', CONCAT('"', LOWER(HEX(OLD.name_iv)), '"'),
      ',"phone_ct":', IFNULL(CONCAT('"', LOWER(HEX(OLD.phone_ct)), '"'), 'null'),
      ',"phone_iv":', IFNULL(CONCAT('"', LOWER(HEX(OLD.phone_iv)), '"'), 'null'),
      ',"record_id":', JSON_QUOTE(OLD.record_id),
      ',"request_id":', JSON_QUOTE(OLD.request_id),
      ',"role_ct":', IFNULL(CONCAT('"', LOWER(HEX(OLD.role_ct)), '"'), 'null'),
      ',"role_iv":', IFNULL(CONCAT('"', LOWER(HEX(OLD.role_iv)), '"'), 'null'),
      ',"tenant_id":', JSON_QUOTE(OLD.tenant_id), '}'),
    NULL,
    OLD.request_id)$$

CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom.record_decrypts_audit_insert
  AFTER INSERT ON strongroom.record_decrypts FOR EACH ROW
  INSERT INTO strongroom_audit.audit_events (event_time, db_user, current_usr, tenant_id, operation, table_name,
                                             primary_key, before_image, after_image, request_id)
  VALUES (UTC_TIMESTAMP(6), USER(), CURRENT_USER(), NEW.tenant_id, 'INSERT', 'record_decrypts', CONCAT('{"decrypt_id":', CONCAT('"', NEW.decrypt_id, '"'), '}'),
    NULL,
    CONCAT('{"decrypt_id":', CONCAT('"', NEW.decrypt_id, '"'),
      ',"decrypted_at":', CONCAT('"', DATE_FORMAT(NEW.decrypted_at, '%Y-%m-%d %H:%i:%s.%f'), '"'),
      ',"reader":', JSON_QUOTE(NEW.reader),
      ',"record_id":', JSON_QUOTE(NEW.record_id),
      ',"tenant_id":', JSON_QUOTE(NEW.tenant_id), '}'),
    NULL)$$

CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom.record_decrypts_audit_update
  AFTER UPDATE ON strongroom.record_decrypts FOR EACH ROW
BEGIN
  DECLARE v_before LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT
    CONCAT('{"decrypt_id":', CONCAT('"', OLD.decrypt_id, '"'),
      ',"decrypted_at":', CONCAT('"', DATE_FORMAT(OLD.decrypted_at, '%Y-%m-%d %H:%i:%s.%f'), '"'),
      ',"reader":', JSON_QUOTE(OLD.reader),
      ',"record_id":', JSON_QUOTE(OLD.record_id),
      ',"tenant_id":', JSON_QUOTE(OLD.tenant_id), '}');
  DECLARE v_after LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT
    CONCAT('{"decrypt_id":', CONCAT('"', NEW.decrypt_id, '"'),
      ',"decrypted_at":', CONCAT('"', DATE_FORMAT(NEW.decrypted_at, '%Y-%m-%d %H:%i:%s.%f'), '"'),
      ',"reader":', JSON_QUOTE(NEW.reader),
      ',"record_id":', JSON_QUOTE(NEW.record_id),
      ',"tenant_id":', JSON_QUOTE(NEW.tenant_id), '}');
  IF NOT (v_before <=> v_after) THEN
    INSERT INTO strongroom_audit.audit_events (event_time, db_user, current_usr, tenant_id, operation, table_name,
                                               primary_key, before_image, after_image, request_id)
    VALUES (UTC_TIMESTAMP(6), USER(), CURRENT_USER(), NEW.tenant_id, 'UPDATE', 'record_decrypts', CONCAT('{"decrypt_id":', CONCAT('"', NEW.decrypt_id, '"'), '}'),
      v_before,
      v_after,
      NULL);
  END IF;
END$$

CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom.record_decrypts_audit_delete
  AFTER DELETE ON strongroom.record_decrypts FOR EACH ROW
  INSERT INTO strongroom_audit.audit_events (event_time, db_user, current_usr, tenant_id, operation, table_name,
                                             primary_key, before_image, after_image, request_id)
  VALUES (UTC_TIMESTAMP(6), USER(), CURRENT_USER(), OLD.tenant_id, 'DELETE', 'record_decrypts', CONCAT('{"decrypt_id":', CONCAT('"', OLD.decrypt_id, '"'), '}'),
    CONCAT('{"decrypt_id":', CONCAT('"', OLD.decrypt_id, '"'),
      ',"decrypted_at":', CONCAT('"', DATE_FORMAT(OLD.decrypted_at, '%Y-%m-%d %H:%i:%s.%f'), '"'),
      ',"reader":', JSON_QUOTE(OLD.reader),
      ',"record_id":', JSON_QUOTE(OLD.record_id),
      ',"tenant_id":', JSON_QUOTE(OLD.tenant_id), '}'),
    NULL,
    NULL)$$

DELIMITER ;
