package dev.strongroom.contracts.envelope;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strongroom.contracts.testing.Fixture;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReplayGuardTest {
  private final Fixture.MutableClock clock =
      new Fixture.MutableClock(Instant.parse("2026-11-23T09:00:00Z"));
  private final RecordCoordinates a = new RecordCoordinates("t", 0, 1);
  private final RecordCoordinates b = new RecordCoordinates("t", 0, 2);

  @Test
  void classifiesFirstRedeliveryAndReplay() {
    ReplayGuard g = ReplayGuard.forSkew(Duration.ofMinutes(5), clock);
    assertEquals(ReplayGuard.Outcome.FIRST, g.observe("x", a));
    assertEquals(ReplayGuard.Outcome.REDELIVERY, g.observe("x", a));
    assertEquals(ReplayGuard.Outcome.REPLAY, g.observe("x", b));
  }

  @Test
  void remembersForTwiceTheSkewPlusAMinute_thenForgets() {
    ReplayGuard g = ReplayGuard.forSkew(Duration.ofMinutes(5), clock);
    g.observe("x", a);
    clock.advance(Duration.ofMinutes(11));
    assertEquals(ReplayGuard.Outcome.REPLAY, g.observe("x", b), "still inside 2×skew + 1 min");
    clock.advance(Duration.ofSeconds(1));
    assertEquals(0, g.size());
  }

  @Test
  void boundedMemory_countsForcedEvictions() {
    ReplayGuard g = new ReplayGuard(Duration.ofMinutes(11), clock, 2);
    g.observe("1", a);
    g.observe("2", a);
    g.observe("3", a);
    assertEquals(2, g.size());
    assertEquals(1, g.forcedEvictions());
  }
}
