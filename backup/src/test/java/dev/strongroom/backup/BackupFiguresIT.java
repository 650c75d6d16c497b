package dev.strongroom.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The figures of docs/performance.md, "Backups": backup size, backup, restore and drill times for
 * {@code strongroom.figures.records} records (default 10,000) written the normal way. Run on demand
 * ({@code -Dstrongroom.figures=true}); it prints one line of figures and checks the restore is
 * whole.
 */
@Tag("slow")
@EnabledIfSystemProperty(named = "strongroom.figures", matches = "true")
class BackupFiguresIT {
  @Test
  void figures() throws Exception {
    int n = Integer.getInteger("strongroom.figures.records", 10_000);
    try (BackupTestDb t = new BackupTestDb("bk-fig-")) {
      long w0 = System.nanoTime();
      for (int tenant = 0; tenant < 10; tenant++) {
        BackupTestDb.TenantKey tk = t.tenantKey("tenant-" + tenant);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n / 10; i++) {
          names.add("name-" + tenant + "-" + i);
        }
        t.store(tk, names);
      }
      t.awaitSealed();
      Duration write = Duration.ofNanos(System.nanoTime() - w0);
      BackupWriter.Result b =
          t.writer().backup(t.server(), t.keys(), t.store, t.base.resolve("work"));
      Restorer restorer =
          new Restorer(DbTools.debian(), dev.strongroom.provisioner.db.MariaDbBinaries.debian());
      Duration restore;
      try (Restorer.Restored r =
          restorer.restore(
              t.store,
              t.keys(),
              new Restorer.Request(Optional.empty(), Optional.empty()),
              t.settings(t.base.resolve("restored")))) {
        restore = r.took();
        assertEquals(b.manifest().tables(), r.rows());
      }
      RestoreDrill.Report drill =
          new RestoreDrill(restorer, Clock.systemUTC())
              .run(
                  t.store,
                  t.keys(),
                  t.settings(t.base.resolve("drill")),
                  new RestoreDrill.AuditorLogin(
                      t.pki.caCertPem(),
                      t.pki.client("auditor").certPem(),
                      t.pki.client("auditor").keyPem()),
                  new RestoreDrill.Options(20, Optional.empty()),
                  s -> {});
      assertTrue(drill.passed(), drill.toString());
      StringBuilder steps = new StringBuilder();
      drill
          .steps()
          .forEach(
              s ->
                  steps.append(
                      String.format(
                          java.util.Locale.ROOT,
                          " %s=%.1fs",
                          s.name(),
                          s.took().toMillis() / 1000.0)));
      System.out.printf(
          java.util.Locale.ROOT,
          "FIGURES records=%d users=%d auditSize=%d write=%.1fs backupBytes=%d backup=%.1fs"
              + " restore=%.1fs drillRto=%.1fs%s%n",
          n,
          b.manifest().tables().get("strongroom.users"),
          b.manifest().auditSize(),
          write.toMillis() / 1000.0,
          b.storedBytes(),
          b.took().toMillis() / 1000.0,
          restore.toMillis() / 1000.0,
          drill.rto().toMillis() / 1000.0,
          steps);
    }
  }
}
