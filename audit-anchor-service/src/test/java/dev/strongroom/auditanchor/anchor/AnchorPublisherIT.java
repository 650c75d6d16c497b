package dev.strongroom.auditanchor.anchor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.audit.checkpoint.Checkpoint;
import dev.strongroom.audit.note.Ed25519NoteSigner;
import dev.strongroom.audit.tail.AuditorJdbc;
import dev.strongroom.audit.tiles.TileLogReader;
import dev.strongroom.audit.tree.Proofs;
import dev.strongroom.audit.worm.LocalDirWormStore;
import dev.strongroom.audit.worm.PutOutcome;
import dev.strongroom.audit.worm.WormStore;
import dev.strongroom.audit.worm.WormStoreException;
import dev.strongroom.auditanchor.lease.AnchorLease;
import dev.strongroom.contracts.alert.AlertKind;
import dev.strongroom.contracts.alert.SecurityAlert;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.provisioner.db.MariaDbInstance;
import dev.strongroom.provisioner.db.TestInstances;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.schema.AuditInstaller;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The publisher against a private hardened MariaDB 10.11 (as {@code anchor_writer}, TLS 1.3) and a
 * real create-only directory: a checkpoint every tick, quiet or not, with tiles that re-hash to its
 * root; a restart continues with no gap and no duplicate; the store down for three intervals →
 * three ANCHOR_GAP alerts, then every missed checkpoint written in order; a lapsed epoch records
 * nothing; and, as an attacker would, a root re-chain, a truncated chain and a forked tile each
 * stop the log with ANCHOR_MISMATCH naming what differs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AnchorPublisherIT {
  private static final Duration TTL = Duration.ofSeconds(30);
  private static final String ORIGIN = "strongroom.local/publisher-it";
  private static Path base;
  private static PkiDirectory pki;
  private static MariaDbInstance db;
  private static AuditorJdbc jdbc;
  private static Ed25519NoteSigner key;
  private static LocalDirWormStore worm;
  private static final AtomicLong millis = new AtomicLong(1_796_378_400_000L); // 2026-12-04T09:20Z
  private static final Clock clock =
      new Clock() {
        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return Instant.ofEpochMilli(millis.addAndGet(1000));
        }
      };
  private static final List<SecurityAlert> alerts = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void start() throws Exception {
    base = TestInstances.tempBase("sr-publish-");
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
    key = Ed25519NoteSigner.generate(ORIGIN, new SecureRandom());
    worm = LocalDirWormStore.open(base.resolve("worm"));
  }

  @AfterAll
  static void stop() {
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

  private static void writeAndSeal(String prefix, int tenants) {
    StringBuilder sql = new StringBuilder();
    for (int i = 0; i < tenants; i++) {
      sql.append("INSERT INTO strongroom.tenants VALUES ('")
          .append(prefix)
          .append('-')
          .append(i)
          .append("', UTC_TIMESTAMP(6));");
    }
    db.sql(sql + " CALL strongroom_audit.audit_seal(100000)");
  }

  private static AnchorPublisher publisher(String holder, WormStore store) {
    return new AnchorPublisher(key, store, new AnchorLease(holder, TTL), clock, alerts::add);
  }

  /** One tick as {@code holder}: take the lease, publish. */
  private static AnchorPublisher.Outcome tick(AnchorPublisher p, String holder)
      throws SQLException {
    try (Connection c = jdbc.connect()) {
      AnchorLease.Grant g = new AnchorLease(holder, TTL).acquire(c);
      assertTrue(g.acquired(), holder + " holds the lease: " + g);
      return p.tick(c, g.epoch());
    }
  }

  private static List<String> checkpoints() {
    return worm.list(AnchorPublisher.checkpointPrefix(ORIGIN));
  }

  private static Checkpoint open(String object) {
    return Checkpoint.open(worm.get(object), key.verifier(), List.of()).checkpoint();
  }

  @Test
  @Order(1)
  void everyTick_aSignedCheckpoint_quietOrNot_withTilesThatRehashToItsRoot() throws Exception {
    AnchorPublisher p = publisher("pub-a", worm);
    AnchorPublisher.Outcome first = tick(p, "pub-a");
    assertEquals(0, first.recorded().size(), "an empty log is anchored too");
    writeAndSeal("a", 300); // crosses a full tile and bundle (256)
    AnchorPublisher.Outcome second = tick(p, "pub-a");
    assertEquals(300, second.recorded().size());
    assertEquals(
        List.of(second.recorded().object()),
        second.written().stream().map(a -> a.object()).toList());
    AnchorPublisher.Outcome quiet = tick(p, "pub-a");
    assertEquals(300, quiet.recorded().size(), "a quiet interval still leaves an object");
    assertEquals(List.of(), alerts);

    List<String> names = checkpoints();
    assertEquals(3, names.size(), names.toString());
    assertTrue(
        names
            .get(1)
            .matches(
                "checkpoints/strongroom\\.local_publisher-it/\\d{8}T\\d{6}\\.\\d{3}Z-300\\.note"),
        names.get(1));
    Checkpoint cp = open(names.get(2));
    assertEquals(ORIGIN, cp.origin());
    assertEquals(300, cp.size());
    assertEquals(List.of(), cp.extensions());
    // the tiles and bundles re-hash into the checkpoint's root, and each entry is the chain's hash
    List<byte[]> entries = new TileLogReader(worm, 300).verify(cp.root());
    String curr300 =
        db.sql("SELECT curr_hash FROM strongroom_audit.audit_chain WHERE seq = 300").scalar();
    assertEquals(curr300, java.util.HexFormat.of().formatHex(entries.get(299)));
    assertTrue(worm.exists("tile/0/000"));
    assertTrue(worm.exists("tile/0/001.p/44"));
    assertTrue(worm.exists("tile/entries/001.p/44"));
    assertTrue(worm.exists("tile/1/000.p/1"));
    // what the database recorded is what the store holds
    try (Connection c = jdbc.connect();
        var rs =
            c.createStatement()
                .executeQuery(
                    "SELECT checkpoint, worm_object FROM strongroom_audit.audit_anchors"
                        + " WHERE anchor_no = 3")) {
      assertTrue(rs.next());
      assertEquals(new String(worm.get(names.get(2)), StandardCharsets.UTF_8), rs.getString(1));
      assertEquals(names.get(2), rs.getString(2));
    }
  }

  @Test
  @Order(2)
  void aRestart_continuesWithNoGapAndNoDuplicate() throws Exception {
    writeAndSeal("b", 5);
    AnchorPublisher restarted = publisher("pub-a", worm);
    AnchorPublisher.Outcome o = tick(restarted, "pub-a");
    assertEquals(4, o.recorded().anchorNo(), "the next anchor number");
    assertEquals(305, o.recorded().size());
    Checkpoint before = open(checkpoints().get(2));
    Checkpoint now = open(o.recorded().object());
    Proofs.verifyConsistency(
        300,
        305,
        Proofs.consistencyProof(new TileLogReader(worm, 305), 300, 305),
        before.root(),
        now.root());
    assertEquals(4, checkpoints().size());
    assertEquals(List.of(), alerts);
  }

  @Test
  @Order(3)
  void aLapsedEpoch_recordsNothing() throws Exception {
    AnchorPublisher stale = publisher("pub-a", worm);
    try (Connection c = jdbc.connect()) {
      long epoch = new AnchorLease("pub-a", TTL).acquire(c).epoch();
      SQLException e = assertThrows(SQLException.class, () -> stale.tick(c, epoch - 1));
      assertEquals(
          "SR-AUDIT-NOT-LEASEHOLDER: the anchor lease is not held with this epoch", e.getMessage());
    }
    assertEquals(4, checkpoints().size());
  }

  @Test
  @Order(4)
  void theStoreDownForThreeIntervals_threeAnchorGaps_thenEveryMissedCheckpointWrittenInOrder()
      throws Exception {
    AtomicBoolean down = new AtomicBoolean();
    WormStore flaky = new Unplugged(worm, down);
    AnchorPublisher p = publisher("pub-a", flaky);
    tick(p, "pub-a");
    down.set(true);
    List<String> missed = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      writeAndSeal("c" + i, 2);
      AnchorPublisher.Outcome o = tick(p, "pub-a");
      missed.add(o.recorded().object());
      assertEquals(List.of(), o.written());
      assertEquals(i + 1, o.pending());
    }
    List<SecurityAlert> gaps =
        alerts.stream().filter(a -> a.kind() == AlertKind.ANCHOR_GAP).toList();
    assertEquals(3, gaps.size(), alerts.toString());
    assertEquals(
        "checkpoint "
            + missed.get(0)
            + " could not be written to "
            + worm.location()
            + " (retried every interval, never skipped): the store is unplugged",
        gaps.get(0).detail());
    down.set(false);
    AnchorPublisher.Outcome back = tick(p, "pub-a");
    List<String> written = back.written().stream().map(AnchorPublisher.Anchor::object).toList();
    assertEquals(4, written.size());
    assertEquals(missed, written.subList(0, 3), "every missed checkpoint, in order");
    for (String m : missed) {
      assertTrue(worm.exists(m), m);
    }
    assertEquals(311, open(written.get(3)).size());
    // the partial tiles of every missed size were written too (tlog-tiles clients need them)
    assertEquals(309, open(missed.get(1)).size());
    new TileLogReader(worm, 309).verify(open(missed.get(1)).root());
    alerts.clear();
  }

  @Test
  @Order(5)
  void aForkedTileInTheStore_isAMismatch_andOnceRemovedTheRecordedCheckpointIsWrittenAsRecorded()
      throws Exception {
    AnchorPublisher live = publisher("pub-a", worm);
    tick(live, "pub-a");
    assertEquals(311, live.size());
    writeAndSeal("f", 2);
    // someone else's partial tile for size 313 is already in the store: a forked log
    String planted = "tile/0/001.p/57";
    assertEquals(PutOutcome.CREATED, worm.put(planted, new byte[57 * 32]));
    AnchorPublisher.Outcome o = tick(live, "pub-a");
    assertEquals(313, o.recorded().size());
    assertEquals(List.of(), o.written());
    assertEquals(1, o.raised().size(), o.raised().toString());
    assertEquals(AlertKind.ANCHOR_MISMATCH, o.raised().get(0).kind());
    assertEquals(
        "the WORM store already holds other bytes under "
            + planted
            + ": the published log differs from this one",
        o.raised().get(0).detail());
    assertEquals(planted, o.raised().get(0).related().get("object"));
    assertNotNull(live.halted());
    assertNull(tick(live, "pub-a").recorded(), "halted: nothing more is anchored");
    assertFalse(worm.exists(o.recorded().object()));

    // the operator removes the forged object (outside the product); a restarted publisher writes
    // the checkpoint recorded in the database byte for byte, then goes on
    Files.delete(worm.root().resolve(planted));
    alerts.clear();
    AnchorPublisher restarted = publisher("pub-a", worm);
    AnchorPublisher.Outcome r = tick(restarted, "pub-a");
    assertEquals(
        List.of(o.recorded().object(), r.recorded().object()),
        r.written().stream().map(AnchorPublisher.Anchor::object).toList());
    assertEquals(
        new String(o.recorded().note(), StandardCharsets.UTF_8),
        new String(worm.get(o.recorded().object()), StandardCharsets.UTF_8));
    new TileLogReader(worm, 313).verify(open(o.recorded().object()).root());
    assertEquals(List.of(), alerts);
  }

  @Test
  @Order(6)
  void aRootRechain_isNotPublished_andARestartNamesTheAnchorItBreaks() throws Exception {
    AnchorPublisher live = publisher("pub-a", worm);
    tick(live, "pub-a");
    long anchored = live.size();
    db.sqlScript(
        "DROP TRIGGER strongroom_audit.audit_events_no_update;"
            + " DROP TRIGGER strongroom_audit.audit_chain_no_delete;"
            + " UPDATE strongroom_audit.audit_events e JOIN strongroom_audit.audit_chain c"
            + " ON c.event_id = e.event_id SET e.tenant_id = 'someone-else' WHERE c.seq = 2;"
            + " DELETE FROM strongroom_audit.audit_chain WHERE seq >= 2;"
            + " CALL strongroom_audit.audit_seal(100000);");
    writeAndSeal("d", 2);
    // the running publisher never enters the re-chained rows: it keeps checkpointing its log
    AnchorPublisher.Outcome o = tick(live, "pub-a");
    assertEquals(anchored, o.recorded().size());
    // a restarted one rebuilds from the database and finds it does not reproduce the anchors
    AnchorPublisher restarted = publisher("pub-a", worm);
    AnchorPublisher.Outcome r = tick(restarted, "pub-a");
    assertNull(r.recorded(), "nothing anchored from a rewritten chain");
    assertEquals(1, r.raised().size(), r.raised().toString());
    SecurityAlert a = r.raised().get(0);
    assertEquals(AlertKind.ANCHOR_MISMATCH, a.kind());
    assertEquals(
        "the database's chain does not reproduce anchor #"
            + o.recorded().anchorNo()
            + " (size "
            + anchored
            + "): it was rewritten after it was anchored",
        a.detail());
    assertNotNull(restarted.halted());
    assertNull(tick(restarted, "pub-a").recorded(), "halted: a fork is never published");
    alerts.clear();
  }

  @Test
  @Order(7)
  void rootErasesTheChainAndTheAnchorRecords_theNewestWormCheckpointCatchesIt() throws Exception {
    long anchored = open(checkpoints().get(checkpoints().size() - 1)).size();
    String newest = checkpoints().get(checkpoints().size() - 1);
    db.sqlScript(
        "SET foreign_key_checks = 0; TRUNCATE TABLE strongroom_audit.audit_chain;"
            + " TRUNCATE TABLE strongroom_audit.audit_events;"
            + " TRUNCATE TABLE strongroom_audit.audit_anchors; SET foreign_key_checks = 1;");
    writeAndSeal("g", 3);
    AnchorPublisher p = publisher("pub-a", worm);
    AnchorPublisher.Outcome r = tick(p, "pub-a");
    assertNull(r.recorded());
    assertEquals(1, r.raised().size(), r.raised().toString());
    assertEquals(AlertKind.ANCHOR_MISMATCH, r.raised().get(0).kind());
    assertEquals(
        "the database's chain holds 3 entries and is not consistent with the anchored checkpoint "
            + newest
            + " (size "
            + anchored
            + "): it was rewritten or truncated after it was anchored",
        r.raised().get(0).detail());
    assertEquals(
        "0",
        db.sql("SELECT COUNT(*) FROM strongroom_audit.audit_anchors").scalar(),
        "recorded none");
  }

  /** The real store behind a plug: unplugged, every call fails as an unreachable store does. */
  private record Unplugged(WormStore store, AtomicBoolean down) implements WormStore {
    private void check() {
      if (down.get()) {
        throw new WormStoreException("the store is unplugged", true, null);
      }
    }

    @Override
    public PutOutcome put(String name, byte[] bytes) {
      check();
      return store.put(name, bytes);
    }

    @Override
    public Optional<byte[]> find(String name) {
      check();
      return store.find(name);
    }

    @Override
    public List<String> list(String prefix) {
      check();
      return store.list(prefix);
    }

    @Override
    public String location() {
      return store.location();
    }
  }
}
