package dev.strongroom.provisioner.schema;

import dev.strongroom.provisioner.db.Dialect;
import dev.strongroom.provisioner.db.ServerSettings;

/**
 * The proc-only schema's install scripts per {@link Dialect} (DESIGN §4 "Dialects": one schema,
 * rendered per dialect). The SQL resources are written for MariaDB 10.11, which runs here and on
 * which every IT executes them:
 *
 * <ul>
 *   <li>{@link Dialect#MARIADB_10_11}: every script unchanged, byte for byte.
 *   <li>{@link Dialect#MYSQL_8_4}: the same scripts through a short list of exact rewrites ({@code
 *       MySqlSchemaRendering}: definers' socket plugin, utf8mb4's default collation, regular
 *       expressions, JSON string quoting, {@code CREATE OR REPLACE} of routines, triggers and
 *       events); anything else known to be MariaDB-only, or to mean something else on MySQL, is
 *       refused with a {@link SchemaDialectException} naming the script, line and construct. Pinned
 *       by the golden files {@code golden/mysql-8.4/schema/} ({@code SchemaDialectTest}) until a
 *       MySQL server can run here; docs/schema.md ("MySQL 8.4 rendering") lists every difference
 *       and what is not verified.
 * </ul>
 */
public final class SchemaDialect {
  /**
   * The server's own modes (the option file's {@code sql_mode}), so routines are created under
   * them.
   */
  private static final String SQL_MODES = ServerSettings.SQL_MODE;

  private static final String SESSION =
      "SET NAMES utf8mb4 COLLATE utf8mb4_bin;\n" + "SET SESSION time_zone = '+00:00';\n";

  /** MariaDB 10.11: no {@code GRANT} may create an account ({@code NO_AUTO_CREATE_USER}). */
  private static final String MARIADB_PRELUDE =
      "SET SESSION sql_mode = '" + SQL_MODES + ",NO_AUTO_CREATE_USER';\n" + SESSION;

  /**
   * MySQL 8.4: the same modes without {@code NO_AUTO_CREATE_USER}, which MySQL 8.0 removed (setting
   * it is error 1231); MySQL never creates an account in {@code GRANT} (error 1410 instead).
   */
  private static final String MYSQL_PRELUDE =
      "SET SESSION sql_mode = '" + SQL_MODES + "';\n" + SESSION;

  private SchemaDialect() {}

  /**
   * Session settings every install runs under; routines keep the sql_mode they were created with.
   */
  public static String prelude(Dialect dialect) {
    return switch (dialect) {
      case MARIADB_10_11 -> MARIADB_PRELUDE;
      case MYSQL_8_4 -> MYSQL_PRELUDE;
    };
  }

  /**
   * {@code sql} (a client script: statements, {@code DELIMITER} lines, comments) in {@code
   * dialect}'s form; {@code name} (e.g. the resource's file name) appears in every refusal.
   *
   * @throws SchemaDialectException if the MySQL rendering meets a construct it has no exact rewrite
   *     for
   */
  public static String render(Dialect dialect, String name, String sql) {
    return switch (dialect) {
      case MARIADB_10_11 -> sql;
      case MYSQL_8_4 -> MySqlSchemaRendering.render(name, sql);
    };
  }
}
