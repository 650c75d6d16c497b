package dev.strongroom.provisioner.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.audit.tail.AuditorJdbc;
import dev.strongroom.audit.tail.ChainTail;
import dev.strongroom.audit.tail.SchemaWatch;
import dev.strongroom.audit.tail.TailState;
import dev.strongroom.audit.tail.TailStateFile;
import dev.strongroom.provisioner.schema.AuditInstaller;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The JDBC tail ({@code dev.strongroom.audit.tail}) against a private MariaDB 10.11: Connector/J as
 * {@code auditor} over TLS 1.3 with its certificate, incremental verification that survives a
 * restart, a DBA's edit re-chained to the head by the product's own sealer caught at the next poll,
 * and the drift and row-count views read through JDBC.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChainTailIT {
  private static final String CNF = AuditTestInstance.CNF;

  private static AuditTestInstance t;
  private static AuditorJdbc jdbc;
  private static Path stateFile;

  @BeforeAll
  static void start() throws IOException {
    t = new AuditTestInstance("sr-tail-");
    jdbc = new AuditorJdbc(config("auditor", "auditor"));
    stateFile = t.base.resolve("tail/state");
  }

  private static AuditorJdbc.Config config(String user, String certOf) {
    var cred = t.pki.client(certOf);
    return new AuditorJdbc.Config(
        "127.0.0.1", t.db.port(), user, t.pki.caCertPem(), cred.certPem(), cred.keyPem());
  }

  @AfterAll
  static void stop() {
    if (jdbc != null) {
      jdbc.close();
    }
    if (t != null) {
      t.close();
    }
  }

  private static void writeAndSeal(String tenant, int creates) {
    String token = t.tokens.issue(tenant, "svc-tail", Duration.ofMinutes(30), CNF);
    StringBuilder sql = new StringBuilder(AuditTestInstance.bind(token));
    for (int i = 0; i < creates; i++) {
      String id = AuditTestInstance.recordId();
      sql.append(AuditTestInstance.create("rq-" + id, id, "dek-" + tenant));
    }
    t.script("app_user", sql.toString(), Duration.ofMinutes(2));
    t.ok("auditor", "CALL strongroom_audit.audit_seal(100000)");
  }

  private static String scalar(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      assertTrue(rs.next());
      return rs.getString(rs.getMetaData().getColumnCount());
    }
  }

  @Test
  @Order(1)
  void connectorJ_connectsAsTheAuditor_overTls13_andAnotherCertificateIsRefused() throws Exception {
    try (Connection c = jdbc.connect()) {
      assertEquals("TLSv1.3", scalar(c, "SHOW SESSION STATUS LIKE 'Ssl_version'"));
      assertEquals("auditor@127.0.0.1", scalar(c, "SELECT CURRENT_USER()"));
    }
    try (AuditorJdbc wrong = new AuditorJdbc(config("auditor", "app_user"))) {
      SQLException e = assertThrows(SQLException.class, wrong::connect);
      assertEquals(1045, e.getErrorCode(), e.getMessage());
    }
  }

  @Test
  @Order(2)
  void theTail_verifiesIncrementally_andResumesAfterARestart_withoutGapOrRepeat() throws Exception {
    writeAndSeal("tail-a", 5); // tenants + data_keys + 5 users = 7 events
    ChainTail tail = new ChainTail(new TailStateFile(stateFile), 3);
    try (Connection c = jdbc.connect()) {
      ChainTail.Poll p = tail.poll(c, Long.MAX_VALUE);
      assertNull(p.divergence());
      assertEquals(7, p.verified().size());
      assertEquals(1, p.verified().get(0).seq());
      assertEquals(7, p.after().verifiedSeq());
      assertEquals(
          t.db.sql("SELECT curr_hash FROM strongroom_audit.audit_chain WHERE seq = 7").scalar(),
          p.after().headHash());
    }
    // a restart: a new tail on the same state file
    ChainTail restarted = new ChainTail(new TailStateFile(stateFile), 1000);
    assertEquals(new TailState(7, restarted.state().headHash()), restarted.state());
    writeAndSeal("tail-b", 2); // 2 + 2 events
    try (Connection c = jdbc.connect()) {
      ChainTail.Poll p = restarted.poll(c, Long.MAX_VALUE);
      assertNull(p.divergence());
      assertEquals(
          List.of(8L, 9L, 10L, 11L),
          p.verified().stream().map(r -> r.seq()).toList(),
          "no gap, no repeat");
      ChainTail.Poll quiet = restarted.poll(c, Long.MAX_VALUE);
      assertTrue(quiet.ok());
      assertEquals(List.of(), quiet.verified());
      assertEquals(p.after(), quiet.after());
    }
    assertEquals("11 " + restarted.state().headHash() + "\n", Files.readString(stateFile));
  }

  @Test
  @Order(3)
  void aDbaEdit_reChainedToTheHeadByTheProductsOwnSealer_isCaughtAtTheNextPoll() throws Exception {
    ChainTail tail = new ChainTail(new TailStateFile(stateFile), 1000);
    TailState before = tail.state();
    String oldHead = before.headHash();
    // as root: drop the guards, edit seq 4's event, remove the chain from seq 4 and let audit_seal
    // re-chain it: the chain verifies clean from genesis afterwards
    t.db.sqlScript(
        "DROP TRIGGER strongroom_audit.audit_events_no_update;"
            + " DROP TRIGGER strongroom_audit.audit_chain_no_delete;"
            + " UPDATE strongroom_audit.audit_events e JOIN strongroom_audit.audit_chain c"
            + " ON c.event_id = e.event_id SET e.db_user = 'nobody@localhost' WHERE c.seq = 4;"
            + " DELETE FROM strongroom_audit.audit_chain WHERE seq >= 4;"
            + " CALL strongroom_audit.audit_seal(100000);");
    String newHead =
        t.db.sql("SELECT curr_hash FROM strongroom_audit.audit_chain WHERE seq = 11").scalar();
    assertTrue(!newHead.equals(oldHead));
    assertTrue(
        new ChainTail(new TailStateFile(t.base.resolve("fresh")), 1000)
            .poll(jdbc.connect(), Long.MAX_VALUE)
            .ok(),
        "from genesis the rewritten chain verifies clean: only the earlier head catches it");
    try (Connection c = jdbc.connect()) {
      ChainTail.Poll p = tail.poll(c, Long.MAX_VALUE);
      assertEquals(11L, p.divergence().firstBadSeq());
      assertEquals(
          "curr_hash of seq 11 changed since it was verified ("
              + oldHead
              + " -> "
              + newHead
              + "): the chain was rewritten",
          p.divergence().reason());
      assertEquals(before, p.after(), "the state does not move past a divergence");
    }
    t.db.sqlScript(AuditInstaller.script(AuditInstaller.Options.manualSealing()));
  }

  @Test
  @Order(4)
  void driftAndRowCounts_readThroughJdbc_nameADroppedTriggerAndATruncate() throws Exception {
    try (Connection c = jdbc.connect()) {
      assertEquals(List.of(), SchemaWatch.drift(c));
      assertEquals(List.of(), SchemaWatch.rowMismatches(c));
      t.db.sql("DROP TRIGGER strongroom.users_audit_update");
      t.db.sql("SET foreign_key_checks = 0; TRUNCATE TABLE strongroom.users");
      assertEquals(
          List.of(
              new SchemaWatch.Drift(
                  "missing",
                  "trigger",
                  "strongroom.users_audit_update",
                  SchemaWatch.drift(c).get(0).detail())),
          SchemaWatch.drift(c));
      assertEquals(
          List.of(new SchemaWatch.RowMismatch("users", 0, 7)), SchemaWatch.rowMismatches(c));
    }
  }
}
