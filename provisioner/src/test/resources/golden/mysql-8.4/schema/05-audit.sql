-- Strongroom schema, part 5: the audit plane inside the database (DESIGN §4 "Audit chain", design (b)).
-- Installed by AuditInstaller after parts 1–4. Idempotent: tables are created if missing (never dropped or
-- altered); the definer, routines and triggers are replaced. The exact payload is specified in
-- docs/audit-chain.md; the audit library's HashChainVerifier recomputes it in Java.

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
-- can be locked only by an identity that may read this table (neither auditor nor anchor_writer may: 06-*-grants.sql).
CREATE TABLE IF NOT EXISTS strongroom_audit.audit_seal_lock (
  id TINYINT UNSIGNED NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT ck_audit_seal_lock_one CHECK (id = 1)
) ENGINE=InnoDB;
INSERT IGNORE INTO strongroom_audit.audit_seal_lock (id) VALUES (1);

-- The anchor service's lease (DESIGN §2: one writer). One row; `epoch` grows by one whenever the lease changes hands
-- or lapses, and audit_anchor_append accepts only the current holder with the current epoch (a fencing token).
CREATE TABLE IF NOT EXISTS strongroom_audit.audit_anchor_lease (
  id         TINYINT UNSIGNED NOT NULL,
  holder     VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL,
  epoch      BIGINT UNSIGNED NOT NULL,
  expires_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT ck_audit_anchor_lease_one CHECK (id = 1)
) ENGINE=InnoDB;
INSERT IGNORE INTO strongroom_audit.audit_anchor_lease (id, holder, epoch, expires_at) VALUES (1, NULL, 0, '1970-01-01 00:00:01');

-- Every checkpoint the anchor service publishes, in order, recorded before its objects are written to the WORM sink
-- (so a successor re-writes exactly these bytes). Appended only by audit_anchor_append, never updated or deleted
-- (guards below); anchor_no is gapless from 1, so two writers can never both publish anchor n. The WORM sink, not this
-- table, is the anchor: root can edit this table like any other.
CREATE TABLE IF NOT EXISTS strongroom_audit.audit_anchors (
  anchor_no   BIGINT UNSIGNED NOT NULL,
  epoch       BIGINT UNSIGNED NOT NULL,
  holder      VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  tree_size   BIGINT UNSIGNED NOT NULL,
  root_hash   CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  checkpoint  TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  worm_object VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  created_at  DATETIME(6) NOT NULL,
  PRIMARY KEY (anchor_no),
  UNIQUE KEY uk_audit_anchors_object (worm_object)
) ENGINE=InnoDB;

-- What the anchor service delivered to each SIEM sink (syslog, strongroom.audit.anchors), in order (docs/audit-anchor-
-- service.md, "Sinks"): one row per checkpoint a sink took, and one 'start' row, written before the sink's first send,
-- for where a sink that had no row began (the anchor before the first one it owes). A sink's cursor is its highest
-- anchor_no; on start or takeover the writer resends from there, so a restart never skips a checkpoint (at-least-once:
-- the one in flight when a writer died may arrive twice). Appended only by audit_sink_delivered under the lease epoch,
-- never updated or deleted (guards below).
CREATE TABLE IF NOT EXISTS strongroom_audit.audit_sink_deliveries (
  sink         VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  anchor_no    BIGINT UNSIGNED NOT NULL,
  kind         VARCHAR(5) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  epoch        BIGINT UNSIGNED NOT NULL,
  holder       VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  delivered_at DATETIME(6) NOT NULL,
  PRIMARY KEY (sink, anchor_no),
  CONSTRAINT ck_audit_sink_deliveries_kind CHECK (kind IN ('start', 'sent'))
) ENGINE=InnoDB;

-- Every signed proof bundle, by the SHA-256 of its MANIFEST (docs/proof.md, "The evidence on the chain"). Appended only
-- by audit_evidence_append, which writes the row and its audit event in one transaction, so the evidence itself is on
-- the chain and anchored with it; never updated or deleted (guards below). Root can edit this table like any other;
-- the chain and its anchors, not this table, are what an assessor checks.
CREATE TABLE IF NOT EXISTS strongroom_audit.audit_evidence (
  manifest_sha256   CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  run_id            VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  tool_version      VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  catalogue_version VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  target            VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  failed_controls   INT UNSIGNED NOT NULL,
  finished_at       DATETIME(6) NOT NULL,
  recorded_at       DATETIME(6) NOT NULL,
  PRIMARY KEY (manifest_sha256)
) ENGINE=InnoDB;

-- What the installer left behind (audit_schema_state and the row counts at install), taken at the end of every
-- install (07-audit-baseline.sql); the audit plane compares the live state with it (SCHEMA_DRIFT, row counts).
CREATE TABLE IF NOT EXISTS strongroom_audit.audit_schema_baseline (
  kind   VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  object VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  detail VARCHAR(1024) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  PRIMARY KEY (kind, object)
) ENGINE=InnoDB;
CREATE TABLE IF NOT EXISTS strongroom_audit.audit_row_baseline (
  table_name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  row_count  BIGINT NOT NULL,
  inserted   BIGINT NOT NULL,
  deleted    BIGINT NOT NULL,
  PRIMARY KEY (table_name)
) ENGINE=InnoDB;

-- The locked account that owns the audit triggers and routines (not api_definer: the API's owner cannot write
-- the audit schema, and the audit owner cannot change data).
CREATE USER IF NOT EXISTS 'audit_definer'@'localhost' IDENTIFIED WITH auth_socket ACCOUNT LOCK;
ALTER USER 'audit_definer'@'localhost' IDENTIFIED WITH auth_socket ACCOUNT LOCK;
REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'audit_definer'@'localhost';
GRANT SELECT, INSERT, TRIGGER, EXECUTE, EVENT ON strongroom_audit.* TO 'audit_definer'@'localhost';
-- the one UPDATE it holds: the lease row (audit_lease_acquire)
GRANT UPDATE ON strongroom_audit.audit_anchor_lease TO 'audit_definer'@'localhost';
GRANT SELECT, TRIGGER ON strongroom.tenants TO 'audit_definer'@'localhost';
GRANT SELECT, TRIGGER ON strongroom.data_keys TO 'audit_definer'@'localhost';
GRANT SELECT, TRIGGER ON strongroom.users TO 'audit_definer'@'localhost';
GRANT SELECT, TRIGGER ON strongroom.record_decrypts TO 'audit_definer'@'localhost';
-- read-only, for the schema-drift view below (who holds what on the two schemas)
GRANT SELECT ON mysql.db TO 'audit_definer'@'localhost';
-- EVENT on the other two schemas: information_schema.EVENTS shows an event only to a holder of EVENT on its schema, and
-- the drift view must see the binding-purge event and any event another account (backup holds EVENT, for the dump's
-- SHOW EVENTS) creates, alters or drops. No routine of audit_definer's creates or changes an event.
GRANT EVENT ON strongroom.* TO 'audit_definer'@'localhost';
GRANT EVENT ON strongroom_security.* TO 'audit_definer'@'localhost';
GRANT SELECT ON mysql.tables_priv TO 'audit_definer'@'localhost';
GRANT SELECT ON mysql.procs_priv TO 'audit_definer'@'localhost';

-- Earlier installs routed the triggers through this procedure.
DROP PROCEDURE IF EXISTS strongroom_audit.audit_append;

DELIMITER $$

-- JSON string literal or null, exactly as JSON_QUOTE writes it (docs/audit-chain.md).
DROP FUNCTION IF EXISTS strongroom_audit.jq$$
CREATE DEFINER = 'audit_definer'@'localhost' FUNCTION strongroom_audit.jq(p LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci)
  RETURNS LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
  DETERMINISTIC NO SQL SQL SECURITY DEFINER
BEGIN
  RETURN IFNULL(CONCAT('"', REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(CONVERT(p USING utf8mb4) COLLATE utf8mb4_bin, '\\', '\\\\'), '"', '\\"'), CHAR(0 USING utf8mb4), '\\u0000'), CHAR(1 USING utf8mb4), '\\u0001'), CHAR(2 USING utf8mb4), '\\u0002'), CHAR(3 USING utf8mb4), '\\u0003'), CHAR(4 USING utf8mb4), '\\u0004'), CHAR(5 USING utf8mb4), '\\u0005'), CHAR(6 USING utf8mb4), '\\u0006'), CHAR(7 USING utf8mb4), '\\u0007'), CHAR(8 USING utf8mb4), '\\b'), CHAR(9 USING utf8mb4), '\\t'), CHAR(10 USING utf8mb4), '\\n'), CHAR(11 USING utf8mb4), '\\u000B'), CHAR(12 USING utf8mb4), '\\f'), CHAR(13 USING utf8mb4), '\\r'), CHAR(14 USING utf8mb4), '\\u000E'), CHAR(15 USING utf8mb4), '\\u000F'), CHAR(16 USING utf8mb4), '\\u0010'), CHAR(17 USING utf8mb4), '\\u0011'), CHAR(18 USING utf8mb4), '\\u0012'), CHAR(19 USING utf8mb4), '\\u0013'), CHAR(20 USING utf8mb4), '\\u0014'), CHAR(21 USING utf8mb4), '\\u0015'), CHAR(22 USING utf8mb4), '\\u0016'), CHAR(23 USING utf8mb4), '\\u0017'), CHAR(24 USING utf8mb4), '\\u0018'), CHAR(25 USING utf8mb4), '\\u0019'), CHAR(26 USING utf8mb4), '\\u001A'), CHAR(27 USING utf8mb4), '\\u001B'), CHAR(28 USING utf8mb4), '\\u001C'), CHAR(29 USING utf8mb4), '\\u001D'), CHAR(30 USING utf8mb4), '\\u001E'), CHAR(31 USING utf8mb4), '\\u001F'), '"'), 'null');
END$$

-- The canonical payload of one event (docs/audit-chain.md): a JSON object, keys sorted, no spaces. NULL if
-- the event does not exist.
DROP FUNCTION IF EXISTS strongroom_audit.audit_payload$$
CREATE DEFINER = 'audit_definer'@'localhost' FUNCTION strongroom_audit.audit_payload(p_event_id BIGINT UNSIGNED)
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
DROP PROCEDURE IF EXISTS strongroom_audit.audit_seal$$
CREATE DEFINER = 'audit_definer'@'localhost' PROCEDURE strongroom_audit.audit_seal(IN p_max_rows INT)
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
LOCK TABLES strongroom_audit.audit_events WRITE$$
DROP TRIGGER IF EXISTS strongroom_audit.audit_events_no_update$$
CREATE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom_audit.audit_events_no_update
  BEFORE UPDATE ON strongroom_audit.audit_events FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-IMMUTABLE: audit rows cannot be updated or deleted'$$
UNLOCK TABLES$$
LOCK TABLES strongroom_audit.audit_events WRITE$$
DROP TRIGGER IF EXISTS strongroom_audit.audit_events_no_delete$$
CREATE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom_audit.audit_events_no_delete
  BEFORE DELETE ON strongroom_audit.audit_events FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-IMMUTABLE: audit rows cannot be updated or deleted'$$
UNLOCK TABLES$$
LOCK TABLES strongroom_audit.audit_chain WRITE$$
DROP TRIGGER IF EXISTS strongroom_audit.audit_chain_no_update$$
CREATE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom_audit.audit_chain_no_update
  BEFORE UPDATE ON strongroom_audit.audit_chain FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-IMMUTABLE: audit rows cannot be updated or deleted'$$
UNLOCK TABLES$$
LOCK TABLES strongroom_audit.audit_chain WRITE$$
DROP TRIGGER IF EXISTS strongroom_audit.audit_chain_no_delete$$
CREATE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom_audit.audit_chain_no_delete
  BEFORE DELETE ON strongroom_audit.audit_chain FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-IMMUTABLE: audit rows cannot be updated or deleted'$$
UNLOCK TABLES$$
LOCK TABLES strongroom_audit.audit_anchors WRITE$$
DROP TRIGGER IF EXISTS strongroom_audit.audit_anchors_no_update$$
CREATE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom_audit.audit_anchors_no_update
  BEFORE UPDATE ON strongroom_audit.audit_anchors FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-IMMUTABLE: audit rows cannot be updated or deleted'$$
UNLOCK TABLES$$
LOCK TABLES strongroom_audit.audit_anchors WRITE$$
DROP TRIGGER IF EXISTS strongroom_audit.audit_anchors_no_delete$$
CREATE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom_audit.audit_anchors_no_delete
  BEFORE DELETE ON strongroom_audit.audit_anchors FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-IMMUTABLE: audit rows cannot be updated or deleted'$$
UNLOCK TABLES$$

LOCK TABLES strongroom_audit.audit_sink_deliveries WRITE$$
DROP TRIGGER IF EXISTS strongroom_audit.audit_sink_deliveries_no_update$$
CREATE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom_audit.audit_sink_deliveries_no_update
  BEFORE UPDATE ON strongroom_audit.audit_sink_deliveries FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-IMMUTABLE: audit rows cannot be updated or deleted'$$
UNLOCK TABLES$$
LOCK TABLES strongroom_audit.audit_sink_deliveries WRITE$$
DROP TRIGGER IF EXISTS strongroom_audit.audit_sink_deliveries_no_delete$$
CREATE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom_audit.audit_sink_deliveries_no_delete
  BEFORE DELETE ON strongroom_audit.audit_sink_deliveries FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-IMMUTABLE: audit rows cannot be updated or deleted'$$
UNLOCK TABLES$$
LOCK TABLES strongroom_audit.audit_evidence WRITE$$
DROP TRIGGER IF EXISTS strongroom_audit.audit_evidence_no_update$$
CREATE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom_audit.audit_evidence_no_update
  BEFORE UPDATE ON strongroom_audit.audit_evidence FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-IMMUTABLE: audit rows cannot be updated or deleted'$$
UNLOCK TABLES$$
LOCK TABLES strongroom_audit.audit_evidence WRITE$$
DROP TRIGGER IF EXISTS strongroom_audit.audit_evidence_no_delete$$
CREATE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom_audit.audit_evidence_no_delete
  BEFORE DELETE ON strongroom_audit.audit_evidence FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-IMMUTABLE: audit rows cannot be updated or deleted'$$
UNLOCK TABLES$$

-- Takes or renews the anchor lease for p_holder for p_ttl_ms (500..600000). Renewal keeps the epoch; a lapsed lease
-- goes to whoever asks first with epoch + 1 (its former holder too: after a lapse nothing it held is valid). Result:
-- acquired (1 when p_holder holds it now), holder, epoch, expires_at (UTC).
DROP PROCEDURE IF EXISTS strongroom_audit.audit_lease_acquire$$
CREATE DEFINER = 'audit_definer'@'localhost' PROCEDURE strongroom_audit.audit_lease_acquire(
    IN p_holder VARCHAR(128) CHARACTER SET ascii, IN p_ttl_ms INT)
  MODIFIES SQL DATA SQL SECURITY DEFINER
BEGIN
  DECLARE v_holder VARCHAR(128) CHARACTER SET ascii DEFAULT NULL;
  DECLARE v_epoch BIGINT UNSIGNED DEFAULT NULL;
  DECLARE v_expires DATETIME(6) DEFAULT NULL;
  DECLARE v_now DATETIME(6);
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    ROLLBACK;
    RESIGNAL;
  END;
  IF p_holder IS NULL OR NOT (REGEXP_LIKE(p_holder, '^[A-Za-z0-9._:@-]{1,128}$', 'cu')) OR LOCATE(CHAR(10), p_holder) > 0 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-INVALID-ARGUMENT: holder must be 1..128 of [A-Za-z0-9._:@-]';
  END IF;
  IF p_ttl_ms IS NULL OR p_ttl_ms NOT BETWEEN 500 AND 600000 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-INVALID-ARGUMENT: ttl_ms must be within 500..600000';
  END IF;
  START TRANSACTION;
  SELECT l.holder, l.epoch, l.expires_at INTO v_holder, v_epoch, v_expires
    FROM strongroom_audit.audit_anchor_lease l WHERE l.id = 1 FOR UPDATE;
  IF v_epoch IS NULL THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-LOCK-MISSING: the lease row is gone; re-install the audit plane';
  END IF;
  SET v_now = UTC_TIMESTAMP(6);
  IF v_expires <= v_now THEN
    SET v_holder = p_holder, v_epoch = v_epoch + 1, v_expires = v_now + INTERVAL p_ttl_ms * 1000 MICROSECOND;
    UPDATE strongroom_audit.audit_anchor_lease SET holder = v_holder, epoch = v_epoch, expires_at = v_expires WHERE id = 1;
  ELSEIF v_holder = p_holder THEN
    SET v_expires = v_now + INTERVAL p_ttl_ms * 1000 MICROSECOND;
    UPDATE strongroom_audit.audit_anchor_lease SET expires_at = v_expires WHERE id = 1;
  END IF;
  COMMIT;
  SELECT IF(v_holder = p_holder, 1, 0) AS acquired, v_holder AS holder, v_epoch AS epoch, v_expires AS expires_at;
END$$

-- Records checkpoint p_anchor_no (the next one: last + 1) for the current lease holder with the current epoch, in one
-- transaction under the lease row lock: a holder whose lease lapsed (or was taken over) gets SR-AUDIT-NOT-LEASEHOLDER,
-- a second writer of the same number SR-CONFLICT, a tree that shrinks or runs past the chain SR-AUDIT-BAD-ANCHOR.
DROP PROCEDURE IF EXISTS strongroom_audit.audit_anchor_append$$
CREATE DEFINER = 'audit_definer'@'localhost' PROCEDURE strongroom_audit.audit_anchor_append(
    IN p_holder VARCHAR(128) CHARACTER SET ascii, IN p_epoch BIGINT UNSIGNED, IN p_anchor_no BIGINT UNSIGNED,
    IN p_tree_size BIGINT UNSIGNED, IN p_root_hash CHAR(64) CHARACTER SET ascii,
    IN p_checkpoint TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci, IN p_worm_object VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci,
    IN p_created_at DATETIME(6))
  MODIFIES SQL DATA SQL SECURITY DEFINER
BEGIN
  DECLARE v_holder VARCHAR(128) CHARACTER SET ascii DEFAULT NULL;
  DECLARE v_epoch BIGINT UNSIGNED DEFAULT NULL;
  DECLARE v_expires DATETIME(6) DEFAULT NULL;
  DECLARE v_last BIGINT UNSIGNED DEFAULT 0;
  DECLARE v_last_size BIGINT UNSIGNED DEFAULT 0;
  DECLARE v_head BIGINT UNSIGNED DEFAULT 0;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    ROLLBACK;
    RESIGNAL;
  END;
  START TRANSACTION;
  SELECT l.holder, l.epoch, l.expires_at INTO v_holder, v_epoch, v_expires
    FROM strongroom_audit.audit_anchor_lease l WHERE l.id = 1 FOR UPDATE;
  IF NOT (v_holder <=> p_holder) OR NOT (v_epoch <=> p_epoch) OR v_expires <= UTC_TIMESTAMP(6) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-NOT-LEASEHOLDER: the anchor lease is not held with this epoch';
  END IF;
  SELECT IFNULL(MAX(a.anchor_no), 0) INTO v_last FROM strongroom_audit.audit_anchors a;
  SELECT IFNULL((SELECT a.tree_size FROM strongroom_audit.audit_anchors a WHERE a.anchor_no = v_last), 0) INTO v_last_size;
  SELECT IFNULL(MAX(c.seq), 0) INTO v_head FROM strongroom_audit.audit_chain c;
  IF p_anchor_no IS NULL OR p_anchor_no <> v_last + 1 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-CONFLICT: that anchor number is not the next one';
  END IF;
  IF p_tree_size IS NULL OR p_tree_size < v_last_size OR p_tree_size > v_head OR p_root_hash IS NULL
     OR NOT (REGEXP_LIKE(p_root_hash, '^[0-9a-f]{64}$', 'cu')) OR p_checkpoint IS NULL OR p_worm_object IS NULL
     OR p_created_at IS NULL THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-BAD-ANCHOR: size shrinks or passes the chain head, or a field is missing';
  END IF;
  INSERT INTO strongroom_audit.audit_anchors (anchor_no, epoch, holder, tree_size, root_hash, checkpoint, worm_object, created_at)
    VALUES (p_anchor_no, p_epoch, p_holder, p_tree_size, p_root_hash, p_checkpoint, p_worm_object, p_created_at);
  COMMIT;
  SELECT p_anchor_no AS anchor_no;
END$$

-- Records that p_sink took checkpoint p_anchor_no (p_kind 'sent'), or where a sink without a row starts (p_kind 'start':
-- only as its first row; p_anchor_no may be 0, before the first anchor), for the current lease holder with the current
-- epoch under the lease row lock like audit_anchor_append: a lapsed or superseded writer gets SR-AUDIT-NOT-LEASEHOLDER.
-- A cursor only moves forward, one anchor at a time: p_anchor_no at or below the sink's cursor is a no-op (recorded = 0:
-- a retried call); past the last recorded anchor, a malformed sink name or kind, or a second start is
-- SR-AUDIT-BAD-ANCHOR, and so is a 'sent' for a sink without a cursor (no start row) or past its cursor + 1. Only
-- anchor_writer, the anchor service's own identity, may call it (auditor may not: docs/decisions.md); the holder and
-- epoch are no secret (audit_anchors shows them), so the last rule is what keeps even that identity from jumping a
-- cursor over checkpoints a sink never took.
-- Result: recorded (1 or 0), cursor_no (the sink's highest anchor_no after the call).
DROP PROCEDURE IF EXISTS strongroom_audit.audit_sink_delivered$$
CREATE DEFINER = 'audit_definer'@'localhost' PROCEDURE strongroom_audit.audit_sink_delivered(
    IN p_holder VARCHAR(128) CHARACTER SET ascii, IN p_epoch BIGINT UNSIGNED, IN p_sink VARCHAR(128) CHARACTER SET ascii,
    IN p_anchor_no BIGINT UNSIGNED, IN p_kind VARCHAR(5) CHARACTER SET ascii)
  MODIFIES SQL DATA SQL SECURITY DEFINER
BEGIN
  DECLARE v_holder VARCHAR(128) CHARACTER SET ascii DEFAULT NULL;
  DECLARE v_epoch BIGINT UNSIGNED DEFAULT NULL;
  DECLARE v_expires DATETIME(6) DEFAULT NULL;
  DECLARE v_last BIGINT UNSIGNED DEFAULT 0;
  DECLARE v_cursor BIGINT UNSIGNED DEFAULT NULL;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    ROLLBACK;
    RESIGNAL;
  END;
  IF p_sink IS NULL OR NOT (REGEXP_LIKE(p_sink, '^[A-Za-z0-9._:,=@/-]{1,128}$', 'cu')) OR p_kind IS NULL
     OR p_kind NOT IN ('start', 'sent') OR p_anchor_no IS NULL OR (p_kind = 'sent' AND p_anchor_no = 0) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-BAD-ANCHOR: a delivery needs a sink name of [A-Za-z0-9._:,=@/-], start or sent, and an anchor';
  END IF;
  START TRANSACTION;
  SELECT l.holder, l.epoch, l.expires_at INTO v_holder, v_epoch, v_expires
    FROM strongroom_audit.audit_anchor_lease l WHERE l.id = 1 FOR UPDATE;
  IF NOT (v_holder <=> p_holder) OR NOT (v_epoch <=> p_epoch) OR v_expires <= UTC_TIMESTAMP(6) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-NOT-LEASEHOLDER: the anchor lease is not held with this epoch';
  END IF;
  SELECT IFNULL(MAX(a.anchor_no), 0) INTO v_last FROM strongroom_audit.audit_anchors a;
  SELECT MAX(d.anchor_no) INTO v_cursor FROM strongroom_audit.audit_sink_deliveries d WHERE d.sink = p_sink;
  IF p_anchor_no > v_last OR (p_kind = 'start' AND v_cursor IS NOT NULL AND p_anchor_no > v_cursor) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-BAD-ANCHOR: past the last anchor, or a second start for that sink';
  END IF;
  IF p_kind = 'sent' AND (v_cursor IS NULL OR p_anchor_no > v_cursor + 1) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-BAD-ANCHOR: a sent needs the start of that sink and must be the anchor after its cursor';
  END IF;
  IF v_cursor IS NOT NULL AND p_anchor_no <= v_cursor THEN
    COMMIT;
    SELECT 0 AS recorded, v_cursor AS cursor_no;
  ELSE
    INSERT INTO strongroom_audit.audit_sink_deliveries (sink, anchor_no, kind, epoch, holder, delivered_at)
      VALUES (p_sink, p_anchor_no, p_kind, p_epoch, p_holder, UTC_TIMESTAMP(6));
    COMMIT;
    SELECT 1 AS recorded, p_anchor_no AS cursor_no;
  END IF;
END$$

-- Records one signed proof bundle by its manifest digest and puts it on the chain: the audit_evidence row and an
-- INSERT event for it (table audit_evidence, tenant null, request_id = the run id, the row as its canonical after
-- image), in one transaction, so the next seal chains it and the next checkpoint anchors it. The same digest again
-- with the same fields is a no-op (recorded = 0: a retried call); with other fields SR-CONFLICT; a malformed field
-- SR-AUDIT-BAD-EVIDENCE. Result: recorded, event_id.
DROP PROCEDURE IF EXISTS strongroom_audit.audit_evidence_append$$
CREATE DEFINER = 'audit_definer'@'localhost' PROCEDURE strongroom_audit.audit_evidence_append(
    IN p_manifest_sha256 CHAR(64) CHARACTER SET ascii, IN p_run_id VARCHAR(64) CHARACTER SET ascii,
    IN p_tool_version VARCHAR(64) CHARACTER SET ascii, IN p_catalogue_version VARCHAR(64) CHARACTER SET ascii,
    IN p_target VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci, IN p_failed_controls INT UNSIGNED, IN p_finished_at DATETIME(6))
  MODIFIES SQL DATA SQL SECURITY DEFINER
BEGIN
  DECLARE v_now DATETIME(6) DEFAULT UTC_TIMESTAMP(6);
  DECLARE v_same INT DEFAULT NULL;
  DECLARE v_after LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    ROLLBACK;
    RESIGNAL;
  END;
  IF p_manifest_sha256 IS NULL OR NOT (REGEXP_LIKE(p_manifest_sha256, '^[0-9a-f]{64}$', 'cu'))
     OR p_run_id IS NULL OR NOT (REGEXP_LIKE(p_run_id, '^[0-9A-Za-z-]{1,64}$', 'cu'))
     OR p_tool_version IS NULL OR p_tool_version = '' OR p_catalogue_version IS NULL OR p_catalogue_version = ''
     OR p_target IS NULL OR p_target = '' OR p_failed_controls IS NULL OR p_finished_at IS NULL THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-AUDIT-BAD-EVIDENCE: a bundle record needs a lowercase hex SHA-256, a run id, versions, a target, a count and a time';
  END IF;
  START TRANSACTION;
  SELECT (e.run_id = p_run_id AND e.tool_version = p_tool_version AND e.catalogue_version = p_catalogue_version
          AND e.target = p_target AND e.failed_controls = p_failed_controls AND e.finished_at = p_finished_at)
    INTO v_same FROM strongroom_audit.audit_evidence e WHERE e.manifest_sha256 = p_manifest_sha256 FOR UPDATE;
  IF v_same = 1 THEN
    COMMIT;
    SELECT 0 AS recorded, NULL AS event_id;
  ELSEIF v_same = 0 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-CONFLICT: that bundle digest is recorded with other fields';
  ELSE
    INSERT INTO strongroom_audit.audit_evidence (manifest_sha256, run_id, tool_version, catalogue_version, target,
                                                 failed_controls, finished_at, recorded_at)
      VALUES (p_manifest_sha256, p_run_id, p_tool_version, p_catalogue_version, p_target, p_failed_controls,
              p_finished_at, v_now);
    SET v_after = CONCAT('{"catalogue_version":', strongroom_audit.jq(p_catalogue_version),
      ',"failed_controls":', CONCAT('"', REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(CONVERT(CAST(p_failed_controls AS CHAR) USING utf8mb4) COLLATE utf8mb4_bin, '\\', '\\\\'), '"', '\\"'), CHAR(0 USING utf8mb4), '\\u0000'), CHAR(1 USING utf8mb4), '\\u0001'), CHAR(2 USING utf8mb4), '\\u0002'), CHAR(3 USING utf8mb4), '\\u0003'), CHAR(4 USING utf8mb4), '\\u0004'), CHAR(5 USING utf8mb4), '\\u0005'), CHAR(6 USING utf8mb4), '\\u0006'), CHAR(7 USING utf8mb4), '\\u0007'), CHAR(8 USING utf8mb4), '\\b'), CHAR(9 USING utf8mb4), '\\t'), CHAR(10 USING utf8mb4), '\\n'), CHAR(11 USING utf8mb4), '\\u000B'), CHAR(12 USING utf8mb4), '\\f'), CHAR(13 USING utf8mb4), '\\r'), CHAR(14 USING utf8mb4), '\\u000E'), CHAR(15 USING utf8mb4), '\\u000F'), CHAR(16 USING utf8mb4), '\\u0010'), CHAR(17 USING utf8mb4), '\\u0011'), CHAR(18 USING utf8mb4), '\\u0012'), CHAR(19 USING utf8mb4), '\\u0013'), CHAR(20 USING utf8mb4), '\\u0014'), CHAR(21 USING utf8mb4), '\\u0015'), CHAR(22 USING utf8mb4), '\\u0016'), CHAR(23 USING utf8mb4), '\\u0017'), CHAR(24 USING utf8mb4), '\\u0018'), CHAR(25 USING utf8mb4), '\\u0019'), CHAR(26 USING utf8mb4), '\\u001A'), CHAR(27 USING utf8mb4), '\\u001B'), CHAR(28 USING utf8mb4), '\\u001C'), CHAR(29 USING utf8mb4), '\\u001D'), CHAR(30 USING utf8mb4), '\\u001E'), CHAR(31 USING utf8mb4), '\\u001F'), '"'),
      ',"finished_at":', CONCAT('"', REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(CONVERT(DATE_FORMAT(p_finished_at, '%Y-%m-%d %H:%i:%s.%f') USING utf8mb4) COLLATE utf8mb4_bin, '\\', '\\\\'), '"', '\\"'), CHAR(0 USING utf8mb4), '\\u0000'), CHAR(1 USING utf8mb4), '\\u0001'), CHAR(2 USING utf8mb4), '\\u0002'), CHAR(3 USING utf8mb4), '\\u0003'), CHAR(4 USING utf8mb4), '\\u0004'), CHAR(5 USING utf8mb4), '\\u0005'), CHAR(6 USING utf8mb4), '\\u0006'), CHAR(7 USING utf8mb4), '\\u0007'), CHAR(8 USING utf8mb4), '\\b'), CHAR(9 USING utf8mb4), '\\t'), CHAR(10 USING utf8mb4), '\\n'), CHAR(11 USING utf8mb4), '\\u000B'), CHAR(12 USING utf8mb4), '\\f'), CHAR(13 USING utf8mb4), '\\r'), CHAR(14 USING utf8mb4), '\\u000E'), CHAR(15 USING utf8mb4), '\\u000F'), CHAR(16 USING utf8mb4), '\\u0010'), CHAR(17 USING utf8mb4), '\\u0011'), CHAR(18 USING utf8mb4), '\\u0012'), CHAR(19 USING utf8mb4), '\\u0013'), CHAR(20 USING utf8mb4), '\\u0014'), CHAR(21 USING utf8mb4), '\\u0015'), CHAR(22 USING utf8mb4), '\\u0016'), CHAR(23 USING utf8mb4), '\\u0017'), CHAR(24 USING utf8mb4), '\\u0018'), CHAR(25 USING utf8mb4), '\\u0019'), CHAR(26 USING utf8mb4), '\\u001A'), CHAR(27 USING utf8mb4), '\\u001B'), CHAR(28 USING utf8mb4), '\\u001C'), CHAR(29 USING utf8mb4), '\\u001D'), CHAR(30 USING utf8mb4), '\\u001E'), CHAR(31 USING utf8mb4), '\\u001F'), '"'),
      ',"manifest_sha256":', strongroom_audit.jq(p_manifest_sha256),
      ',"recorded_at":', CONCAT('"', REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(CONVERT(DATE_FORMAT(v_now, '%Y-%m-%d %H:%i:%s.%f') USING utf8mb4) COLLATE utf8mb4_bin, '\\', '\\\\'), '"', '\\"'), CHAR(0 USING utf8mb4), '\\u0000'), CHAR(1 USING utf8mb4), '\\u0001'), CHAR(2 USING utf8mb4), '\\u0002'), CHAR(3 USING utf8mb4), '\\u0003'), CHAR(4 USING utf8mb4), '\\u0004'), CHAR(5 USING utf8mb4), '\\u0005'), CHAR(6 USING utf8mb4), '\\u0006'), CHAR(7 USING utf8mb4), '\\u0007'), CHAR(8 USING utf8mb4), '\\b'), CHAR(9 USING utf8mb4), '\\t'), CHAR(10 USING utf8mb4), '\\n'), CHAR(11 USING utf8mb4), '\\u000B'), CHAR(12 USING utf8mb4), '\\f'), CHAR(13 USING utf8mb4), '\\r'), CHAR(14 USING utf8mb4), '\\u000E'), CHAR(15 USING utf8mb4), '\\u000F'), CHAR(16 USING utf8mb4), '\\u0010'), CHAR(17 USING utf8mb4), '\\u0011'), CHAR(18 USING utf8mb4), '\\u0012'), CHAR(19 USING utf8mb4), '\\u0013'), CHAR(20 USING utf8mb4), '\\u0014'), CHAR(21 USING utf8mb4), '\\u0015'), CHAR(22 USING utf8mb4), '\\u0016'), CHAR(23 USING utf8mb4), '\\u0017'), CHAR(24 USING utf8mb4), '\\u0018'), CHAR(25 USING utf8mb4), '\\u0019'), CHAR(26 USING utf8mb4), '\\u001A'), CHAR(27 USING utf8mb4), '\\u001B'), CHAR(28 USING utf8mb4), '\\u001C'), CHAR(29 USING utf8mb4), '\\u001D'), CHAR(30 USING utf8mb4), '\\u001E'), CHAR(31 USING utf8mb4), '\\u001F'), '"'),
      ',"run_id":', strongroom_audit.jq(p_run_id),
      ',"target":', strongroom_audit.jq(p_target),
      ',"tool_version":', strongroom_audit.jq(p_tool_version), '}');
    INSERT INTO strongroom_audit.audit_events (event_time, db_user, current_usr, tenant_id, operation, table_name,
                                               primary_key, before_image, after_image, request_id)
      VALUES (v_now, USER(), CURRENT_USER(), NULL, 'INSERT', 'audit_evidence',
              CONCAT('{"manifest_sha256":', strongroom_audit.jq(p_manifest_sha256), '}'), NULL, v_after, p_run_id);
    COMMIT;
    SELECT 1 AS recorded, LAST_INSERT_ID() AS event_id;
  END IF;
END$$

DELIMITER ;

-- The live state the installer is responsible for (SCHEMA_DRIFT compares it with audit_schema_baseline): every audited
-- table and column, every trigger and audit routine (the body by SHA-256), every event of the three schemas (the audit
-- sealer, the binding purge: definer, schedule, status and body by SHA-256), and every grant on the two schemas. Seen
-- with audit_definer's privileges: the audited tables by name (a table renamed away and recreated shows up as the new
-- one without triggers), the audit schema, and the grant tables read-only.
CREATE OR REPLACE ALGORITHM = TEMPTABLE DEFINER = 'audit_definer'@'localhost' SQL SECURITY DEFINER VIEW strongroom_audit.audit_schema_state (kind, object, detail) AS
  SELECT CONVERT(x.kind USING utf8mb4) COLLATE utf8mb4_bin, CONVERT(x.object USING utf8mb4) COLLATE utf8mb4_bin,
         CONVERT(x.detail USING utf8mb4) COLLATE utf8mb4_bin FROM (
  SELECT 'column' AS kind, CONCAT(c.TABLE_SCHEMA, '.', c.TABLE_NAME, '.', c.COLUMN_NAME) AS object,
         CONCAT(c.COLUMN_TYPE, ' ', c.IS_NULLABLE, ' ', IFNULL(c.CHARACTER_SET_NAME, '-'), ' ', IFNULL(c.COLLATION_NAME, '-')) AS detail
    FROM information_schema.COLUMNS c
    WHERE c.TABLE_SCHEMA = 'strongroom_audit'
       OR (c.TABLE_SCHEMA = 'strongroom' AND c.TABLE_NAME IN ('tenants', 'data_keys', 'users', 'record_decrypts'))
  UNION ALL
  SELECT 'trigger', CONCAT(t.TRIGGER_SCHEMA, '.', t.TRIGGER_NAME),
         CONCAT(t.ACTION_TIMING, ' ', t.EVENT_MANIPULATION, ' ON ', t.EVENT_OBJECT_SCHEMA, '.', t.EVENT_OBJECT_TABLE, ' ',
                t.DEFINER, ' ', SHA2(t.ACTION_STATEMENT, 256))
    FROM information_schema.TRIGGERS t
    WHERE t.TRIGGER_SCHEMA IN ('strongroom', 'strongroom_audit') OR t.EVENT_OBJECT_SCHEMA IN ('strongroom', 'strongroom_audit')
  UNION ALL
  SELECT 'routine', CONCAT(r.ROUTINE_SCHEMA, '.', r.ROUTINE_NAME),
         CONCAT(r.ROUTINE_TYPE, ' ', r.DEFINER, ' ', r.SECURITY_TYPE, ' ', SHA2(IFNULL(r.ROUTINE_DEFINITION, ''), 256))
    FROM information_schema.ROUTINES r WHERE r.ROUTINE_SCHEMA = 'strongroom_audit'
  UNION ALL
  SELECT 'event', CONCAT(e.EVENT_SCHEMA, '.', e.EVENT_NAME),
         CONCAT(e.DEFINER, ' ', e.EVENT_TYPE, ' ', IFNULL(e.INTERVAL_VALUE, '-'), ' ', IFNULL(e.INTERVAL_FIELD, '-'), ' ',
                e.ON_COMPLETION, ' ', e.STATUS, ' ', SHA2(e.EVENT_DEFINITION, 256))
    FROM information_schema.EVENTS e WHERE e.EVENT_SCHEMA IN ('strongroom', 'strongroom_audit', 'strongroom_security')
  UNION ALL
  SELECT 'grant', CONCAT(d.User, '@', d.Host, ' ', d.Db, '.*'),
         CONCAT_WS(',', IF(d.Select_priv = 'Y', 'SELECT', NULL), IF(d.Insert_priv = 'Y', 'INSERT', NULL),
                   IF(d.Update_priv = 'Y', 'UPDATE', NULL), IF(d.Delete_priv = 'Y', 'DELETE', NULL),
                   IF(d.Create_priv = 'Y', 'CREATE', NULL), IF(d.Drop_priv = 'Y', 'DROP', NULL),
                   IF(d.Grant_priv = 'Y', 'GRANT', NULL), IF(d.Index_priv = 'Y', 'INDEX', NULL),
                   IF(d.Alter_priv = 'Y', 'ALTER', NULL), IF(d.Create_view_priv = 'Y', 'CREATE VIEW', NULL),
                   IF(d.Create_routine_priv = 'Y', 'CREATE ROUTINE', NULL), IF(d.Alter_routine_priv = 'Y', 'ALTER ROUTINE', NULL),
                   IF(d.Execute_priv = 'Y', 'EXECUTE', NULL), IF(d.Event_priv = 'Y', 'EVENT', NULL),
                   IF(d.Trigger_priv = 'Y', 'TRIGGER', NULL), IF(d.Lock_tables_priv = 'Y', 'LOCK TABLES', NULL))
    FROM mysql.db d WHERE d.Db IN ('strongroom', 'strongroom_audit', 'strongroom_security')
  UNION ALL
  SELECT 'grant', CONCAT(p.User, '@', p.Host, ' ', p.Db, '.', p.Table_name), CONCAT(p.Table_priv, ' / ', p.Column_priv)
    FROM mysql.tables_priv p WHERE p.Db IN ('strongroom', 'strongroom_audit', 'strongroom_security')
  UNION ALL
  SELECT 'grant', CONCAT(p.User, '@', p.Host, ' ', p.Db, '.', p.Routine_name, ' ', p.Routine_type), p.Proc_priv
    FROM mysql.procs_priv p WHERE p.Db IN ('strongroom', 'strongroom_audit', 'strongroom_security')) x;

-- The differences between audit_schema_state and audit_schema_baseline: 'missing' (in the baseline, gone or changed)
-- and 'unexpected' (new or changed). Empty when nothing drifted.
CREATE OR REPLACE ALGORITHM = TEMPTABLE DEFINER = 'audit_definer'@'localhost' SQL SECURITY DEFINER VIEW strongroom_audit.audit_schema_drift (change_kind, kind, object, detail) AS
  SELECT 'missing', b.kind, b.object, b.detail FROM strongroom_audit.audit_schema_baseline b
    WHERE NOT EXISTS (SELECT 1 FROM strongroom_audit.audit_schema_state s
                      WHERE s.kind = b.kind AND s.object = b.object AND s.detail = b.detail)
  UNION ALL
  SELECT 'unexpected', s.kind, s.object, s.detail FROM strongroom_audit.audit_schema_state s
    WHERE NOT EXISTS (SELECT 1 FROM strongroom_audit.audit_schema_baseline b
                      WHERE b.kind = s.kind AND b.object = s.object AND b.detail = s.detail);
