package dev.strongroom.auditanchor.scheduling;

import dev.strongroom.auditanchor.backup.BackupSchedule;
import dev.strongroom.auditanchor.backup.ScheduledBackup;
import dev.strongroom.auditanchor.config.AnchorConfig;
import dev.strongroom.auditanchor.config.BackupConfig;
import dev.strongroom.backup.BackupKeys;
import dev.strongroom.backup.BackupWriter;
import dev.strongroom.backup.Backups;
import dev.strongroom.backup.DbTools;
import dev.strongroom.backup.Manifest;
import dev.strongroom.backup.WormBackupStore;
import dev.strongroom.contracts.alert.SecurityAlert;
import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.SignedEvent;
import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.kms.InsecureLocalKeyring;
import dev.strongroom.crypto.kms.KeyWrapper;
import dev.strongroom.crypto.kms.WrappedKey;
import dev.strongroom.kit.events.EventPublisher;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

/**
 * The thin adapter around {@link ScheduledBackup}: builds it from {@link BackupConfig} (the {@code
 * backup} database identity over mutual TLS, a wrap-only KMS, the backup signing key, the service's
 * WORM store), runs it on {@code strongroom.backup.schedule} on its own thread (a backup never
 * delays a checkpoint), and for every failure logs it and publishes a signed BACKUP_FAILED alert on
 * {@code strongroom.security.alerts}; an alert Kafka did not take is logged in full and sent again
 * before the next run, never dropped. A success is logged with its manifest's figures. A standby
 * instance (another holds the anchor lease) skips its turn. Exports {@code
 * strongroom_backup_last_success_seconds} (epoch seconds, -1 none yet), {@code
 * strongroom_backup_consecutive_failures} and {@code strongroom_backup_runs}.
 */
@ApplicationScoped
public class BackupTimer {
  private static final Logger LOG = Logger.getLogger(BackupTimer.class);

  private final BackupConfig config;
  private final AnchorConfig anchorConfig;
  private final AnchorWatch watch;
  private final EventPublisher publisher;
  private final EventSigner signer;
  private final AtomicLong lastSuccess = new AtomicLong(-1);
  private final AtomicLong consecutiveFailures = new AtomicLong(0);
  private final AtomicLong runs = new AtomicLong(0);
  private final Deque<SecurityAlert> unsent = new ArrayDeque<>();
  private final Clock clock = Clock.systemUTC();
  private ScheduledExecutorService executor;
  private ScheduledBackup job;
  private BackupSchedule schedule;

  public BackupTimer(
      BackupConfig config,
      AnchorConfig anchorConfig,
      AnchorWatch watch,
      EventPublisher publisher,
      EventSigner signer,
      MeterRegistry meters) {
    this.config = config;
    this.anchorConfig = anchorConfig;
    this.watch = watch;
    this.publisher = publisher;
    this.signer = signer;
    meters.gauge("strongroom_backup_last_success_seconds", lastSuccess);
    meters.gauge("strongroom_backup_consecutive_failures", consecutiveFailures);
    meters.gauge("strongroom_backup_runs", runs);
  }

  void start(@Observes StartupEvent ev) {
    if (!config.enabled()) {
      LOG.info("scheduled backups disabled (strongroom.backup.enabled=false)");
      return;
    }
    schedule = schedule(config.schedule());
    BackupConfig.Db db = config.db().orElseThrow(() -> missing("db.*"));
    AnchorConfig.Worm worm =
        anchorConfig
            .worm()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "strongroom.audit-anchor.worm.* is required for scheduled backups (they"
                            + " go to the service's WORM store under backups/)"));
    SigningKey signingKey =
        SigningKey.load(config.signingKey().orElseThrow(() -> missing("signing-key")));
    BackupKeys keys =
        new BackupKeys(
            new WrapOnly(kms(config.kms().orElseThrow(() -> missing("kms.*")))),
            Optional.of(signingKey),
            signingKey.publicKey());
    WormBackupStore store = new WormBackupStore(AnchorWatch.openStore(worm));
    DbTools.Server server =
        DbTools.Server.tls(
            db.host(), db.port(), db.user().orElse("backup"), db.caCert(), db.cert(), db.key());
    job =
        new ScheduledBackup(
            new BackupWriter(DbTools.debian(), Backups.SCHEMAS, Backups.AUDIT_SCHEMA, clock),
            server,
            keys,
            store,
            config.workDir().orElseThrow(() -> missing("work-dir")),
            clock);
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "backup-timer");
              t.setDaemon(true);
              return t;
            });
    Instant first = schedule.first(clock.instant());
    at(first);
    LOG.infof(
        "scheduled backups %s as %s@%s:%d to %s under %s, first at %s (retry after a failure: %s)",
        schedule,
        db.user().orElse("backup"),
        db.host(),
        db.port(),
        store.describe(),
        dev.strongroom.backup.BackupStore.PREFIX,
        first,
        config.retryAfter());
  }

  /**
   * The schedule; an ISO duration under a minute is accepted only as {@code PT<n>S} for tests and
   * the embedded stack's experiments.
   */
  static BackupSchedule schedule(String text) {
    try {
      return BackupSchedule.parse(text);
    } catch (IllegalArgumentException e) {
      if (text.strip().startsWith("PT") && text.strip().endsWith("S")) {
        return BackupSchedule.everyForTests(Duration.parse(text.strip()));
      }
      throw new IllegalStateException("strongroom.backup.schedule: " + e.getMessage(), e);
    }
  }

  private void at(Instant when) {
    long delay = Math.max(0, Duration.between(clock.instant(), when).toMillis());
    // tick() catches every RuntimeException and schedules the next run itself
    ScheduledFuture<?> unused = executor.schedule(this::tick, delay, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    Instant next;
    try {
      flushUnsent();
      if (watch.standby()) {
        LOG.infof("scheduled backup skipped: a standby (another instance holds the anchor lease)");
        next = schedule.afterSuccess(clock.instant());
      } else {
        next = runOnce();
      }
    } catch (RuntimeException e) {
      // runOnce classifies every backup failure; this is the timer itself: log, keep going
      LOG.errorf(e, "backup timer failed; next attempt after %s", config.retryAfter());
      next = clock.instant().plus(config.retryAfter());
    }
    try {
      at(next);
      LOG.infof("next scheduled backup at %s", next);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.info("backup timer stopped");
    }
  }

  private Instant runOnce() {
    ScheduledBackup.Outcome o = job.run();
    runs.incrementAndGet();
    if (o instanceof ScheduledBackup.Succeeded s) {
      Manifest m = s.manifest();
      lastSuccess.set(o.startedAt().getEpochSecond());
      consecutiveFailures.set(0);
      LOG.infof(
          "backup %s stored and verified: %s, %d rows in %d tables, audit log size %d%s, %d binary"
              + " logs, %d bytes in %d ms",
          m.backupId(),
          s.directory(),
          m.tables().values().stream().mapToLong(Long::longValue).sum(),
          m.tables().size(),
          m.auditSize(),
          m.auditRoot().map(r -> " root " + r).orElse(""),
          m.binlogFiles().size(),
          s.storedBytes(),
          o.took().toMillis());
      return schedule.afterSuccess(o.startedAt());
    }
    ScheduledBackup.Failed f = (ScheduledBackup.Failed) o;
    consecutiveFailures.set(f.consecutiveFailures());
    LOG.errorf(
        "BACKUP_FAILED (%s%s), %d in a row: %s",
        f.reason(), f.part().map(p -> " " + p).orElse(""), f.consecutiveFailures(), f.detail());
    unsent.addLast(f.alert());
    flushUnsent();
    return schedule.afterFailure(o.startedAt(), config.retryAfter());
  }

  /** Publishes every alert not yet taken by Kafka, oldest first; keeps the rest for next time. */
  private void flushUnsent() {
    while (!unsent.isEmpty()) {
      SecurityAlert a = unsent.peekFirst();
      try {
        SignedEvent signed = signer.sign(EventCatalog.SECURITY_ALERT, null, a.toData());
        publisher.send(
            new ProducerRecord<>(
                Topics.SECURITY_ALERTS,
                signer.source().getBytes(StandardCharsets.UTF_8),
                signed.bytes()));
        unsent.removeFirst();
      } catch (RuntimeException e) {
        LOG.errorf(
            "cannot publish the BACKUP_FAILED alert (kept, sent again before the next backup):"
                + " %s; alert: %s",
            e.getMessage(), a.toData());
        return;
      }
    }
  }

  private static KeyWrapper kms(BackupConfig.Kms kms) {
    return switch (kms.kind()) {
      case INSECURE_LOCAL_KEYRING ->
          InsecureLocalKeyring.load(
              kms.keyName(),
              kms.keyringFile().orElseThrow(() -> missing("kms.keyring-file")),
              new SecureRandom());
    };
  }

  /**
   * The KMS as the service uses it: wrap only. A backup never needs to unwrap (restores do, with
   * the operator's KMS identity), so the service's KMS identity needs only the encrypt permission
   * (Cloud KMS: {@code roles/cloudkms.cryptoKeyEncrypter}); here the refusal is also in the code.
   */
  static final class WrapOnly implements KeyWrapper {
    private final KeyWrapper kms;

    WrapOnly(KeyWrapper kms) {
      this.kms = kms;
    }

    @Override
    public String keyName() {
      return kms.keyName();
    }

    @Override
    public String primaryVersion() {
      return kms.primaryVersion();
    }

    @Override
    public WrappedKey wrap(DataKey dataKey, byte[] associatedData) {
      return kms.wrap(dataKey, associatedData);
    }

    @Override
    public DataKey unwrap(WrappedKey wrapped, String dataKeyId, byte[] associatedData) {
      throw new UnsupportedOperationException("the backup schedule wraps only; restores unwrap");
    }
  }

  private static IllegalStateException missing(String key) {
    return new IllegalStateException(
        "strongroom.backup." + key + " is required when scheduled backups are enabled");
  }

  void stop(@Observes ShutdownEvent ev) {
    if (executor != null) {
      executor.shutdownNow();
    }
  }
}
