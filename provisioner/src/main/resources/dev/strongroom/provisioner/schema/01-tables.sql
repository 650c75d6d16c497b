-- Strongroom schema, part 1: schemas and tables (DESIGN §4). Idempotent: CREATE … IF NOT EXISTS (except the
-- transient binding table, recreated below).
-- Every table is InnoDB (the instance enforces InnoDB and encrypts every tablespace).
-- Ciphertext, IVs and wrapped keys are binary columns; no column holds plaintext PII or an unwrapped key.

CREATE DATABASE IF NOT EXISTS strongroom CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE DATABASE IF NOT EXISTS strongroom_security CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;

CREATE TABLE IF NOT EXISTS strongroom.tenants (
  tenant_id  VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (tenant_id)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS strongroom.data_keys (
  dek_id          VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  tenant_id       VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  wrapped_dek     VARBINARY(3072) NOT NULL,
  kms_key_name    VARCHAR(256) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  kms_key_version VARCHAR(256) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  pq_wrapped_dek  VARBINARY(6144) NULL,
  pq_alg          VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  created_at      DATETIME(6) NOT NULL,
  PRIMARY KEY (dek_id),
  UNIQUE KEY uk_data_keys_dek_tenant (dek_id, tenant_id),
  KEY ix_data_keys_tenant (tenant_id),
  CONSTRAINT fk_data_keys_tenant FOREIGN KEY (tenant_id) REFERENCES strongroom.tenants (tenant_id),
  CONSTRAINT ck_data_keys_pq CHECK ((pq_wrapped_dek IS NULL) = (pq_alg IS NULL))
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS strongroom.users (
  record_id  CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  tenant_id  VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  dek_id     VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  request_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  name_ct    MEDIUMBLOB NOT NULL,
  name_iv    VARBINARY(12) NOT NULL,
  role_ct    MEDIUMBLOB NULL,
  role_iv    VARBINARY(12) NULL,
  email_ct   MEDIUMBLOB NULL,
  email_iv   VARBINARY(12) NULL,
  phone_ct   MEDIUMBLOB NULL,
  phone_iv   VARBINARY(12) NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (record_id),
  UNIQUE KEY uk_users_request (request_id),
  KEY ix_users_tenant (tenant_id, record_id),
  CONSTRAINT fk_users_tenant FOREIGN KEY (tenant_id) REFERENCES strongroom.tenants (tenant_id),
  -- the data key must belong to the record's tenant: a composite key, not only the procedure's check
  CONSTRAINT fk_users_dek_tenant FOREIGN KEY (dek_id, tenant_id) REFERENCES strongroom.data_keys (dek_id, tenant_id),
  CONSTRAINT ck_users_name CHECK (LENGTH(name_ct) > 0 AND LENGTH(name_iv) = 12),
  CONSTRAINT ck_users_role CHECK ((role_ct IS NULL AND role_iv IS NULL) OR (LENGTH(role_ct) > 0 AND LENGTH(role_iv) = 12)),
  CONSTRAINT ck_users_email CHECK ((email_ct IS NULL AND email_iv IS NULL) OR (LENGTH(email_ct) > 0 AND LENGTH(email_iv) = 12)),
  CONSTRAINT ck_users_phone CHECK ((phone_ct IS NULL AND phone_iv IS NULL) OR (LENGTH(phone_ct) > 0 AND LENGTH(phone_iv) = 12))
) ENGINE=InnoDB;

-- One row per decrypt a reader announced through app_record_decrypt: who (the bound token's sub)
-- read which record of which tenant, when. Audited like every data table; the FK keeps a record that has been read
-- from being deleted without its decrypt rows (a cascade would delete them without firing their audit triggers).
CREATE TABLE IF NOT EXISTS strongroom.record_decrypts (
  decrypt_id   BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  tenant_id    VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  record_id    CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  reader       VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  decrypted_at DATETIME(6) NOT NULL,
  PRIMARY KEY (decrypt_id),
  KEY ix_record_decrypts_tenant (tenant_id, record_id),
  KEY ix_record_decrypts_record (record_id),
  CONSTRAINT fk_record_decrypts_tenant FOREIGN KEY (tenant_id) REFERENCES strongroom.tenants (tenant_id),
  CONSTRAINT fk_record_decrypts_record FOREIGN KEY (record_id) REFERENCES strongroom.users (record_id)
) ENGINE=InnoDB;

-- Security schema: readable and writable by api_definer only (no application identity has any privilege on it).

-- One row per bound connection. A binding is live only while its connection holds the user-level lock
-- 'strongroom.binding.<liveness>' (taken by security_set_tenant; liveness is 128 random bits, readable by the
-- definer only). Locks end with the connection and with the server, so a row left over from a closed connection
-- or from before a restart binds nobody, even though CONNECTION_ID() values start again from 1 after a restart.
-- kid, key_installed_at: the token_keys row (kid and installed_at) of the key that verified the token; the binding
-- counts only while that row is there, so replacing or retiring a key revokes its bindings atomically, even one
-- racing the change, while a rotation that only adds a key leaves every binding alone.
-- Bindings are transient: an install drops and recreates the table, which unbinds every connection (pools bind
-- again at checkout).
DROP TABLE IF EXISTS strongroom_security.tenant_bindings;
CREATE TABLE strongroom_security.tenant_bindings (
  connection_id BIGINT UNSIGNED NOT NULL,
  tenant_id     VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  subject       VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  bound_at      DATETIME(6) NOT NULL,
  expires_at    DATETIME(6) NOT NULL,
  liveness      CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  kid           VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  key_installed_at DATETIME(6) NOT NULL,
  PRIMARY KEY (connection_id),
  KEY ix_tenant_bindings_expires (expires_at)
) ENGINE=InnoDB;

-- HMAC-SHA256 keys of tenant tokens, precomputed: ipad = K XOR 0x36…, opad = K XOR 0x5c… (K zero-padded to the
-- 64-byte SHA-256 block), by key id. One issuing key (verify_until NULL) and, during a rotation, the previous one,
-- which verifies until verify_until (docs/tenant-tokens.md). audience: the aud every token of the key must carry.
-- A projection of the tenant authority's key file, written by every install and by rotate-token-key: an install
-- drops and recreates it (the first release had one key_id = 1 row and no kid or audience).
DROP TABLE IF EXISTS strongroom_security.token_keys;
CREATE TABLE strongroom_security.token_keys (
  kid          VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  ipad         VARBINARY(64) NOT NULL,
  opad         VARBINARY(64) NOT NULL,
  audience     VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  installed_at DATETIME(6) NOT NULL,
  verify_until DATETIME(6) NULL,
  PRIMARY KEY (kid),
  CONSTRAINT ck_token_keys_len CHECK (LENGTH(ipad) = 64 AND LENGTH(opad) = 64)
) ENGINE=InnoDB;
