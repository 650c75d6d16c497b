package dev.strongroom.auditanchor.backup;

import dev.strongroom.backup.BackupException;
import dev.strongroom.backup.BackupKeys;
import dev.strongroom.backup.BackupReader;
import dev.strongroom.backup.BackupStore;
import dev.strongroom.backup.BackupWriter;
import dev.strongroom.backup.DbTools;
import dev.strongroom.backup.Manifest;
import dev.strongroom.contracts.alert.AlertKind;
import dev.strongroom.contracts.alert.SecurityAlert;
import dev.strongroom.contracts.alert.Severity;
import dev.strongroom.crypto.CryptoException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One scheduled backup (docs/backups.md): the backup library's {@link BackupWriter} as the {@code
 * backup} identity, create-only into the WORM store under {@code backups/}, then read back and
 * verified ({@link BackupReader#verify}: signature, every part's SHA-256) before it counts. Any
 * failure becomes exactly one {@link AlertKind#BACKUP_FAILED} alert whose {@code related.reason} is
 * typed:
 *
 * <ul>
 *   <li>a {@link BackupException.Reason} name ({@code TOOL_FAILED} — the database or a program,
 *       {@code STORE_FAILED} — the WORM store, {@code BINLOG_GAP}, {@code SIGNATURE_INVALID},
 *       {@code PART_DIGEST_MISMATCH}, …), with {@code related.part} when the library names one;
 *   <li>{@code KMS_FAILED}: the KMS refused or could not wrap the backup key;
 *   <li>{@code UNEXPECTED}: anything else (a bug; the detail carries the exception).
 * </ul>
 *
 * Thread-confined: one run at a time.
 */
public final class ScheduledBackup {
  /** {@code related.reason} for a KMS that refused or could not wrap the backup key. */
  public static final String KMS_FAILED = "KMS_FAILED";

  /** {@code related.reason} for a failure the library does not classify. */
  public static final String UNEXPECTED = "UNEXPECTED";

  private final BackupWriter writer;
  private final DbTools.Server server;
  private final BackupKeys keys;
  private final BackupStore store;
  private final Path workDir;
  private final Clock clock;
  private int consecutiveFailures;

  public ScheduledBackup(
      BackupWriter writer,
      DbTools.Server server,
      BackupKeys keys,
      BackupStore store,
      Path workDir,
      Clock clock) {
    this.writer = Objects.requireNonNull(writer);
    this.server = Objects.requireNonNull(server);
    this.keys = Objects.requireNonNull(keys);
    this.store = Objects.requireNonNull(store);
    this.workDir = Objects.requireNonNull(workDir);
    this.clock = Objects.requireNonNull(clock);
  }

  /** What one run did. */
  public sealed interface Outcome {
    Instant startedAt();

    Duration took();
  }

  /** Stored and verified: {@code manifest} is what {@link BackupReader#verify} read back. */
  public record Succeeded(
      Instant startedAt, Duration took, Manifest manifest, String directory, long storedBytes)
      implements Outcome {}

  /** Not stored, or stored but not verifiable: the alert to raise. */
  public record Failed(
      Instant startedAt,
      Duration took,
      String reason,
      Optional<String> part,
      String detail,
      int consecutiveFailures,
      SecurityAlert alert)
      implements Outcome {}

  /** Runs one backup; never throws for a failed backup (that is a {@link Failed}). */
  public Outcome run() {
    Instant started = clock.instant();
    long t0 = System.nanoTime();
    String reason;
    Optional<String> part = Optional.empty();
    String detail;
    try {
      BackupWriter.Result r = writer.backup(server, keys, store, workDir);
      Manifest verified = new BackupReader(store, keys).verify(r.manifest().backupId());
      consecutiveFailures = 0;
      return new Succeeded(
          started,
          since(t0),
          verified,
          store.describe().replaceAll("/+$", "") + "/" + r.directory(),
          r.storedBytes());
    } catch (BackupException e) {
      reason = e.reason().name();
      part = e.part();
      detail = e.getMessage();
    } catch (CryptoException e) {
      reason = KMS_FAILED;
      detail = "the KMS did not wrap the backup key: " + e.getMessage();
    } catch (RuntimeException e) {
      reason = UNEXPECTED;
      detail = e.toString();
    }
    consecutiveFailures++;
    Map<String, Object> related = new LinkedHashMap<>();
    related.put("reason", reason);
    part.ifPresent(p -> related.put("part", p));
    related.put("startedAt", started.toString());
    related.put("store", store.describe());
    related.put("consecutiveFailures", consecutiveFailures);
    SecurityAlert alert =
        new SecurityAlert(
            AlertKind.BACKUP_FAILED,
            Severity.HIGH,
            "scheduled backup started " + started + " failed: " + detail,
            related);
    return new Failed(started, since(t0), reason, part, detail, consecutiveFailures, alert);
  }

  /** Failed runs since the last success. */
  public int consecutiveFailures() {
    return consecutiveFailures;
  }

  private static Duration since(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }
}
