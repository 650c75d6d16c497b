package dev.strongroom.provisioner.audit;

import static dev.strongroom.provisioner.audit.AuditTestInstance.bind;
import static dev.strongroom.provisioner.audit.AuditTestInstance.create;
import static dev.strongroom.provisioner.audit.AuditTestInstance.decrypt;
import static dev.strongroom.provisioner.audit.AuditTestInstance.recordId;
import static dev.strongroom.provisioner.audit.AuditTestInstance.rewrap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.audit.chain.AuditEvent;
import dev.strongroom.audit.chain.AuditJsonNotRfc8785;
import dev.strongroom.provisioner.db.ServerError;
import dev.strongroom.provisioner.schema.AuditInstaller;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * DESIGN §6 invariants 5 and 6 against a private MariaDB 10.11 with the schema and the audit plane
 * installed: audit rows cannot be changed by any identity (nor by root while the guards stand), the
 * procedures' writes become events that the sealer chains, concurrency and late commits keep the
 * chain gapless and one row per event, and the Java verifier finds an edited, removed or inserted
 * row with its seq.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditChainIT {
  private static final String CNF = AuditTestInstance.CNF;

  /** The audit-anchor-service's identity: lease, anchors and sink cursors are its alone. */
  private static final String WRITER = "anchor_writer";

  private static final List<String> AUDIT_TABLES = List.of("audit_events", "audit_chain");
  private static final ServerError IMMUTABLE =
      new ServerError(1644, "45000", "SR-AUDIT-IMMUTABLE: audit rows cannot be updated or deleted");

  private AuditTestInstance t;
  private String tokenA;

  @BeforeAll
  void start() throws Exception {
    long t0 = System.nanoTime();
    t = new AuditTestInstance("sr-audit-");
    System.out.println("[AuditChainIT] instance + accounts + schema + audit in " + ms(t0) + " ms");
    tokenA = t.tokens.issue("tenant-a", "svc-a", Duration.ofMinutes(30), CNF);
    assertEquals(
        "STORED",
        t.ok("app_user", bind(tokenA) + create("req-a-1", recordId(), "dek-a"))
            .rows()
            .get(1)
            .get(0));
    seal();
  }

  @AfterAll
  void stop() {
    if (t != null) {
      t.close();
    }
  }

  private static long ms(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /** Seals everything as the auditor; returns the number sealed. */
  private long seal() {
    long total = 0;
    while (true) {
      long n =
          Long.parseLong(
              t.ok("auditor", "CALL strongroom_audit.audit_seal(100000)").rows().get(0).get(0));
      total += n;
      if (n == 0) {
        return total;
      }
    }
  }

  private String root(String sql) {
    return t.db.sql(sql).stdout().strip();
  }

  private static ServerError denied(String user, String command, String table) {
    return new ServerError(
        1142,
        "42000",
        command
            + " command denied to user '"
            + user
            + "'@'127.0.0.1' for table `strongroom_audit`.`"
            + table
            + "`");
  }

  // ------------------------------------------------------------------ invariant 5: nobody rewrites
  // audit rows

  @Test
  @Order(1)
  void auditRows_cannotBeUpdatedDeletedOrTruncated_byAnyIdentity_norByRoot() {
    String before =
        root(
            "SELECT COUNT(*), SUM(CRC32(CONCAT_WS('|', event_id, tenant_id, after_image))) FROM strongroom_audit.audit_events");
    String chainBefore =
        root("SELECT COUNT(*), SUM(CRC32(curr_hash)) FROM strongroom_audit.audit_chain");
    for (String id : List.of("app_user", "auditor", "migration")) {
      for (String table : AUDIT_TABLES) {
        String q = "strongroom_audit." + table;
        String col =
            table.equals("audit_events") ? "tenant_id = 'x'" : "curr_hash = REPEAT('0', 64)";
        assertEquals(denied(id, "UPDATE", table), t.refusal(id, "UPDATE " + q + " SET " + col));
        assertEquals(denied(id, "DELETE", table), t.refusal(id, "DELETE FROM " + q));
        assertEquals(denied(id, "DROP", table), t.refusal(id, "TRUNCATE TABLE " + q));
        assertEquals(denied(id, "DROP", table), t.refusal(id, "DROP TABLE " + q));
        assertEquals(
            denied(id, "INSERT", table), t.refusal(id, "INSERT INTO " + q + " () VALUES ()"));
      }
    }
    // app_user and migration cannot even read it; the auditor can
    assertEquals(
        denied("app_user", "SELECT", "audit_events"),
        t.refusal("app_user", "SELECT * FROM strongroom_audit.audit_events"));
    assertEquals(
        denied("migration", "SELECT", "audit_chain"),
        t.refusal("migration", "SELECT * FROM strongroom_audit.audit_chain"));
    assertTrue(
        Long.parseLong(
                t.ok("auditor", "SELECT COUNT(*) FROM strongroom_audit.audit_chain").scalar())
            >= 3);
    // root (the installer): the guard triggers signal
    assertEquals(
        IMMUTABLE,
        t.rootRefusal(
            "UPDATE strongroom_audit.audit_events SET tenant_id = 'x' WHERE event_id = 1"));
    assertEquals(
        IMMUTABLE, t.rootRefusal("DELETE FROM strongroom_audit.audit_events WHERE event_id = 1"));
    assertEquals(
        IMMUTABLE,
        t.rootRefusal(
            "UPDATE strongroom_audit.audit_chain SET curr_hash = REPEAT('0', 64) WHERE seq = 1"));
    assertEquals(
        IMMUTABLE, t.rootRefusal("DELETE FROM strongroom_audit.audit_chain WHERE seq = 1"));
    assertEquals(IMMUTABLE, t.rootRefusal("DELETE FROM strongroom_audit.audit_chain"));
    assertEquals(
        before,
        root(
            "SELECT COUNT(*), SUM(CRC32(CONCAT_WS('|', event_id, tenant_id, after_image))) FROM strongroom_audit.audit_events"));
    assertEquals(
        chainBefore,
        root("SELECT COUNT(*), SUM(CRC32(curr_hash)) FROM strongroom_audit.audit_chain"));
  }

  @Test
  @Order(2)
  void grants_onTheAuditSchema_areExactly_auditorSelectAndSeal_anchorWriterTailAndWriters() {
    Set<String> auditor = grantsBeyondUsage("auditor");
    assertEquals(
        Set.of(
            "GRANT EXECUTE ON PROCEDURE `strongroom`.`security_set_tenant` TO `auditor`@`127.0.0.1`",
            "GRANT SELECT ON `strongroom_audit`.`audit_events` TO `auditor`@`127.0.0.1`",
            "GRANT SELECT ON `strongroom_audit`.`audit_chain` TO `auditor`@`127.0.0.1`",
            "GRANT SELECT ON `strongroom_audit`.`audit_anchors` TO `auditor`@`127.0.0.1`",
            "GRANT SELECT ON `strongroom_audit`.`audit_schema_baseline` TO `auditor`@`127.0.0.1`",
            "GRANT SELECT ON `strongroom_audit`.`audit_row_baseline` TO `auditor`@`127.0.0.1`",
            "GRANT SELECT ON `strongroom_audit`.`audit_schema_state` TO `auditor`@`127.0.0.1`",
            "GRANT SELECT ON `strongroom_audit`.`audit_schema_drift` TO `auditor`@`127.0.0.1`",
            "GRANT SELECT ON `strongroom_audit`.`audit_row_counts` TO `auditor`@`127.0.0.1`",
            "GRANT SELECT ON `strongroom_audit`.`audit_row_reconciliation` TO `auditor`@`127.0.0.1`",
            "GRANT EXECUTE ON PROCEDURE `strongroom_audit`.`audit_seal` TO `auditor`@`127.0.0.1`",
            "GRANT EXECUTE ON FUNCTION `strongroom_audit`.`audit_payload` TO `auditor`@`127.0.0.1`",
            "GRANT SELECT ON `strongroom_audit`.`audit_sink_deliveries` TO `auditor`@`127.0.0.1`",
            "GRANT SELECT ON `strongroom_audit`.`audit_evidence` TO `auditor`@`127.0.0.1`",
            "GRANT EXECUTE ON PROCEDURE `strongroom_audit`.`audit_evidence_append` TO `auditor`@`127.0.0.1`"),
        auditor,
        "table by table: nothing on audit_seal_lock or audit_anchor_lease, whose row it could lock,"
            + " and none of the anchor service's writer procedures");
    assertEquals(
        Set.of(
            "GRANT SELECT ON `strongroom_audit`.`audit_chain` TO `anchor_writer`@`127.0.0.1`",
            "GRANT SELECT ON `strongroom_audit`.`audit_events` TO `anchor_writer`@`127.0.0.1`",
            "GRANT SELECT ON `strongroom_audit`.`audit_anchors` TO `anchor_writer`@`127.0.0.1`",
            "GRANT SELECT ON `strongroom_audit`.`audit_sink_deliveries` TO `anchor_writer`@`127.0.0.1`",
            "GRANT SELECT ON `strongroom_audit`.`audit_schema_drift` TO `anchor_writer`@`127.0.0.1`",
            "GRANT SELECT ON `strongroom_audit`.`audit_row_reconciliation` TO `anchor_writer`@`127.0.0.1`",
            "GRANT EXECUTE ON PROCEDURE `strongroom_audit`.`audit_lease_acquire` TO `anchor_writer`@`127.0.0.1`",
            "GRANT EXECUTE ON PROCEDURE `strongroom_audit`.`audit_anchor_append` TO `anchor_writer`@`127.0.0.1`",
            "GRANT EXECUTE ON PROCEDURE `strongroom_audit`.`audit_sink_delivered` TO `anchor_writer`@`127.0.0.1`"),
        grantsBeyondUsage("anchor_writer"),
        "what the service tails and the three writer procedures, nothing else anywhere");
    for (String id : List.of("app_user", "migration")) {
      assertFalse(
          t.db
              .sql("SHOW GRANTS FOR '" + id + "'@'127.0.0.1'")
              .stdout()
              .contains("strongroom_audit"),
          id);
    }
    // nobody but root holds DROP (TRUNCATE), UPDATE or DELETE anywhere on the audit schema
    assertEquals(
        "0",
        root(
            "SELECT COUNT(*) FROM information_schema.SCHEMA_PRIVILEGES WHERE TABLE_SCHEMA = 'strongroom_audit'"
                + " AND PRIVILEGE_TYPE IN ('DROP', 'UPDATE', 'DELETE', 'ALTER', 'CREATE')"));
    assertEquals(
        "'audit_definer'@'localhost' audit_anchor_lease UPDATE",
        root(
            "SELECT CONCAT(GRANTEE, ' ', TABLE_NAME, ' ', PRIVILEGE_TYPE) FROM information_schema.TABLE_PRIVILEGES"
                + " WHERE TABLE_SCHEMA = 'strongroom_audit' AND PRIVILEGE_TYPE <> 'SELECT'"),
        "the one table privilege besides SELECT: the lease row the lease procedure renews");
    assertEquals(
        "0",
        root(
            "SELECT COUNT(*) FROM information_schema.USER_PRIVILEGES WHERE GRANTEE NOT LIKE '%root%'"
                + " AND GRANTEE NOT LIKE '%mariadb.sys%' AND PRIVILEGE_TYPE IN ('DROP', 'UPDATE', 'DELETE', 'SUPER', 'TRIGGER')"));
    assertEquals(
        "1",
        root(
            "SELECT JSON_VALUE(Priv, '$.account_locked') FROM mysql.global_priv"
                + " WHERE User = 'audit_definer' AND Host = 'localhost'"));
  }

  private Set<String> grantsBeyondUsage(String identity) {
    Set<String> out = new TreeSet<>();
    for (List<String> r : t.db.sql("SHOW GRANTS FOR '" + identity + "'@'127.0.0.1'").rows()) {
      if (!r.get(0).startsWith("GRANT USAGE ON *.*")) {
        out.add(r.get(0));
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ events from the procedures

  @Test
  @Order(3)
  void procedureWrites_becomeEvents_withTenantOperationRequestId_andAreSealed() {
    String tenant = "tenant-ü \"q\" \\ /x\u00e9\uD83D\uDE00";
    String token = t.tokens.issue(tenant, "svc-ev", Duration.ofMinutes(30), CNF);
    long mark =
        Long.parseLong(root("SELECT IFNULL(MAX(event_id), 0) FROM strongroom_audit.audit_events"));
    String rec = recordId();
    assertEquals(
        "STORED",
        t.ok("app_user", bind(token) + create("req-ev-1", rec, "dek-ev")).rows().get(1).get(0));
    // a retry writes nothing; a second record reuses tenant and key (the no-op upsert of tenants is
    // no event)
    assertEquals(
        "DUPLICATE",
        t.ok("app_user", bind(token) + create("req-ev-1", recordId(), "dek-ev"))
            .rows()
            .get(1)
            .get(0));
    String rec2 = recordId();
    assertEquals(
        "STORED",
        t.ok("app_user", bind(token) + create("req-ev-2", rec2, "dek-ev")).rows().get(1).get(0));
    // migration (bound to no tenant) edits and deletes a row directly: UPDATE and DELETE events
    // that name the
    // tenant whose row changed, and migration as the actor
    t.ok(
        "migration",
        "UPDATE strongroom.users SET request_id = 'req-ev-2b' WHERE record_id = '" + rec2 + "'");
    t.ok("migration", "DELETE FROM strongroom.users WHERE record_id = '" + rec2 + "'");

    List<List<String>> ev =
        t.ok(
                "auditor",
                "SELECT event_id, operation, table_name, HEX(IFNULL(tenant_id, 'NULL')),"
                    + " IFNULL(request_id, 'NULL'), db_user, current_usr, primary_key FROM strongroom_audit.audit_events"
                    + " WHERE event_id > "
                    + mark
                    + " ORDER BY event_id")
            .rows();
    String tHex = HexFormat.of().withUpperCase().formatHex(tenant.getBytes(StandardCharsets.UTF_8));
    assertEquals(6, ev.size(), ev.toString());
    assertEquals(List.of("INSERT", "tenants", tHex, "NULL"), ev.get(0).subList(1, 5));
    assertEquals(List.of("INSERT", "data_keys", tHex, "NULL"), ev.get(1).subList(1, 5));
    assertEquals(List.of("INSERT", "users", tHex, "req-ev-1"), ev.get(2).subList(1, 5));
    assertEquals(List.of("INSERT", "users", tHex, "req-ev-2"), ev.get(3).subList(1, 5));
    assertEquals(List.of("UPDATE", "users", tHex, "req-ev-2b"), ev.get(4).subList(1, 5));
    assertEquals(List.of("DELETE", "users", tHex, "req-ev-2b"), ev.get(5).subList(1, 5));
    assertEquals("{\"record_id\":\"" + rec + "\"}", ev.get(2).get(7));
    for (int i = 0; i < 4; i++) {
      assertEquals("app_user@127.0.0.1", ev.get(i).get(5));
    }
    assertEquals("migration@127.0.0.1", ev.get(4).get(5));
    assertEquals("migration@127.0.0.1", ev.get(5).get(5));
    System.out.println("[AuditChainIT] CURRENT_USER() inside the trigger: " + ev.get(0).get(6));
    assertEquals("audit_definer@localhost", ev.get(0).get(6));
    // images: before/after of the UPDATE differ only in request_id; binary columns as lowercase hex
    List<String> img =
        t.ok(
                "auditor",
                "SELECT HEX(before_image), HEX(after_image) FROM strongroom_audit.audit_events"
                    + " WHERE event_id = "
                    + ev.get(4).get(0))
            .rows()
            .get(0);
    String b = new String(HexFormat.of().parseHex(img.get(0)), StandardCharsets.UTF_8);
    String a = new String(HexFormat.of().parseHex(img.get(1)), StandardCharsets.UTF_8);
    assertEquals(b.replace("\"request_id\":\"req-ev-2\"", "\"request_id\":\"req-ev-2b\""), a);
    assertTrue(a.contains("\"email_ct\":\"bb02\",\"email_iv\":\"0c0d0e0f1011121314151617\""), a);
    assertTrue(a.contains("\"phone_ct\":null,"), a);
    assertEquals(AuditJsonNotRfc8785.canonical(a), a);

    // the auditor seals them; one chain row each
    assertEquals(6, seal());
    assertEquals(
        "6",
        t.ok(
                "auditor",
                "SELECT COUNT(*) FROM strongroom_audit.audit_chain WHERE event_id > " + mark)
            .scalar());
    // Java's payload is byte for byte the SQL's, and so every hash (verifier)
    for (List<String> e : ev) {
      long id = Long.parseLong(e.get(0));
      String sqlPayload =
          new String(
              HexFormat.of()
                  .parseHex(
                      t.ok("auditor", "SELECT HEX(strongroom_audit.audit_payload(" + id + "))")
                          .scalar()),
              StandardCharsets.UTF_8);
      assertEquals(sqlPayload, javaEvent(id).payload());
    }
    CliAuditChainVerifier.Result r = t.verifier().verify();
    assertTrue(r.ok(), r.toString());
    assertEquals(0, r.unsealed());
    assertEquals(
        root("SELECT curr_hash FROM strongroom_audit.audit_chain ORDER BY seq DESC LIMIT 1"),
        r.headHash());
  }

  private AuditEvent javaEvent(long id) {
    List<String> r =
        t.ok(
                "auditor",
                "SELECT HEX(event_time), HEX(db_user), HEX(current_usr), HEX(tenant_id),"
                    + " HEX(operation), HEX(table_name), HEX(primary_key), HEX(before_image), HEX(after_image), HEX(request_id)"
                    + " FROM strongroom_audit.audit_events WHERE event_id = "
                    + id)
            .rows()
            .get(0);
    List<String> v = new ArrayList<>();
    for (String h : r) {
      v.add(
          "NULL".equals(h) ? null : new String(HexFormat.of().parseHex(h), StandardCharsets.UTF_8));
    }
    return new AuditEvent(
        id, v.get(0), v.get(1), v.get(2), v.get(3), v.get(4), v.get(5), v.get(6), v.get(7),
        v.get(8), v.get(9));
  }

  @Test
  @Order(4)
  void lateCommit_lowerIdThanOneSealed_isSealedExactlyOnce() throws Exception {
    // A takes an event id, then stays open; B commits a higher id; the sealer seals B; A commits; A
    // is sealed next
    Thread a =
        new Thread(
            () ->
                t.script(
                    "migration",
                    "START TRANSACTION;\n"
                        + "INSERT INTO strongroom.tenants (tenant_id, created_at) VALUES ('late-a', UTC_TIMESTAMP(6));\n"
                        + "DO SLEEP(3);\nCOMMIT;\n",
                    Duration.ofSeconds(30)));
    a.start();
    Thread.sleep(1200);
    t.ok(
        "migration",
        "INSERT INTO strongroom.tenants (tenant_id, created_at) VALUES ('late-b', UTC_TIMESTAMP(6))");
    seal();
    a.join();
    String idA =
        root(
            "SELECT event_id FROM strongroom_audit.audit_events WHERE primary_key = '{\"tenant_id\":\"late-a\"}'");
    String idB =
        root(
            "SELECT event_id FROM strongroom_audit.audit_events WHERE primary_key = '{\"tenant_id\":\"late-b\"}'");
    assertTrue(Long.parseLong(idA) < Long.parseLong(idB), idA + " < " + idB);
    assertEquals(
        "0", root("SELECT COUNT(*) FROM strongroom_audit.audit_chain WHERE event_id = " + idA));
    assertEquals(1, seal());
    long seqA =
        Long.parseLong(
            root("SELECT seq FROM strongroom_audit.audit_chain WHERE event_id = " + idA));
    long seqB =
        Long.parseLong(
            root("SELECT seq FROM strongroom_audit.audit_chain WHERE event_id = " + idB));
    assertEquals(seqB + 1, seqA);
    assertTrue(t.verifier().verify().ok());
  }

  // ------------------------------------------------------------------ concurrency

  @Test
  @Order(5)
  void eightConcurrentWriters_withTwoConcurrentSealers_chainVerifiesFromGenesis() throws Exception {
    int writers = 8;
    int perWriter = 2000;
    long usersBefore = Long.parseLong(root("SELECT COUNT(*) FROM strongroom.users"));
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int w = 0; w < writers; w++) {
      String token = t.tokens.issue("tenant-w" + w, "svc-w" + w, Duration.ofMinutes(30), CNF);
      // even writers: autocommit, bound once. Odd writers: as a pool that wraps each checkout in a
      // transaction,
      // START TRANSACTION, bind, four creates, COMMIT. Binds then run inside other writers' open
      // transactions;
      // under REPEATABLE READ this deadlocked (1213) on tenant_bindings; the server runs READ
      // COMMITTED and the
      // triggers no longer read the binding (docs/audit-chain.md, "MariaDB notes").
      StringBuilder sql = new StringBuilder(bind(token));
      for (int i = 0; i < perWriter; i++) {
        boolean tx = w % 2 == 1;
        if (tx && i % 4 == 0) {
          sql.append("START TRANSACTION;\n").append(bind(token));
        }
        sql.append(create("req-w" + w + "-" + i, recordId(), "dek-w" + w));
        if (tx && (i % 4 == 3 || i == perWriter - 1)) {
          sql.append("COMMIT;\n");
        }
      }
      String script = sql.toString();
      Thread th = new Thread(() -> t.script("app_user", script, Duration.ofMinutes(5)));
      th.setUncaughtExceptionHandler((x, e) -> failures.add(e));
      threads.add(th);
    }
    // each writer's first create runs alone (it creates the writer's tenants and data_keys rows)
    for (int w = 0; w < writers; w++) {
      String token = t.tokens.issue("tenant-w" + w, "svc-w" + w, Duration.ofMinutes(30), CNF);
      t.ok("app_user", bind(token) + create("req-w" + w + "-first", recordId(), "dek-w" + w));
    }
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicLong sealRuns = new AtomicLong();
    List<Thread> sealers = new ArrayList<>();
    for (int s = 0; s < Integer.getInteger("sr.sealers", 2); s++) {
      Thread th =
          new Thread(
              () -> {
                while (writing.get()) {
                  t.ok("auditor", "CALL strongroom_audit.audit_seal(2000)");
                  sealRuns.incrementAndGet();
                  try {
                    Thread.sleep(200);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      th.setUncaughtExceptionHandler((x, e) -> failures.add(e));
      sealers.add(th);
    }
    t.db.sql("SET GLOBAL innodb_print_all_deadlocks = ON");
    long t0 = System.nanoTime();
    threads.forEach(Thread::start);
    sealers.forEach(Thread::start);
    for (Thread th : threads) {
      th.join();
    }
    long writeMs = ms(t0);
    writing.set(false);
    for (Thread th : sealers) {
      th.join();
    }
    long t1 = System.nanoTime();
    seal();
    long finalSealMs = ms(t1);
    if (!failures.isEmpty()) {
      String st =
          java.nio.file.Files.readString(t.db.layout().errorLog(), StandardCharsets.ISO_8859_1);
      int i = st.indexOf("DEADLOCK");
      System.out.println(
          i < 0
              ? "no deadlock in the error log"
              : st.substring(i, Math.min(st.length(), i + 8000)));
    }
    assertEquals(List.of(), failures);
    assertEquals(
        usersBefore + (long) writers * (perWriter + 1),
        Long.parseLong(root("SELECT COUNT(*) FROM strongroom.users")));
    List<String> c =
        t.db
            .sql(
                "SELECT (SELECT COUNT(*) FROM strongroom_audit.audit_events),"
                    + " COUNT(*), MIN(seq), MAX(seq), COUNT(DISTINCT event_id) FROM strongroom_audit.audit_chain")
            .rows()
            .get(0);
    assertEquals(c.get(0), c.get(1), "one chain row per event: " + c);
    assertEquals("1", c.get(2));
    assertEquals(c.get(1), c.get(3), "gapless seq: " + c);
    assertEquals(c.get(1), c.get(4));
    String outOfOrder =
        root(
            "SELECT COUNT(*) FROM strongroom_audit.audit_chain x JOIN strongroom_audit.audit_chain p"
                + " ON p.seq = x.seq - 1 WHERE x.event_id < p.event_id");
    long t2 = System.nanoTime();
    CliAuditChainVerifier.Result r = t.verifier().verify();
    long verifyMs = ms(t2);
    System.out.println(
        "[AuditChainIT] "
            + writers
            + " writers x "
            + perWriter
            + " creates in "
            + writeMs
            + " ms ("
            + ((long) writers * perWriter * 1000L / Math.max(1, writeMs))
            + " creates/s) with "
            + sealRuns.get()
            + " concurrent seal calls; final seal "
            + finalSealMs
            + " ms; "
            + c.get(1)
            + " chain rows, "
            + outOfOrder
            + " sealed below an already-sealed id (late commits); Java verify "
            + verifyMs
            + " ms: "
            + r);
    assertTrue(r.ok(), r.toString());
    assertEquals(Long.parseLong(c.get(1)), r.verified());
  }

  // ------------------------------------------------------------------ the rewrap and decrypt
  // procedures

  /**
   * Events after {@code mark}: operation, table, tenant (or NULL), request_id (or NULL), db_user,
   * primary key.
   */
  private List<List<String>> eventsAfter(long mark) {
    return t.ok(
            "auditor",
            "SELECT event_id, operation, table_name, IFNULL(tenant_id, 'NULL'), IFNULL(request_id, 'NULL'),"
                + " db_user, primary_key FROM strongroom_audit.audit_events WHERE event_id > "
                + mark
                + " ORDER BY event_id")
        .rows();
  }

  private long maxEventId() {
    return Long.parseLong(
        root("SELECT IFNULL(MAX(event_id), 0) FROM strongroom_audit.audit_events"));
  }

  /**
   * Seals, then checks Java's payload of {@code eventId} against audit_payload() and verifies the
   * chain from genesis.
   */
  private void sealAndVerify(String eventId) {
    assertEquals(1, seal());
    String sqlPayload =
        new String(
            HexFormat.of()
                .parseHex(
                    t.ok("auditor", "SELECT HEX(strongroom_audit.audit_payload(" + eventId + "))")
                        .scalar()),
            StandardCharsets.UTF_8);
    assertEquals(sqlPayload, javaEvent(Long.parseLong(eventId)).payload());
    CliAuditChainVerifier.Result r = t.verifier().verify();
    assertTrue(r.ok(), r.toString());
    assertEquals(0, r.unsealed());
  }

  @Test
  @Order(6)
  void rewrap_isOneUpdateEvent_withBeforeAndAfter_aRepeatAndRefusalsAreNone() {
    String tokenB = t.tokens.issue("tenant-b", "svc-b", Duration.ofMinutes(30), CNF);
    t.ok("app_user", bind(tokenA) + create("req-a-rw", recordId(), "dek-a-rw"));
    t.ok("app_user", bind(tokenB) + create("req-b-rw", recordId(), "dek-b-rw"));
    seal();
    String keyB =
        root(
            "SELECT CONCAT_WS('|', tenant_id, HEX(wrapped_dek), kms_key_version) FROM strongroom.data_keys WHERE dek_id = 'dek-b-rw'");
    long mark = maxEventId();

    assertEquals(
        "REWRAPPED",
        t.ok("app_user", bind(tokenA) + rewrap("dek-a-rw", "1", "0A0B", "2")).rows().get(1).get(0));
    // a repeat, a stale rotator, another tenant's key, no binding: no event
    assertEquals(
        "UNCHANGED",
        t.ok("app_user", bind(tokenA) + rewrap("dek-a-rw", "1", "0A0B", "2")).rows().get(1).get(0));
    assertEquals(
        new ServerError(1644, "45000", "SR-CONFLICT: kms_key_version is not the expected one"),
        t.refusal("app_user", bind(tokenA) + rewrap("dek-a-rw", "1", "0C0D", "3")));
    assertEquals(
        new ServerError(1644, "45000", "SR-CROSS-TENANT: data key belongs to another tenant"),
        t.refusal("app_user", bind(tokenA) + rewrap("dek-b-rw", "1", "0C0D", "2")));
    assertEquals(
        new ServerError(1644, "45000", "SR-NO-TENANT: no tenant bound to this session"),
        t.refusal("app_user", rewrap("dek-b-rw", "1", "0C0D", "2")));
    assertEquals(
        keyB,
        root(
            "SELECT CONCAT_WS('|', tenant_id, HEX(wrapped_dek), kms_key_version) FROM strongroom.data_keys WHERE dek_id = 'dek-b-rw'"));

    List<List<String>> ev = eventsAfter(mark);
    assertEquals(1, ev.size(), ev.toString());
    assertEquals(
        List.of(
            "UPDATE",
            "data_keys",
            "tenant-a",
            "NULL",
            "app_user@127.0.0.1",
            "{\"dek_id\":\"dek-a-rw\"}"),
        ev.get(0).subList(1, 7));
    List<String> img =
        t.ok(
                "auditor",
                "SELECT HEX(before_image), HEX(after_image) FROM strongroom_audit.audit_events"
                    + " WHERE event_id = "
                    + ev.get(0).get(0))
            .rows()
            .get(0);
    String b = new String(HexFormat.of().parseHex(img.get(0)), StandardCharsets.UTF_8);
    String a = new String(HexFormat.of().parseHex(img.get(1)), StandardCharsets.UTF_8);
    assertTrue(
        b.contains(
            "\"kms_key_version\":\"1\",\"pq_alg\":null,\"pq_wrapped_dek\":null,\"tenant_id\":\"tenant-a\","
                + "\"wrapped_dek\":\"01020304\"}"),
        b);
    // only the wrapping changed: same dek_id, tenant and created_at
    assertEquals(
        b.replace("\"kms_key_version\":\"1\"", "\"kms_key_version\":\"2\"")
            .replace("\"wrapped_dek\":\"01020304\"", "\"wrapped_dek\":\"0a0b\""),
        a);
    assertEquals(AuditJsonNotRfc8785.canonical(b), b);
    assertEquals(AuditJsonNotRfc8785.canonical(a), a);
    sealAndVerify(ev.get(0).get(0));
  }

  @Test
  @Order(7)
  void recordDecrypt_isOneInsertEvent_withTheReader_refusedDecryptsAreNone() {
    String tokenB = t.tokens.issue("tenant-b", "svc-b", Duration.ofMinutes(30), CNF);
    // the reader is the principal the tenant authority vouched for: the token's sub
    String reporting = t.tokens.issue("tenant-a", "svc:reporting", Duration.ofMinutes(30), CNF);
    String recA = recordId();
    String recB = recordId();
    t.ok("app_user", bind(tokenA) + create("req-a-dec", recA, "dek-a"));
    t.ok("app_user", bind(tokenB) + create("req-b-dec", recB, "dek-b-dec"));
    seal();
    long mark = maxEventId();

    // A decrypts B's record, no binding, a bad reader, a reader the token does not name: refused,
    // nothing
    // recorded, no event
    assertEquals(
        new ServerError(1644, "45000", "SR-CROSS-TENANT: record belongs to another tenant"),
        t.refusal("app_user", bind(reporting) + decrypt(recB, "svc:reporting")));
    assertEquals(
        new ServerError(
            1644, "45000", "SR-TOKEN-SUBJECT: reader is not the subject of the bound token"),
        t.refusal("app_user", bind(tokenA) + decrypt(recA, "svc:reporting")));
    assertEquals(
        new ServerError(1644, "45000", "SR-NO-TENANT: no tenant bound to this session"),
        t.refusal("app_user", decrypt(recA, "svc:reporting")));
    assertEquals(
        new ServerError(
            1644, "45000", "SR-INVALID-ARGUMENT: reader must match [A-Za-z0-9._:@/-]{1,255}"),
        t.refusal("app_user", bind(reporting) + decrypt(recA, "svc reporting")));
    assertEquals(List.of(), eventsAfter(mark));
    assertEquals(
        "0",
        root(
            "SELECT COUNT(*) FROM strongroom.record_decrypts WHERE record_id IN ('"
                + recA
                + "', '"
                + recB
                + "')"));

    // A decrypts its own record: the ciphertext comes back, and exactly one INSERT event names the
    // reader
    List<String> row =
        t.ok("app_user", bind(reporting) + decrypt(recA, "svc:reporting")).rows().get(1);
    String decryptId = row.get(0);
    assertEquals(List.of(recA, "tenant-a", "dek-a", "0x01020304"), row.subList(1, 5));
    assertEquals(List.of("0xAA01", "0x000102030405060708090A0B"), row.subList(9, 11));
    List<List<String>> ev = eventsAfter(mark);
    assertEquals(1, ev.size(), ev.toString());
    assertEquals(
        List.of(
            "INSERT",
            "record_decrypts",
            "tenant-a",
            "NULL",
            "app_user@127.0.0.1",
            "{\"decrypt_id\":\"" + decryptId + "\"}"),
        ev.get(0).subList(1, 7));
    String decryptedAt =
        root(
            "SELECT DATE_FORMAT(decrypted_at, '%Y-%m-%d %H:%i:%s.%f') FROM strongroom.record_decrypts"
                + " WHERE decrypt_id = "
                + decryptId);
    List<String> img =
        t.ok(
                "auditor",
                "SELECT IFNULL(before_image, 'NULL'), HEX(after_image) FROM strongroom_audit.audit_events"
                    + " WHERE event_id = "
                    + ev.get(0).get(0))
            .rows()
            .get(0);
    assertEquals("NULL", img.get(0));
    assertEquals(
        "{\"decrypt_id\":\""
            + decryptId
            + "\",\"decrypted_at\":\""
            + decryptedAt
            + "\",\"reader\":\"svc:reporting\","
            + "\"record_id\":\""
            + recA
            + "\",\"tenant_id\":\"tenant-a\"}",
        new String(HexFormat.of().parseHex(img.get(1)), StandardCharsets.UTF_8));
    sealAndVerify(ev.get(0).get(0));
  }

  @Test
  @Order(8)
  void sealing_cannotBeBlocked_byAnApplicationIdentityHoldingALockName() throws Exception {
    // user-level lock names are global and need no privilege: the sealer's former lock name, held
    // by migration
    // and app_user, must not stop sealing; nor can they touch the row sealers lock
    Thread squat =
        new Thread(
            () ->
                t.run(
                    "migration",
                    "SELECT GET_LOCK('strongroom_audit.audit_seal', 0); DO SLEEP(6);"));
    Thread squat2 =
        new Thread(
            () ->
                t.run(
                    "app_user", "SELECT GET_LOCK('strongroom_audit.audit_seal', 0); DO SLEEP(6);"));
    squat.start();
    squat2.start();
    Thread.sleep(1500);
    t.ok(
        "migration",
        "INSERT INTO strongroom.tenants (tenant_id, created_at) VALUES ('seal-squat', UTC_TIMESTAMP(6))");
    assertEquals(1, seal());
    for (String id : List.of("app_user", "migration")) {
      assertEquals(
          denied(id, "SELECT", "audit_seal_lock"),
          t.refusal(id, "SELECT id FROM strongroom_audit.audit_seal_lock FOR UPDATE"));
    }
    squat.join();
    squat2.join();
    assertTrue(t.verifier().verify().ok());
  }

  // ------------------------------------------------------------------ invariant 6: tampering is
  // found

  @Test
  @Order(9)
  void dbaWhoDropsTheGuards_andEditsRemovesOrInserts_isFoundWithTheSeq() {
    CliAuditChainVerifier v = t.verifier();
    assertTrue(v.verify().ok());
    long k =
        Long.parseLong(
            root("SELECT seq FROM strongroom_audit.audit_chain ORDER BY seq LIMIT 1 OFFSET 1"));
    assertEquals(2, k);
    String ev = root("SELECT event_id FROM strongroom_audit.audit_chain WHERE seq = " + k);
    String oldTenant =
        root("SELECT tenant_id FROM strongroom_audit.audit_events WHERE event_id = " + ev);
    assertEquals("tenant-a", oldTenant);

    // edit: drop the guard, change one event's tenant
    root("DROP TRIGGER strongroom_audit.audit_events_no_update");
    root(
        "UPDATE strongroom_audit.audit_events SET tenant_id = 'tenant-evil' WHERE event_id = "
            + ev);
    CliAuditChainVerifier.Result r = v.verify();
    assertEquals(k, r.firstBadSeq(), r.toString());
    assertTrue(r.reason().startsWith("curr_hash does not match event " + ev), r.reason());
    // an image made non-canonical (a space) is found too
    root(
        "UPDATE strongroom_audit.audit_events SET tenant_id = '"
            + oldTenant
            + "',"
            + " primary_key = REPLACE(primary_key, ':', ': ') WHERE event_id = "
            + ev);
    r = v.verify();
    assertEquals(k, r.firstBadSeq(), r.toString());
    assertTrue(r.reason().contains("non-canonical"), r.reason());
    root(
        "UPDATE strongroom_audit.audit_events SET primary_key = REPLACE(primary_key, ': ', ':') WHERE event_id = "
            + ev);
    assertTrue(v.verify().ok());

    // remove an event (the FK has to be switched off too)
    root("DROP TRIGGER strongroom_audit.audit_events_no_delete");
    root(
        "CREATE TABLE strongroom_audit.bak_e AS SELECT * FROM strongroom_audit.audit_events WHERE event_id = "
            + ev);
    root(
        "SET foreign_key_checks = 0; DELETE FROM strongroom_audit.audit_events WHERE event_id = "
            + ev);
    r = v.verify();
    assertEquals(k, r.firstBadSeq(), r.toString());
    assertTrue(r.reason().contains("missing from audit_events"), r.reason());
    root(
        "INSERT INTO strongroom_audit.audit_events SELECT * FROM strongroom_audit.bak_e; DROP TABLE strongroom_audit.bak_e");
    assertTrue(v.verify().ok());

    // remove a chain row: a gap at k
    root("DROP TRIGGER strongroom_audit.audit_chain_no_delete");
    root(
        "CREATE TABLE strongroom_audit.bak_c AS SELECT * FROM strongroom_audit.audit_chain WHERE seq = "
            + k);
    root("DELETE FROM strongroom_audit.audit_chain WHERE seq = " + k);
    r = v.verify();
    assertEquals(k, r.firstBadSeq(), r.toString());
    assertTrue(r.reason().startsWith("seq " + k + " is missing"), r.reason());
    root(
        "INSERT INTO strongroom_audit.audit_chain SELECT * FROM strongroom_audit.bak_c; DROP TABLE strongroom_audit.bak_c");
    assertTrue(v.verify().ok());

    // insert a forged event into the middle of the chain, correctly hashed against its predecessor,
    // seqs shifted
    root("DROP TRIGGER strongroom_audit.audit_chain_no_update");
    root(
        "INSERT INTO strongroom_audit.audit_events (event_time, db_user, current_usr, tenant_id, operation, table_name,"
            + " primary_key, before_image, after_image, request_id) VALUES (UTC_TIMESTAMP(6), 'root@localhost',"
            + " 'root@localhost', NULL, 'INSERT', 'tenants', '{\"tenant_id\":\"forged\"}', NULL, '{\"tenant_id\":\"forged\"}', NULL)");
    String forged = root("SELECT MAX(event_id) FROM strongroom_audit.audit_events");
    root(
        "UPDATE strongroom_audit.audit_chain SET seq = seq + 1 WHERE seq >= "
            + k
            + " ORDER BY seq DESC");
    root(
        "INSERT INTO strongroom_audit.audit_chain (seq, event_id, prev_hash, curr_hash) SELECT "
            + k
            + ", "
            + forged
            + ", p.curr_hash, SHA2(CONCAT(CONVERT(p.curr_hash USING utf8mb4), '|', strongroom_audit.audit_payload("
            + forged
            + ")), 256)"
            + " FROM strongroom_audit.audit_chain p WHERE p.seq = "
            + (k - 1));
    r = v.verify();
    assertEquals(k + 1, r.firstBadSeq(), r.toString());
    assertTrue(r.reason().startsWith("prev_hash does not equal curr_hash of seq " + k), r.reason());
    // undo it; the forged event stays behind unsealed (it cannot be deleted once the guards are
    // back)
    root("DELETE FROM strongroom_audit.audit_chain WHERE seq = " + k);
    root(
        "UPDATE strongroom_audit.audit_chain SET seq = seq - 1 WHERE seq > " + k + " ORDER BY seq");
    r = v.verify();
    assertTrue(r.ok(), r.toString());
    assertEquals(1, r.unsealed());

    // a re-install brings the guards back
    AuditInstaller.install(t.db, t.tokenKey, AuditInstaller.Options.manualSealing());
    assertEquals(
        IMMUTABLE,
        t.rootRefusal(
            "UPDATE strongroom_audit.audit_events SET tenant_id = 'x' WHERE event_id = " + ev));
    assertEquals(
        IMMUTABLE, t.rootRefusal("DELETE FROM strongroom_audit.audit_chain WHERE seq = " + k));
    assertNull(t.verifier().verify().firstBadSeq());
  }

  // ------------------------------------------------------------------ the scheduler option

  @Test
  @Order(10)
  void schedulerOption_sealsWithoutTheAuditPlane_andIsRemovedAgain() throws Exception {
    AuditInstaller.install(t.db, t.tokenKey, new AuditInstaller.Options(Duration.ofSeconds(1)));
    try {
      assertEquals("ON", root("SELECT @@GLOBAL.event_scheduler"));
      assertEquals(
          "audit_definer@localhost",
          root(
              "SELECT DEFINER FROM information_schema.EVENTS"
                  + " WHERE EVENT_SCHEMA = 'strongroom_audit' AND EVENT_NAME = 'audit_sealer'"));
      t.ok("app_user", bind(tokenA) + create("req-a-sched", recordId(), "dek-a"));
      String unsealed =
          "SELECT COUNT(*) FROM strongroom_audit.audit_events e WHERE NOT EXISTS"
              + " (SELECT 1 FROM strongroom_audit.audit_chain c WHERE c.event_id = e.event_id)"
              + " AND e.primary_key NOT LIKE '%forged%'";
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!"0".equals(root(unsealed)) && System.nanoTime() < deadline) {
        Thread.sleep(250);
      }
      assertEquals("0", root(unsealed));
      assertTrue(t.verifier().verify().ok());
    } finally {
      AuditInstaller.install(t.db, t.tokenKey, AuditInstaller.Options.manualSealing());
    }
    assertEquals(
        "0",
        root(
            "SELECT COUNT(*) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = 'strongroom_audit'"));
  }

  // ------------------------------------------------------------------ a sink's cursor moves only
  // by the checkpoint it took

  @Test
  @Order(11)
  void anchorWriterWithTheRealHolderAndEpoch_cannotJumpASinksCursor() {
    List<String> lease =
        t.ok(WRITER, "CALL strongroom_audit.audit_lease_acquire('svc-anchor', 60000)")
            .rows()
            .get(0);
    assertEquals("1", lease.get(0));
    long epoch = Long.parseLong(lease.get(2));
    for (int no = 1; no <= 3; no++) {
      t.ok(
          WRITER,
          "CALL strongroom_audit.audit_anchor_append('svc-anchor', "
              + epoch
              + ", "
              + no
              + ", 1, '"
              + "a".repeat(64)
              + "', 'note', 'cp/"
              + no
              + "', UTC_TIMESTAMP(6))");
    }
    // what any auditor connection can read: the holder and epoch are no secret
    List<String> seen =
        t.ok(
                "auditor",
                "SELECT holder, epoch FROM strongroom_audit.audit_anchors"
                    + " ORDER BY anchor_no DESC LIMIT 1")
            .rows()
            .get(0);
    assertEquals(List.of("svc-anchor", Long.toString(epoch)), seen);
    String sink = "syslog:tcp://siem.example:6514";
    ServerError jump =
        new ServerError(
            1644,
            "45000",
            "SR-AUDIT-BAD-ANCHOR: a sent needs the start of that sink and must be the anchor after"
                + " its cursor");
    assertEquals(
        jump, t.refusal(WRITER, delivered(seen, sink, 3, "sent")), "a sent without a start");
    assertEquals("0", cursor(sink), "nothing recorded");
    // the service: a start before the first anchor, then each checkpoint the sink took
    assertEquals(List.of("1", "0"), t.ok(WRITER, delivered(seen, sink, 0, "start")).rows().get(0));
    assertEquals(List.of("1", "1"), t.ok(WRITER, delivered(seen, sink, 1, "sent")).rows().get(0));
    // the attack: past cursor + 1, over checkpoint 2 the sink never took
    assertEquals(jump, t.refusal(WRITER, delivered(seen, sink, 3, "sent")), "the jump");
    assertEquals("1", cursor(sink));
    assertEquals(
        List.of("0", "1"),
        t.ok(WRITER, delivered(seen, sink, 1, "sent")).rows().get(0),
        "a retried call is a no-op");
    assertEquals(List.of("1", "2"), t.ok(WRITER, delivered(seen, sink, 2, "sent")).rows().get(0));
  }

  // ------------------------------------------------------------------ the auditor certificate
  // cannot write the anchor state (issue 12): lease, anchors and cursors belong to anchor_writer

  @Test
  @Order(12)
  void auditor_cannotCallTheWriterProcedures_andLeaseAnchorsAndCursorsStayAsTheyWere() {
    // what an auditor connection can learn: the holder and epoch of the newest anchor
    List<String> seen =
        t.ok(
                "auditor",
                "SELECT holder, epoch, anchor_no FROM strongroom_audit.audit_anchors"
                    + " ORDER BY anchor_no DESC LIMIT 1")
            .rows()
            .get(0);
    String sink = "syslog:tcp://siem.example:6514";
    String fresh = "syslog:udp://other.example:514";
    String state = anchorState();
    long next = Long.parseLong(seen.get(2)) + 1;
    Map<String, String> attempts = new LinkedHashMap<>();
    attempts.put(
        "audit_lease_acquire", "CALL strongroom_audit.audit_lease_acquire('svc-thief', 600000)");
    attempts.put(
        "audit_anchor_append",
        "CALL strongroom_audit.audit_anchor_append('"
            + seen.get(0)
            + "', "
            + seen.get(1)
            + ", "
            + next
            + ", 1, '"
            + "b".repeat(64)
            + "', 'note', 'cp/stolen', UTC_TIMESTAMP(6))");
    // the cursor one step forward (what 8179195 still allowed) and a start for an unseen sink
    attempts.put("audit_sink_delivered", delivered(seen, sink, 3, "sent"));
    for (Map.Entry<String, String> a : attempts.entrySet()) {
      assertEquals(
          new ServerError(
              1370,
              "42000",
              "execute command denied to user 'auditor'@'127.0.0.1' for routine"
                  + " 'strongroom_audit."
                  + a.getKey()
                  + "'"),
          t.refusal("auditor", a.getValue()),
          a.getKey());
    }
    assertEquals(
        new ServerError(
            1370,
            "42000",
            "execute command denied to user 'auditor'@'127.0.0.1' for routine"
                + " 'strongroom_audit.audit_sink_delivered'"),
        t.refusal("auditor", delivered(seen, fresh, 0, "start")),
        "a start for a sink the service has not seen");
    assertEquals(state, anchorState(), "lease, anchors and every cursor unchanged");
    assertEquals("2", cursor(sink));
    assertEquals("0", cursor(fresh));
  }

  @Test
  @Order(13)
  void anchorWriter_readsWhatTheServiceTails_andEveryDirectWriteOrDdlIsRefused() {
    for (String view :
        List.of(
            "audit_chain",
            "audit_events",
            "audit_anchors",
            "audit_sink_deliveries",
            "audit_schema_drift",
            "audit_row_reconciliation")) {
      t.ok(WRITER, "SELECT COUNT(*) FROM strongroom_audit." + view);
    }
    String state = anchorState();
    String me = "'anchor_writer'@'127.0.0.1'";
    Map<String, ServerError> refused = new LinkedHashMap<>();
    refused.put(
        "INSERT INTO strongroom_audit.audit_anchors SELECT * FROM strongroom_audit.audit_anchors"
            + " LIMIT 0",
        denied(1142, "INSERT", me, "`strongroom_audit`.`audit_anchors`"));
    refused.put(
        "INSERT INTO strongroom_audit.audit_sink_deliveries (sink, anchor_no, kind, epoch, holder,"
            + " delivered_at) VALUES ('x', 99, 'sent', 1, 'x', UTC_TIMESTAMP(6))",
        denied(1142, "INSERT", me, "`strongroom_audit`.`audit_sink_deliveries`"));
    refused.put(
        "UPDATE strongroom_audit.audit_anchors SET tree_size = 0",
        denied(1142, "UPDATE", me, "`strongroom_audit`.`audit_anchors`"));
    refused.put(
        "DELETE FROM strongroom_audit.audit_chain",
        denied(1142, "DELETE", me, "`strongroom_audit`.`audit_chain`"));
    refused.put(
        "UPDATE strongroom_audit.audit_anchor_lease SET holder = 'x'",
        denied(1142, "UPDATE", me, "`strongroom_audit`.`audit_anchor_lease`"));
    refused.put(
        "TRUNCATE TABLE strongroom_audit.audit_sink_deliveries",
        denied(1142, "DROP", me, "`strongroom_audit`.`audit_sink_deliveries`"));
    refused.put(
        "DROP TABLE strongroom_audit.audit_anchors",
        denied(1142, "DROP", me, "`strongroom_audit`.`audit_anchors`"));
    refused.put(
        "ALTER TABLE strongroom_audit.audit_anchors ADD COLUMN x INT NULL",
        denied(1142, "ALTER", me, "`strongroom_audit`.`audit_anchors`"));
    refused.put(
        "CREATE TABLE strongroom_audit.sr_x (id INT)",
        denied(1142, "CREATE", me, "`strongroom_audit`.`sr_x`"));
    refused.put(
        "CREATE PROCEDURE strongroom_audit.sr_p() SELECT 1",
        new ServerError(
            1044, "42000", "Access denied for user " + me + " to database 'strongroom_audit'"));
    refused.put(
        "SELECT COUNT(*) FROM strongroom.users",
        denied(1142, "SELECT", me, "`strongroom`.`users`"));
    refused.put(
        "SELECT COUNT(*) FROM strongroom_audit.audit_evidence",
        denied(1142, "SELECT", me, "`strongroom_audit`.`audit_evidence`"));
    refused.put(
        "CALL strongroom_audit.audit_seal(1)",
        denied(1370, "execute", me, "'strongroom_audit.audit_seal'"));
    refused.put(
        "CALL strongroom_audit.audit_evidence_append('"
            + "c".repeat(64)
            + "', 'r', 't', 'c', 'x', 0, UTC_TIMESTAMP(6))",
        denied(1370, "execute", me, "'strongroom_audit.audit_evidence_append'"));
    refused.put(
        "CALL strongroom.security_set_tenant('x')",
        denied(1370, "execute", me, "'strongroom.security_set_tenant'"));
    for (Map.Entry<String, ServerError> r : refused.entrySet()) {
      assertEquals(r.getValue(), t.refusal(WRITER, r.getKey()), r.getKey());
    }
    assertEquals(state, anchorState(), "nothing written");
  }

  private static ServerError denied(int code, String what, String account, String object) {
    return new ServerError(
        code,
        "42000",
        what
            + " command denied to user "
            + account
            + (code == 1370 ? " for routine " : " for table ")
            + object);
  }

  /** The lease row, every anchor and every delivery, as root sees them. */
  private String anchorState() {
    return root(
            "SELECT CONCAT_WS('|', holder, epoch, expires_at) FROM strongroom_audit.audit_anchor_lease")
        + " / "
        + root(
            "SELECT CONCAT_WS('|', COUNT(*), IFNULL(MAX(anchor_no), 0),"
                + " IFNULL(SUM(CRC32(CONCAT_WS('|', anchor_no, epoch, holder, tree_size, root_hash,"
                + " worm_object))), 0)) FROM strongroom_audit.audit_anchors")
        + " / "
        + root(
            "SELECT CONCAT_WS('|', COUNT(*), IFNULL(SUM(CRC32(CONCAT_WS('|', sink, anchor_no, kind,"
                + " epoch, holder))), 0)) FROM strongroom_audit.audit_sink_deliveries");
  }

  private static String delivered(List<String> holderEpoch, String sink, long no, String kind) {
    return "CALL strongroom_audit.audit_sink_delivered('"
        + holderEpoch.get(0)
        + "', "
        + holderEpoch.get(1)
        + ", '"
        + sink
        + "', "
        + no
        + ", '"
        + kind
        + "')";
  }

  private String cursor(String sink) {
    return root(
        "SELECT IFNULL(MAX(anchor_no), 0) FROM strongroom_audit.audit_sink_deliveries"
            + " WHERE sink = '"
            + sink
            + "'");
  }
}
