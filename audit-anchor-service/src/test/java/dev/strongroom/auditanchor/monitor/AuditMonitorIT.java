package dev.strongroom.auditanchor.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.audit.tail.AuditorJdbc;
import dev.strongroom.audit.tail.ChainTail;
import dev.strongroom.audit.tail.TailStateFile;
import dev.strongroom.auditanchor.lease.AnchorLease;
import dev.strongroom.contracts.alert.AlertKind;
import dev.strongroom.contracts.alert.SecurityAlert;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.provisioner.db.MariaDbInstance;
import dev.strongroom.provisioner.db.TestInstances;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.schema.AuditInstaller;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The audit watch against a private hardened MariaDB 10.11, as {@code anchor_writer}, the service's
 * own identity, over TLS 1.3: two instances started together → exactly one is the writer; the
 * writer stops (as after {@code kill -9}: no release) → the other takes over within two lease
 * periods and the old one's epoch is fenced; then, as an attacker would: a dropped trigger, the
 * rename bypass, a TRUNCATE and a root edit re-chained with the product's own sealer each raise
 * their alert at the next tick.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditMonitorIT {
  private static final Duration TTL = Duration.ofMillis(1500);
  private static Path base;
  private static PkiDirectory pki;
  private static MariaDbInstance db;
  private static AuditorJdbc jdbc;
  private static final List<SecurityAlert> alertsA =
      Collections.synchronizedList(new ArrayList<>());
  private static final List<SecurityAlert> alertsB =
      Collections.synchronizedList(new ArrayList<>());
  private static AuditMonitor a;
  private static AuditMonitor b;

  @BeforeAll
  static void start() throws Exception {
    base = TestInstances.tempBase("sr-watch-");
    pki = TestInstances.pki(base);
    db = TestInstances.startWithAccounts(TestInstances.settings(base, pki), pki);
    AuditInstaller.install(db, TenantTokens.generateKey(), AuditInstaller.Options.manualSealing());
    var cred = pki.client("anchor_writer");
    jdbc =
        new AuditorJdbc(
            new AuditorJdbc.Config(
                "127.0.0.1",
                db.port(),
                "anchor_writer",
                pki.caCertPem(),
                cred.certPem(),
                cred.keyPem()));
    a = monitor("watch-a", alertsA);
    b = monitor("watch-b", alertsB);
    writeAndSeal("t1", 3);
  }

  private static AuditMonitor monitor(String name, List<SecurityAlert> sink) {
    return new AuditMonitor(
        jdbc,
        new ChainTail(new TailStateFile(base.resolve(name).resolve("tail-state")), 1000),
        new AnchorLease(name, TTL),
        sink::add);
  }

  private static void writeAndSeal(String prefix, int tenants) {
    StringBuilder sql = new StringBuilder();
    for (int i = 0; i < tenants; i++) {
      sql.append("INSERT INTO strongroom.tenants VALUES ('")
          .append(prefix)
          .append('-')
          .append(i)
          .append("', UTC_TIMESTAMP(6));");
    }
    db.sql(sql + " CALL strongroom_audit.audit_seal(10000)");
  }

  @AfterAll
  static void stop() {
    for (AuditMonitor m : new AuditMonitor[] {a, b}) {
      if (m != null) {
        m.close();
      }
    }
    if (jdbc != null) {
      jdbc.close();
    }
    if (db != null) {
      db.stop();
    }
    if (base != null) {
      TestInstances.deleteTree(base);
    }
  }

  private record WriterTick(Instant at, String holder, long epoch) {}

  @Test
  @Order(1)
  void
      twoInstancesStartedTogether_exactlyOneIsTheWriter_thenTheOtherTakesOverWithinTwoLeasePeriods()
          throws Exception {
    List<WriterTick> ticks = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean stopA = new AtomicBoolean();
    AtomicBoolean stopB = new AtomicBoolean();
    CountDownLatch go = new CountDownLatch(1);
    Thread ta = ticker(a, "watch-a", go, stopA, ticks);
    Thread tb = ticker(b, "watch-b", go, stopB, ticks);
    go.countDown();
    Thread.sleep(3 * TTL.toMillis());
    List<WriterTick> together = new ArrayList<>(ticks);
    assertFalse(together.isEmpty());
    assertEquals(
        1,
        together.stream().map(t -> t.holder() + " " + t.epoch()).distinct().count(),
        "one writer with one epoch while both run: " + together);
    WriterTick first = together.get(0);
    boolean aFirst = first.holder().equals("watch-a");
    // the writer stops dead, as after kill -9 (no release): the other takes over
    (aFirst ? stopA : stopB).set(true);
    (aFirst ? ta : tb).join();
    Instant stopped = Instant.now();
    Thread.sleep(3 * TTL.toMillis());
    stopA.set(true);
    stopB.set(true);
    ta.join();
    tb.join();
    String other = aFirst ? "watch-b" : "watch-a";
    WriterTick takeover =
        ticks.stream().filter(t -> t.holder().equals(other)).findFirst().orElseThrow();
    assertEquals(first.epoch() + 1, takeover.epoch(), "the next epoch");
    assertTrue(
        Duration.between(stopped, takeover.at()).compareTo(TTL.multipliedBy(2)) <= 0,
        "taken over within two lease periods: " + Duration.between(stopped, takeover.at()));
    assertTrue(
        ticks.stream()
            .filter(t -> t.at().isAfter(takeover.at()))
            .allMatch(t -> t.holder().equals(other)),
        "never two writers");
    // the old writer wakes up: its epoch is dead, it cannot record an anchor
    AnchorLease old = new AnchorLease(first.holder(), TTL);
    try (Connection c = jdbc.connect()) {
      SQLException e =
          assertThrows(
              SQLException.class,
              () ->
                  old.append(
                      c, first.epoch(), 1, 1, "a".repeat(64), "note", "cp/1", Instant.now()));
      assertEquals(
          "SR-AUDIT-NOT-LEASEHOLDER: the anchor lease is not held with this epoch", e.getMessage());
    }
    // each writer verified the chain (3 tenant INSERT events) from its own state
    for (String h : List.of("watch-a", "watch-b")) {
      assertTrue(Files.readString(base.resolve(h).resolve("tail-state")).startsWith("3 "), h);
    }
  }

  private static Thread ticker(
      AuditMonitor m, String name, CountDownLatch go, AtomicBoolean stop, List<WriterTick> ticks) {
    Thread t =
        new Thread(
            () -> {
              try {
                go.await();
                while (!stop.get()) {
                  AuditMonitor.Tick tick = m.tick();
                  if (tick.writer()) {
                    ticks.add(new WriterTick(Instant.now(), name, tick.grant().epoch()));
                  }
                  Thread.sleep(TTL.toMillis() / 5);
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            name);
    t.start();
    return t;
  }

  private static List<SecurityAlert> tick(AuditMonitor m) throws SQLException {
    AuditMonitor.Tick t = m.tick();
    assertTrue(t.writer(), "the watch holds the lease");
    return t.raised();
  }

  private static void reinstall() {
    db.sqlScript(AuditInstaller.script(AuditInstaller.Options.manualSealing()));
  }

  @Test
  @Order(2)
  void aDroppedTrigger_theRenameBypass_aTruncate_andARootRechain_eachRaiseTheirAlertAtTheNextTick()
      throws Exception {
    Thread.sleep(TTL.toMillis() + 200); // whoever held the lease last: it lapses
    AuditMonitor m = b;
    assertEquals(List.of(), tick(m), "a clean database raises nothing");

    db.sql("DROP TRIGGER strongroom.users_audit_delete");
    List<SecurityAlert> raised = tick(m);
    assertEquals(1, raised.size(), raised.toString());
    assertEquals(AlertKind.SCHEMA_DRIFT, raised.get(0).kind());
    assertEquals(
        "the audited schema differs from what the installer left: [missing trigger"
            + " strongroom.users_audit_delete]",
        raised.get(0).detail());
    assertEquals(List.of(), tick(m), "raised once while it lasts");
    reinstall();
    assertEquals(List.of(), tick(m));

    db.sql(
        "RENAME TABLE strongroom.users TO strongroom.users_old;"
            + " CREATE TABLE strongroom.users LIKE strongroom.users_old");
    raised = tick(m);
    assertEquals(1, raised.size(), raised.toString());
    assertEquals(
        "the audited schema differs from what the installer left: [missing trigger"
            + " strongroom.users_audit_delete, missing trigger strongroom.users_audit_insert,"
            + " missing trigger strongroom.users_audit_update]",
        raised.get(0).detail());
    db.sql("DROP TABLE strongroom.users; RENAME TABLE strongroom.users_old TO strongroom.users");
    assertEquals(List.of(), tick(m));

    db.sql("SET foreign_key_checks = 0; TRUNCATE TABLE strongroom.tenants");
    raised = tick(m);
    assertEquals(1, raised.size(), raised.toString());
    assertEquals(AlertKind.SCHEMA_DRIFT, raised.get(0).kind());
    assertEquals(
        "rows changed without audit events (a TRUNCATE?): [tenants holds 0 rows, its events"
            + " account for 3]",
        raised.get(0).detail());
    assertEquals("row-count", raised.get(0).related().get("check"));
    reinstall(); // re-baselines the row counts

    assertEquals(List.of(), tick(m));
    String head =
        db.sql("SELECT curr_hash FROM strongroom_audit.audit_chain WHERE seq = 3").scalar();
    db.sqlScript(
        "DROP TRIGGER strongroom_audit.audit_events_no_update;"
            + " DROP TRIGGER strongroom_audit.audit_chain_no_delete;"
            + " UPDATE strongroom_audit.audit_events e JOIN strongroom_audit.audit_chain c"
            + " ON c.event_id = e.event_id SET e.tenant_id = 'someone-else' WHERE c.seq = 2;"
            + " DELETE FROM strongroom_audit.audit_chain WHERE seq >= 2;"
            + " CALL strongroom_audit.audit_seal(100000);");
    String rewritten =
        db.sql("SELECT curr_hash FROM strongroom_audit.audit_chain WHERE seq = 3").scalar();
    raised = tick(m);
    List<AlertKind> kinds = raised.stream().map(SecurityAlert::kind).toList();
    assertTrue(kinds.contains(AlertKind.CHAIN_BREAK), raised.toString());
    SecurityAlert brk =
        raised.stream().filter(x -> x.kind() == AlertKind.CHAIN_BREAK).findFirst().orElseThrow();
    assertEquals(
        "the audit chain diverges at seq 3: curr_hash of seq 3 changed since it was verified ("
            + head
            + " -> "
            + rewritten
            + "): the chain was rewritten",
        brk.detail());
    assertEquals(3L, brk.related().get("seq"));
    reinstall();
  }
}
