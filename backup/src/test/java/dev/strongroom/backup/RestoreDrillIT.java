package dev.strongroom.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.audit.checkpoint.Checkpoint;
import dev.strongroom.audit.note.Ed25519NoteSigner;
import dev.strongroom.audit.worm.LocalDirWormStore;
import dev.strongroom.audit.worm.WormStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The restore drill on a real backup: every step passes against the audit plane's anchored
 * checkpoint; a checkpoint whose root differs from the restored log fails the drill at {@code
 * anchor}, naming both roots.
 */
class RestoreDrillIT {
  static final String ORIGIN = "strongroom.local/drill-test";
  static BackupTestDb t;
  static Manifest backup;
  static Ed25519NoteSigner logKey;

  @BeforeAll
  static void setUp() throws Exception {
    t = new BackupTestDb("bk-drill-");
    BackupTestDb.TenantKey a = t.tenantKey("tenant-a");
    t.store(a, List.of("ada", "bob", "cyd"));
    t.store(t.tenantKey("tenant-b"), List.of("dan", "eve"));
    t.awaitSealed();
    backup = t.writer().backup(t.server(), t.keys(), t.store, t.base.resolve("work")).manifest();
    logKey = Ed25519NoteSigner.generate(ORIGIN, new SecureRandom());
  }

  @AfterAll
  static void stop() {
    if (t != null) {
      t.close();
    }
  }

  RestoreDrill.Report drill(String name, WormStore anchors) {
    List<RestoreDrill.Step> seen = new ArrayList<>();
    RestoreDrill.Report r =
        new RestoreDrill(
                new Restorer(
                    DbTools.debian(), dev.strongroom.provisioner.db.MariaDbBinaries.debian()),
                Clock.systemUTC())
            .run(
                t.store,
                t.keys(),
                t.settings(t.base.resolve(name)),
                new RestoreDrill.AuditorLogin(
                    t.pki.caCertPem(),
                    t.pki.client("auditor").certPem(),
                    t.pki.client("auditor").keyPem()),
                new RestoreDrill.Options(
                    3, Optional.of(new AnchoredCheckpoints(anchors, logKey.verifier()))),
                seen::add);
    assertEquals(r.steps(), seen, "progress saw every step in order");
    return r;
  }

  static Map<String, RestoreDrill.Step> byName(RestoreDrill.Report r) {
    return r.steps().stream().collect(Collectors.toMap(RestoreDrill.Step::name, s -> s));
  }

  /** An anchored checkpoint at {@code size} with {@code root}, as the audit plane writes it. */
  static WormStore anchored(String dir, long size, byte[] root) {
    WormStore w = LocalDirWormStore.open(t.base.resolve(dir));
    w.put(
        "checkpoints/" + ORIGIN.replace('/', '_') + "/20261204T090000.000Z-" + size + ".note",
        Checkpoint.of(ORIGIN, size, root).sign(logKey));
    return w;
  }

  @Test
  void drill_onAGoodBackup_passesEveryStep_againstTheAnchoredCheckpoint() {
    long size = backup.auditSize() - 1; // an anchor older than the backup: the prefix must match
    assertTrue(size > 0);
    byte[] root =
        Base64.getDecoder()
            .decode(
                AuditLogRoot.root(
                    AuditLogRoot.tree(
                        List.of(
                            t.db
                                .sql(
                                    "SELECT curr_hash FROM strongroom_audit.audit_chain"
                                        + " ORDER BY seq")
                                .stdout()
                                .strip()
                                .split("\n"))),
                    size));
    RestoreDrill.Report r = drill("drill-good", anchored("anchors-good", size, root));
    Map<String, RestoreDrill.Step> s = byName(r);
    assertEquals(
        List.of("restore", "row-counts", "audit-chain", "audit-root", "anchor", "decrypt-sample"),
        r.steps().stream().map(RestoreDrill.Step::name).toList());
    r.steps()
        .forEach(
            st ->
                assertEquals(
                    RestoreDrill.Status.PASS, st.status(), st.name() + ": " + st.detail()));
    assertTrue(r.passed());
    assertEquals(Optional.of(backup.backupId()), r.backupId());
    assertTrue(
        s.get("decrypt-sample").detail().startsWith("3 records drawn at random, 3 fields"),
        s.get("decrypt-sample").detail());
    assertTrue(s.get("anchor").detail().contains("at size " + size), s.get("anchor").detail());
    assertTrue(r.rpo().orElseThrow().toMillis() >= 0);
    assertFalse(r.rto().isNegative());
  }

  @Test
  void drill_whenTheRestoredChainDiffersFromTheAnchor_fails() {
    byte[] wrong = new byte[32];
    wrong[0] = 1;
    RestoreDrill.Report r =
        drill("drill-bad-anchor", anchored("anchors-bad", backup.auditSize(), wrong));
    assertFalse(r.passed());
    RestoreDrill.Step anchor = byName(r).get("anchor");
    assertEquals(RestoreDrill.Status.FAIL, anchor.status());
    assertEquals(
        "the restored log at size "
            + backup.auditSize()
            + " has root "
            + backup.auditRoot().orElseThrow()
            + ", the anchored checkpoint "
            + Base64.getEncoder().encodeToString(wrong),
        anchor.detail());
    assertEquals(RestoreDrill.Status.PASS, byName(r).get("audit-chain").status());
  }
}
