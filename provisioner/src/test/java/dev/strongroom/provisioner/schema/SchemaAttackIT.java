package dev.strongroom.provisioner.schema;

import static dev.strongroom.provisioner.schema.SchemaTestInstance.signal;
import static dev.strongroom.provisioner.schema.Tokens.bind;
import static dev.strongroom.provisioner.schema.Tokens.create;
import static dev.strongroom.provisioner.schema.Tokens.decrypt;
import static dev.strongroom.provisioner.schema.Tokens.rewrap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.provisioner.db.ClientResult;
import dev.strongroom.provisioner.db.ServerError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * DESIGN §6 invariants 3 and 4 against a private MariaDB 10.11 with the schema installed: app_user
 * (its certificate, TLS 1.3) tries every way around the procedures and across tenants; each refusal
 * is asserted exactly (error number, SQLSTATE, message).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchemaAttackIT {
  private static final String APP = "'app_user'@'127.0.0.1'";
  private static final List<String> DATA_TABLES =
      List.of("tenants", "data_keys", "users", "record_decrypts");
  private static final List<String> VIEWS = List.of("v_users", "v_data_keys");
  private static final List<String> SECURITY_TABLES = List.of("tenant_bindings", "token_keys");
  private static final ServerError NO_TENANT =
      signal("SR-NO-TENANT: no tenant bound to this session");
  private static final ServerError CONFLICT =
      signal("SR-CONFLICT: kms_key_version is not the expected one");
  private static final ServerError KEY_CROSS_TENANT =
      signal("SR-CROSS-TENANT: data key belongs to another tenant");
  private static final ServerError RECORD_CROSS_TENANT =
      signal("SR-CROSS-TENANT: record belongs to another tenant");

  private SchemaTestInstance t;
  private String tokenA;
  private String tokenB;
  private String recordB;

  @BeforeAll
  void start() throws Exception {
    long t0 = System.nanoTime();
    t = new SchemaTestInstance("sr-schema-");
    System.out.println(
        "[SchemaAttackIT] instance + accounts + schema in "
            + (System.nanoTime() - t0) / 1_000_000
            + " ms (install "
            + t.installMillis
            + " ms)");
    tokenA = t.tokens.issue("tenant-a", "svc-a", Duration.ofMinutes(15), Tokens.CNF);
    tokenB = t.tokens.issue("tenant-b", "svc-b", Duration.ofMinutes(15), Tokens.CNF);
    recordB = Tokens.recordId();
    String stored =
        t.ok("app_user", bind(tokenB) + create("req-b-1", recordB, "dek-b")).rows().get(1).get(0);
    assertEquals("STORED", stored);
  }

  @AfterAll
  void stop() {
    if (t != null) {
      t.close();
    }
  }

  private static ServerError denied(String command, String schema, String table) {
    return new ServerError(
        1142,
        "42000",
        command
            + " command denied to user 'app_user'@'127.0.0.1' for table `"
            + schema
            + "`.`"
            + table
            + "`");
  }

  private static ServerError deniedDb(String user, String db) {
    return new ServerError(
        1044,
        "42000",
        "Access denied for user '" + user + "'@'127.0.0.1' to database '" + db + "'");
  }

  // ------------------------------------------------------------------ invariant 3: proc-only

  @Test
  void baseTables_noSelectInsertUpdateDeleteTruncate_forAppUser() {
    List<String[]> tables = new ArrayList<>();
    DATA_TABLES.forEach(x -> tables.add(new String[] {"strongroom", x}));
    SECURITY_TABLES.forEach(x -> tables.add(new String[] {"strongroom_security", x}));
    for (String[] st : tables) {
      String q = st[0] + "." + st[1];
      assertEquals(denied("SELECT", st[0], st[1]), t.refusal("app_user", "SELECT * FROM " + q));
      assertEquals(
          denied("SELECT", st[0], st[1]), t.refusal("app_user", "SELECT COUNT(*) FROM " + q));
      assertEquals(
          denied("INSERT", st[0], st[1]),
          t.refusal("app_user", "INSERT INTO " + q + " () VALUES ()"));
      String timeColumn =
          switch (st[1]) {
            case "token_keys" -> "installed_at";
            case "tenant_bindings" -> "bound_at";
            case "record_decrypts" -> "decrypted_at";
            default -> "created_at";
          };
      assertEquals(
          denied("UPDATE", st[0], st[1]),
          t.refusal("app_user", "UPDATE " + q + " SET " + timeColumn + " = NULL"));
      assertEquals(denied("DELETE", st[0], st[1]), t.refusal("app_user", "DELETE FROM " + q));
      // TRUNCATE needs DROP
      assertEquals(denied("DROP", st[0], st[1]), t.refusal("app_user", "TRUNCATE TABLE " + q));
    }
  }

  @Test
  void ddl_temporaryTables_file_refusedForAppUser() {
    assertEquals(
        denied("CREATE", "strongroom", "x"),
        t.refusal("app_user", "CREATE TABLE strongroom.x (a INT)"));
    assertEquals(
        denied("CREATE VIEW", "strongroom", "v"),
        t.refusal("app_user", "CREATE VIEW strongroom.v AS SELECT 1"));
    assertEquals(
        deniedDb("app_user", "strongroom"),
        t.refusal("app_user", "CREATE PROCEDURE strongroom.p() SELECT 1"));
    assertEquals(
        deniedDb("app_user", "strongroom"),
        t.refusal("app_user", "CREATE TEMPORARY TABLE strongroom.t (a INT)"));
    assertEquals(
        deniedDb("app_user", "strongroom"),
        t.refusal("app_user", "CREATE TEMPORARY TABLE t (a INT)"));
    assertEquals(
        deniedDb("app_user", "strongroom"), t.refusal("app_user", "DROP DATABASE strongroom"));
    assertEquals(
        denied("DROP", "strongroom", "users"),
        t.refusal("app_user", "DROP TABLE strongroom.users"));
    assertEquals(
        denied("ALTER", "strongroom", "users"),
        t.refusal("app_user", "ALTER TABLE strongroom.users ADD COLUMN x INT"));
    // With the binary log on, MariaDB refuses trigger DDL by a non-SUPER account before it looks at
    // the TRIGGER privilege (which app_user does not hold either, see grants_areExactly…).
    ServerError binlogGuard =
        new ServerError(
            1419,
            "HY000",
            "You do not have the SUPER privilege and binary logging is enabled (you *might* want to use the less safe log_bin_trust_function_creators variable)");
    assertEquals(binlogGuard, t.refusal("app_user", "DROP TRIGGER strongroom.t"));
    assertEquals(
        binlogGuard,
        t.refusal(
            "app_user",
            "CREATE TRIGGER strongroom.tr BEFORE INSERT ON strongroom.users FOR EACH ROW SET @x = 1"));
    assertEquals(
        new ServerError(
            1227,
            "42000",
            "Access denied; you need (at least one of) the FILE privilege(s) for this operation"),
        t.refusal("app_user", "SELECT 1 INTO OUTFILE 'x'"));
    assertEquals("1", t.ok("app_user", "SELECT LOAD_FILE('/etc/hostname') IS NULL").scalar());
    // helper functions of the security schema are not callable either
    assertEquals(
        new ServerError(
            1370,
            "42000",
            "execute command denied to user 'app_user'@'127.0.0.1' for routine 'strongroom_security.get_tenant'"),
        t.refusal("app_user", "SELECT strongroom_security.get_tenant()"));
    assertEquals(
        new ServerError(
            1370,
            "42000",
            "execute command denied to user 'app_user'@'127.0.0.1' for routine 'strongroom_security.hmac_pads'"),
        t.refusal("app_user", "SELECT strongroom_security.hmac_pads('x', 'y', 'z')"));
  }

  @Test
  void grants_areExactlyTheDesignTable_andApiDefinerIsLocked() {
    assertEquals(
        Set.of(
            "GRANT EXECUTE ON PROCEDURE `strongroom`.`app_create_user_encrypted` TO `app_user`@`127.0.0.1`",
            "GRANT EXECUTE ON PROCEDURE `strongroom`.`app_get_user` TO `app_user`@`127.0.0.1`",
            "GRANT EXECUTE ON PROCEDURE `strongroom`.`app_list_users` TO `app_user`@`127.0.0.1`",
            "GRANT EXECUTE ON PROCEDURE `strongroom`.`app_rewrap_data_key` TO `app_user`@`127.0.0.1`",
            "GRANT EXECUTE ON PROCEDURE `strongroom`.`app_record_decrypt` TO `app_user`@`127.0.0.1`",
            "GRANT EXECUTE ON PROCEDURE `strongroom`.`security_clear_tenant` TO `app_user`@`127.0.0.1`",
            "GRANT EXECUTE ON PROCEDURE `strongroom`.`security_current_tenant` TO `app_user`@`127.0.0.1`",
            "GRANT EXECUTE ON PROCEDURE `strongroom`.`security_set_tenant` TO `app_user`@`127.0.0.1`",
            "GRANT SELECT ON `strongroom`.`v_users` TO `app_user`@`127.0.0.1`",
            "GRANT SELECT ON `strongroom`.`v_data_keys` TO `app_user`@`127.0.0.1`"),
        grantsBeyondUsage(APP));
    assertEquals(
        Set.of(
            "GRANT EXECUTE ON PROCEDURE `strongroom`.`security_set_tenant` TO `auditor`@`127.0.0.1`"),
        grantsBeyondUsage("'auditor'@'127.0.0.1'"));
    assertEquals(
        Set.of(
            "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, REFERENCES, INDEX, ALTER ON `strongroom`.* TO `migration`@`127.0.0.1`",
            "GRANT DROP ON `strongroom`.`tenants` TO `migration`@`127.0.0.1`",
            "GRANT DROP ON `strongroom`.`data_keys` TO `migration`@`127.0.0.1`",
            "GRANT DROP ON `strongroom`.`users` TO `migration`@`127.0.0.1`",
            "GRANT DROP ON `strongroom`.`record_decrypts` TO `migration`@`127.0.0.1`"),
        grantsBeyondUsage("'migration'@'127.0.0.1'"));
    // the identities the audit plane grants to hold nothing on the proc-only schema
    for (String id : List.of("backup", "anchor_writer")) {
      assertEquals(Set.of(), grantsBeyondUsage("'" + id + "'@'127.0.0.1'"), id);
    }
    assertEquals(
        Set.of(
            "GRANT SELECT, INSERT, UPDATE, EXECUTE ON `strongroom`.* TO `api_definer`@`localhost`",
            "GRANT SELECT, INSERT, DELETE, EXECUTE, EVENT ON `strongroom_security`.* TO `api_definer`@`localhost`"),
        grantsBeyondUsage("'api_definer'@'localhost'"));
    assertEquals(
        "1",
        t.db
            .sql(
                "SELECT JSON_VALUE(Priv, '$.account_locked') FROM mysql.global_priv"
                    + " WHERE User = 'api_definer' AND Host = 'localhost'")
            .scalar());
    // every routine is owned by api_definer and runs as its definer
    assertEquals(
        List.of(List.of("api_definer@localhost", "DEFINER", "16")),
        t.db
            .sql(
                "SELECT DEFINER, SECURITY_TYPE, COUNT(*) FROM information_schema.ROUTINES"
                    + " WHERE ROUTINE_SCHEMA IN ('strongroom', 'strongroom_security') GROUP BY DEFINER, SECURITY_TYPE")
            .rows());
    // exactly the two tenant-scoped views, owned by api_definer, run as their definer, mergeable
    // (the index serves them)
    assertEquals(
        List.of(
            List.of("strongroom", "v_data_keys", "api_definer@localhost", "DEFINER", "MERGE"),
            List.of("strongroom", "v_users", "api_definer@localhost", "DEFINER", "MERGE")),
        t.db
            .sql(
                "SELECT TABLE_SCHEMA, TABLE_NAME, DEFINER, SECURITY_TYPE, ALGORITHM FROM information_schema.VIEWS"
                    + " WHERE TABLE_SCHEMA IN ('strongroom', 'strongroom_security') ORDER BY TABLE_NAME")
            .rows());
    // every table is InnoDB
    assertEquals(
        "0",
        t.db
            .sql(
                "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA IN"
                    + " ('strongroom', 'strongroom_security') AND ENGINE <> 'InnoDB'")
            .scalar());
    // a second install changes nothing and keeps the data
    SchemaInstaller.install(t.db, t.tokenKey);
    assertEquals(10, grantsBeyondUsage(APP).size());
    assertEquals(
        List.of(recordB, "req-b-1", "dek-b"),
        t.ok("app_user", bind(tokenB) + "CALL app_list_users(1000)").rows().get(1).subList(0, 3));
  }

  private Set<String> grantsBeyondUsage(String account) {
    Set<String> out = new TreeSet<>();
    for (List<String> r : t.db.sql("SHOW GRANTS FOR " + account).rows()) {
      if (!r.get(0).startsWith("GRANT USAGE ON *.*")) {
        out.add(r.get(0));
      }
    }
    return out;
  }

  @Test
  void migration_andAuditor_stayInTheirLanes() {
    assertEquals(
        deniedDb("migration", "strongroom"), t.refusal("migration", "DROP DATABASE strongroom"));
    assertEquals(
        deniedDb("migration", "strongroom"),
        t.refusal("migration", "CREATE PROCEDURE strongroom.p() SELECT 1"));
    assertEquals(
        new ServerError(
            1142,
            "42000",
            "SELECT command denied to user 'migration'@'127.0.0.1' for table `strongroom_security`.`tenant_bindings`"),
        t.refusal("migration", "SELECT * FROM strongroom_security.tenant_bindings"));
    assertEquals(
        new ServerError(
            1370,
            "42000",
            "execute command denied to user 'migration'@'127.0.0.1' for routine 'strongroom.app_get_user'"),
        t.refusal("migration", "CALL app_get_user('x')"));
    assertEquals(
        new ServerError(
            1370,
            "42000",
            "execute command denied to user 'auditor'@'127.0.0.1' for routine 'strongroom.app_get_user'"),
        t.refusal("auditor", bind(tokenB) + "CALL app_get_user('" + recordB + "')"));
    assertEquals(
        new ServerError(
            1142,
            "42000",
            "SELECT command denied to user 'auditor'@'127.0.0.1' for table `strongroom`.`users`"),
        t.refusal("auditor", "SELECT * FROM strongroom.users"));
  }

  // ------------------------------------------------------------------ invariant 4: tenant binding

  @Test
  void noBinding_everyAppProcedureRefuses() {
    assertEquals(NO_TENANT, t.refusal("app_user", "CALL app_get_user('" + recordB + "')"));
    assertEquals(NO_TENANT, t.refusal("app_user", "CALL app_list_users(10)"));
    assertEquals(NO_TENANT, t.refusal("app_user", create("req-x", Tokens.recordId(), "dek-x")));
    assertEquals(NO_TENANT, t.refusal("app_user", rewrap("dek-b", "1", "0909", "2")));
    assertEquals(NO_TENANT, t.refusal("app_user", decrypt(recordB, "svc:reporting")));
    assertEquals("", t.ok("app_user", "CALL security_current_tenant()").stdout());
    for (String v : VIEWS) {
      assertEquals("0", t.ok("app_user", "SELECT COUNT(*) FROM " + v).scalar(), v);
    }
    // the refused calls wrote nothing
    assertEquals(
        "0",
        t.db
            .sql(
                "SELECT COUNT(*) FROM strongroom.record_decrypts WHERE record_id = '"
                    + recordB
                    + "'")
            .scalar());
    assertEquals(
        List.of(List.of("1", "01020304")),
        t.db
            .sql(
                "SELECT kms_key_version, HEX(wrapped_dek) FROM strongroom.data_keys WHERE dek_id = 'dek-b'")
            .rows());
  }

  @Test
  void sessionVariables_meanNothing() {
    String vars =
        "SET @tenant_id = 'tenant-b'; SET @tenant = 'tenant-b'; SET @strongroom_tenant = 'tenant-b';";
    assertEquals(NO_TENANT, t.refusal("app_user", vars + "CALL app_get_user('" + recordB + "')"));
    // bound to A, the variables still name B: still A
    ClientResult cur = t.ok("app_user", bind(tokenA) + vars + "CALL security_current_tenant()");
    assertEquals("tenant-a", cur.rows().get(1).get(0));
    assertEquals(
        signal("SR-CROSS-TENANT: record belongs to another tenant"),
        t.refusal("app_user", bind(tokenA) + vars + "CALL app_get_user('" + recordB + "')"));
    // the new procedures and the views follow the binding too
    assertEquals(NO_TENANT, t.refusal("app_user", vars + rewrap("dek-b", "1", "0909", "2")));
    assertEquals(NO_TENANT, t.refusal("app_user", vars + decrypt(recordB, "svc:reporting")));
    assertEquals(
        KEY_CROSS_TENANT,
        t.refusal("app_user", bind(tokenA) + vars + rewrap("dek-b", "1", "0909", "2")));
    assertEquals(
        RECORD_CROSS_TENANT,
        t.refusal("app_user", bind(tokenA) + vars + decrypt(recordB, "svc-a")));
    assertEquals("0", t.ok("app_user", vars + "SELECT COUNT(*) FROM v_users").scalar());
    assertEquals("0", t.ok("app_user", vars + "SELECT COUNT(*) FROM v_data_keys").scalar());
    t.ok("app_user", bind(tokenA) + create("req-a-vars", Tokens.recordId(), "dek-a-vars"));
    List<List<String>> seen =
        t.ok(
                "app_user",
                bind(tokenA)
                    + vars
                    + "SELECT DISTINCT tenant_id FROM v_users; SELECT DISTINCT tenant_id FROM v_data_keys;")
            .rows();
    assertEquals(List.of(List.of("tenant-a"), List.of("tenant-a")), seen.subList(1, seen.size()));
    // a session time zone does not move token time either (an expired token stays expired)
    long now = Tokens.now();
    String expired = Tokens.sign(t.tokenKey, Tokens.claims("tenant-a", "s", now - 1000, now - 100));
    assertEquals(
        signal("SR-TOKEN-EXPIRED: token expired"),
        t.refusal("app_user", "SET time_zone = '-12:00';" + bind(expired)));
    assertEquals(
        signal("SR-TOKEN-EXPIRED: token expired"),
        t.refusal("app_user", "SET time_zone = '+13:00';" + bind(expired)));
  }

  @Test
  void bindingBelongsToTheConnection() {
    t.ok("app_user", bind(tokenA));
    // a new connection (new client run) is not bound
    assertEquals(NO_TENANT, t.refusal("app_user", "CALL app_list_users(10)"));
    // clear drops it within the connection
    assertEquals(
        NO_TENANT,
        t.refusal(
            "app_user", bind(tokenA) + "CALL security_clear_tenant(); CALL app_list_users(10)"));
  }

  @Test
  void bindingEndsWithTheToken() {
    long now = Tokens.now();
    String shortLived = Tokens.sign(t.tokenKey, Tokens.claims("tenant-a", "s", now, now + 2));
    assertEquals(
        List.of(NO_TENANT),
        t.errors(
            "app_user",
            bind(shortLived) + "CALL app_list_users(1); DO SLEEP(3); CALL app_list_users(1);"));
  }

  @Test
  void badTokens_refusedWithTheirCode_andTheOldBindingIsGone() {
    long now = Tokens.now();
    String claimsPartA = tokenA.substring(0, tokenA.indexOf('.'));
    String macPartA = tokenA.substring(tokenA.indexOf('.') + 1);
    String claimsPartB = tokenB.substring(0, tokenB.indexOf('.'));
    // forged: B's claims with A's MAC; and a token signed with another key
    assertEquals(
        signal("SR-TOKEN-SIGNATURE: token MAC does not verify"),
        t.refusal("app_user", bind(claimsPartB + "." + macPartA)));
    assertEquals(
        signal("SR-TOKEN-SIGNATURE: token MAC does not verify"),
        t.refusal(
            "app_user",
            bind(Tokens.sign(new byte[32], Tokens.claims("tenant-b", "s", now, now + 60)))));
    // claims edited by one character (tenant-a → tenant-b inside the JSON), MAC kept
    assertEquals(
        signal("SR-TOKEN-SIGNATURE: token MAC does not verify"),
        t.refusal(
            "app_user",
            bind(
                Tokens.b64(
                        Tokens.claims("tenant-b", "svc-a", now, now + 900)
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    + "."
                    + macPartA)));
    assertEquals(
        signal("SR-TOKEN-EXPIRED: token expired"),
        t.refusal(
            "app_user",
            bind(Tokens.sign(t.tokenKey, Tokens.claims("tenant-a", "s", now - 1000, now - 1)))));
    assertEquals(
        signal("SR-TOKEN-LIFETIME: token lifetime exceeds 1 h"),
        t.refusal(
            "app_user",
            bind(Tokens.sign(t.tokenKey, Tokens.claims("tenant-a", "s", now, now + 3601)))));
    assertEquals(
        signal("SR-TOKEN-LIFETIME: token lifetime exceeds 1 h"),
        t.refusal(
            "app_user", bind(Tokens.sign(t.tokenKey, Tokens.claims("tenant-a", "s", now, now)))));
    assertEquals(
        signal("SR-TOKEN-FUTURE: token issued in the future"),
        t.refusal(
            "app_user",
            bind(Tokens.sign(t.tokenKey, Tokens.claims("tenant-a", "s", now + 120, now + 600)))));
    ServerError shape = signal("SR-TOKEN-MALFORMED: a token is <claims>.<mac>");
    assertEquals(shape, t.refusal("app_user", bind("")));
    assertEquals(shape, t.refusal("app_user", bind(claimsPartA)));
    assertEquals(shape, t.refusal("app_user", bind("." + macPartA)));
    assertEquals(shape, t.refusal("app_user", bind(tokenA + ".x")));
    assertEquals(shape, t.refusal("app_user", "CALL security_set_tenant(NULL)"));
    assertEquals(shape, t.refusal("app_user", bind(claimsPartA + "." + "A".repeat(4096))));
    ServerError b64 = signal("SR-TOKEN-MALFORMED: parts must be unpadded base64url");
    assertEquals(b64, t.refusal("app_user", bind(claimsPartA + "=." + macPartA)));
    assertEquals(b64, t.refusal("app_user", bind(claimsPartA + "." + macPartA + "=")));
    assertEquals(b64, t.refusal("app_user", bind(claimsPartA.replace('e', '+') + "." + macPartA)));
    // correctly signed but not the claims set
    assertEquals(
        signal(
            "SR-TOKEN-MALFORMED: claims must be exactly v=2, tenant, sub, iat, exp, nonce, aud,"
                + " kid, cnf"),
        t.refusal(
            "app_user",
            bind(
                Tokens.sign(
                    t.tokenKey,
                    Tokens.claims("tenant-a", "s", now, now + 60).replace("\"v\":2", "\"v\":1")))));
    assertEquals(
        signal(
            "SR-TOKEN-MALFORMED: claims must be exactly v=2, tenant, sub, iat, exp, nonce, aud,"
                + " kid, cnf"),
        t.refusal(
            "app_user",
            bind(
                Tokens.sign(
                    t.tokenKey,
                    Tokens.claims("tenant-a", "s", now, now + 60)
                        .replace("}", ",\"admin\":true}")))));
    assertEquals(
        signal("SR-TOKEN-MALFORMED: claims are not JSON"),
        t.refusal("app_user", bind(Tokens.sign(t.tokenKey, "not json"))));
    // correctly signed, but a tenant (or sub) with a trailing space: utf8mb4_bin pads spaces, so
    // "tenant-b " would
    // compare equal to tenant-b everywhere; refused before any binding
    ServerError padded = signal("SR-TOKEN-MALFORMED: tenant and sub must not end with a space");
    assertEquals(
        padded,
        t.refusal(
            "app_user",
            bind(Tokens.sign(t.tokenKey, Tokens.claims("tenant-b ", "s", now, now + 60)))));
    assertEquals(
        padded,
        t.refusal(
            "app_user",
            bind(Tokens.sign(t.tokenKey, Tokens.claims("tenant-b", "s ", now, now + 60)))));
    assertEquals(
        List.of(padded, NO_TENANT),
        t.errors(
            "app_user",
            "CALL security_set_tenant('"
                + Tokens.sign(t.tokenKey, Tokens.claims("tenant-b ", "s", now, now + 60))
                + "'); CALL app_get_user('"
                + recordB
                + "');"));
    // fail closed: a refused token removes the binding the connection had
    assertEquals(
        List.of(signal("SR-TOKEN-SIGNATURE: token MAC does not verify"), NO_TENANT),
        t.errors(
            "app_user",
            bind(tokenA)
                + "CALL security_set_tenant('"
                + claimsPartB
                + "."
                + macPartA
                + "');"
                + "CALL app_list_users(10);"));
    assertEquals(
        List.of(signal("SR-TOKEN-MALFORMED: parts must be unpadded base64url"), NO_TENANT),
        t.errors(
            "app_user",
            bind(tokenA) + "CALL security_set_tenant('x.y'); CALL app_list_users(10);"));
  }

  @Test
  void crossTenantRead_refused_ownRead_works() {
    assertEquals(
        signal("SR-CROSS-TENANT: record belongs to another tenant"),
        t.refusal("app_user", bind(tokenA) + "CALL app_get_user('" + recordB + "')"));
    assertEquals(
        signal("SR-NOT-FOUND: no such record"),
        t.refusal("app_user", bind(tokenA) + "CALL app_get_user('" + Tokens.recordId() + "')"));
    List<List<String>> own =
        t.ok("app_user", bind(tokenB) + "CALL app_get_user('" + recordB + "')").rows();
    List<String> row = own.get(1);
    assertEquals(List.of(recordB, "tenant-b", "req-b-1", "dek-b", "0x01020304"), row.subList(0, 5));
    // the 10.11 client's --binary-as-hex prints a NULL binary value as "0x"; the columns are NULL
    assertEquals(
        List.of(
            "0xAA01",
            "0x000102030405060708090A0B",
            "0x",
            "0x",
            "0xBB02",
            "0x0C0D0E0F1011121314151617",
            "0x",
            "0x"),
        row.subList(9, 17));
    assertEquals(
        "1",
        t.db
            .sql(
                "SELECT role_ct IS NULL AND role_iv IS NULL AND phone_ct IS NULL AND phone_iv IS NULL"
                    + " FROM strongroom.users WHERE record_id = '"
                    + recordB
                    + "'")
            .scalar());
    // A's list does not show B's record
    assertTrue(
        t.ok("app_user", bind(tokenA) + "CALL app_list_users(1000)").rows().stream()
            .noneMatch(x -> x.contains(recordB)));
    assertTrue(
        t.ok("app_user", bind(tokenB) + "CALL app_list_users(1000)").rows().stream()
            .anyMatch(x -> x.get(0).equals(recordB)));
  }

  @Test
  void crossTenantWrites_refused() {
    // B's data key
    assertEquals(
        signal("SR-CROSS-TENANT: data key belongs to another tenant"),
        t.refusal("app_user", bind(tokenA) + create("req-a-dek", Tokens.recordId(), "dek-b")));
    // B's request id: never B's record back
    assertEquals(
        signal("SR-CROSS-TENANT: request id belongs to another tenant"),
        t.refusal("app_user", bind(tokenA) + create("req-b-1", Tokens.recordId(), "dek-a")));
    // B's record id
    assertEquals(
        signal("SR-CROSS-TENANT: record id belongs to another tenant"),
        t.refusal("app_user", bind(tokenA) + create("req-a-rec", recordB, "dek-a")));
    // nothing was written for A by these attempts
    assertEquals(
        "0",
        t.db
            .sql(
                "SELECT COUNT(*) FROM strongroom.users WHERE request_id IN ('req-a-dek', 'req-a-rec')")
            .scalar());
    assertEquals(
        "tenant-b",
        t.db.sql("SELECT tenant_id FROM strongroom.data_keys WHERE dek_id = 'dek-b'").scalar());
  }

  @Test
  void create_isIdempotentByRequestId() {
    String rec = Tokens.recordId();
    List<List<String>> first =
        t.ok("app_user", bind(tokenA) + create("req-a-idem", rec, "dek-a-idem")).rows();
    assertEquals(
        List.of("STORED", rec, "req-a-idem", "tenant-a", "dek-a-idem"), first.get(1).subList(0, 5));
    // a retry, even with a new record id and data key (the client re-encrypted), returns the stored
    // record
    List<List<String>> again =
        t.ok("app_user", bind(tokenA) + create("req-a-idem", Tokens.recordId(), "dek-a-other"))
            .rows();
    assertEquals(
        List.of("DUPLICATE", rec, "req-a-idem", "tenant-a", "dek-a-idem", first.get(1).get(5)),
        again.get(1));
    assertEquals(
        "1",
        t.db.sql("SELECT COUNT(*) FROM strongroom.users WHERE request_id = 'req-a-idem'").scalar());
    assertEquals(
        "0",
        t.db
            .sql("SELECT COUNT(*) FROM strongroom.data_keys WHERE dek_id = 'dek-a-other'")
            .scalar());
    // the same record id under a new request id
    assertEquals(
        signal("SR-RECORD-EXISTS: record id already stored under another request id"),
        t.refusal("app_user", bind(tokenA) + create("req-a-idem-2", rec, "dek-a-idem")));
    // tenants and data_keys rows were created on first use
    assertEquals(
        "1",
        t.db.sql("SELECT COUNT(*) FROM strongroom.tenants WHERE tenant_id = 'tenant-a'").scalar());
    assertEquals(
        List.of(List.of("tenant-a", "0x01020304")),
        t.db
            .sql(
                "SELECT tenant_id, CONCAT('0x', HEX(wrapped_dek)) FROM strongroom.data_keys WHERE dek_id = 'dek-a-idem'")
            .rows());
  }

  @Test
  void concurrentRetries_storeOnce() throws Exception {
    int n = 6;
    List<String> statuses = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Thread th =
          new Thread(
              () -> {
                ClientResult r =
                    t.run(
                        "app_user",
                        bind(tokenA) + create("req-a-race", Tokens.recordId(), "dek-a-race"));
                statuses.add(r.ok() ? r.rows().get(1).get(0) : r.stderr());
              });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    assertEquals(1, statuses.stream().filter("STORED"::equals).count(), statuses.toString());
    assertEquals(n - 1, statuses.stream().filter("DUPLICATE"::equals).count(), statuses.toString());
    assertEquals(
        "1",
        t.db.sql("SELECT COUNT(*) FROM strongroom.users WHERE request_id = 'req-a-race'").scalar());
  }

  @Test
  void invalidArguments_refused() {
    assertEquals(
        signal("SR-INVALID-ARGUMENT: record_id must be a lowercase UUIDv7"),
        t.refusal("app_user", bind(tokenA) + create("req-a-bad", "not-a-uuid", "dek-a")));
    assertEquals(
        signal("SR-INVALID-ARGUMENT: request_id must match [A-Za-z0-9._:-]{1,64}"),
        t.refusal("app_user", bind(tokenA) + create("req a", Tokens.recordId(), "dek-a")));
    assertEquals(
        signal("SR-INVALID-ARGUMENT: limit must be within 1..1000"),
        t.refusal("app_user", bind(tokenA) + "CALL app_list_users(0)"));
    // '$' in PCRE also matches before a final newline: an id with one must still be refused (SQL
    // '\\n' is a newline)
    String rec = Tokens.recordId();
    assertEquals(
        signal("SR-INVALID-ARGUMENT: request_id must match [A-Za-z0-9._:-]{1,64}"),
        t.refusal("app_user", bind(tokenA) + create("req-a-nl\\n", rec, "dek-a")));
    assertEquals(
        signal("SR-INVALID-ARGUMENT: dek_id must match [A-Za-z0-9._:-]{1,64}"),
        t.refusal("app_user", bind(tokenA) + create("req-a-nl", rec, "dek-a\\n")));
    assertEquals(
        signal("SR-INVALID-ARGUMENT: record_id must be a lowercase UUIDv7"),
        t.refusal("app_user", bind(tokenA) + create("req-a-nl", rec + "\\n", "dek-a")));
    assertEquals(
        signal("SR-INVALID-ARGUMENT: reader must match [A-Za-z0-9._:@/-]{1,255}"),
        t.refusal("app_user", bind(tokenA) + decrypt(recordB, "svc-a\\n")));
    assertEquals(
        "0",
        t.db
            .sql("SELECT COUNT(*) FROM strongroom.users WHERE request_id LIKE 'req-a-nl%'")
            .scalar());
    assertTrue(
        t.refusal(
                "app_user",
                bind(tokenA)
                    + create("req-a-iv", Tokens.recordId(), "dek-a")
                        .replace("X'000102030405060708090A0B'", "X'0001'"))
            .message()
            .startsWith("SR-INVALID-ARGUMENT: name is required"));
  }

  @Test
  void fieldCiphertextOverTheLimit_refusedTooLarge_theLimitItselfStored() {
    int max = dev.strongroom.contracts.records.StoreRequest.MAX_FIELD_CIPHERTEXT_BYTES;
    String over = Tokens.recordId();
    assertEquals(
        signal("SR-FIELD-TOO-LARGE: each field ciphertext is at most 65536 bytes"),
        t.refusal(
            "app_user",
            bind(tokenA)
                + create("req-a-big-name", over, "dek-a-big")
                    .replace("X'AA01'", "REPEAT(X'AA', " + (max + 1) + ")")));
    assertEquals(
        signal("SR-FIELD-TOO-LARGE: each field ciphertext is at most 65536 bytes"),
        t.refusal(
            "app_user",
            bind(tokenA)
                + create("req-a-big-email", over, "dek-a-big")
                    .replace("X'BB02'", "REPEAT(X'BB', " + (max + 1) + ")")));
    assertEquals(
        "0",
        t.db
            .sql(
                "SELECT COUNT(*) FROM strongroom.users WHERE request_id LIKE 'req-a-big-%' OR record_id = '"
                    + over
                    + "'")
            .scalar());
    assertEquals(
        "0",
        t.db.sql("SELECT COUNT(*) FROM strongroom.data_keys WHERE dek_id = 'dek-a-big'").scalar(),
        "refused before the data key's first use is stored");
    String at = Tokens.recordId();
    t.ok(
        "app_user",
        bind(tokenA)
            + create("req-a-max-name", at, "dek-a-max")
                .replace("X'AA01'", "REPEAT(X'AA', " + max + ")"));
    assertEquals(
        Integer.toString(max),
        t.db
            .sql("SELECT LENGTH(name_ct) FROM strongroom.users WHERE request_id = 'req-a-max-name'")
            .scalar());
  }

  // ------------------------------------------------------------------ the tenant-scoped views

  @Test
  void views_showTheBoundTenantsRowsOnly() {
    String recA = Tokens.recordId();
    t.ok("app_user", bind(tokenA) + create("req-a-view", recA, "dek-a-view"));
    // B: exactly its record and its key
    List<List<String>> b =
        t.ok(
                "app_user",
                bind(tokenB)
                    + "SELECT record_id, tenant_id, dek_id, request_id, name_ct, name_iv FROM v_users;"
                    + "SELECT dek_id, tenant_id, wrapped_dek, kms_key_version FROM v_data_keys;")
            .rows();
    assertEquals(
        List.of(
            List.of(
                recordB, "tenant-b", "dek-b", "req-b-1", "0xAA01", "0x000102030405060708090A0B"),
            List.of("dek-b", "tenant-b", "0x01020304", "1")),
        b.subList(1, b.size()));
    // A: all of its rows (as many as the base tables hold for it) and nothing of B's
    List<List<String>> a =
        t.ok(
                "app_user",
                bind(tokenA)
                    + "SELECT record_id, tenant_id FROM v_users; SELECT dek_id, tenant_id FROM v_data_keys;")
            .rows();
    List<List<String>> aRows = a.subList(1, a.size());
    assertTrue(aRows.stream().allMatch(r -> r.get(1).equals("tenant-a")), a.toString());
    assertTrue(aRows.stream().anyMatch(r -> r.get(0).equals(recA)), a.toString());
    assertTrue(aRows.stream().anyMatch(r -> r.get(0).equals("dek-a-view")), a.toString());
    assertTrue(
        aRows.stream().noneMatch(r -> r.get(0).equals(recordB) || r.get(0).equals("dek-b")),
        a.toString());
    long baseRows =
        Long.parseLong(
            t.db
                .sql(
                    "SELECT (SELECT COUNT(*) FROM strongroom.users WHERE tenant_id = 'tenant-a')"
                        + " + (SELECT COUNT(*) FROM strongroom.data_keys WHERE tenant_id = 'tenant-a')")
                .scalar());
    assertEquals(baseRows, aRows.size());
    // unbound, cleared: nothing
    for (String v : VIEWS) {
      assertEquals("0", t.ok("app_user", "SELECT COUNT(*) FROM " + v).scalar(), v);
      assertEquals(
          List.of("0"),
          t.ok("app_user", bind(tokenB) + "CALL security_clear_tenant(); SELECT COUNT(*) FROM " + v)
              .rows()
              .get(1),
          v);
    }
    // a binding whose token ended: nothing
    long now = Tokens.now();
    String shortLived = Tokens.sign(t.tokenKey, Tokens.claims("tenant-b", "s", now, now + 2));
    List<List<String>> ended =
        t.ok(
                "app_user",
                bind(shortLived)
                    + "SELECT COUNT(*) FROM v_users; DO SLEEP(3);"
                    + "SELECT COUNT(*) FROM v_users; SELECT COUNT(*) FROM v_data_keys;")
            .rows();
    assertEquals(List.of(List.of("1"), List.of("0"), List.of("0")), ended.subList(1, ended.size()));
  }

  @Test
  void views_applyGetTenantsValidity_livenessAndExpiry() {
    // as the installer, a binding row for its own connection: live (its lock held), without its
    // lock (as a closed
    // connection or a restart leaves it), expired
    String row =
        "INSERT INTO strongroom_security.tenant_bindings VALUES (CONNECTION_ID(), 'tenant-b', 's', UTC_TIMESTAMP(6), ";
    String lock = "DO GET_LOCK('strongroom.binding.0123456789abcdef0123456789abcdef', 0);";
    String counts =
        "SELECT (SELECT COUNT(*) FROM strongroom.v_users), (SELECT COUNT(*) FROM strongroom.v_data_keys);"
            + "DELETE FROM strongroom_security.tenant_bindings WHERE connection_id = CONNECTION_ID();";
    String live =
        "'0123456789abcdef0123456789abcdef', (SELECT kid FROM strongroom_security.token_keys LIMIT 1),"
            + " (SELECT installed_at FROM strongroom_security.token_keys LIMIT 1));";
    assertEquals(
        List.of(List.of("1", "1")),
        t.db.sql(lock + row + "UTC_TIMESTAMP(6) + INTERVAL 1 HOUR, " + live + counts).rows());
    assertEquals(
        List.of(List.of("0", "0")),
        t.db.sql(row + "UTC_TIMESTAMP(6) + INTERVAL 1 HOUR, " + live + counts).rows());
    assertEquals(
        List.of(List.of("0", "0")),
        t.db.sql(lock + row + "UTC_TIMESTAMP(6) - INTERVAL 1 SECOND, " + live + counts).rows());
  }

  @Test
  void views_readThroughTheTenantIndex_withTheBindingLookedUpOnce() {
    String bindRoot = "CALL strongroom.security_set_tenant('" + tokenB + "');";
    List<List<String>> plan =
        t.db
            .sql(
                bindRoot
                    + "EXPLAIN SELECT * FROM strongroom.v_users;"
                    + "EXPLAIN SELECT * FROM strongroom.v_data_keys;")
            .rows();
    System.out.println("[SchemaAttackIT] view plans: " + plan.subList(1, plan.size()));
    // columns: id, select_type, table, type, possible_keys, key, key_len, ref, rows, Extra
    List<List<String>> shape = new ArrayList<>();
    for (List<String> r : plan.subList(1, plan.size())) {
      shape.add(List.of(r.get(1), r.get(2), r.get(3), r.get(5), r.get(7)));
    }
    // the tenant subquery is cacheable (evaluated once, so the tenant index is used); the
    // liveness-lock subquery (with
    // the installed key's time, t) is a separate condition, also primary-key lookups
    assertEquals(
        List.of(
            List.of("PRIMARY", "u", "ref", "ix_users_tenant", "const"),
            List.of("SUBQUERY", "b", "const", "PRIMARY", "const"),
            List.of("SUBQUERY", "t", "const", "PRIMARY", "const"),
            List.of("SUBQUERY", "b", "const", "PRIMARY", "const"),
            List.of("PRIMARY", "k", "ref", "ix_data_keys_tenant", "const"),
            List.of("SUBQUERY", "b", "const", "PRIMARY", "const"),
            List.of("SUBQUERY", "t", "const", "PRIMARY", "const"),
            List.of("SUBQUERY", "b", "const", "PRIMARY", "const")),
        shape);
  }

  @Test
  void views_refuseWrites_andTheirDefinition_toAppUser() {
    for (String v : VIEWS) {
      assertEquals(
          denied("UPDATE", "strongroom", v),
          t.refusal("app_user", bind(tokenB) + "UPDATE " + v + " SET created_at = created_at"));
      assertEquals(
          denied("UPDATE", "strongroom", v),
          t.refusal("app_user", "UPDATE " + v + " SET tenant_id = 'tenant-a'"));
      assertEquals(
          denied("INSERT", "strongroom", v),
          t.refusal("app_user", bind(tokenB) + "INSERT INTO " + v + " () VALUES ()"));
      assertEquals(
          denied("INSERT", "strongroom", v),
          t.refusal(
              "app_user", bind(tokenB) + "INSERT INTO " + v + " (tenant_id) VALUES ('tenant-b')"));
      assertEquals(
          denied("DELETE", "strongroom", v),
          t.refusal("app_user", bind(tokenB) + "DELETE FROM " + v));
      assertEquals(
          denied("DROP", "strongroom", v),
          t.refusal("app_user", bind(tokenB) + "TRUNCATE TABLE " + v));
      assertEquals(
          denied("SHOW VIEW", "strongroom", v), t.refusal("app_user", "SHOW CREATE VIEW " + v));
      assertEquals(
          new ServerError(
              1345,
              "HY000",
              "ANALYZE/EXPLAIN/SHOW can not be issued; lacking privileges for underlying table"),
          t.refusal("app_user", bind(tokenB) + "EXPLAIN SELECT * FROM " + v));
    }
    assertEquals(
        new ServerError(
            1142,
            "42000",
            "INSERT, DELETE command denied to user 'app_user'@'127.0.0.1' for table `strongroom`.`v_users`"),
        t.refusal("app_user", bind(tokenB) + "REPLACE INTO v_users (record_id) VALUES ('x')"));
    // B's rows are as stored
    assertEquals(
        List.of(List.of("tenant-b", "req-b-1")),
        t.db
            .sql(
                "SELECT tenant_id, request_id FROM strongroom.users WHERE record_id = '"
                    + recordB
                    + "'")
            .rows());
    assertEquals(
        List.of(List.of("1", "01020304")),
        t.db
            .sql(
                "SELECT kms_key_version, HEX(wrapped_dek) FROM strongroom.data_keys WHERE dek_id = 'dek-b'")
            .rows());
  }

  @Test
  void views_refusedToAuditor_andEmptyForMigration_whichCannotBind() {
    for (String v : VIEWS) {
      assertEquals(
          new ServerError(
              1142,
              "42000",
              "SELECT command denied to user 'auditor'@'127.0.0.1' for table `strongroom`.`"
                  + v
                  + "`"),
          t.refusal("auditor", bind(tokenB) + "SELECT * FROM strongroom." + v));
      // migration's schema-wide SELECT on the data schema (DESIGN §4) covers views as it covers
      // tables; it reads
      // the base tables anyway, cannot bind a tenant, and so sees no row through a view
      assertEquals("0", t.ok("migration", "SELECT COUNT(*) FROM strongroom." + v).scalar(), v);
    }
    assertEquals(
        new ServerError(
            1370,
            "42000",
            "execute command denied to user 'migration'@'127.0.0.1' for routine 'strongroom.security_set_tenant'"),
        t.refusal("migration", bind(tokenB)));
  }

  // ------------------------------------------------------------------ app_rewrap_data_key

  @Test
  void rewrap_otherTenantsKey_refused_andItsRowIsUnchanged() {
    String before = keyRow("dek-b");
    assertEquals(
        KEY_CROSS_TENANT, t.refusal("app_user", bind(tokenA) + rewrap("dek-b", "1", "0909", "2")));
    // B's exact current values: not answered UNCHANGED either
    assertEquals(
        KEY_CROSS_TENANT,
        t.refusal("app_user", bind(tokenA) + rewrap("dek-b", "1", "01020304", "1")));
    assertEquals(
        signal("SR-NOT-FOUND: no such data key"),
        t.refusal("app_user", bind(tokenA) + rewrap("dek-nobody", "1", "0909", "2")));
    assertEquals(before, keyRow("dek-b"));
  }

  @Test
  void rewrap_compareAndSet_staleVersionConflicts_repeatIsUnchanged_ciphertextUntouched() {
    String rec = Tokens.recordId();
    t.ok("app_user", bind(tokenA) + create("req-a-rw", rec, "dek-a-rw"));
    String created =
        t.db.sql("SELECT created_at FROM strongroom.data_keys WHERE dek_id = 'dek-a-rw'").scalar();
    assertEquals(
        List.of("REWRAPPED", "dek-a-rw", Tokens.KMS_KEY, "2", "NULL"),
        t.ok("app_user", bind(tokenA) + rewrap("dek-a-rw", "1", "0202", "2")).rows().get(1));
    // the same call again (a retry after a lost reply), or expecting the version it set: UNCHANGED
    assertEquals(
        List.of("UNCHANGED", "dek-a-rw", Tokens.KMS_KEY, "2", "NULL"),
        t.ok("app_user", bind(tokenA) + rewrap("dek-a-rw", "1", "0202", "2")).rows().get(1));
    assertEquals(
        List.of("UNCHANGED", "dek-a-rw", Tokens.KMS_KEY, "2", "NULL"),
        t.ok("app_user", bind(tokenA) + rewrap("dek-a-rw", "2", "0202", "2")).rows().get(1));
    // a rotator that still expects version 1 and brings other values loses; versions compare byte
    // for byte
    assertEquals(
        CONFLICT, t.refusal("app_user", bind(tokenA) + rewrap("dek-a-rw", "1", "0303", "3")));
    assertEquals(
        CONFLICT, t.refusal("app_user", bind(tokenA) + rewrap("dek-a-rw", "2 ", "0303", "3")));
    assertEquals(
        List.of(List.of("tenant-a", "0202", Tokens.KMS_KEY, "2", "NULL", "NULL", created)),
        keyRows("dek-a-rw"));
    // a PQ pair added, then dropped again; tenant, id and created_at never change
    assertEquals(
        List.of(
            "REWRAPPED",
            "dek-a-rw",
            "projects/p/locations/l/keyRings/r/cryptoKeys/k2",
            "3",
            "X-Wing"),
        t.ok(
                "app_user",
                bind(tokenA)
                    + "CALL app_rewrap_data_key('dek-a-rw', '2', X'0404',"
                    + " 'projects/p/locations/l/keyRings/r/cryptoKeys/k2', '3', X'0505', 'X-Wing')")
            .rows()
            .get(1));
    assertEquals(
        List.of(
            List.of(
                "tenant-a",
                "0404",
                "projects/p/locations/l/keyRings/r/cryptoKeys/k2",
                "3",
                "0505",
                "X-Wing",
                created)),
        keyRows("dek-a-rw"));
    assertEquals(
        List.of("REWRAPPED", "dek-a-rw", Tokens.KMS_KEY, "4", "NULL"),
        t.ok("app_user", bind(tokenA) + rewrap("dek-a-rw", "3", "0606", "4")).rows().get(1));
    assertEquals(
        List.of(List.of("tenant-a", "0606", Tokens.KMS_KEY, "4", "NULL", "NULL", created)),
        keyRows("dek-a-rw"));
    // the record keeps its ciphertext and reads with the new wrapping
    List<String> row =
        t.ok("app_user", bind(tokenA) + "CALL app_get_user('" + rec + "')").rows().get(1);
    assertEquals(List.of("dek-a-rw", "0x0606", Tokens.KMS_KEY, "4"), row.subList(3, 7));
    assertEquals(
        List.of(
            "0xAA01",
            "0x000102030405060708090A0B",
            "0x",
            "0x",
            "0xBB02",
            "0x0C0D0E0F1011121314151617"),
        row.subList(9, 15));
  }

  @Test
  void rewrap_concurrentRotators_exactlyOneWins() throws Exception {
    t.ok("app_user", bind(tokenA) + create("req-a-crw", Tokens.recordId(), "dek-a-crw"));
    // six rotators expect version 1, each with its own wrapping
    List<String> statuses =
        race(6, i -> rewrap("dek-a-crw", "1", "0" + (i + 1) + "0" + (i + 1), "2"));
    assertEquals(
        1, statuses.stream().filter(x -> x.startsWith("REWRAPPED ")).count(), statuses.toString());
    assertEquals(
        5, statuses.stream().filter(CONFLICT.message()::equals).count(), statuses.toString());
    String winner =
        statuses.stream()
            .filter(x -> x.startsWith("REWRAPPED "))
            .findFirst()
            .orElseThrow()
            .substring(10);
    assertEquals(
        winner,
        t.db
            .sql("SELECT HEX(wrapped_dek) FROM strongroom.data_keys WHERE dek_id = 'dek-a-crw'")
            .scalar());
    // six rotators with the same new values: one writes, the others find it done
    statuses = race(6, i -> rewrap("dek-a-crw", "2", "0A0A", "3"));
    assertEquals(
        1, statuses.stream().filter(x -> x.startsWith("REWRAPPED ")).count(), statuses.toString());
    assertEquals(
        5, statuses.stream().filter(x -> x.startsWith("UNCHANGED ")).count(), statuses.toString());
  }

  /**
   * Runs {@code n} app_user connections bound to A at once; each: "STATUS hexOfItsWrapping" or its
   * refusal's message.
   */
  private List<String> race(int n, java.util.function.IntFunction<String> call)
      throws InterruptedException {
    List<String> out = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String sql = call.apply(i);
      String wrapped =
          sql.substring(sql.indexOf("X'") + 2, sql.indexOf("'", sql.indexOf("X'") + 2));
      Thread th =
          new Thread(
              () -> {
                ClientResult r = t.run("app_user", bind(tokenA) + sql);
                out.add(
                    r.ok()
                        ? r.rows().get(1).get(0) + " " + wrapped
                        : r.error().map(ServerError::message).orElse(r.stderr()));
              });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    return out;
  }

  private List<List<String>> keyRows(String dekId) {
    return t.db
        .sql(
            "SELECT tenant_id, HEX(wrapped_dek), kms_key_name, kms_key_version, IFNULL(HEX(pq_wrapped_dek), 'NULL'),"
                + " IFNULL(pq_alg, 'NULL'), created_at FROM strongroom.data_keys WHERE dek_id = '"
                + dekId
                + "'")
        .rows();
  }

  private String keyRow(String dekId) {
    return keyRows(dekId).toString();
  }

  // ------------------------------------------------------------------ app_record_decrypt

  @Test
  void recordDecrypt_otherTenantsRecord_refused_andNothingRecorded() {
    String before =
        t.db
            .sql("SELECT COUNT(*), IFNULL(MAX(decrypt_id), 0) FROM strongroom.record_decrypts")
            .stdout();
    assertEquals(
        RECORD_CROSS_TENANT, t.refusal("app_user", bind(tokenA) + decrypt(recordB, "svc-a")));
    assertEquals(
        signal("SR-NOT-FOUND: no such record"),
        t.refusal("app_user", bind(tokenA) + decrypt(Tokens.recordId(), "svc-a")));
    assertEquals(
        before,
        t.db
            .sql("SELECT COUNT(*), IFNULL(MAX(decrypt_id), 0) FROM strongroom.record_decrypts")
            .stdout());
    assertEquals(
        "0",
        t.db
            .sql(
                "SELECT COUNT(*) FROM strongroom.record_decrypts WHERE record_id = '"
                    + recordB
                    + "'")
            .scalar());
  }

  @Test
  void recordDecrypt_returnsWhatTheDecryptNeeds_andRecordsTheReader() {
    String rec = Tokens.recordId();
    t.ok("app_user", bind(tokenA) + create("req-a-dec", rec, "dek-a-dec"));
    String created =
        t.db
            .sql("SELECT created_at FROM strongroom.users WHERE record_id = '" + rec + "'")
            .scalar();
    String reader = "svc:reporting@eu-1/x.y_z-2";
    String readerToken = t.tokens.issue("tenant-a", reader, Duration.ofMinutes(15), Tokens.CNF);
    List<String> row = t.ok("app_user", bind(readerToken) + decrypt(rec, reader)).rows().get(1);
    assertEquals(18, row.size(), row.toString());
    assertEquals(
        List.of(
            rec,
            "tenant-a",
            "dek-a-dec",
            "0x01020304",
            Tokens.KMS_KEY,
            "1",
            "0x",
            "NULL",
            "0xAA01",
            "0x000102030405060708090A0B",
            "0x",
            "0x",
            "0xBB02",
            "0x0C0D0E0F1011121314151617",
            "0x",
            "0x",
            created),
        row.subList(1, 18));
    String id = row.get(0);
    assertEquals(
        List.of(List.of(id, "tenant-a", rec, reader)),
        t.db
            .sql(
                "SELECT decrypt_id, tenant_id, record_id, reader FROM strongroom.record_decrypts WHERE record_id = '"
                    + rec
                    + "'")
            .rows());
    // every call is recorded again
    String id2 = t.ok("app_user", bind(readerToken) + decrypt(rec, reader)).rows().get(1).get(0);
    assertTrue(Long.parseLong(id2) > Long.parseLong(id), id + " < " + id2);
    assertEquals(
        "2",
        t.db
            .sql("SELECT COUNT(*) FROM strongroom.record_decrypts WHERE record_id = '" + rec + "'")
            .scalar());
    // inside a transaction the caller rolls back: the record is already committed (the ciphertext
    // was returned)
    List<String> inTx =
        t.ok(
                "app_user",
                "START TRANSACTION; " + bind(readerToken) + decrypt(rec, reader) + " ROLLBACK;")
            .rows()
            .get(1);
    assertEquals(List.of(rec, "tenant-a", "dek-a-dec"), inTx.subList(1, 4));
    assertEquals(
        "3",
        t.db
            .sql("SELECT COUNT(*) FROM strongroom.record_decrypts WHERE record_id = '" + rec + "'")
            .scalar());
    // a token for another sub: the reader must be the principal the tenant authority vouched for,
    // so a caller
    // cannot record (and obtain) a decrypt under another name; nothing is recorded
    ServerError otherSub = signal("SR-TOKEN-SUBJECT: reader is not the subject of the bound token");
    assertEquals(otherSub, t.refusal("app_user", bind(readerToken) + decrypt(rec, "svc:other")));
    assertEquals(otherSub, t.refusal("app_user", bind(tokenA) + decrypt(rec, reader)));
    assertEquals(
        otherSub,
        t.refusal(
            "app_user",
            bind(readerToken) + decrypt(rec, reader.toUpperCase(java.util.Locale.ROOT))));
    assertEquals(
        "3",
        t.db
            .sql("SELECT COUNT(*) FROM strongroom.record_decrypts WHERE record_id = '" + rec + "'")
            .scalar());
  }

  @Test
  void rewrapAndDecrypt_invalidArguments_refused_beforeAnyLookup() {
    String rec = Tokens.recordId();
    t.ok("app_user", bind(tokenA) + create("req-a-args", rec, "dek-a-args"));
    assertEquals(
        signal("SR-INVALID-ARGUMENT: dek_id must match [A-Za-z0-9._:-]{1,64}"),
        t.refusal("app_user", bind(tokenA) + rewrap("dek a", "1", "0909", "2")));
    assertEquals(
        signal("SR-INVALID-ARGUMENT: expected_kms_key_version (1..256) is required"),
        t.refusal("app_user", bind(tokenA) + rewrap("dek-a-args", "", "0909", "2")));
    ServerError key =
        signal(
            "SR-INVALID-ARGUMENT: wrapped_dek (1..3072 bytes), kms_key_name and kms_key_version (1..256) are required");
    assertEquals(key, t.refusal("app_user", bind(tokenA) + rewrap("dek-a-args", "1", "", "2")));
    assertEquals(key, t.refusal("app_user", bind(tokenA) + rewrap("dek-a-args", "1", "0909", "")));
    assertEquals(
        key,
        t.refusal("app_user", bind(tokenA) + rewrap("dek-a-args", "1", "09".repeat(3073), "2")));
    assertEquals(
        signal("SR-INVALID-ARGUMENT: pq_wrapped_dek (1..6144 bytes) and pq_alg come together"),
        t.refusal(
            "app_user",
            bind(tokenA)
                + "CALL app_rewrap_data_key('dek-a-args', '1', X'09', 'k', '2', X'0505', NULL)"));
    ServerError readerArg =
        signal("SR-INVALID-ARGUMENT: reader must match [A-Za-z0-9._:@/-]{1,255}");
    for (String bad :
        List.of("", "svc reporting", "svc;x", "svc\\\\x", "a".repeat(256), "svc:r\u00e9port")) {
      assertEquals(readerArg, t.refusal("app_user", bind(tokenA) + decrypt(rec, bad)), bad);
    }
    assertEquals(
        readerArg,
        t.refusal("app_user", bind(tokenA) + "CALL app_record_decrypt('" + rec + "', NULL)"));
    assertEquals(
        signal("SR-INVALID-ARGUMENT: record_id must be a lowercase UUIDv7"),
        t.refusal(
            "app_user",
            bind(tokenA) + decrypt(rec.toUpperCase(java.util.Locale.ROOT), "svc:reporting")));
    // arguments come before existence: B's record with a bad reader says nothing about B
    assertEquals(
        readerArg, t.refusal("app_user", bind(tokenA) + decrypt(recordB, "svc reporting")));
    assertEquals(
        "0",
        t.db
            .sql("SELECT COUNT(*) FROM strongroom.record_decrypts WHERE record_id = '" + rec + "'")
            .scalar());
    assertEquals(
        List.of(List.of("tenant-a", "01020304", Tokens.KMS_KEY, "1", "NULL", "NULL")),
        keyRows("dek-a-args").stream().map(r -> r.subList(0, 6)).toList());
  }
}
