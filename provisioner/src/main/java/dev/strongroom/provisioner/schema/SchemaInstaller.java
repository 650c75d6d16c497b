package dev.strongroom.provisioner.schema;

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
 * privileges are revoked and granted afresh, and the tenant-token key is stored as its HMAC pads.
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

  /** Installs (or re-installs) the schema and stores {@code tokenKey} (32 bytes). */
  public static void install(MariaDbInstance db, byte[] tokenKey) {
    checkKey(tokenKey);
    requireIdentities(db);
    db.sqlScript(script() + tokenKeyStatements(tokenKey));
  }

  /**
   * Replaces the tenant-token key. Bindings made under another key are deleted: a connection must
   * bind again with a token of the new key.
   */
  public static void rotateTokenKey(MariaDbInstance db, byte[] tokenKey) {
    checkKey(tokenKey);
    db.sqlScript(PRELUDE + tokenKeyStatements(tokenKey));
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
   * Stores the pads of {@code key}; deletes every binding first when the key changes. The same text
   * on both dialects: the upsert repeats the literals instead of {@code VALUES(col)}, which MySQL
   * has deprecated since 8.0.20 (and MariaDB has no row alias).
   */
  static String tokenKeyStatements(byte[] key) {
    TokenKeyPads pads = TokenKeyPads.of(key);
    HexFormat hex = HexFormat.of().withUpperCase();
    String ipad = "X'" + hex.formatHex(pads.ipad()) + "'";
    String opad = "X'" + hex.formatHex(pads.opad()) + "'";
    pads.destroy();
    return "DELETE FROM strongroom_security.tenant_bindings WHERE NOT EXISTS ("
        + "SELECT 1 FROM strongroom_security.token_keys WHERE key_id = 1 AND ipad = "
        + ipad
        + " AND opad = "
        + opad
        + ");\n"
        + "INSERT INTO strongroom_security.token_keys (key_id, ipad, opad, installed_at) VALUES (1, "
        + ipad
        + ", "
        + opad
        + ", UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE "
        + "installed_at = IF(ipad = "
        + ipad
        + " AND opad = "
        + opad
        + ", installed_at, UTC_TIMESTAMP(6)), "
        + "ipad = "
        + ipad
        + ", opad = "
        + opad
        + ";\n";
  }

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
