package dev.strongroom.auditanchor.anchor;

import dev.strongroom.contracts.alert.AlertKind;
import dev.strongroom.contracts.alert.SecurityAlert;
import dev.strongroom.contracts.alert.Severity;
import dev.strongroom.contracts.audit.CheckpointAnchored;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Copies every checkpoint written to the WORM store to the other sinks of DESIGN §5 — the {@code
 * strongroom.audit.anchors} topic and syslog — in anchor order, each sink from its own durable
 * cursor. Quarkus-free; run by the lease holder only, after it wrote the tick's checkpoints.
 *
 * <p>The cursor of a sink is the highest anchor number it took ({@link Cursors}: in the database,
 * {@code audit_sink_deliveries}, recorded under the lease epoch after each send). Every tick, each
 * sink is sent what the WORM store holds after its cursor ({@link Backlog}: the store is the source
 * of truth), oldest first, until it is level, fails, or the tick's budget is spent. So a restart or
 * a takeover resumes where the last writer's sink stopped: nothing is skipped.
 *
 * <p><b>At-least-once, not exactly-once.</b> The cursor moves after the sink took the checkpoint; a
 * writer that dies between the two (or whose cursor write fails) leaves it to its successor to send
 * that checkpoint again. Neither syslog (no acknowledgement at all) nor a Kafka producer across
 * processes can make the send and the cursor one transaction. A SIEM deduplicates by the
 * checkpoint's {@code (origin, anchorNo)} — in the {@code checkpoint@32473} element of the syslog
 * message and in the anchored event's data — or by its {@code wormObject}, which names it uniquely.
 *
 * <p>A sink that fails is an {@code ANCHOR_GAP} alert, one per sink per tick while it lasts, naming
 * the sink, the checkpoint it missed and how many it is behind; it is retried every interval from
 * its cursor, never skipped. One sink's outage does not hold back the others. A sink seen for the
 * first time (no cursor) starts with the checkpoints written in the tick that first sees it: its
 * start is recorded before its first send.
 */
public final class AnchorFanout {
  /** Checkpoints a sink takes per read of the backlog. */
  static final int PAGE = 100;

  /** What {@code audit_sink_delivered} accepts as a sink's name. */
  private static final Pattern SINK_NAME = Pattern.compile("[A-Za-z0-9._:,=@/-]{1,128}");

  /** One destination. */
  public interface Sink {
    /**
     * The sink's name, for alerts, logs and its cursor ({@code strongroom.audit.anchors}, {@code
     * syslog:tcp://host:port}): 1..128 of {@code [A-Za-z0-9._:,=@/-]}.
     */
    String name();

    /** Sends one checkpoint; returns when the destination took it. */
    void send(CheckpointAnchored anchor) throws Exception;
  }

  /** What there is to send: the checkpoints written to the WORM store, in anchor order. */
  public interface Backlog {
    /** The newest anchor number written to the store (0: none yet). */
    long through();

    /**
     * Up to {@code max} checkpoints written to the store after anchor {@code anchorNo}, oldest
     * first, as the store holds them.
     *
     * @throws SQLException the database failed
     */
    List<CheckpointAnchored> after(long anchorNo, int max) throws SQLException;
  }

  /** The sinks' durable cursors. */
  public interface Cursors {
    /** The highest anchor number {@code sink} took (or started after); empty for a new sink. */
    OptionalLong get(String sink) throws SQLException;

    /**
     * Records that {@code sink} took anchor {@code anchorNo} ({@code start}: that it starts after
     * it).
     *
     * @throws SQLException the database failed, or this instance no longer holds the lease
     */
    void record(String sink, long anchorNo, boolean start) throws SQLException;
  }

  private final List<Sink> sinks;
  private final Consumer<SecurityAlert> alerts;
  private final Clock clock;
  private final Map<String, Long> behind = new LinkedHashMap<>();

  public AnchorFanout(List<? extends Sink> sinks, Consumer<SecurityAlert> alerts) {
    this(sinks, alerts, Clock.systemUTC());
  }

  public AnchorFanout(List<? extends Sink> sinks, Consumer<SecurityAlert> alerts, Clock clock) {
    this.sinks = List.copyOf(sinks);
    this.alerts = Objects.requireNonNull(alerts);
    this.clock = Objects.requireNonNull(clock);
    for (Sink s : this.sinks) {
      String n = s.name();
      if (!SINK_NAME.matcher(n).matches()) {
        throw new IllegalArgumentException("a sink name is 1..128 of [A-Za-z0-9._:,=@/-]: " + n);
      }
    }
  }

  /** The configured sinks' names. */
  public List<String> sinks() {
    return sinks.stream().map(Sink::name).toList();
  }

  /**
   * How many written checkpoints {@code sink} (by name) had still to take at the end of the last
   * delivery (-1 before the first).
   */
  public synchronized long behind(String sink) {
    return behind.getOrDefault(sink, -1L);
  }

  /**
   * Sends every sink what the store holds after its cursor, as far as the sink takes it and {@code
   * budget} allows (the rest goes next interval).
   *
   * @param firstWrittenNow the first anchor number written to the store this tick (0: none), where
   *     a sink without a cursor starts
   * @return the ANCHOR_GAP alerts raised (already passed to the alert consumer)
   * @throws SQLException the database failed or the lease was lost: the tick stops
   */
  public synchronized List<SecurityAlert> deliver(
      Backlog backlog, Cursors cursors, long firstWrittenNow, Duration budget) throws SQLException {
    List<SecurityAlert> raised = new ArrayList<>();
    Instant until = clock.instant().plus(budget);
    long through = backlog.through();
    for (Sink sink : sinks) {
      String name = sink.name();
      OptionalLong known = cursors.get(name);
      long cursor;
      if (known.isPresent()) {
        cursor = known.getAsLong();
      } else {
        cursor = firstWrittenNow > 0 ? Math.min(firstWrittenNow - 1, through) : through;
        cursors.record(name, cursor, true);
      }
      cursor = send(sink, backlog, cursors, cursor, through, until, raised);
      behind.put(name, Math.max(0, through - cursor));
    }
    return raised;
  }

  /** Sends {@code sink} what follows {@code cursor}; returns its cursor afterwards. */
  private long send(
      Sink sink,
      Backlog backlog,
      Cursors cursors,
      long cursor,
      long through,
      Instant until,
      List<SecurityAlert> raised)
      throws SQLException {
    while (cursor < through && clock.instant().isBefore(until)) {
      List<CheckpointAnchored> page;
      try {
        page = backlog.after(cursor, PAGE);
      } catch (RuntimeException e) {
        gap(raised, sink, null, cursor, through, e);
        return cursor;
      }
      if (page.isEmpty()) {
        return cursor;
      }
      for (CheckpointAnchored a : page) {
        try {
          sink.send(a);
        } catch (Exception ex) {
          if (ex instanceof InterruptedException) {
            Thread.currentThread().interrupt();
          }
          gap(raised, sink, a, cursor, through, ex);
          return cursor;
        }
        cursors.record(sink.name(), a.anchorNo(), false);
        cursor = a.anchorNo();
        if (!clock.instant().isBefore(until)) {
          return cursor;
        }
      }
    }
    return cursor;
  }

  private void gap(
      List<SecurityAlert> raised,
      Sink sink,
      CheckpointAnchored missed,
      long cursor,
      long through,
      Exception ex) {
    long pending = through - cursor;
    Map<String, Object> related = new LinkedHashMap<>();
    related.put("sink", sink.name());
    if (missed != null) {
      related.put("object", missed.wormObject());
      related.put("anchorNo", missed.anchorNo());
    }
    related.put("cursor", cursor);
    related.put("pending", pending);
    SecurityAlert gap =
        new SecurityAlert(
            AlertKind.ANCHOR_GAP,
            Severity.HIGH,
            (missed == null
                    ? "the checkpoints after anchor #" + cursor
                    : "checkpoint " + missed.wormObject())
                + " could not be sent to "
                + sink.name()
                + " ("
                + pending
                + " behind; retried every interval from its cursor, never skipped): "
                + ex.getMessage(),
            related);
    raised.add(gap);
    try {
      alerts.accept(gap);
    } catch (RuntimeException alertFailed) {
      // the alert topic may be down with the sink; the other sinks still get their turn
    }
  }
}
