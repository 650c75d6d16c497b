package dev.strongroom.auditanchor.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strongroom.audit.worm.LocalDirWormStore;
import dev.strongroom.backup.BackupKeys;
import dev.strongroom.backup.BackupReader;
import dev.strongroom.backup.Manifest;
import dev.strongroom.backup.WormBackupStore;
import dev.strongroom.contracts.alert.AlertKind;
import dev.strongroom.contracts.alert.SecurityAlert;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.envelope.EventVerifier;
import dev.strongroom.contracts.envelope.RecordCoordinates;
import dev.strongroom.contracts.envelope.ReplayGuard;
import dev.strongroom.contracts.envelope.Verdict;
import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.crypto.kms.InsecureLocalKeyring;
import dev.strongroom.devstack.kafka.KafkaAccessPolicy;
import dev.strongroom.devstack.keys.DevKeys;
import dev.strongroom.devstack.testing.StrongroomTestResource;
import dev.strongroom.devstack.testing.TestDatabase;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The packaged audit-anchor-service's backup schedule (every 20 s here) on real parts: a real KRaft
 * broker with mutual TLS and ACLs, a private hardened MariaDB, the real WORM directory. The
 * scheduled backup is stored and its manifest verifies under the backup signing key; then the
 * database is stopped, as an outage would: the next backup fails with exactly one BACKUP_FAILED
 * alert, read back from the broker as the SIEM reads it and signature-verified, typed {@code
 * TOOL_FAILED} and naming the dump; the database comes back and the service, still running, makes
 * the next backup, continuing the binary logs from the first.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(
    value = StrongroomTestResource.class,
    initArgs = {
      @ResourceArg(name = "service", value = "audit-anchor-service"),
      @ResourceArg(name = "database", value = "true"),
      @ResourceArg(name = "backup-schedule", value = "PT20S")
    },
    restrictToAnnotatedClass = true)
class BackupScheduleIT {
  private static final Duration WAIT = Duration.ofSeconds(90);

  /**
   * After the class (backups signed with the backup key and wrapped by the KMS, a failed one
   * alerted with its reason): the service's log is all JSON records and holds no tenant token and
   * no key material of the stack (issue 11).
   */
  @org.junit.jupiter.api.AfterAll
  static void theLog_holdsNoTokenOrKey() throws Exception {
    dev.strongroom.devstack.testing.ServiceContract.assertTheLogHoldsNoSecret(List.of());
  }

  @Test
  void scheduledBackup_verifies_anOutageAlertsOnce_andTheNextTickSucceeds() throws Exception {
    StrongroomTestResource.Stack stack = StrongroomTestResource.stack();
    TestDatabase db = stack.database().orElseThrow();
    Path keysDir = stack.keys().registryFile().getParent();
    Path worm = keysDir.resolveSibling("worm");
    SigningKey signer = SigningKey.load(keysDir.resolve(StrongroomTestResource.BACKUP_SIGNING_KEY));
    BackupKeys keys =
        new BackupKeys(
            InsecureLocalKeyring.load(
                DevKeys.DEV_KEK_NAME, keysDir.resolve(DevKeys.DEV_KEYRING), new SecureRandom()),
            Optional.empty(),
            signer.publicKey());

    // 1. the first scheduled backup is stored, complete, and verifies
    List<String> first = awaitBackups(worm, keys, 1);
    BackupReader reader = new BackupReader(store(worm), keys);
    Manifest m1 = reader.verify(first.get(0));
    assertTrue(m1.previousBackup().isEmpty());
    assertEquals(1L, m1.tables().get("strongroom_security.token_keys"));
    assertTrue(m1.tables().containsKey("strongroom.users"));
    assertTrue(m1.tables().containsKey("strongroom_audit.audit_chain"));

    // 2. the outage: the next tick fails, one signed BACKUP_FAILED alert says why
    db.instance().stop();
    SecurityAlert alert;
    try {
      alert = awaitAlerts(stack, 1, WAIT, false).get(0);
    } finally {
      db.instance().start();
    }
    assertEquals(AlertKind.BACKUP_FAILED, alert.kind());
    assertEquals("TOOL_FAILED", alert.related().get("reason"));
    assertEquals("dump.sql.gz.enc", alert.related().get("part"));
    assertEquals(1L, alert.related().get("consecutiveFailures"));
    assertTrue(alert.detail().contains("mariadb-dump failed"), alert.detail());
    assertEquals(1, reader.completeBackups().size(), "the failed run stored no backup");

    // 3. the cause is gone: the service, still running, makes the next backup
    List<String> after = awaitBackups(worm, keys, 2);
    Manifest m2 = reader.verify(after.get(1));
    assertEquals(m1.backupId(), m2.previousBackup().orElseThrow());
    long lastOfFirst = number(m1.binlogFiles().get(m1.binlogFiles().size() - 1));
    assertEquals(lastOfFirst + 1, number(m2.binlogFiles().get(0)), "no binary log gap");
    assertArrayEquals(m2.toJson(), reader.manifest(m2.backupId()).toJson());
    // exactly one alert for the one failed run, none for the success
    assertEquals(1, awaitAlerts(stack, 1, Duration.ofSeconds(5), true).size());
  }

  private static long number(String binlogFile) {
    return Long.parseLong(binlogFile.substring(binlogFile.lastIndexOf('.') + 1));
  }

  private static WormBackupStore store(Path worm) {
    return new WormBackupStore(LocalDirWormStore.open(worm));
  }

  /** Waits until {@code n} complete (signed) backups are in the store; returns their ids. */
  private static List<String> awaitBackups(Path worm, BackupKeys keys, int n)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (java.nio.file.Files.isDirectory(worm)) {
        List<String> ids = new BackupReader(store(worm), keys).completeBackups();
        if (ids.size() >= n) {
          return ids;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("fewer than " + n + " backups in " + worm + " within " + WAIT);
  }

  /**
   * Reads {@code strongroom.security.alerts} from the start as the SIEM does (its own identity and
   * ACLs), verifies each record's signature under the key registry, and returns the BACKUP_FAILED
   * alerts once {@code n} are there ({@code exhaust}: every one read within {@code within}).
   */
  private static List<SecurityAlert> awaitAlerts(
      StrongroomTestResource.Stack stack, int n, Duration within, boolean exhaust) {
    Properties p = new Properties();
    p.putAll(stack.kafka("siem"));
    p.put(
        ConsumerConfig.GROUP_ID_CONFIG,
        KafkaAccessPolicy.groupFor("siem", "backup-it-" + System.nanoTime()));
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    Clock clock = Clock.systemUTC();
    EventVerifier verifier =
        new EventVerifier(
            stack.keys().registry(),
            EventCatalog.standard(),
            EventVerifier.DEFAULT_SKEW,
            clock,
            ReplayGuard.forSkew(EventVerifier.DEFAULT_SKEW, clock));
    List<SecurityAlert> found = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.SECURITY_ALERTS));
      long deadline = System.nanoTime() + within.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          JsonNode data = CanonicalJson.parse(r.value()).path("data");
          if (!AlertKind.BACKUP_FAILED.name().equals(data.path("kind").asText())) {
            continue;
          }
          Verdict v =
              verifier.verify(
                  r.value(), new RecordCoordinates(Topics.SECURITY_ALERTS, 0, r.offset()));
          Verdict.Accepted ok = assertInstanceOf(Verdict.Accepted.class, v, v.toString());
          assertEquals("/strongroom/audit-anchor-service", ok.event().source());
          found.add(SecurityAlert.fromData(ok.event().data()));
        }
        if (!exhaust && found.size() >= n) {
          return found;
        }
      }
    }
    if (found.size() < n) {
      throw new AssertionError(
          "fewer than " + n + " BACKUP_FAILED alerts within " + within + ": " + found);
    }
    return found;
  }
}
