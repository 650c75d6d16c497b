package dev.strongroom.auditanchor.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BackupScheduleTest {
  @Test
  void daily_isTheNextUtcTimeOfDay_todayOrTomorrow() {
    BackupSchedule s = BackupSchedule.parse("daily@02:00");
    assertEquals(
        Instant.parse("2026-12-05T02:00:00Z"), s.first(Instant.parse("2026-12-04T16:30:00Z")));
    assertEquals(
        Instant.parse("2026-12-04T02:00:00Z"), s.first(Instant.parse("2026-12-04T01:59:59Z")));
    assertEquals(
        Instant.parse("2026-12-05T02:00:00Z"),
        s.afterSuccess(Instant.parse("2026-12-04T02:00:00Z")));
  }

  @Test
  void afterAFailure_theRetryComesFirst_unlessTheScheduleIsSooner() {
    BackupSchedule nightly = BackupSchedule.parse("daily@02:00");
    Instant failed = Instant.parse("2026-12-04T02:00:00Z");
    assertEquals(
        Instant.parse("2026-12-04T03:00:00Z"), nightly.afterFailure(failed, Duration.ofHours(1)));
    BackupSchedule often = BackupSchedule.parse("PT10M");
    assertEquals(failed.plusSeconds(600), often.afterFailure(failed, Duration.ofHours(1)));
  }

  @Test
  void durations_within1MinAnd7Days_elseRefused() {
    assertEquals(
        Instant.parse("2026-12-04T06:00:00Z"),
        BackupSchedule.parse("PT6H").first(Instant.parse("2026-12-04T00:00:00Z")));
    assertThrows(IllegalArgumentException.class, () -> BackupSchedule.parse("PT30S"));
    assertThrows(IllegalArgumentException.class, () -> BackupSchedule.parse("P8D"));
    assertThrows(IllegalArgumentException.class, () -> BackupSchedule.parse("daily@25:00"));
    assertThrows(IllegalArgumentException.class, () -> BackupSchedule.parse("nightly"));
    assertThrows(IllegalArgumentException.class, () -> BackupSchedule.parse("daily@02:00:30"));
  }
}
