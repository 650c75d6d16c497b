package dev.strongroom.auditanchor.backup;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * When backups are due ({@code strongroom.backup.schedule}):
 *
 * <ul>
 *   <li>{@code daily@HH:MM} — once a day at that UTC time (the default, {@code daily@02:00});
 *   <li>an ISO-8601 duration ({@code PT6H}, 1 min .. 7 days) — every that long, the first one that
 *       long after the start.
 * </ul>
 *
 * <p>After a failed backup the next attempt is {@code retryAfter} later, unless the schedule's next
 * time is sooner: a failed nightly backup is retried, not left for a day.
 */
public final class BackupSchedule {
  private static final Duration MIN_EVERY = Duration.ofMinutes(1);
  private static final Duration MAX_EVERY = Duration.ofDays(7);

  private final LocalTime dailyAt;
  private final Duration every;
  private final String text;

  private BackupSchedule(LocalTime dailyAt, Duration every, String text) {
    this.dailyAt = dailyAt;
    this.every = every;
    this.text = text;
  }

  /**
   * Parses {@code daily@HH:MM} or an ISO-8601 duration.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static BackupSchedule parse(String text) {
    Objects.requireNonNull(text, "schedule");
    String t = text.strip();
    if (t.startsWith("daily@")) {
      try {
        LocalTime at = LocalTime.parse(t.substring("daily@".length()));
        if (at.getSecond() != 0 || at.getNano() != 0) {
          throw new IllegalArgumentException("daily@HH:MM takes hours and minutes only: " + text);
        }
        return new BackupSchedule(at, null, t);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("not daily@HH:MM (UTC): " + text, e);
      }
    }
    Duration d;
    try {
      d = Duration.parse(t);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "a schedule is daily@HH:MM (UTC) or an ISO-8601 duration such as PT6H: " + text, e);
    }
    return every(d);
  }

  /** Every {@code d} (1 min .. 7 days; tests may go down to 1 s through {@link #everyForTests}). */
  public static BackupSchedule every(Duration d) {
    if (d.compareTo(MIN_EVERY) < 0 || d.compareTo(MAX_EVERY) > 0) {
      throw new IllegalArgumentException("a backup interval must be within 1 min .. 7 days: " + d);
    }
    return new BackupSchedule(null, d, d.toString());
  }

  /** Every {@code d}, down to one second: for tests and the embedded stack's experiments. */
  public static BackupSchedule everyForTests(Duration d) {
    if (d.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("at least one second: " + d);
    }
    return new BackupSchedule(null, d, d.toString());
  }

  /** The first time a backup is due after the service started at {@code start}. */
  public Instant first(Instant start) {
    return every != null ? start.plus(every) : nextDaily(start);
  }

  /** The next time after a backup attempted at {@code last} that succeeded. */
  public Instant afterSuccess(Instant last) {
    return every != null ? last.plus(every) : nextDaily(last);
  }

  /** The next time after a backup attempted at {@code last} that failed. */
  public Instant afterFailure(Instant last, Duration retryAfter) {
    Instant scheduled = afterSuccess(last);
    Instant retry = last.plus(retryAfter);
    return retry.isBefore(scheduled) ? retry : scheduled;
  }

  private Instant nextDaily(Instant after) {
    Instant today =
        after.atZone(ZoneOffset.UTC).toLocalDate().atTime(dailyAt).toInstant(ZoneOffset.UTC);
    return today.isAfter(after) ? today : today.plus(1, ChronoUnit.DAYS);
  }

  @Override
  public String toString() {
    return text;
  }
}
