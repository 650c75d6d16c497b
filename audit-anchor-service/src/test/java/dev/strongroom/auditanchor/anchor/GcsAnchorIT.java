package dev.strongroom.auditanchor.anchor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.audit.checkpoint.Checkpoint;
import dev.strongroom.audit.note.Ed25519NoteSigner;
import dev.strongroom.audit.tail.AuditorJdbc;
import dev.strongroom.audit.tiles.TileLogReader;
import dev.strongroom.audit.verify.AuditLogVerifier;
import dev.strongroom.audit.worm.WormStore;
import dev.strongroom.auditanchor.lease.AnchorLease;
import dev.strongroom.cloud.gcp.fake.FakeCloudStorageServer;
import dev.strongroom.cloud.gcp.storage.BucketNotWormException;
import dev.strongroom.contracts.alert.AlertKind;
import dev.strongroom.contracts.alert.SecurityAlert;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.provisioner.db.MariaDbInstance;
import dev.strongroom.provisioner.db.TestInstances;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.schema.AuditInstaller;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code worm.kind=gcs}: the publisher writes to a retention-locked bucket through {@code
 * google-cloud-storage} and cloud-gcp's {@code GcsObjectStore}, against the in-process fake
 * speaking the Cloud Storage JSON API, and a private MariaDB as {@code anchor_writer}: checkpoints,
 * tiles and bundles land in the bucket, every object created with {@code ifGenerationMatch=0}, the
 * log in the bucket verifies against the database; by attack, a bucket whose retention policy is
 * not locked, one without a policy and a missing one are refused at start-up with the reason, and
 * an object already in the bucket with other bytes is ANCHOR_MISMATCH, never overwritten.
 */
class GcsAnchorIT {
  private static final Duration TTL = Duration.ofSeconds(30);
  private static final String ORIGIN = "strongroom.local/gcs-it";
  private static final String PROJECT = "strongroom-it";
  private static Path base;
  private static MariaDbInstance db;
  private static AuditorJdbc jdbc;
  private static Ed25519NoteSigner key;
  private static FakeCloudStorageServer gcs;
  private static final List<SecurityAlert> alerts = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void start() throws Exception {
    base = TestInstances.tempBase("sr-gcs-");
    PkiDirectory pki = TestInstances.pki(base);
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
    gcs = FakeCloudStorageServer.start();
    gcs.createBucket(PROJECT, "worm-locked", Duration.ofDays(30), true);
    gcs.createBucket(PROJECT, "worm-unlocked", Duration.ofDays(30), false);
    gcs.createBucket(PROJECT, "no-retention", null, false);
  }

  @AfterAll
  static void stop() throws Exception {
    if (gcs != null) {
      gcs.close();
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

  private static void writeAndSeal(String prefix, int n) {
    StringBuilder sql = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sql.append("INSERT INTO strongroom.tenants VALUES ('")
          .append(prefix)
          .append('-')
          .append(i)
          .append("', UTC_TIMESTAMP(6));");
    }
    db.sql(sql + " CALL strongroom_audit.audit_seal(100000)");
  }

  private static AnchorPublisher.Outcome tick(AnchorPublisher p) throws Exception {
    try (Connection c = jdbc.connect()) {
      AnchorLease.Grant g = new AnchorLease("gcs-a", TTL).acquire(c);
      assertTrue(g.acquired(), g.toString());
      return p.tick(c, g.epoch());
    }
  }

  @Test
  void aBucketThatIsNotWorm_isRefusedAtStartUp_withTheReason() {
    BucketNotWormException unlocked =
        assertThrows(
            BucketNotWormException.class,
            () -> WormSinks.gcs(PROJECT, "worm-unlocked", gcs.endpoint(), null));
    assertEquals(BucketNotWormException.Missing.RETENTION_LOCK, unlocked.missing());
    assertEquals(
        "bucket worm-unlocked refused as a WORM sink: its retention policy (PT720H) is not locked",
        unlocked.getMessage());
    BucketNotWormException none =
        assertThrows(
            BucketNotWormException.class,
            () -> WormSinks.gcs(PROJECT, "no-retention", gcs.endpoint(), null));
    assertEquals(
        "bucket no-retention refused as a WORM sink: it has no retention policy",
        none.getMessage());
    BucketNotWormException missing =
        assertThrows(
            BucketNotWormException.class,
            () -> WormSinks.gcs(PROJECT, "no-such-bucket", gcs.endpoint(), null));
    assertEquals(
        "bucket no-such-bucket refused as a WORM sink: it does not exist", missing.getMessage());
    BucketNotWormException tooShort =
        assertThrows(
            BucketNotWormException.class,
            () -> WormSinks.gcs(PROJECT, "worm-locked", gcs.endpoint(), Duration.ofDays(365)));
    assertEquals(BucketNotWormException.Missing.RETENTION_PERIOD, tooShort.missing());
  }

  @Test
  void checkpointsTilesAndBundles_goCreateOnlyToTheLockedBucket_andVerify() throws Exception {
    WormStore store = WormSinks.gcs(PROJECT, "worm-locked", gcs.endpoint(), Duration.ofDays(7));
    assertEquals("gs://worm-locked", store.location());
    AnchorPublisher p =
        new AnchorPublisher(
            key, store, new AnchorLease("gcs-a", TTL), Clock.systemUTC(), alerts::add);
    gcs.clearRequests();
    tick(p);
    writeAndSeal("g", 40);
    AnchorPublisher.Outcome o = tick(p);
    assertEquals(40, o.recorded().size());
    tick(p); // quiet
    assertEquals(List.of(), alerts);

    List<String> names = store.list(AnchorPublisher.checkpointPrefix(ORIGIN));
    assertEquals(3, names.size(), names.toString());
    String newest = names.get(2);
    assertArrayEquals(
        o.recorded().note(), gcs.objectBytes("worm-locked", o.recorded().object()), "in bucket");
    Checkpoint cp = Checkpoint.open(store.get(newest), key.verifier(), List.of()).checkpoint();
    assertEquals(40, cp.size());
    List<byte[]> entries = new TileLogReader(store, 40).verify(cp.root());
    assertEquals(
        db.sql("SELECT curr_hash FROM strongroom_audit.audit_chain WHERE seq = 40").scalar(),
        HexFormat.of().formatHex(entries.get(39)));
    assertTrue(store.exists("tile/0/000.p/40"));
    assertTrue(store.exists("tile/entries/000.p/40"));
    // every object was created with ifGenerationMatch=0, nothing was ever deleted or patched
    List<FakeCloudStorageServer.Request> writes = gcs.mutatingRequests();
    assertTrue(writes.size() >= 5, writes.toString());
    for (FakeCloudStorageServer.Request r : writes) {
      assertEquals("POST", r.method(), r.toString());
      assertTrue(r.path().startsWith("/upload/storage/v1/b/worm-locked/o"), r.toString());
      assertEquals("0", r.query().get("ifGenerationMatch"), r.toString());
    }
    // verify-audit's verifier reads the bucket: signatures, tiles and the database's rows
    try (Connection c = jdbc.connect()) {
      AuditLogVerifier.Report v = AuditLogVerifier.verify(store, key.verifier(), c);
      assertTrue(v.ok(), v.line());
      assertEquals(40, v.events());
    }

    // by attack: someone with create rights on the bucket got the next tile in first
    writeAndSeal("h", 3);
    String tile = "tile/0/000.p/43";
    byte[] forged = new byte[32 * 43];
    store.put(tile, forged);
    AnchorPublisher.Outcome f = tick(p);
    assertEquals(1, f.raised().size(), f.raised().toString());
    SecurityAlert a = f.raised().get(0);
    assertEquals(AlertKind.ANCHOR_MISMATCH, a.kind());
    assertEquals(tile, a.related().get("object"));
    assertEquals(
        "the WORM store already holds other bytes under "
            + tile
            + ": the published log differs from this one",
        a.detail());
    assertArrayEquals(forged, gcs.objectBytes("worm-locked", tile), "never overwritten");
    assertNull(tick(p).recorded(), "halted: nothing more is anchored");
  }
}
