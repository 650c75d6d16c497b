package dev.strongroom.provisioner.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.audit.chain.AuditJsonNotRfc8785;
import dev.strongroom.provisioner.db.Dialect;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The schema's MySQL 8.4 rendering, pinned by golden files ({@code golden/mysql-8.4/schema/}) until
 * a MySQL server can run here, and scanned for MariaDB-only constructs; the MariaDB rendering is
 * the resources unchanged. After an intended change (of the SQL or of the rendering), regenerate
 * with {@code -Dgolden.update=true} and review the diff.
 */
class SchemaDialectTest {
  private static final List<String> RESOURCES =
      Stream.concat(SchemaInstaller.SCRIPTS.stream(), AuditInstaller.SCRIPTS.stream()).toList();

  /**
   * Text that must not appear in the MySQL rendering (comments excluded): MariaDB-only syntax, or
   * functions MySQL 8.4 evaluates differently. Independent of the renderer's own lists on purpose.
   */
  private static final List<String> MARIADB_ONLY =
      List.of(
          "CREATE OR REPLACE FUNCTION",
          "CREATE OR REPLACE PROCEDURE",
          "CREATE OR REPLACE TRIGGER",
          "CREATE OR REPLACE EVENT",
          "CREATE OR REPLACE DEFINER",
          "CREATE OR REPLACE TABLE",
          "CREATE OR REPLACE USER",
          "VIA UNIX_SOCKET",
          "IDENTIFIED VIA",
          "UNIX_SOCKET",
          "JSON_COMPACT",
          "JSON_DETAILED",
          "JSON_LOOSE",
          "JSON_QUOTE(",
          "AS BINARY) REGEXP",
          "NO_AUTO_CREATE_USER",
          "MYSQL.GLOBAL_PRIV",
          "ENGINE=ARIA",
          "ENCRYPTED=",
          "SET STATEMENT",
          "RETURNING",
          "NEXTVAL(",
          "VALUES(IPAD)",
          "ADD COLUMN IF NOT EXISTS");

  /** A script part by name: a schema resource, or one of the audit parts (generated or not). */
  private static String resource(String name) {
    return AuditInstaller.SCRIPTS.contains(name)
        ? AuditInstaller.part(name)
        : SchemaInstaller.resource(name);
  }

  @Test
  void mariadb_rendering_isTheResourcesByteForByte() {
    for (String name : RESOURCES) {
      String sql = resource(name);
      assertEquals(sql, SchemaDialect.render(Dialect.MARIADB_10_11, name, sql), name);
    }
    assertEquals(SchemaInstaller.PRELUDE, SchemaDialect.prelude(Dialect.MARIADB_10_11));
    assertTrue(SchemaInstaller.script().contains("NO_AUTO_CREATE_USER"));
    assertEquals(SchemaInstaller.script(), SchemaInstaller.script(Dialect.MARIADB_10_11));
    AuditInstaller.Options every30s = new AuditInstaller.Options(Duration.ofSeconds(30));
    assertEquals(
        AuditInstaller.script(every30s), AuditInstaller.script(Dialect.MARIADB_10_11, every30s));
    assertTrue(
        AuditInstaller.script(every30s)
            .contains("CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' EVENT"));
  }

  @Test
  void mysql_rendering_matchesTheGoldenFiles() throws IOException {
    for (String name : RESOURCES) {
      golden(name, SchemaDialect.render(Dialect.MYSQL_8_4, name, resource(name)));
    }
    golden("prelude.sql", SchemaDialect.prelude(Dialect.MYSQL_8_4));
    golden(
        "audit-sealer-event.sql",
        SchemaDialect.render(
                Dialect.MYSQL_8_4,
                "sealer",
                AuditInstaller.schedulerStatements(
                    new AuditInstaller.Options(Duration.ofSeconds(30))))
            + SchemaDialect.render(
                Dialect.MYSQL_8_4, "sealer", AuditInstaller.schedulerStatements(null)));
    golden(
        "token-key.sql",
        SchemaDialect.render(
            Dialect.MYSQL_8_4, "token key", SchemaInstaller.tokenKeyStatements(rotating())));
  }

  /** Two keys mid-rotation (the old one with its verify_until), fixed bytes and time. */
  private static dev.strongroom.contracts.token.TenantTokenKeys rotating() {
    byte[] next = new byte[32];
    java.util.Arrays.fill(next, (byte) 1);
    return dev.strongroom.contracts.token.TenantTokenKeys.single(new byte[32])
        .rotate(next, java.time.Instant.parse("2026-12-04T21:00:00Z"));
  }

  @Test
  void mysql_rendering_holdsNoMariaDbOnlyConstruct() {
    String all =
        SchemaInstaller.script(Dialect.MYSQL_8_4)
            + AuditInstaller.script(
                Dialect.MYSQL_8_4, new AuditInstaller.Options(Duration.ofSeconds(30)))
            + SchemaInstaller.tokenKeyStatements(rotating());
    String code =
        withoutComments(all).toUpperCase(Locale.ROOT).replaceAll("\\s+", " ").replace("( ", "(");
    List<String> found = new ArrayList<>();
    for (String token : MARIADB_ONLY) {
      if (code.contains(token)) {
        found.add(token);
      }
    }
    assertEquals(List.of(), found);
    // and what replaced them is there
    assertTrue(code.contains("IDENTIFIED WITH AUTH_SOCKET ACCOUNT LOCK"));
    assertTrue(code.contains("DROP PROCEDURE IF EXISTS STRONGROOM.SECURITY_SET_TENANT$$"));
    assertTrue(
        code.contains(
            "LOCK TABLES STRONGROOM.USERS WRITE$$ DROP TRIGGER IF EXISTS STRONGROOM.USERS_AUDIT_INSERT$$"));
    assertTrue(code.contains("DROP EVENT IF EXISTS STRONGROOM_AUDIT.AUDIT_SEALER; CREATE DEFINER"));
    assertTrue(code.contains("REGEXP_LIKE(P_REQUEST_ID, '^[A-ZA-Z0-9._:-]{1,64}$', 'CU')"));
    assertTrue(code.contains("(P TEXT CHARACTER SET UTF8MB4 COLLATE UTF8MB4_GENERAL_CI)"));
  }

  @Test
  void mysql_routinesTriggersAndEvents_areAllDroppedAndCreated_noneLeftBehind() {
    String mysql =
        SchemaInstaller.script(Dialect.MYSQL_8_4)
            + AuditInstaller.script(
                Dialect.MYSQL_8_4, new AuditInstaller.Options(Duration.ofSeconds(5)));
    String maria =
        SchemaInstaller.script()
            + AuditInstaller.script(new AuditInstaller.Options(Duration.ofSeconds(5)));
    Matcher replaced =
        Pattern.compile(
                "CREATE OR REPLACE DEFINER = '[a-z_]+'@'localhost' (FUNCTION|PROCEDURE|TRIGGER|EVENT) ([a-z0-9_.]+)")
            .matcher(maria);
    int n = 0;
    int triggers = 0;
    while (replaced.find()) {
      n++;
      String kind = replaced.group(1);
      triggers += kind.equals("TRIGGER") ? 1 : 0;
      String name = replaced.group(2);
      assertTrue(mysql.contains("DROP " + kind + " IF EXISTS " + name), kind + " " + name);
      assertTrue(
          Pattern.compile(
                  "\\nCREATE DEFINER = '[a-z_]+'@'localhost' "
                      + kind
                      + " "
                      + Pattern.quote(name)
                      + "\\b")
              .matcher(mysql)
              .find(),
          kind + " " + name);
    }
    assertTrue(
        n >= 10 + 3 + 13 + 1,
        "at least the 10 API routines, 3 audit routines, 13 triggers and the event");
    assertEquals(
        triggers,
        count(mysql, "LOCK TABLES "),
        "each trigger replaced under its table's write lock");
    assertEquals(triggers, count(mysql, "UNLOCK TABLES"));
    // MySQL has CREATE OR REPLACE for views (and only for views): those stay as written
    String views =
        "CREATE OR REPLACE ALGORITHM = MERGE DEFINER = 'api_definer'@'localhost' SQL SECURITY DEFINER VIEW";
    assertEquals(2, count(withoutComments(mysql), views));
    String auditViews =
        "CREATE OR REPLACE ALGORITHM = TEMPTABLE DEFINER = 'audit_definer'@'localhost' SQL SECURITY DEFINER VIEW";
    assertEquals(4, count(withoutComments(mysql), auditViews));
    assertEquals(
        0,
        count(
            withoutComments(mysql).replace(views, "").replace(auditViews, ""),
            "CREATE OR REPLACE"));
  }

  @Test
  void jsonString_writesWhatTheVerifierWrites_forEveryControlCharacterAndTheRest() {
    String expr = MySqlSchemaRendering.jsonString("x");
    List<String> samples = new ArrayList<>();
    for (int c = 0; c < 0x80; c++) {
      samples.add(String.valueOf((char) c));
    }
    samples.addAll(
        List.of(
            "", "tenant-a", "q\"b\\s/é€😀\u2028\u0085", "\\u000b", "\\\\u001f\u001f", "a\u0000b"));
    for (String s : samples) {
      assertEquals(AuditJsonNotRfc8785.quote(s), evaluate(expr, s), () -> "for " + escape(s));
    }
    assertEquals(34, count(expr, "REPLACE("), "backslash, quote and the 32 control characters");
  }

  @Test
  void regexpRewrite_acceptsOnlyAsciiAtoms() {
    for (String ok :
        List.of(
            "^[A-Za-z0-9_-]+$",
            "^-?[0-9]{1,18}$",
            "^[A-Za-z0-9._:-]{1,64}$",
            "^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
            "^[A-Za-z0-9_.-]{1,64}$")) {
      assertNull(MySqlSchemaRendering.unsafeRegexp(ok), ok);
    }
    for (String bad :
        List.of(
            "^a.b$",
            "^[^a]+$",
            "^(a|b)$",
            "^\\d+$",
            "^[[:alpha:]]$",
            "^[a-z--[aeiou]]$",
            "^é$",
            "^[a-zé]$",
            "^a{1,x}$",
            "a$b",
            "^[:a]$")) {
      assertTrue(MySqlSchemaRendering.unsafeRegexp(bad) != null, bad);
    }
  }

  @Test
  void mysql_rendering_refusesWhatItCannotRewrite_namingTheConstruct() {
    assertRefused(
        "CREATE OR REPLACE TABLE t (a INT);", "CREATE OR REPLACE of something other than");
    assertRefused("SELECT JSON_COMPACT('{}');", "a MariaDB JSON function");
    assertRefused("SELECT JSON_VALUE('{\"a\":1}', '$.a');", "a MariaDB JSON function");
    assertRefused(
        "CREATE USER x IDENTIFIED VIA ed25519 USING PASSWORD('p');",
        "an authentication plugin other than unix_socket");
    assertRefused(
        "SELECT p REGEXP '^a$';", "a regular expression other than CAST(<name> AS BINARY) REGEXP");
    assertRefused("SELECT CAST(p AS BINARY) REGEXP '^a.c$';", "the pattern '^a.c$': atom '.'");
    assertRefused(
        "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '" + "x".repeat(129) + "';",
        "a MESSAGE_TEXT of 129 characters");
    assertRefused(
        "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = v_message;",
        "a MESSAGE_TEXT that is not a literal");
    assertRefused(
        "DO GET_LOCK('" + "l".repeat(65) + "', 0);", "a user-level lock name of 65 characters");
    assertRefused("SELECT CONVERT(x USING utf8mb4);", "CONVERT(… USING utf8mb4) without COLLATE");
    assertRefused("ALTER TABLE t ADD COLUMN IF NOT EXISTS c INT;", "IF [NOT] EXISTS on a column");
    assertRefused(
        "CREATE TABLE t (rank INT);", "the identifier rank (a reserved word in MySQL 8.0)");
    assertRefused(
        "INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = VALUES(a);",
        "VALUES() in ON DUPLICATE KEY UPDATE");
    assertRefused("SELECT `a` FROM t;", "a back-quoted identifier");
    SchemaDialectException e =
        assertThrows(
            SchemaDialectException.class,
            () ->
                SchemaDialect.render(
                    Dialect.MYSQL_8_4,
                    "x.sql",
                    "SELECT 1;\n\n-- two\nSELECT JSON_DETAILED('{}');\n"));
    assertTrue(
        e.getMessage()
            .contains(
                "MySQL 8.4 rendering of x.sql, line 4: no exact rewrite for a MariaDB JSON function"),
        e.getMessage());
  }

  @Test
  void mysql_rendering_leavesLiteralsCommentsAndViewsAlone() {
    String sql =
        "-- CREATE OR REPLACE FUNCTION f JSON_COMPACT\n"
            + "SELECT 'IDENTIFIED VIA unix_socket', \"JSON_QUOTE(x)\" FROM t;\n"
            + "CREATE OR REPLACE DEFINER = 'api_definer'@'localhost' SQL SECURITY DEFINER VIEW v AS SELECT 1;\n";
    assertEquals(sql, SchemaDialect.render(Dialect.MYSQL_8_4, "x.sql", sql));
  }

  @Test
  void mysql_createOrReplace_andCharsets_areRewrittenExactly() {
    assertEquals(
        "DELIMITER $$\nDROP FUNCTION IF EXISTS s.f$$\n"
            + "CREATE DEFINER = 'd'@'localhost' FUNCTION s.f(p TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci)"
            + " RETURNS TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NO SQL RETURN p$$\nDELIMITER ;\n",
        SchemaDialect.render(
            Dialect.MYSQL_8_4,
            "x.sql",
            "DELIMITER $$\n"
                + "CREATE OR REPLACE DEFINER = 'd'@'localhost' FUNCTION s.f(p TEXT CHARACTER SET utf8mb4)"
                + " RETURNS TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NO SQL RETURN p$$\nDELIMITER ;\n"));
    assertEquals(
        "-- guard\nLOCK TABLES s.t WRITE;\nDROP TRIGGER IF EXISTS s.g;\n"
            + "CREATE DEFINER = 'd'@'localhost' TRIGGER s.g BEFORE DELETE ON s.t FOR EACH ROW SET @x = 1;\nUNLOCK TABLES;",
        SchemaDialect.render(
            Dialect.MYSQL_8_4,
            "x.sql",
            "-- guard\nCREATE OR REPLACE DEFINER = 'd'@'localhost' TRIGGER s.g BEFORE DELETE ON s.t FOR EACH ROW SET @x = 1;"));
  }

  // ------------------------------------------------------------------ helpers

  private static void assertRefused(String sql, String because) {
    SchemaDialectException e =
        assertThrows(
            SchemaDialectException.class,
            () -> SchemaDialect.render(Dialect.MYSQL_8_4, "x.sql", sql),
            sql);
    assertTrue(e.getMessage().contains("no exact rewrite for " + because), e.getMessage());
  }

  /**
   * Evaluates the rendered JSON-string expression for {@code x} the way both servers do: {@code
   * CONVERT}/{@code COLLATE} keep the characters, {@code REPLACE} replaces every occurrence left to
   * right, {@code CHAR(n USING utf8mb4)} is the character n, {@code CONCAT} concatenates. The
   * literals are read with SQL's backslash escapes. What the servers themselves answer is asserted
   * by {@code SchemaDialectIT} on MariaDB.
   */
  private static String evaluate(String expr, String x) {
    Matcher m =
        Pattern.compile(
                "REPLACE\\(|CHAR\\((\\d+) USING utf8mb4\\)|'((?:[^'\\\\]|\\\\.)*)'|CONVERT\\(x USING utf8mb4\\)")
            .matcher(expr);
    List<String> args = new ArrayList<>();
    while (m.find()) {
      if (m.group().equals("REPLACE(")) {
        continue;
      }
      if (m.group(1) != null) {
        args.add(String.valueOf((char) Integer.parseInt(m.group(1))));
      } else if (m.group(2) != null) {
        args.add(m.group(2).replaceAll("\\\\(.)", "$1"));
      } else {
        args.add(null);
      }
    }
    // args: '"', x, then (from, to) pairs innermost first, then '"'
    assertEquals("\"", args.get(0));
    assertNull(args.get(1));
    String v = x;
    for (int k = 2; k + 1 < args.size() - 1; k += 2) {
      v = v.replace(args.get(k), args.get(k + 1));
    }
    assertEquals("\"", args.get(args.size() - 1));
    return "\"" + v + "\"";
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder();
    s.chars()
        .forEach(
            c ->
                b.append(
                    c < 0x20 || c > 0x7e ? String.format("\\u%04x", c) : String.valueOf((char) c)));
    return b.toString();
  }

  private static String withoutComments(String sql) {
    String m = SqlText.mask(sql);
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < sql.length(); k++) {
      b.append(m.charAt(k) == ' ' && sql.charAt(k) != ' ' ? ' ' : sql.charAt(k));
    }
    return b.toString();
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int k = text.indexOf(what); k >= 0; k = text.indexOf(what, k + what.length())) {
      n++;
    }
    return n;
  }

  private static void golden(String name, String actual) throws IOException {
    String path = "mysql-8.4/schema/" + name;
    if (Boolean.getBoolean("golden.update")) {
      Path p = Path.of("src/test/resources/golden").resolve(path);
      Files.createDirectories(p.getParent());
      Files.writeString(p, actual, StandardCharsets.UTF_8);
      return;
    }
    try (InputStream in = SchemaDialectTest.class.getResourceAsStream("/golden/" + path)) {
      if (in == null) {
        throw new AssertionError(
            "missing golden file golden/" + path + " (run with -Dgolden.update=true)");
      }
      assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), actual, "golden/" + path);
    }
  }
}
