package dev.strongroom.provisioner.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.provisioner.audit.CliAuditChainVerifier;
import dev.strongroom.provisioner.db.ClientConnection;
import dev.strongroom.provisioner.db.Dialect;
import dev.strongroom.provisioner.db.MariaDbInstance;
import dev.strongroom.provisioner.db.TestInstances;
import dev.strongroom.provisioner.pki.PkiDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What of the MySQL 8.4 rendering can be checked on MariaDB 10.11, checked on a private instance:
 * the JSON-string expression that replaces {@code JSON_QUOTE} gives MariaDB's {@code JSON_QUOTE}
 * bytes; the rendered audit plane (triggers replaced under {@code LOCK TABLES}, the portable
 * quoting, the sealer) writes byte-identical images and a chain the Java verifier accepts; and the
 * premise of the collation rewrite, that utf8mb4 without {@code COLLATE} means {@code
 * utf8mb4_general_ci} here. MySQL itself is not run: docs/schema.md, "MySQL 8.4 rendering", lists
 * what stays unverified.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchemaDialectIT {
  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  /**
   * Text with every kind of character JSON quoting treats specially, and the look-alike of an
   * escape.
   */
  private static final String NASTY =
      "t\u000b\"q\\/\u00e9\u20ac\ud83d\ude00 \\u000b \u001f\u0000\u2028x\r\n\t\b\f";

  private static final String CREATED = "'2026-01-02 03:04:05.678901'";

  private Path base;
  private PkiDirectory pki;
  private MariaDbInstance db;

  @BeforeAll
  void start() throws IOException {
    base = TestInstances.tempBase("sr-dialect-");
    pki = TestInstances.pki(base);
    db = TestInstances.startWithAccounts(TestInstances.settings(base, pki), pki);
    AuditInstaller.install(db, TenantTokens.generateKey(), AuditInstaller.Options.manualSealing());
  }

  @AfterAll
  void stop() {
    if (db != null) {
      db.close();
    }
    TestInstances.deleteTree(base);
  }

  @Test
  @Order(1)
  void jsonStringExpression_givesJsonQuoteBytes_forEveryBmpCodePoint_andSupplementaryOnes() {
    String x = "x";
    String rows =
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 65535)"
            + " SELECT CONVERT(CHAR(i USING utf32) USING utf8mb4) AS x FROM n WHERE i NOT BETWEEN 55296 AND 57343"
            + " UNION ALL SELECT CONVERT(CHAR(i USING utf32) USING utf8mb4) FROM (SELECT 65536 AS i UNION ALL"
            + " SELECT 128512 UNION ALL SELECT 1114111) s"
            + " UNION ALL SELECT "
            + utf8(NASTY)
            + " UNION ALL SELECT "
            + utf8(NASTY.repeat(40))
            + " UNION ALL SELECT '' UNION ALL SELECT NULL";
    String sql =
        "SET SESSION max_recursive_iterations = 70000; SET NAMES utf8mb4 COLLATE utf8mb4_bin;"
            + " SELECT COUNT(*), SUM(JSON_QUOTE("
            + x
            + ") IS NULL),"
            + " SUM(NOT (CAST(JSON_QUOTE("
            + x
            + ") AS BINARY) <=> CAST("
            + MySqlSchemaRendering.jsonString(x)
            + " AS BINARY)))"
            + " FROM ("
            + rows
            + ") t";
    assertEquals(
        List.of(List.of(String.valueOf(65536 - 2048 + 3 + 4), "1", "0")),
        db.sql(sql).rows(),
        "rows, NULL rows, rows where the expression differs from JSON_QUOTE");
  }

  @Test
  @Order(2)
  void utf8mb4WithoutCollate_isUtf8mb4GeneralCi_theCollationTheMySqlRenderingWritesOut() {
    String collations =
        db.sql(
                "SELECT GROUP_CONCAT(DISTINCT COLLATION_NAME) FROM information_schema.PARAMETERS"
                    + " WHERE SPECIFIC_SCHEMA LIKE 'strongroom%' AND CHARACTER_SET_NAME = 'utf8mb4' AND PARAMETER_NAME IS NOT NULL")
            .scalar();
    assertEquals(MySqlSchemaRendering.MARIADB_UTF8MB4_DEFAULT_COLLATION, collations);
    // every one of those parameters is declared CHARACTER SET utf8mb4 without COLLATE in the
    // resources
    assertTrue(
        SchemaInstaller.resource("03-routines.sql")
            .contains("p_token LONGTEXT CHARACTER SET utf8mb4)"));
  }

  @Test
  @Order(3)
  void mysqlRenderingOfTheAuditPlane_writesTheSameImagesAndQuotes_andTheChainVerifies() {
    List<String> jqBefore = jqSamples();
    writeRows();
    List<List<String>> mariaEvents = images(0);
    assertEquals(
        4, mariaEvents.size(), "tenants, data_keys, users INSERT and the data_keys UPDATE");

    // the MySQL rendering of parts 5 (with the generated triggers) and 6, with the one clause
    // MariaDB cannot run put back
    String mysql05 =
        SchemaDialect.render(
                Dialect.MYSQL_8_4, "05-audit.sql", SchemaInstaller.resource("05-audit.sql"))
            + "\n"
            + SchemaDialect.render(
                Dialect.MYSQL_8_4, AuditTriggers.SCRIPT_NAME, AuditTriggers.script());
    String mysql06 =
        SchemaDialect.render(
                Dialect.MYSQL_8_4,
                "06-audit-grants.sql",
                SchemaInstaller.resource("06-audit-grants.sql"))
            + "\n"
            + SchemaDialect.render(
                Dialect.MYSQL_8_4,
                "06-anchor-writer-grants.sql",
                SchemaInstaller.resource("06-anchor-writer-grants.sql"));
    assertEquals(2, mysql05.split("IDENTIFIED WITH auth_socket", -1).length - 1);
    // users' triggers gone first: the rendering must also create a trigger where none exists (a
    // first install)
    db.sql(
        "DROP TRIGGER strongroom.users_audit_insert; DROP TRIGGER strongroom.users_audit_update;"
            + " DROP TRIGGER strongroom.users_audit_delete");
    db.sqlScript(
        SchemaDialect.prelude(Dialect.MYSQL_8_4)
            + mysql05.replace("IDENTIFIED WITH auth_socket", "IDENTIFIED VIA unix_socket")
            + "\n"
            + mysql06);
    assertEquals(
        "1",
        db.sql(
                "SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'strongroom_audit'"
                    + " AND ROUTINE_NAME = 'jq' AND ROUTINE_DEFINITION LIKE '%CHAR(31 USING utf8mb4)%'")
            .scalar(),
        "the rendered jq is live");
    assertEquals(
        List.of(List.of("strongroom", "12", "12"), List.of("strongroom_audit", "10", "0")),
        db.sql(
                "SELECT TRIGGER_SCHEMA, COUNT(*), SUM(ACTION_STATEMENT LIKE '%CHAR(31 USING utf8mb4)%'"
                    + " AND ACTION_STATEMENT NOT LIKE '%JSON_QUOTE%') FROM information_schema.TRIGGERS"
                    + " WHERE TRIGGER_SCHEMA LIKE 'strongroom%' GROUP BY TRIGGER_SCHEMA ORDER BY 1")
            .rows(),
        "12 data-table triggers, all with the rendered quoting, and the 10 guards (two each on"
            + " audit_events, audit_chain, audit_anchors, audit_sink_deliveries, audit_evidence)");

    assertEquals(jqBefore, jqSamples(), "jq: MariaDB's JSON_QUOTE and the rendered expression");
    long last =
        Long.parseLong(db.sql("SELECT MAX(event_id) FROM strongroom_audit.audit_events").scalar());
    db.sql(
        "DELETE FROM strongroom.users; DELETE FROM strongroom.data_keys; DELETE FROM strongroom.tenants");
    List<List<String>> deletes = images(last);
    assertEquals(
        List.of("DELETE", "DELETE", "DELETE"), deletes.stream().map(r -> r.get(0)).toList());
    // the DELETE before-images are the rows as the MariaDB-rendered triggers last wrote them
    assertEquals(mariaEvents.get(2).get(4), deletes.get(0).get(3), "users");
    assertEquals(mariaEvents.get(3).get(4), deletes.get(1).get(3), "data_keys after its UPDATE");
    assertEquals(mariaEvents.get(0).get(4), deletes.get(2).get(3), "tenants");
    last =
        Long.parseLong(db.sql("SELECT MAX(event_id) FROM strongroom_audit.audit_events").scalar());
    writeRows();
    assertEquals(mariaEvents, images(last), "INSERT and UPDATE images from the rendered triggers");

    assertEquals("11", db.sql("CALL strongroom_audit.audit_seal(1000)").rows().get(0).get(0));
    var cred = pki.client("auditor");
    CliAuditChainVerifier.Result r =
        new CliAuditChainVerifier(
                db.client(),
                ClientConnection.tcp(db.port(), "auditor")
                    .tls(pki.caCertPem(), cred.certPem(), cred.keyPem())
                    .tlsVersion("TLSv1.3")
                    .arg("--database=strongroom"))
            .verify();
    assertTrue(r.ok(), r.toString());
    assertEquals(11, r.verified());
  }

  /** The rows every trigger pattern sees, with {@link #NASTY} in each text column. */
  private void writeRows() {
    String t = utf8(NASTY);
    db.sql(
        "INSERT INTO strongroom.tenants (tenant_id, created_at) VALUES ("
            + t
            + ", "
            + CREATED
            + ");"
            + " INSERT INTO strongroom.data_keys (dek_id, tenant_id, wrapped_dek, kms_key_name, kms_key_version,"
            + " pq_wrapped_dek, pq_alg, created_at) VALUES ('dek-1', "
            + t
            + ", X'00FF10', "
            + utf8("kms/" + NASTY)
            + ", '1', NULL, NULL, "
            + CREATED
            + ");"
            + " INSERT INTO strongroom.users (record_id, tenant_id, dek_id, request_id, name_ct, name_iv, role_ct, role_iv,"
            + " email_ct, email_iv, phone_ct, phone_iv, created_at) VALUES ('0190a1b2-c3d4-7e5f-8a9b-0123456789ab', "
            + t
            + ", 'dek-1', 'req:1', X'01', X'0102030405060708090A0B0C', NULL, NULL, X'FF', X'FFFFFFFFFFFFFFFFFFFFFFFF',"
            + " NULL, NULL, "
            + CREATED
            + ");"
            + " UPDATE strongroom.data_keys SET kms_key_version = "
            + utf8(NASTY + "v2")
            + ", pq_wrapped_dek = X'AB',"
            + " pq_alg = 'x-wing' WHERE dek_id = 'dek-1'");
  }

  /**
   * operation, table, primary key, before image, after image (hex) of the events after {@code
   * afterId}.
   */
  private List<List<String>> images(long afterId) {
    return db.sql(
            "SELECT operation, table_name, HEX(primary_key), HEX(IFNULL(before_image, '-')),"
                + " HEX(IFNULL(after_image, '-')) FROM strongroom_audit.audit_events WHERE event_id > "
                + afterId
                + " ORDER BY event_id")
        .rows();
  }

  private List<String> jqSamples() {
    List<String> out = new ArrayList<>();
    for (List<String> r :
        db.sql(
                "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 400)"
                    + " SELECT k, h FROM (SELECT i AS k, HEX(strongroom_audit.jq(CONVERT(CHAR(i USING utf32) USING utf8mb4))) AS h FROM n"
                    + " UNION ALL SELECT 401, HEX(strongroom_audit.jq("
                    + utf8(NASTY)
                    + "))"
                    + " UNION ALL SELECT 402, HEX(strongroom_audit.jq(NULL))) s ORDER BY k")
            .rows()) {
      out.add(r.get(1));
    }
    assertEquals(403, out.size());
    return out;
  }

  /** A SQL expression for {@code s} that no client or literal escaping can change. */
  private static String utf8(String s) {
    return "CONVERT(X'" + HEX.formatHex(s.getBytes(StandardCharsets.UTF_8)) + "' USING utf8mb4)";
  }
}
