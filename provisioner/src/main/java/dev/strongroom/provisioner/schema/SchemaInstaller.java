package dev.strongroom.provisioner.schema;

import dev.strongroom.contracts.token.TenantTokenKeys;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.provisioner.db.Dialect;
import dev.strongroom.provisioner.db.InstanceException;
import dev.strongroom.provisioner.db.MariaDbInstance;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

/**
 * Installs the proc-only schema (DESIGN §4) on a running {@link MariaDbInstance}, as the installer
 * (root over the Unix socket), idempotently: data and key tables are created if missing (never
 * dropped or altered; the transient binding table is recreated, which unbinds every connection),
 * {@code api_definer} is (re)locked, every routine and view is replaced, every identity's
 * privileges are revoked and granted afresh, and the tenant-token keys are stored as their HMAC
 * pads with their key ids and audience.
 *
 * <p>The whole script, key included, goes to the client's standard input through a pipe — never on
 * a command line. The identities ({@code app_user}, {@code auditor}, {@code migration} at {@code
 * 127.0.0.1}) must exist first ({@link MariaDbInstance#applyAccounts}); the installer refuses to
 * run otherwise, and {@code NO_AUTO_CREATE_USER} makes sure no {@code GRANT} can create an account.
 */
public final class SchemaInstaller {
  public static final String DATA_SCHEMA = "strongroom";
  public static final String SECURITY_SCHEMA = "strongroom_security";
  public static final String DEFINER = "api_definer";

  /** The SQL resources, applied in this order. */
  public static final List<String> SCRIPTS =
      List.of("01-tables.sql", "02-definer.sql", "03-routines.sql", "04-grants.sql");

  /** The identities the grants name. */
  public static final List<String> IDENTITIES = List.of("app_user", "auditor", "migration");

  /**
   * Session settings every install runs under (MariaDB 10.11's; see {@link SchemaDialect#prelude}).
   */
  static final String PRELUDE = SchemaDialect.prelude(Dialect.MARIADB_10_11);

  private SchemaInstaller() {}

  /**
   * Installs (or re-installs) the schema with {@code tokenKey} (32 bytes) as the one tenant-token
   * key ({@link TenantTokenKeys#single}).
   */
  public static void install(MariaDbInstance db, byte[] tokenKey) {
    checkKey(tokenKey);
    install(db, TenantTokenKeys.single(tokenKey));
  }

  /** Installs (or re-installs) the schema and stores the tenant-token keys {@code tokenKeys}. */
  public static void install(MariaDbInstance db, TenantTokenKeys tokenKeys) {
    requireIdentities(db);
    db.sqlScript(script() + tokenKeyStatements(tokenKeys));
  }

  /**
   * Replaces the tenant-token keys with {@code tokenKey} alone (every other key's bindings end).
   */
  public static void rotateTokenKey(MariaDbInstance db, byte[] tokenKey) {
    checkKey(tokenKey);
    syncTokenKeys(db, TenantTokenKeys.single(tokenKey));
  }

  /**
   * Makes the database's tenant-token keys exactly {@code tokenKeys} on a running server, without
   * touching the schema: a key that is new is added, a key that changed (pads or audience) gets a
   * new {@code installed_at}, a key no longer in the set is removed — and the bindings made under a
   * removed or changed key end at once; every other binding stays (docs/runbook-rotation.md).
   */
  public static void syncTokenKeys(MariaDbInstance db, TenantTokenKeys tokenKeys) {
    db.sqlScript(tokenKeySyncScript(Dialect.MARIADB_10_11, tokenKeys));
  }

  /**
   * {@link #syncTokenKeys(MariaDbInstance, TenantTokenKeys)} on a server this process did not start
   * (a running stack's), as the installer over {@code installer} (its Unix socket).
   */
  public static void syncTokenKeys(
      dev.strongroom.provisioner.db.MariaDbClient client,
      dev.strongroom.provisioner.db.ClientConnection installer,
      TenantTokenKeys tokenKeys) {
    client.requireScript(installer, tokenKeySyncScript(Dialect.MARIADB_10_11, tokenKeys));
  }

  /**
   * A script that makes the database's tenant-token keys exactly {@code tokenKeys} (as {@link
   * #syncTokenKeys(MariaDbInstance, TenantTokenKeys)}), in {@code dialect}'s session settings. It
   * carries the keys' HMAC pads: send it to the client's standard input, never on a command line,
   * never to a log.
   */
  public static String tokenKeySyncScript(Dialect dialect, TenantTokenKeys tokenKeys) {
    return SchemaDialect.prelude(dialect) + tokenKeyStatements(tokenKeys);
  }

  /**
   * A query for what the database holds of its tenant-token keys without reading a key: one row per
   * key, ordered by key id — {@code kid}, the SHA-256 (lower-case hex) of {@code ipad || opad}, the
   * audience in upper-case hex, {@code verify_until} as {@code yyyy-MM-dd HH:mm:ss.ffffff} or
   * {@code NULL}. {@link #tokenKeyState} gives the rows it returns when the database holds exactly
   * a key set.
   */
  public static final String TOKEN_KEY_STATE_QUERY =
      "SELECT kid, SHA2(CONCAT(ipad, opad), 256), HEX(audience),"
          + " IFNULL(DATE_FORMAT(verify_until, '%Y-%m-%d %H:%i:%s.%f'), 'NULL')"
          + " FROM strongroom_security.token_keys ORDER BY kid";

  /**
   * The rows of {@link #TOKEN_KEY_STATE_QUERY}, tab-separated, for a database holding {@code keys}.
   */
  public static List<String> tokenKeyState(TenantTokenKeys keys) {
    HexFormat hex = HexFormat.of();
    String audience =
        HexFormat.of().withUpperCase().formatHex(keys.audience().getBytes(StandardCharsets.UTF_8));
    return keys.keys().stream()
        .sorted(java.util.Comparator.comparing(TenantTokenKeys.Key::kid))
        .map(
            k -> {
              byte[] secret = k.secret();
              TokenKeyPads pads = TokenKeyPads.of(secret);
              java.util.Arrays.fill(secret, (byte) 0);
              byte[] ipad = pads.ipad();
              byte[] opad = pads.opad();
              pads.destroy();
              String digest;
              try {
                java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
                md.update(ipad);
                md.update(opad);
                digest = hex.formatHex(md.digest());
              } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
              } finally {
                java.util.Arrays.fill(ipad, (byte) 0);
                java.util.Arrays.fill(opad, (byte) 0);
              }
              String until =
                  k.verifyUntil()
                      .map(
                          t ->
                              java.time.LocalDateTime.ofInstant(t, java.time.ZoneOffset.UTC)
                                  .format(SQL_TIME))
                      .orElse("NULL");
              return k.kid() + "\t" + digest + "\t" + audience + "\t" + until;
            })
        .toList();
  }

  /** The MariaDB 10.11 schema script without key material: prelude plus {@link #SCRIPTS}. */
  public static String script() {
    return script(Dialect.MARIADB_10_11);
  }

  /**
   * The schema script without key material in {@code dialect}'s form ({@link SchemaDialect}):
   * prelude plus {@link #SCRIPTS}. MariaDB's is the resources unchanged; MySQL 8.4's is rendered,
   * not run here.
   */
  public static String script(Dialect dialect) {
    StringBuilder sb = new StringBuilder(SchemaDialect.prelude(dialect));
    for (String name : SCRIPTS) {
      sb.append("\n-- ")
          .append(name)
          .append('\n')
          .append(SchemaDialect.render(dialect, name, resource(name)))
          .append('\n');
    }
    return sb.toString();
  }

  /** One SQL resource of this package by file name. */
  public static String resource(String name) {
    try (InputStream in = SchemaInstaller.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing schema resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Makes {@code token_keys} hold exactly {@code keys}: an upsert per key (its {@code installed_at}
   * kept when pads and audience are unchanged), then the rows of other keys deleted, then the
   * bindings whose key row is gone or changed. The same text on both dialects: the upsert repeats
   * the literals instead of {@code VALUES(col)}, which MySQL has deprecated since 8.0.20 (and
   * MariaDB has no row alias); the audience goes as a hex literal, so no quoting is involved.
   * Appended to {@link #script(Dialect)} they make a whole install. They carry the keys' HMAC pads:
   * standard input only, never a command line or a log.
   */
  public static String tokenKeyStatements(TenantTokenKeys keys) {
    HexFormat hex = HexFormat.of().withUpperCase();
    String audience =
        "CONVERT(X'"
            + hex.formatHex(keys.audience().getBytes(StandardCharsets.UTF_8))
            + "' USING utf8mb4) COLLATE utf8mb4_bin";
    StringBuilder sb = new StringBuilder();
    List<String> kids = new java.util.ArrayList<>();
    for (TenantTokenKeys.Key k : keys.keys()) {
      byte[] secret = k.secret();
      TokenKeyPads pads = TokenKeyPads.of(secret);
      java.util.Arrays.fill(secret, (byte) 0);
      String ipad = "X'" + hex.formatHex(pads.ipad()) + "'";
      String opad = "X'" + hex.formatHex(pads.opad()) + "'";
      pads.destroy();
      String until =
          k.verifyUntil()
              .map(
                  t ->
                      "'"
                          + java.time.LocalDateTime.ofInstant(t, java.time.ZoneOffset.UTC)
                              .format(SQL_TIME)
                          + "'")
              .orElse("NULL");
      String kid = "'" + k.kid() + "'"; // [A-Za-z0-9_-]{1,64}: nothing to quote
      kids.add(kid);
      sb.append(
              "INSERT INTO strongroom_security.token_keys"
                  + " (kid, ipad, opad, audience, installed_at, verify_until) VALUES (")
          .append(kid)
          .append(", ")
          .append(ipad)
          .append(", ")
          .append(opad)
          .append(", ")
          .append(audience)
          .append(", UTC_TIMESTAMP(6), ")
          .append(until)
          .append(") ON DUPLICATE KEY UPDATE installed_at = IF(ipad = ")
          .append(ipad)
          .append(" AND opad = ")
          .append(opad)
          .append(" AND audience = ")
          .append(audience)
          .append(", installed_at, UTC_TIMESTAMP(6)), ipad = ")
          .append(ipad)
          .append(", opad = ")
          .append(opad)
          .append(", audience = ")
          .append(audience)
          .append(", verify_until = ")
          .append(until)
          .append(";\n");
    }
    sb.append("DELETE FROM strongroom_security.token_keys WHERE kid NOT IN (")
        .append(String.join(", ", kids))
        .append(");\n")
        .append(
            "DELETE FROM strongroom_security.tenant_bindings WHERE NOT EXISTS (SELECT 1 FROM"
                + " strongroom_security.token_keys k WHERE k.kid = tenant_bindings.kid"
                + " AND k.installed_at = tenant_bindings.key_installed_at);\n");
    return sb.toString();
  }

  private static final java.time.format.DateTimeFormatter SQL_TIME =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  private static void checkKey(byte[] key) {
    if (key == null || key.length != TenantTokens.KEY_LENGTH) {
      throw new IllegalArgumentException(
          "a tenant-token key is " + TenantTokens.KEY_LENGTH + " bytes");
    }
  }

  private static void requireIdentities(MariaDbInstance db) {
    String n =
        db.sql(
                "SELECT COUNT(*) FROM mysql.user WHERE Host = '127.0.0.1' AND User IN ('"
                    + String.join("','", IDENTITIES)
                    + "')")
            .scalar();
    if (Integer.parseInt(n) != IDENTITIES.size()) {
      throw new InstanceException(
          "the identities "
              + IDENTITIES
              + " must exist at 127.0.0.1 before the schema is installed"
              + " (MariaDbInstance.applyAccounts)");
    }
  }
}
