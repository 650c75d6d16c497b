package dev.strongroom.contracts.envelope;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Replay memory (DESIGN §3): remembers where each accepted event id was first processed.
 *
 * <p>The same id at the same topic/partition/offset is a redelivery and is processed again; the
 * same id anywhere else is a replay. An event whose {@code time} is outside ±skew is already
 * refused as STALE, so an id can only be replayed within 2×skew of its first acceptance: entries
 * are kept for {@code retention} (default 2×skew + 1 min) and then forgotten. Memory is bounded by
 * {@code maxEntries}; past it the oldest entry is dropped and {@link #forcedEvictions()} counts it,
 * so an operator sees when the window is no longer fully covered. The memory is per process;
 * durable effects still rely on the database's unique request id.
 */
public final class ReplayGuard {
  /** What {@link #observe} found. */
  public enum Outcome {
    FIRST,
    REDELIVERY,
    REPLAY
  }

  private record Seen(RecordCoordinates at, Instant when) {}

  private final Duration retention;
  private final Clock clock;
  private final int maxEntries;
  private final LinkedHashMap<String, Seen> seen = new LinkedHashMap<>();
  private long forcedEvictions;

  public ReplayGuard(Duration retention, Clock clock, int maxEntries) {
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("retention must be positive");
    }
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be positive");
    }
    this.retention = retention;
    this.clock = clock;
    this.maxEntries = maxEntries;
  }

  /** A guard covering the skew window ±{@code skew}. */
  public static ReplayGuard forSkew(Duration skew, Clock clock) {
    return new ReplayGuard(skew.multipliedBy(2).plusMinutes(1), clock, 500_000);
  }

  /** Where {@code id} was first accepted, if still remembered. Does not record anything. */
  public synchronized Optional<RecordCoordinates> firstSeen(String id) {
    expire();
    Seen s = seen.get(id);
    return s == null ? Optional.empty() : Optional.of(s.at());
  }

  /** Classifies {@code id} at {@code at} and, when it is the first sighting, records it. */
  public synchronized Outcome observe(String id, RecordCoordinates at) {
    expire();
    Seen s = seen.get(id);
    if (s != null) {
      return s.at().equals(at) ? Outcome.REDELIVERY : Outcome.REPLAY;
    }
    if (seen.size() >= maxEntries) {
      Iterator<String> oldest = seen.keySet().iterator();
      oldest.next();
      oldest.remove();
      forcedEvictions++;
    }
    seen.put(id, new Seen(at, clock.instant()));
    return Outcome.FIRST;
  }

  /** Entries dropped before their retention ended because of {@code maxEntries}. */
  public synchronized long forcedEvictions() {
    return forcedEvictions;
  }

  /** Ids currently remembered. */
  public synchronized int size() {
    expire();
    return seen.size();
  }

  private void expire() {
    Instant cutoff = clock.instant().minus(retention);
    for (Iterator<Map.Entry<String, Seen>> it = seen.entrySet().iterator(); it.hasNext(); ) {
      if (it.next().getValue().when().isBefore(cutoff)) {
        it.remove();
      } else {
        break; // insertion order is time order
      }
    }
  }
}
