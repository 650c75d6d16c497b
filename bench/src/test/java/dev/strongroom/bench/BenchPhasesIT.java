package dev.strongroom.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.crypto.kms.AddedLatencyKeyWrapper;
import dev.strongroom.crypto.kms.InsecureLocalKeyring;
import dev.strongroom.crypto.kms.KeyWrapper;
import dev.strongroom.provisioner.db.MariaDbInstance;
import dev.strongroom.provisioner.db.TestInstances;
import dev.strongroom.provisioner.pki.Credential;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.schema.AuditInstaller;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The ceiling and direct-path phases against a real hardened MariaDB (TLS 1.3, app_user
 * certificate, proc-only schema, audit chain): every record a phase reports as stored is a row, a
 * refused call is reported with the database's reason, and the direct path pays one KMS round trip
 * per record. (The pipeline phase runs against a whole stack in system-tests.)
 */
@Tag("slow") // a load test: left out of `./strongroom test --quick` (-Pquick)
class BenchPhasesIT {
  static Path base;
  static PkiDirectory pki;
  static MariaDbInstance db;
  static final byte[] TOKEN_KEY = TenantTokens.generateKey();

  /** The certificate the bench tokens are bound to (the procedure path checks its shape only). */
  static final String CNF =
      TenantTokens.thumbprint("bench test".getBytes(java.nio.charset.StandardCharsets.UTF_8));

  static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    base = TestInstances.tempBase("bench");
    pki = TestInstances.pki(base);
    db = TestInstances.startWithAccounts(TestInstances.settings(base, pki), pki);
    AuditInstaller.install(db, TOKEN_KEY, new AuditInstaller.Options(Duration.ofSeconds(1)));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
    if (db != null) {
      db.close();
    }
    if (base != null) {
      TestInstances.deleteTree(base);
    }
  }

  static DbEndpoint endpoint() {
    Credential app = pki.client("app_user");
    return new DbEndpoint(
        "127.0.0.1", db.port(), "strongroom", pki.caCertPem(), app.certPem(), app.keyPem());
  }

  static KeyWrapper keyring(Duration latency) {
    Path file = base.resolve("bench-kek.keyring");
    if (!file.toFile().exists()) {
      InsecureLocalKeyring.addVersion(file, "1", new SecureRandom());
    }
    return AddedLatencyKeyWrapper.of(
        InsecureLocalKeyring.load("bench-kek", file, new SecureRandom()), latency);
  }

  static long rows(String tenantPrefix) {
    return Long.parseLong(
        db.sql("SELECT COUNT(*) FROM strongroom.users WHERE tenant_id LIKE '" + tenantPrefix + "%'")
            .scalar());
  }

  @Test
  void ceilingAndDirectPath_storeExactlyTheRecordsTheyReport() throws Exception {
    TenantSet tenants =
        new TenantSet(new TenantTokens(TOKEN_KEY, Clock.systemUTC()), "it1", 3, CNF);
    SecureRandom rnd = new SecureRandom();
    try (ProcedureWriter writer = new ProcedureWriter(vertx, endpoint(), 4);
        CeilingPhase ceiling =
            new CeilingPhase(writer, tenants, keyring(Duration.ZERO), "it1", rnd);
        DirectPathPhase direct =
            new DirectPathPhase(writer, tenants, keyring(Duration.ofMillis(30)), "it1", rnd, 4)) {
      Runner runner = new Runner(System.nanoTime());
      PhaseResult a = runner.run(ceiling, Duration.ofSeconds(3), 4, 0, 0);
      PhaseResult b = runner.run(direct, Duration.ofSeconds(3), 4, 0, 1_000_000);

      assertEquals(0, a.failures(), () -> a.firstFailure().orElse(""));
      assertEquals(0, b.failures(), () -> b.firstFailure().orElse(""));
      assertTrue(a.records() > 0 && b.records() > 0, "both phases stored records");
      assertEquals(a.stored() + b.stored(), rows("bench-it1-"), "every reported record is a row");
      // one data key per tenant on the ceiling, one per record on the direct path
      assertEquals(
          3 + b.stored(),
          Long.parseLong(
              db.sql("SELECT COUNT(*) FROM strongroom.data_keys WHERE tenant_id LIKE 'bench-it1-%'")
                  .scalar()));
      // four clients that each wait 30 ms for the KMS cannot pass 4 / 30 ms
      assertTrue(b.throughput() <= 4 / 0.030 + 1, "direct path pays the KMS: " + b.throughput());
      assertTrue(b.p50Ms() >= 30, "each direct record waits for its KMS wrap: " + b.p50Ms());
      assertEquals(3, a.timeline().size());
      assertEquals(a.records(), a.timeline().stream().mapToLong(PhaseResult.Second::records).sum());
    }
  }

  @Test
  void aRefusedCall_isAFailureWithTheDatabasesReason() throws Exception {
    TenantTokens otherAuthority = new TenantTokens(TenantTokens.generateKey(), Clock.systemUTC());
    TenantSet forged = new TenantSet(otherAuthority, "it2", 1, CNF);
    try (ProcedureWriter writer = new ProcedureWriter(vertx, endpoint(), 2);
        CeilingPhase ceiling =
            new CeilingPhase(writer, forged, keyring(Duration.ZERO), "it2", new SecureRandom())) {
      CompletionException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              CompletionException.class, () -> ceiling.submit(0).toCompletableFuture().join());
      assertTrue(
          e.getCause().getMessage().contains("SR-TOKEN-SIGNATURE: token MAC does not verify"),
          "the database's refusal code: " + e.getCause().getMessage());
      PhaseResult r = new Runner(System.nanoTime()).run(ceiling, Duration.ofSeconds(1), 2, 0, 1);
      assertEquals(0, r.records());
      assertTrue(r.failures() > 0);
      assertTrue(
          r.firstFailure().orElseThrow().contains("SR-TOKEN-SIGNATURE"),
          r.firstFailure().orElseThrow());
      assertEquals(0, rows("bench-it2-"));
    }
  }
}
