package dev.strongroom.provisioner.db;

import java.util.ArrayList;
import java.util.List;

/**
 * Applies the accounts of DESIGN §4 to a freshly initialised (or existing) MariaDB, as the
 * installer over the Unix socket. Idempotent; every run re-pins subjects and issuers (so a CA
 * change is one re-run) and re-checks the result.
 *
 * <ul>
 *   <li>no anonymous account, no {@code test} schema, no account at host {@code '%'};
 *   <li>the installer (root) authenticates only by {@code unix_socket} — the install script's
 *       {@code OR mysql_native_password USING 'invalid'} alternative is removed — and exists only
 *       at {@code localhost}, which with {@code skip_name_resolve} matches socket connections only;
 *       no root row for any other host, no hostname-keyed proxy rows;
 *   <li>each identity at {@code '127.0.0.1'} only, {@code REQUIRE SUBJECT … AND ISSUER …}, a
 *       per-user connection limit, no privilege beyond {@code USAGE} (grants arrive with the
 *       schema);
 *   <li>database {@code strongroom} exists ({@code utf8mb4}, binary collation).
 * </ul>
 */
public final class AccountProvisioner {
  /** The host every identity is bound to. */
  public static final String IDENTITY_HOST = "127.0.0.1";

  /** The application database. */
  public static final String DATABASE = "strongroom";

  private AccountProvisioner() {}

  /** The statements, in order, that bring a MariaDB server to the state described above. */
  public static List<String> statements(
      List<DbAccount> accounts, String installerUser, int maxUserConnections) {
    return statements(Dialect.MARIADB_10_11, accounts, installerUser, maxUserConnections);
  }

  /**
   * The statements for {@code dialect}. They differ only in how the installer is bound to the
   * socket: MariaDB {@code IDENTIFIED VIA unix_socket}; MySQL 8.4 {@code IDENTIFIED WITH
   * auth_socket} (the plugin is loaded by the rendered option file). Subjects, issuers, hosts and
   * limits are the same syntax in both.
   */
  public static List<String> statements(
      Dialect dialect, List<DbAccount> accounts, String installerUser, int maxUserConnections) {
    List<String> s = new ArrayList<>();
    s.add("DROP DATABASE IF EXISTS test");
    s.add("DELETE FROM mysql.db WHERE Db = 'test' OR Db LIKE 'test\\\\_%'");
    s.add("DELETE FROM mysql.proxies_priv WHERE Host <> 'localhost'");
    s.add("FLUSH PRIVILEGES");
    s.add(
        "ALTER USER "
            + account(installerUser, "localhost")
            + (dialect == Dialect.MYSQL_8_4
                ? " IDENTIFIED WITH auth_socket"
                : " IDENTIFIED VIA unix_socket"));
    s.add(
        "CREATE DATABASE IF NOT EXISTS " + DATABASE + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
    for (DbAccount a : accounts) {
      String who = account(a.name(), IDENTITY_HOST);
      String require =
          " REQUIRE SUBJECT "
              + quote(a.subject().mariaDbForm())
              + " AND ISSUER "
              + quote(a.issuer().mariaDbForm())
              + " WITH MAX_USER_CONNECTIONS "
              + maxUserConnections;
      s.add("CREATE USER IF NOT EXISTS " + who + require);
      s.add("ALTER USER " + who + require + " ACCOUNT UNLOCK");
    }
    return s;
  }

  /**
   * A query listing every account that must not exist: anonymous ones, any at {@code '%'}, the
   * installer anywhere but {@code localhost}, and the identities anywhere but {@code 127.0.0.1}.
   * Each row is a ready-to-use {@code 'user'@'host'}.
   */
  public static String strayAccountsQuery(List<DbAccount> accounts, String installerUser) {
    return strayAccountsQuery(Dialect.MARIADB_10_11, accounts, installerUser);
  }

  /**
   * As above for {@code dialect}: MariaDB keeps accounts in {@code mysql.global_priv}, MySQL in
   * {@code mysql.user}.
   */
  public static String strayAccountsQuery(
      Dialect dialect, List<DbAccount> accounts, String installerUser) {
    return "SELECT CONCAT(QUOTE(User), '@', QUOTE(Host))"
        + strayAccountsFrom(dialect, accounts, installerUser)
        + " ORDER BY 1";
  }

  /**
   * A statement that drops every account {@link #strayAccountsQuery} lists, in one script: the
   * names are quoted by the server ({@code QUOTE}) into a prepared {@code DROP USER}, so no name
   * ever passes through this process (a stray account's name is anyone's choice).
   */
  public static String dropStrayAccountsStatements(
      Dialect dialect, List<DbAccount> accounts, String installerUser) {
    return "SET SESSION group_concat_max_len = 1048576;\n"
        + "SELECT GROUP_CONCAT(CONCAT(QUOTE(User), '@', QUOTE(Host)) SEPARATOR ', ') INTO @sr_stray"
        + strayAccountsFrom(dialect, accounts, installerUser)
        + ";\n"
        // a list GROUP_CONCAT cut short would drop a wrong name: fail the script instead
        + "SET @sr_drop = IF(@sr_stray IS NULL, 'DO 0', IF(LENGTH(@sr_stray) >= 1048576,"
        + " 'SELECT stray_account_list_too_long_to_drop_in_one_statement',"
        + " CONCAT('DROP USER ', @sr_stray)));\n"
        + "PREPARE sr_drop FROM @sr_drop;\nEXECUTE sr_drop;\nDEALLOCATE PREPARE sr_drop;\n";
  }

  private static String strayAccountsFrom(
      Dialect dialect, List<DbAccount> accounts, String installerUser) {
    StringBuilder names = new StringBuilder();
    for (DbAccount a : accounts) {
      names.append(names.length() == 0 ? "" : ",").append(quote(a.name()));
    }
    return " FROM "
        + (dialect == Dialect.MYSQL_8_4 ? "mysql.user" : "mysql.global_priv")
        + " WHERE User = ''"
        + " OR Host = '%'"
        + " OR (User = "
        + quote(installerUser)
        + " AND Host <> 'localhost')"
        + (accounts.isEmpty()
            ? ""
            : " OR (User IN (" + names + ") AND Host <> " + quote(IDENTITY_HOST) + ")");
  }

  /** {@code 'user'@'host'} for SQL. */
  static String account(String user, String host) {
    return quote(user) + "@" + quote(host);
  }

  /**
   * A single-quoted SQL string literal; rejects quotes and backslashes instead of escaping them.
   */
  static String quote(String v) {
    if (v.contains("'") || v.contains("\\")) {
      throw new IllegalArgumentException("refusing to quote a value with ' or \\: " + v);
    }
    return "'" + v + "'";
  }
}
