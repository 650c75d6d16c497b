-- Strongroom schema, part 3: the API (DESIGN §4). Every routine and view is SQL SECURITY DEFINER, owned by the
-- locked account api_definer, and replaced on every install (CREATE OR REPLACE). Refusals: SIGNAL SQLSTATE '45000'
-- with a message that starts with a stable code (docs/schema.md). Time is read only in UTC / epoch form, so a
-- caller's session time_zone cannot move it.

-- Earlier installs had token_mac(msg); security_set_tenant now reads the pads and the key's installed_at itself.
DROP FUNCTION IF EXISTS strongroom_security.token_mac;

DELIMITER $$

-- Unpadded base64url → bytes, as strict as contracts' Base64Url.decode: only [A-Za-z0-9_-], no padding,
-- canonical trailing bits; '' → ''. NULL when not acceptable.
CREATE OR REPLACE DEFINER = 'api_definer'@'localhost' FUNCTION strongroom_security.b64url_decode(p TEXT CHARACTER SET utf8mb4)
  RETURNS LONGBLOB
  DETERMINISTIC NO SQL SQL SECURITY DEFINER
BEGIN
  DECLARE v_std LONGTEXT CHARACTER SET ascii;
  DECLARE v_out LONGBLOB;
  IF p IS NULL THEN RETURN NULL; END IF;
  IF p = '' THEN RETURN ''; END IF;
  IF NOT (CAST(p AS BINARY) REGEXP '^[A-Za-z0-9_-]+$') OR LOCATE(CHAR(10), p) > 0 OR CHAR_LENGTH(p) % 4 = 1 THEN RETURN NULL; END IF;
  SET v_std = CONCAT(REPLACE(REPLACE(p, '-', '+'), '_', '/'), REPEAT('=', (4 - CHAR_LENGTH(p) % 4) % 4));
  SET v_out = FROM_BASE64(v_std);
  -- TO_BASE64 wraps its output every 76 characters: drop the line breaks before comparing
  IF v_out IS NULL OR CAST(REPLACE(TO_BASE64(v_out), '\n', '') AS BINARY) <> CAST(v_std AS BINARY) THEN
    RETURN NULL;
  END IF;
  RETURN v_out;
END$$

-- Whether p holds a control character as TenantTokens defines it: C0 (U+0000..U+001F), DEL, C1 (U+0080..U+009F),
-- U+2028 or U+2029. ORD gives a character's UTF-8 bytes as one number in both dialects (C1 is 0xC280..0xC29F, U+2028
-- and U+2029 are 0xE280A8 and 0xE280A9), so no regular expression (PCRE and ICU differ) is needed.
CREATE OR REPLACE DEFINER = 'api_definer'@'localhost' FUNCTION strongroom_security.has_control(p TEXT CHARACTER SET utf8mb4)
  RETURNS BOOLEAN
  DETERMINISTIC NO SQL SQL SECURITY DEFINER
BEGIN
  DECLARE v_i INT DEFAULT 1;
  DECLARE v_n INT;
  DECLARE v_o BIGINT;
  SET v_n = CHAR_LENGTH(p);
  WHILE v_i <= v_n DO
    SET v_o = ORD(SUBSTRING(p, v_i, 1));
    IF v_o < 32 OR v_o = 127 OR (v_o >= 49792 AND v_o <= 49823) OR v_o = 14844072 OR v_o = 14844073 THEN
      RETURN TRUE;
    END IF;
    SET v_i = v_i + 1;
  END WHILE;
  RETURN FALSE;
END$$

-- Whether p holds an encoded UTF-16 surrogate (ED A0 80..ED BF BF), which is not UTF-8 but which MariaDB's utf8mb4
-- conversion lets through (Java's decoder refuses it).
CREATE OR REPLACE DEFINER = 'api_definer'@'localhost' FUNCTION strongroom_security.has_surrogate(p LONGTEXT CHARACTER SET utf8mb4)
  RETURNS BOOLEAN
  DETERMINISTIC NO SQL SQL SECURITY DEFINER
BEGIN
  DECLARE v_i INT DEFAULT 1;
  DECLARE v_n INT;
  DECLARE v_o BIGINT;
  SET v_n = CHAR_LENGTH(p);
  WHILE v_i <= v_n DO
    SET v_o = ORD(SUBSTRING(p, v_i, 1));
    IF v_o >= 15572096 AND v_o <= 15581119 THEN
      RETURN TRUE;
    END IF;
    SET v_i = v_i + 1;
  END WHILE;
  RETURN FALSE;
END$$

-- HMAC-SHA256(K, msg) = SHA256((K ⊕ opad) || SHA256((K ⊕ ipad) || msg)), from the precomputed pads (security_set_tenant
-- passes each installed key's pads, read in the same statement as the key's kid and installed_at).
CREATE OR REPLACE DEFINER = 'api_definer'@'localhost' FUNCTION strongroom_security.hmac_pads(p_ipad VARBINARY(64),
    p_opad VARBINARY(64), p_msg LONGBLOB)
  RETURNS VARBINARY(32)
  DETERMINISTIC NO SQL SQL SECURITY DEFINER
BEGIN
  RETURN UNHEX(SHA2(CONCAT(p_opad, UNHEX(SHA2(CONCAT(p_ipad, p_msg), 256))), 256));
END$$

-- The tenant bound to THIS connection, or NULL: reads only tenant_bindings for CONNECTION_ID(), and only a
-- row that has not expired, whose liveness lock this very connection holds (so a row of a closed connection,
-- or one from before a restart, binds nobody) and whose verifying key (kid, installed_at) is still installed. Session
-- variables play no part. With the server's READ COMMITTED isolation every statement sees the current keys, so
-- retiring or replacing a key unbinds at once. (A retiring key's bindings end by expires_at, which security_set_tenant
-- caps at the key's verify_until.)
CREATE OR REPLACE DEFINER = 'api_definer'@'localhost' FUNCTION strongroom_security.get_tenant()
  RETURNS VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
  NOT DETERMINISTIC READS SQL DATA SQL SECURITY DEFINER
BEGIN
  RETURN (SELECT b.tenant_id FROM strongroom_security.tenant_bindings b
          WHERE b.connection_id = CONNECTION_ID()
            AND b.expires_at > UTC_TIMESTAMP(6)
            AND IS_USED_LOCK(CONCAT('strongroom.binding.', b.liveness)) = CONNECTION_ID()
            AND EXISTS (SELECT 1 FROM strongroom_security.token_keys k
                        WHERE k.kid = b.kid AND k.installed_at = b.key_installed_at));
END$$

-- The token subject (`sub`) of THIS connection's live binding, or NULL; the same row and checks as get_tenant().
CREATE OR REPLACE DEFINER = 'api_definer'@'localhost' FUNCTION strongroom_security.get_subject()
  RETURNS VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
  NOT DETERMINISTIC READS SQL DATA SQL SECURITY DEFINER
BEGIN
  RETURN (SELECT b.subject FROM strongroom_security.tenant_bindings b
          WHERE b.connection_id = CONNECTION_ID()
            AND b.expires_at > UTC_TIMESTAMP(6)
            AND IS_USED_LOCK(CONCAT('strongroom.binding.', b.liveness)) = CONNECTION_ID()
            AND EXISTS (SELECT 1 FROM strongroom_security.token_keys k
                        WHERE k.kid = b.kid AND k.installed_at = b.key_installed_at));
END$$

-- Ends this connection's binding: releases its liveness lock and deletes its row. Not granted to anyone.
CREATE OR REPLACE DEFINER = 'api_definer'@'localhost' PROCEDURE strongroom_security.unbind()
  MODIFIES SQL DATA SQL SECURITY DEFINER
BEGIN
  DECLARE v_old CHAR(32) CHARACTER SET ascii COLLATE ascii_bin;
  SET v_old = (SELECT b.liveness FROM strongroom_security.tenant_bindings b WHERE b.connection_id = CONNECTION_ID());
  IF v_old IS NOT NULL THEN
    DO RELEASE_LOCK(CONCAT('strongroom.binding.', v_old));
  END IF;
  DELETE FROM strongroom_security.tenant_bindings WHERE connection_id = CONNECTION_ID();
END$$

-- Verifies a tenant token exactly as contracts' TenantTokens.verify does (same checks, same order, same
-- codes) and binds this connection to its tenant until the token's exp (or its key's verify_until, if sooner). The
-- old binding is deleted first, so every refusal leaves the connection unbound. The MAC is checked against every
-- installed key before any claim is parsed; the kid claim must then name the key that verified it, and aud that
-- key's audience. The cnf claim (the client certificate the token is bound to) is checked for shape only: the
-- database does not see the certificate of the application the token came from (the crypto-service checks it).
CREATE OR REPLACE DEFINER = 'api_definer'@'localhost' PROCEDURE strongroom.security_set_tenant(IN p_token LONGTEXT CHARACTER SET utf8mb4)
  MODIFIES SQL DATA SQL SECURITY DEFINER
BEGIN
  DECLARE v_dot INT;
  DECLARE v_claims_part TEXT CHARACTER SET utf8mb4;
  DECLARE v_mac_given LONGBLOB;
  DECLARE v_claims_raw LONGBLOB;
  DECLARE v_blind BINARY(32);
  DECLARE v_claims LONGTEXT CHARACTER SET utf8mb4;
  DECLARE v_tenant LONGTEXT CHARACTER SET utf8mb4;
  DECLARE v_sub LONGTEXT CHARACTER SET utf8mb4;
  DECLARE v_iat_text LONGTEXT CHARACTER SET utf8mb4;
  DECLARE v_exp_text LONGTEXT CHARACTER SET utf8mb4;
  DECLARE v_cnf LONGTEXT CHARACTER SET utf8mb4;
  DECLARE v_iat BIGINT;
  DECLARE v_exp BIGINT;
  DECLARE v_now DECIMAL(20,6);
  DECLARE v_liveness CHAR(32) CHARACTER SET ascii COLLATE ascii_bin;
  DECLARE v_kid VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin;
  DECLARE v_audience VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
  DECLARE v_key_at DATETIME(6);
  DECLARE v_until DATETIME(6);
  DECLARE v_expires DATETIME(6);
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_kid = NULL;

  -- only this connection's row: purging other connections' expired rows here would lock them, and one caller
  -- holding its transaction open would then block every other bind (the event below purges instead)
  CALL strongroom_security.unbind();

  -- shape: <claims>.<mac>, one dot, claims part not empty, at most 4096 characters
  SET v_dot = IFNULL(LOCATE('.', p_token), 0);
  IF p_token IS NULL OR CHAR_LENGTH(p_token) > 4096 OR v_dot <= 1 OR LOCATE('.', p_token, v_dot + 1) > 0 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-TOKEN-MALFORMED: a token is <claims>.<mac>';
  END IF;
  SET v_claims_part = LEFT(p_token, v_dot - 1);
  SET v_mac_given = strongroom_security.b64url_decode(SUBSTRING(p_token, v_dot + 1));
  SET v_claims_raw = strongroom_security.b64url_decode(v_claims_part);
  IF v_mac_given IS NULL OR v_claims_raw IS NULL THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-TOKEN-MALFORMED: parts must be unpadded base64url';
  END IF;

  -- MAC over the claims part's ASCII text as sent, against every installed key, with each key's kid, audience,
  -- installed_at and verify_until read by the same statement (the binding records which key verified it and is live
  -- only while that key is installed, so a rotation racing this call cannot leave a binding of a removed key);
  -- compared blinded (SHA-256 of a fresh random prefix and each value), so the comparison's timing says nothing
  -- about the expected MAC
  SET v_blind = RANDOM_BYTES(32);
  SET v_kid = NULL, v_audience = NULL, v_key_at = NULL, v_until = NULL;
  SELECT k.kid, k.audience, k.installed_at, k.verify_until INTO v_kid, v_audience, v_key_at, v_until
    FROM strongroom_security.token_keys k
    WHERE SHA2(CONCAT(v_blind, strongroom_security.hmac_pads(k.ipad, k.opad, CAST(v_claims_part AS BINARY))), 256)
          = SHA2(CONCAT(v_blind, v_mac_given), 256)
    ORDER BY k.kid LIMIT 1;
  IF v_kid IS NULL THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-TOKEN-SIGNATURE: token MAC does not verify';
  END IF;
  IF v_until IS NOT NULL AND v_until <= UTC_TIMESTAMP(6) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-TOKEN-KEY: token key retired';
  END IF;

  -- claims: UTF-8 JSON object with exactly v=2, tenant, sub, iat, exp, nonce, aud, kid, cnf
  -- MySQL answers NULL for malformed UTF-8 under a strict sql_mode, where MariaDB substitutes a question mark
  -- a strict sql_mode makes an invalid byte sequence error 1300 (ER_INVALID_CHARACTER_STRING), whose message quotes
  -- the bytes: refuse it with the code TenantTokens gives instead
  BEGIN
    DECLARE EXIT HANDLER FOR 1300
      SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-TOKEN-MALFORMED: claims are not JSON';
    SET v_claims = CONVERT(v_claims_raw USING utf8mb4) COLLATE utf8mb4_bin;
  END;
  IF v_claims IS NULL OR CAST(v_claims AS BINARY) <> v_claims_raw OR strongroom_security.has_surrogate(v_claims)
     OR NOT JSON_VALID(v_claims) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-TOKEN-MALFORMED: claims are not JSON';
  END IF;
  IF JSON_TYPE(v_claims) <> 'OBJECT' OR JSON_LENGTH(v_claims) <> 9
     OR IFNULL(JSON_TYPE(JSON_EXTRACT(v_claims, '$.v')), '') <> 'INTEGER'
     OR JSON_EXTRACT(v_claims, '$.v') <> 2
     OR CAST(JSON_EXTRACT(v_claims, '$.v') AS BINARY) <> '2'
     OR IFNULL(JSON_TYPE(JSON_EXTRACT(v_claims, '$.tenant')), '') <> 'STRING'
     OR IFNULL(JSON_TYPE(JSON_EXTRACT(v_claims, '$.sub')), '') <> 'STRING'
     OR IFNULL(JSON_TYPE(JSON_EXTRACT(v_claims, '$.nonce')), '') <> 'STRING'
     OR IFNULL(JSON_TYPE(JSON_EXTRACT(v_claims, '$.aud')), '') <> 'STRING'
     OR IFNULL(JSON_TYPE(JSON_EXTRACT(v_claims, '$.kid')), '') <> 'STRING'
     OR IFNULL(JSON_TYPE(JSON_EXTRACT(v_claims, '$.cnf')), '') <> 'OBJECT'
     OR IFNULL(JSON_LENGTH(JSON_EXTRACT(v_claims, '$.cnf')), 0) <> 1
     OR IFNULL(JSON_TYPE(JSON_EXTRACT(v_claims, '$.cnf."x5t#S256"')), '') <> 'STRING'
     OR IFNULL(JSON_TYPE(JSON_EXTRACT(v_claims, '$.iat')), '') <> 'INTEGER'
     OR IFNULL(JSON_TYPE(JSON_EXTRACT(v_claims, '$.exp')), '') <> 'INTEGER' THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-TOKEN-MALFORMED: claims must be exactly v=2, tenant, sub, iat, exp, nonce, aud, kid, cnf';
  END IF;
  SET v_tenant = JSON_UNQUOTE(JSON_EXTRACT(v_claims, '$.tenant'));
  SET v_sub = JSON_UNQUOTE(JSON_EXTRACT(v_claims, '$.sub'));
  SET v_iat_text = JSON_EXTRACT(v_claims, '$.iat');
  SET v_exp_text = JSON_EXTRACT(v_claims, '$.exp');
  IF v_tenant = '' OR v_sub = '' OR NOT (CAST(v_iat_text AS BINARY) REGEXP '^-?[0-9]{1,18}$')
     OR NOT (CAST(v_exp_text AS BINARY) REGEXP '^-?[0-9]{1,18}$') THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-TOKEN-MALFORMED: claims must be exactly v=2, tenant, sub, iat, exp, nonce, aud, kid, cnf';
  END IF;
  -- cnf x5t#S256: unpadded base64url of exactly 32 bytes (43 characters, canonical trailing bits)
  SET v_cnf = JSON_UNQUOTE(JSON_EXTRACT(v_claims, '$.cnf."x5t#S256"'));
  IF CHAR_LENGTH(v_cnf) <> 43 OR IFNULL(LENGTH(strongroom_security.b64url_decode(v_cnf)), 0) <> 32 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-TOKEN-MALFORMED: cnf x5t#S256 must be base64url of 32 bytes';
  END IF;
  -- utf8mb4_bin is a PAD SPACE collation: 'tenant-a ' = 'tenant-a'. A tenant or sub that ends in a space would
  -- therefore reach another tenant's rows; such a token is refused (TenantTokens refuses to issue or verify it too)
  IF CAST(v_tenant AS BINARY) LIKE '% ' OR CAST(v_sub AS BINARY) LIKE '% ' THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-TOKEN-MALFORMED: tenant and sub must not end with a space';
  END IF;
  -- control characters (C0, DEL, C1, U+2028/U+2029) forge log lines and terminal output wherever a tenant is shown
  IF strongroom_security.has_control(v_tenant) OR strongroom_security.has_control(v_sub) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-TOKEN-MALFORMED: tenant and sub must not hold control characters';
  END IF;
  IF CHAR_LENGTH(v_tenant) > 255 OR CHAR_LENGTH(v_sub) > 255 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-TOKEN-MALFORMED: tenant and sub are at most 255 characters here';
  END IF;
  -- compared as bytes: kid is ASCII, and neither comparison may pad spaces or fold case
  IF CAST(JSON_UNQUOTE(JSON_EXTRACT(v_claims, '$.kid')) AS BINARY) <> CAST(v_kid AS BINARY) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-TOKEN-KEY: kid does not name the key that signed it';
  END IF;
  IF CAST(JSON_UNQUOTE(JSON_EXTRACT(v_claims, '$.aud')) AS BINARY) <> CAST(v_audience AS BINARY) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-TOKEN-AUDIENCE: token is for another audience';
  END IF;
  SET v_iat = CAST(v_iat_text AS SIGNED);
  SET v_exp = CAST(v_exp_text AS SIGNED);

  -- time, in epoch seconds with microseconds; independent of the session's time_zone
  SET v_now = UNIX_TIMESTAMP() + MICROSECOND(UTC_TIMESTAMP(6)) / 1000000;
  IF v_exp <= v_iat OR v_exp - v_iat > 3600 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-TOKEN-LIFETIME: token lifetime exceeds 1 h';
  END IF;
  IF v_iat > v_now + 60 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-TOKEN-FUTURE: token issued in the future';
  END IF;
  IF v_now >= v_exp THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-TOKEN-EXPIRED: token expired';
  END IF;

  -- the binding lives while this connection holds a lock whose name only the definer can read
  SET v_liveness = LOWER(HEX(RANDOM_BYTES(16)));
  IF IFNULL(GET_LOCK(CONCAT('strongroom.binding.', v_liveness), 0), 0) <> 1 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-INTERNAL: could not take the binding lock';
  END IF;
  SET v_expires = TIMESTAMP('1970-01-01 00:00:00') + INTERVAL v_exp SECOND;
  IF v_until IS NOT NULL AND v_until < v_expires THEN
    SET v_expires = v_until;
  END IF;
  INSERT INTO strongroom_security.tenant_bindings (connection_id, tenant_id, subject, bound_at, expires_at, liveness,
                                                  kid, key_installed_at)
  VALUES (CONNECTION_ID(), v_tenant, v_sub, UTC_TIMESTAMP(6), v_expires, v_liveness, v_kid, v_key_at);
  SELECT b.tenant_id, b.subject, b.expires_at FROM strongroom_security.tenant_bindings b
  WHERE b.connection_id = CONNECTION_ID();
END$$

CREATE OR REPLACE DEFINER = 'api_definer'@'localhost' PROCEDURE strongroom.security_clear_tenant()
  MODIFIES SQL DATA SQL SECURITY DEFINER
BEGIN
  CALL strongroom_security.unbind();
END$$

-- This connection's binding (tenant_id, subject, expires_at in UTC), or no row.
CREATE OR REPLACE DEFINER = 'api_definer'@'localhost' PROCEDURE strongroom.security_current_tenant()
  READS SQL DATA SQL SECURITY DEFINER
BEGIN
  SELECT b.tenant_id, b.subject, b.expires_at FROM strongroom_security.tenant_bindings b
  WHERE b.connection_id = CONNECTION_ID() AND b.tenant_id = strongroom_security.get_tenant();
END$$

-- Identifiers are checked with REGEXP '^…$'. PCRE's (and ICU's) '$' also matches before a final newline, which the
-- classes exclude, so every such check also refuses a value containing CHAR(10).

-- Stores one user record (ciphertext only) for the bound tenant. Idempotent by request id: a repeat of a
-- stored request returns the stored record with status DUPLICATE and writes nothing. Creates the tenants row
-- and the data_keys row on first use; a data key, request id or record id of another tenant is refused.
CREATE OR REPLACE DEFINER = 'api_definer'@'localhost' PROCEDURE strongroom.app_create_user_encrypted(
    IN p_request_id      VARCHAR(255) CHARACTER SET utf8mb4,
    IN p_record_id       VARCHAR(255) CHARACTER SET utf8mb4,
    IN p_dek_id          VARCHAR(255) CHARACTER SET utf8mb4,
    IN p_wrapped_dek     LONGBLOB,
    IN p_kms_key_name    VARCHAR(1024) CHARACTER SET utf8mb4,
    IN p_kms_key_version VARCHAR(1024) CHARACTER SET utf8mb4,
    IN p_pq_wrapped_dek  LONGBLOB,
    IN p_pq_alg          VARCHAR(255) CHARACTER SET utf8mb4,
    IN p_name_ct LONGBLOB, IN p_name_iv LONGBLOB,
    IN p_role_ct LONGBLOB, IN p_role_iv LONGBLOB,
    IN p_email_ct LONGBLOB, IN p_email_iv LONGBLOB,
    IN p_phone_ct LONGBLOB, IN p_phone_iv LONGBLOB)
  MODIFIES SQL DATA SQL SECURITY DEFINER
proc: BEGIN
  DECLARE v_tenant VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
  DECLARE v_owner VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
  DECLARE v_conflict INT DEFAULT 0;
  DECLARE v_now DATETIME(6) DEFAULT UTC_TIMESTAMP(6);
  DECLARE v_request_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin;
  DECLARE v_record_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin;
  DECLARE v_dek_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin;

  SET v_tenant = strongroom_security.get_tenant();
  IF v_tenant IS NULL THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-NO-TENANT: no tenant bound to this session';
  END IF;

  -- arguments (the store-request schema's limits)
  IF p_request_id IS NULL OR (NOT (CAST(p_request_id AS BINARY) REGEXP '^[A-Za-z0-9._:-]{1,64}$') OR LOCATE(CHAR(10), p_request_id) > 0) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-INVALID-ARGUMENT: request_id must match [A-Za-z0-9._:-]{1,64}';
  END IF;
  IF p_record_id IS NULL
     OR (NOT (CAST(p_record_id AS BINARY) REGEXP '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$') OR LOCATE(CHAR(10), p_record_id) > 0) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-INVALID-ARGUMENT: record_id must be a lowercase UUIDv7';
  END IF;
  IF p_dek_id IS NULL OR (NOT (CAST(p_dek_id AS BINARY) REGEXP '^[A-Za-z0-9._:-]{1,64}$') OR LOCATE(CHAR(10), p_dek_id) > 0) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-INVALID-ARGUMENT: dek_id must match [A-Za-z0-9._:-]{1,64}';
  END IF;
  IF p_wrapped_dek IS NULL OR LENGTH(p_wrapped_dek) NOT BETWEEN 1 AND 3072
     OR p_kms_key_name IS NULL OR CHAR_LENGTH(p_kms_key_name) NOT BETWEEN 1 AND 256
     OR p_kms_key_version IS NULL OR CHAR_LENGTH(p_kms_key_version) NOT BETWEEN 1 AND 256 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-INVALID-ARGUMENT: wrapped_dek (1..3072 bytes), kms_key_name and kms_key_version (1..256) are required';
  END IF;
  IF (p_pq_wrapped_dek IS NULL) <> (p_pq_alg IS NULL)
     OR (p_pq_wrapped_dek IS NOT NULL AND (LENGTH(p_pq_wrapped_dek) NOT BETWEEN 1 AND 6144
         OR (NOT (CAST(p_pq_alg AS BINARY) REGEXP '^[A-Za-z0-9_.-]{1,64}$') OR LOCATE(CHAR(10), p_pq_alg) > 0))) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-INVALID-ARGUMENT: pq_wrapped_dek (1..6144 bytes) and pq_alg come together';
  END IF;
  -- the stored field limit (StoreRequest.MAX_FIELD_CIPHERTEXT_BYTES), its own code: the data-service refuses the same
  -- before it calls; this is for every other caller
  IF LENGTH(p_name_ct) > 65536 OR LENGTH(p_role_ct) > 65536 OR LENGTH(p_email_ct) > 65536 OR LENGTH(p_phone_ct) > 65536 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-FIELD-TOO-LARGE: each field ciphertext is at most 65536 bytes';
  END IF;
  IF p_name_ct IS NULL OR LENGTH(p_name_ct) NOT BETWEEN 1 AND 65536 OR IFNULL(LENGTH(p_name_iv), 0) <> 12
     OR NOT ((p_role_ct IS NULL AND p_role_iv IS NULL) OR (LENGTH(p_role_ct) BETWEEN 1 AND 65536 AND LENGTH(p_role_iv) = 12))
     OR NOT ((p_email_ct IS NULL AND p_email_iv IS NULL) OR (LENGTH(p_email_ct) BETWEEN 1 AND 65536 AND LENGTH(p_email_iv) = 12))
     OR NOT ((p_phone_ct IS NULL AND p_phone_iv IS NULL) OR (LENGTH(p_phone_ct) BETWEEN 1 AND 65536 AND LENGTH(p_phone_iv) = 12)) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-INVALID-ARGUMENT: name is required; each field is a ciphertext (1..65536 bytes) with a 12-byte IV, or neither';
  END IF;

  -- the ids as ASCII, the columns' character set: a utf8mb4 value compared with an ascii column converts the
  -- column and scans the table instead of using its unique index
  SET v_request_id = p_request_id, v_record_id = p_record_id, v_dek_id = p_dek_id;

  -- a repeat: return what is stored, write nothing
  SET v_owner = (SELECT u.tenant_id FROM strongroom.users u WHERE u.request_id = v_request_id);
  IF v_owner IS NOT NULL THEN
    IF v_owner <> v_tenant THEN
      SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-CROSS-TENANT: request id belongs to another tenant';
    END IF;
    SELECT 'DUPLICATE' AS status, u.record_id, u.request_id, u.tenant_id, u.dek_id, u.created_at
    FROM strongroom.users u WHERE u.request_id = v_request_id;
    LEAVE proc;
  END IF;
  SET v_owner = (SELECT u.tenant_id FROM strongroom.users u WHERE u.record_id = v_record_id);
  IF v_owner IS NOT NULL THEN
    IF v_owner <> v_tenant THEN
      SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-CROSS-TENANT: record id belongs to another tenant';
    END IF;
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-RECORD-EXISTS: record id already stored under another request id';
  END IF;
  SET v_owner = (SELECT k.tenant_id FROM strongroom.data_keys k WHERE k.dek_id = v_dek_id);
  IF v_owner IS NOT NULL AND v_owner <> v_tenant THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-CROSS-TENANT: data key belongs to another tenant';
  END IF;

  IF NOT EXISTS (SELECT 1 FROM strongroom.tenants t WHERE t.tenant_id = v_tenant) THEN
    -- first record of this tenant; a concurrent first record keeps the first row
    INSERT INTO strongroom.tenants (tenant_id, created_at) VALUES (v_tenant, v_now)
      ON DUPLICATE KEY UPDATE tenant_id = tenant_id;
  END IF;
  IF v_owner IS NULL THEN
    -- first use of this data key; a concurrent first use of the same id keeps the first row
    INSERT INTO strongroom.data_keys (dek_id, tenant_id, wrapped_dek, kms_key_name, kms_key_version,
                                      pq_wrapped_dek, pq_alg, created_at)
    VALUES (v_dek_id, v_tenant, p_wrapped_dek, p_kms_key_name, p_kms_key_version, p_pq_wrapped_dek, p_pq_alg, v_now)
    ON DUPLICATE KEY UPDATE dek_id = dek_id;
    IF (SELECT k.tenant_id FROM strongroom.data_keys k WHERE k.dek_id = v_dek_id) <> v_tenant THEN
      SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-CROSS-TENANT: data key belongs to another tenant';
    END IF;
  END IF;

  BEGIN
    -- a concurrent store of the same request id or record id loses here, and is resolved below
    DECLARE CONTINUE HANDLER FOR 1062 SET v_conflict = 1;
    INSERT INTO strongroom.users (record_id, tenant_id, dek_id, request_id, name_ct, name_iv, role_ct, role_iv,
                                  email_ct, email_iv, phone_ct, phone_iv, created_at)
    VALUES (v_record_id, v_tenant, v_dek_id, v_request_id, p_name_ct, p_name_iv, p_role_ct, p_role_iv,
            p_email_ct, p_email_iv, p_phone_ct, p_phone_iv, v_now);
  END;
  IF v_conflict = 1 THEN
    SET v_owner = (SELECT u.tenant_id FROM strongroom.users u WHERE u.request_id = v_request_id);
    IF v_owner = v_tenant THEN
      SELECT 'DUPLICATE' AS status, u.record_id, u.request_id, u.tenant_id, u.dek_id, u.created_at
      FROM strongroom.users u WHERE u.request_id = v_request_id;
      LEAVE proc;
    END IF;
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-CONFLICT: request id or record id taken concurrently; retry';
  END IF;
  SELECT 'STORED' AS status, u.record_id, u.request_id, u.tenant_id, u.dek_id, u.created_at
  FROM strongroom.users u WHERE u.record_id = v_record_id;
END$$

-- One record of the bound tenant with its data key (wrapped), ciphertexts and IVs.
CREATE OR REPLACE DEFINER = 'api_definer'@'localhost' PROCEDURE strongroom.app_get_user(IN p_record_id VARCHAR(255) CHARACTER SET utf8mb4)
  READS SQL DATA SQL SECURITY DEFINER
BEGIN
  DECLARE v_tenant VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
  DECLARE v_owner VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
  DECLARE v_record_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin;
  SET v_tenant = strongroom_security.get_tenant();
  IF v_tenant IS NULL THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-NO-TENANT: no tenant bound to this session';
  END IF;
  -- only a record id can match (ASCII, 36 characters); anything else is simply not found
  IF p_record_id IS NULL OR (NOT (CAST(p_record_id AS BINARY) REGEXP '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$') OR LOCATE(CHAR(10), p_record_id) > 0) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-NOT-FOUND: no such record';
  END IF;
  SET v_record_id = p_record_id;
  SET v_owner = (SELECT u.tenant_id FROM strongroom.users u WHERE u.record_id = v_record_id);
  IF v_owner IS NULL THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-NOT-FOUND: no such record';
  END IF;
  IF v_owner <> v_tenant THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-CROSS-TENANT: record belongs to another tenant';
  END IF;
  SELECT u.record_id, u.tenant_id, u.request_id, u.dek_id, k.wrapped_dek, k.kms_key_name, k.kms_key_version,
         k.pq_wrapped_dek, k.pq_alg, u.name_ct, u.name_iv, u.role_ct, u.role_iv, u.email_ct, u.email_iv,
         u.phone_ct, u.phone_iv, u.created_at
  FROM strongroom.users u
  JOIN strongroom.data_keys k ON k.dek_id = u.dek_id AND k.tenant_id = u.tenant_id
  WHERE u.record_id = v_record_id AND u.tenant_id = v_tenant;
END$$

-- The bound tenant's records (ids only), oldest first (UUIDv7 order), at most p_limit (1..1000).
CREATE OR REPLACE DEFINER = 'api_definer'@'localhost' PROCEDURE strongroom.app_list_users(IN p_limit INT)
  READS SQL DATA SQL SECURITY DEFINER
BEGIN
  DECLARE v_tenant VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
  SET v_tenant = strongroom_security.get_tenant();
  IF v_tenant IS NULL THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-NO-TENANT: no tenant bound to this session';
  END IF;
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-INVALID-ARGUMENT: limit must be within 1..1000';
  END IF;
  SELECT u.record_id, u.request_id, u.dek_id, u.created_at
  FROM strongroom.users u WHERE u.tenant_id = v_tenant
  ORDER BY u.record_id LIMIT p_limit;
END$$

-- Re-wraps one data key of the bound tenant under a new KMS key version (DESIGN §4: rotation re-wraps data_keys
-- rows, never ciphertext). Optimistic concurrency: the row changes only while its kms_key_version is still
-- p_expected_kms_key_version, and one conditional UPDATE decides it (InnoDB evaluates the WHERE on the latest
-- committed row once it holds the row lock), so of two rotators that expected the same version exactly one wins;
-- the other gets SR-CONFLICT, or UNCHANGED if it was about to write the very same values. A repeat of a call that
-- took effect returns UNCHANGED and writes nothing. Values are compared byte for byte: utf8mb4_bin pads spaces,
-- so '2' = '2 ' would otherwise hold. tenant_id, dek_id and created_at are never written.
CREATE OR REPLACE DEFINER = 'api_definer'@'localhost' PROCEDURE strongroom.app_rewrap_data_key(
    IN p_dek_id                   VARCHAR(255) CHARACTER SET utf8mb4,
    IN p_expected_kms_key_version VARCHAR(1024) CHARACTER SET utf8mb4,
    IN p_wrapped_dek              LONGBLOB,
    IN p_kms_key_name             VARCHAR(1024) CHARACTER SET utf8mb4,
    IN p_kms_key_version          VARCHAR(1024) CHARACTER SET utf8mb4,
    IN p_pq_wrapped_dek           LONGBLOB,
    IN p_pq_alg                   VARCHAR(255) CHARACTER SET utf8mb4)
  MODIFIES SQL DATA SQL SECURITY DEFINER
BEGIN
  DECLARE v_tenant VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
  DECLARE v_owner VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
  DECLARE v_state VARCHAR(9) CHARACTER SET ascii DEFAULT NULL;
  DECLARE v_dek_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin;

  SET v_tenant = strongroom_security.get_tenant();
  IF v_tenant IS NULL THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-NO-TENANT: no tenant bound to this session';
  END IF;

  -- arguments (app_create_user_encrypted's limits; the expected version has the version's)
  IF p_dek_id IS NULL OR (NOT (CAST(p_dek_id AS BINARY) REGEXP '^[A-Za-z0-9._:-]{1,64}$') OR LOCATE(CHAR(10), p_dek_id) > 0) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-INVALID-ARGUMENT: dek_id must match [A-Za-z0-9._:-]{1,64}';
  END IF;
  IF p_expected_kms_key_version IS NULL OR CHAR_LENGTH(p_expected_kms_key_version) NOT BETWEEN 1 AND 256 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-INVALID-ARGUMENT: expected_kms_key_version (1..256) is required';
  END IF;
  IF p_wrapped_dek IS NULL OR LENGTH(p_wrapped_dek) NOT BETWEEN 1 AND 3072
     OR p_kms_key_name IS NULL OR CHAR_LENGTH(p_kms_key_name) NOT BETWEEN 1 AND 256
     OR p_kms_key_version IS NULL OR CHAR_LENGTH(p_kms_key_version) NOT BETWEEN 1 AND 256 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-INVALID-ARGUMENT: wrapped_dek (1..3072 bytes), kms_key_name and kms_key_version (1..256) are required';
  END IF;
  IF (p_pq_wrapped_dek IS NULL) <> (p_pq_alg IS NULL)
     OR (p_pq_wrapped_dek IS NOT NULL AND (LENGTH(p_pq_wrapped_dek) NOT BETWEEN 1 AND 6144
         OR (NOT (CAST(p_pq_alg AS BINARY) REGEXP '^[A-Za-z0-9_.-]{1,64}$') OR LOCATE(CHAR(10), p_pq_alg) > 0))) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-INVALID-ARGUMENT: pq_wrapped_dek (1..6144 bytes) and pq_alg come together';
  END IF;

  -- as ASCII, the column's character set, so the lookups use the primary key (see app_create_user_encrypted)
  SET v_dek_id = p_dek_id;

  SET v_owner = (SELECT k.tenant_id FROM strongroom.data_keys k WHERE k.dek_id = v_dek_id);
  IF v_owner IS NULL THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-NOT-FOUND: no such data key';
  END IF;
  IF v_owner <> v_tenant THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-CROSS-TENANT: data key belongs to another tenant';
  END IF;

  -- the compare-and-set; a row that already holds the new values does not match, so ROW_COUNT() is 1 exactly when
  -- this call changed the row, whether or not the client asked for found rows (CLIENT_FOUND_ROWS)
  UPDATE strongroom.data_keys k
     SET k.wrapped_dek = p_wrapped_dek, k.kms_key_name = p_kms_key_name, k.kms_key_version = p_kms_key_version,
         k.pq_wrapped_dek = p_pq_wrapped_dek, k.pq_alg = p_pq_alg
   WHERE k.dek_id = v_dek_id AND k.tenant_id = v_tenant
     AND CAST(k.kms_key_version AS BINARY) = CAST(p_expected_kms_key_version AS BINARY)
     AND NOT (k.wrapped_dek = p_wrapped_dek
              AND CAST(k.kms_key_name AS BINARY) = CAST(p_kms_key_name AS BINARY)
              AND CAST(k.kms_key_version AS BINARY) = CAST(p_kms_key_version AS BINARY)
              AND k.pq_wrapped_dek <=> p_pq_wrapped_dek
              AND CAST(k.pq_alg AS BINARY) <=> CAST(p_pq_alg AS BINARY));
  IF ROW_COUNT() = 1 THEN
    SET v_state = 'REWRAPPED';
  ELSE
    -- nothing written: why, from the row as it is now (a locking read sees the latest committed row, also inside a
    -- transaction the caller opened)
    BEGIN
      DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_state = NULL;
      SELECT CASE
               WHEN k.wrapped_dek = p_wrapped_dek
                    AND CAST(k.kms_key_name AS BINARY) = CAST(p_kms_key_name AS BINARY)
                    AND CAST(k.kms_key_version AS BINARY) = CAST(p_kms_key_version AS BINARY)
                    AND k.pq_wrapped_dek <=> p_pq_wrapped_dek
                    AND CAST(k.pq_alg AS BINARY) <=> CAST(p_pq_alg AS BINARY) THEN 'UNCHANGED'
               WHEN CAST(k.kms_key_version AS BINARY) <> CAST(p_expected_kms_key_version AS BINARY) THEN 'CONFLICT'
               ELSE 'RACE' END
        INTO v_state
        FROM strongroom.data_keys k WHERE k.dek_id = v_dek_id AND k.tenant_id = v_tenant FOR UPDATE;
    END;
    IF v_state IS NULL THEN
      SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-NOT-FOUND: no such data key';
    END IF;
    IF v_state = 'CONFLICT' THEN
      SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-CONFLICT: kms_key_version is not the expected one';
    END IF;
    IF v_state = 'RACE' THEN
      -- changed away and back between the two statements: a retry decides it
      SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-CONFLICT: data key changed concurrently; retry';
    END IF;
  END IF;
  SELECT v_state AS status, k.dek_id, k.kms_key_name, k.kms_key_version, k.pq_alg
  FROM strongroom.data_keys k WHERE k.dek_id = v_dek_id AND k.tenant_id = v_tenant;
END$$

-- Records that p_reader (the principal the crypto-service names, e.g. svc:reporting) is about to decrypt one record
-- of the bound tenant, and returns in the same call what the decrypt needs: the record's wrapped data key,
-- ciphertexts and IVs. The record_decrypts row is on the audit chain (05-audit.sql); a refused call writes
-- nothing. The row is written and committed first: if the read after it failed, a decrypt would be recorded that
-- did not happen, never the other way round.
CREATE OR REPLACE DEFINER = 'api_definer'@'localhost' PROCEDURE strongroom.app_record_decrypt(
    IN p_record_id VARCHAR(255) CHARACTER SET utf8mb4,
    IN p_reader    VARCHAR(1024) CHARACTER SET utf8mb4)
  MODIFIES SQL DATA SQL SECURITY DEFINER
BEGIN
  DECLARE v_tenant VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
  DECLARE v_owner VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
  DECLARE v_decrypt_id BIGINT UNSIGNED;
  DECLARE v_record_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin;

  SET v_tenant = strongroom_security.get_tenant();
  IF v_tenant IS NULL THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-NO-TENANT: no tenant bound to this session';
  END IF;
  IF p_record_id IS NULL
     OR (NOT (CAST(p_record_id AS BINARY) REGEXP '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$') OR LOCATE(CHAR(10), p_record_id) > 0) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-INVALID-ARGUMENT: record_id must be a lowercase UUIDv7';
  END IF;
  IF p_reader IS NULL OR (NOT (CAST(p_reader AS BINARY) REGEXP '^[A-Za-z0-9._:@/-]{1,255}$') OR LOCATE(CHAR(10), p_reader) > 0) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-INVALID-ARGUMENT: reader must match [A-Za-z0-9._:@/-]{1,255}';
  END IF;
  -- the reader is the principal the tenant authority vouched for: the bound token's sub, byte for byte
  IF CAST(p_reader AS BINARY) <> IFNULL(CAST(strongroom_security.get_subject() AS BINARY), '') THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-TOKEN-SUBJECT: reader is not the subject of the bound token';
  END IF;
  -- as ASCII, the column's character set, so the lookup uses the primary key (see app_create_user_encrypted)
  SET v_record_id = p_record_id;
  SET v_owner = (SELECT u.tenant_id FROM strongroom.users u WHERE u.record_id = v_record_id);
  IF v_owner IS NULL THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-NOT-FOUND: no such record';
  END IF;
  IF v_owner <> v_tenant THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'SR-CROSS-TENANT: record belongs to another tenant';
  END IF;

  INSERT INTO strongroom.record_decrypts (tenant_id, record_id, reader, decrypted_at)
  VALUES (v_tenant, v_record_id, p_reader, UTC_TIMESTAMP(6));
  SET v_decrypt_id = LAST_INSERT_ID();
  -- durable before anything is returned: inside a caller's transaction a ROLLBACK would otherwise undo the record
  -- (and its audit event) while the caller keeps the ciphertext. This commits the caller's open transaction too.
  COMMIT;
  SELECT d.decrypt_id, u.record_id, u.tenant_id, u.dek_id, k.wrapped_dek, k.kms_key_name, k.kms_key_version,
         k.pq_wrapped_dek, k.pq_alg, u.name_ct, u.name_iv, u.role_ct, u.role_iv, u.email_ct, u.email_iv,
         u.phone_ct, u.phone_iv, u.created_at
  FROM strongroom.record_decrypts d
  JOIN strongroom.users u ON u.record_id = d.record_id AND u.tenant_id = d.tenant_id
  JOIN strongroom.data_keys k ON k.dek_id = u.dek_id AND k.tenant_id = u.tenant_id
  WHERE d.decrypt_id = v_decrypt_id;
END$$

-- Deletes expired bindings (rows of closed connections and of past tokens; none of them binds anybody, see
-- get_tenant()), one row per statement with a 1 s lock wait, skipping a row somebody holds: a caller that keeps its
-- own expired row locked in an open transaction can delay the purge of that row only, and nobody waits on the
-- purge for more than a second. Not granted to anyone; run by the event below (an OUT parameter, not a result set,
-- because an event has nowhere to send one).
CREATE OR REPLACE DEFINER = 'api_definer'@'localhost' PROCEDURE strongroom_security.purge_expired_bindings(OUT p_purged INT)
  MODIFIES SQL DATA SQL SECURITY DEFINER
BEGIN
  DECLARE v_id BIGINT UNSIGNED;
  DECLARE v_done INT DEFAULT 0;
  DECLARE c_expired CURSOR FOR
    SELECT b.connection_id FROM strongroom_security.tenant_bindings b
    WHERE b.expires_at <= UTC_TIMESTAMP(6) ORDER BY b.expires_at LIMIT 10000;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_done = 1;
  DECLARE CONTINUE HANDLER FOR 1205 BEGIN END;
  SET p_purged = 0;
  SET SESSION innodb_lock_wait_timeout = 1;
  OPEN c_expired;
  purging: LOOP
    FETCH c_expired INTO v_id;
    IF v_done = 1 THEN LEAVE purging; END IF;
    DELETE FROM strongroom_security.tenant_bindings WHERE connection_id = v_id AND expires_at <= UTC_TIMESTAMP(6);
    IF ROW_COUNT() > 0 THEN
      SET p_purged = p_purged + 1;
    END IF;
  END LOOP;
  CLOSE c_expired;
END$$

-- Runs the purge every minute (needs event_scheduler=ON, which the option file sets).
CREATE OR REPLACE DEFINER = 'api_definer'@'localhost' EVENT strongroom_security.purge_expired_bindings
  ON SCHEDULE EVERY 60 SECOND
  DO CALL strongroom_security.purge_expired_bindings(@purged)$$

DELIMITER ;

-- Tenant-scoped views (DESIGN §4: app_user may SELECT them, nothing else). The tenant is get_tenant()'s lookup
-- written out as two uncorrelated scalar subqueries on this connection's binding row (primary key CONNECTION_ID()):
-- the tenant of the row if not expired, and the row's liveness lock, which this connection must hold, if the key
-- that verified it is still installed. The first is
-- cacheable, so the optimizer evaluates it once and reads the tenant's rows through the tenant index (ref, const);
-- IS_USED_LOCK is not cacheable and would make the first one a per-row scan if it were inside it, so it is a
-- separate condition, a lock-table lookup per row. get_tenant() itself here would scan the whole table and run per
-- row (docs/schema.md, "Tenant-scoped views"). An unbound connection sees no row; session variables play no part.
CREATE OR REPLACE ALGORITHM = MERGE DEFINER = 'api_definer'@'localhost' SQL SECURITY DEFINER VIEW strongroom.v_users AS
  SELECT u.record_id, u.tenant_id, u.dek_id, u.request_id, u.name_ct, u.name_iv, u.role_ct, u.role_iv,
         u.email_ct, u.email_iv, u.phone_ct, u.phone_iv, u.created_at
  FROM strongroom.users u
  WHERE u.tenant_id = (SELECT b.tenant_id FROM strongroom_security.tenant_bindings b
                       WHERE b.connection_id = CONNECTION_ID()
                         AND b.expires_at > UTC_TIMESTAMP(6))
    AND IS_USED_LOCK((SELECT CONCAT('strongroom.binding.', b.liveness) FROM strongroom_security.tenant_bindings b
                      WHERE b.connection_id = CONNECTION_ID()
                        AND EXISTS (SELECT 1 FROM strongroom_security.token_keys t
                                    WHERE t.kid = b.kid AND t.installed_at = b.key_installed_at))) = CONNECTION_ID();

CREATE OR REPLACE ALGORITHM = MERGE DEFINER = 'api_definer'@'localhost' SQL SECURITY DEFINER VIEW strongroom.v_data_keys AS
  SELECT k.dek_id, k.tenant_id, k.wrapped_dek, k.kms_key_name, k.kms_key_version, k.pq_wrapped_dek, k.pq_alg,
         k.created_at
  FROM strongroom.data_keys k
  WHERE k.tenant_id = (SELECT b.tenant_id FROM strongroom_security.tenant_bindings b
                       WHERE b.connection_id = CONNECTION_ID()
                         AND b.expires_at > UTC_TIMESTAMP(6))
    AND IS_USED_LOCK((SELECT CONCAT('strongroom.binding.', b.liveness) FROM strongroom_security.tenant_bindings b
                      WHERE b.connection_id = CONNECTION_ID()
                        AND EXISTS (SELECT 1 FROM strongroom_security.token_keys t
                                    WHERE t.kid = b.kid AND t.installed_at = b.key_installed_at))) = CONNECTION_ID();
