package dev.strongroom.auditanchor.anchor;

import dev.strongroom.contracts.alert.AlertKind;
import dev.strongroom.contracts.alert.SecurityAlert;
import dev.strongroom.contracts.alert.Severity;
import dev.strongroom.contracts.audit.CheckpointAnchored;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Copies every checkpoint written to the WORM store to the other sinks of DESIGN §5 — the {@code
 * strongroom.audit.anchors} topic and syslog — in anchor order, each sink on its own queue.
 * Quarkus-free.
 *
 * <p>A sink that fails is an {@code ANCHOR_GAP} alert (one per sink per tick while it lasts, naming
 * the sink and the checkpoint it missed); its checkpoints stay queued and are sent, in order, once
 * it takes them again — never skipped. One sink's outage does not hold back the others. The queues
 * live in memory: a checkpoint still queued when the process stops is in the WORM store and in
 * {@code audit_anchors} but is not sent again after the restart (the SIEM sees the gap in {@code
 * anchorNo}).
 */
public final class AnchorFanout {
  /** One destination. */
  public interface Sink {
    /** A short name for alerts and logs ({@code kafka}, {@code syslog}). */
    String name();

    /** Sends one checkpoint; returns when the destination took it. */
    void send(CheckpointAnchored anchor) throws Exception;
  }

  private final Map<Sink, Deque<CheckpointAnchored>> queues = new LinkedHashMap<>();
  private final Consumer<SecurityAlert> alerts;

  public AnchorFanout(List<? extends Sink> sinks, Consumer<SecurityAlert> alerts) {
    sinks.forEach(s -> queues.put(Objects.requireNonNull(s), new ArrayDeque<>()));
    this.alerts = Objects.requireNonNull(alerts);
  }

  /** The configured sinks' names. */
  public synchronized List<String> sinks() {
    return queues.keySet().stream().map(Sink::name).toList();
  }

  /** Checkpoints queued for {@code sink} (by name). */
  public synchronized int pending(String sink) {
    return queues.entrySet().stream()
        .filter(e -> e.getKey().name().equals(sink))
        .mapToInt(e -> e.getValue().size())
        .sum();
  }

  /**
   * Queues {@code written} (in anchor order) for every sink, then sends every queue as far as its
   * sink takes it.
   *
   * @return the ANCHOR_GAP alerts raised (already passed to the alert consumer)
   */
  public synchronized List<SecurityAlert> deliver(List<CheckpointAnchored> written) {
    List<SecurityAlert> raised = new ArrayList<>();
    for (Map.Entry<Sink, Deque<CheckpointAnchored>> e : queues.entrySet()) {
      Sink sink = e.getKey();
      Deque<CheckpointAnchored> q = e.getValue();
      q.addAll(written);
      while (!q.isEmpty()) {
        CheckpointAnchored a = q.peekFirst();
        try {
          sink.send(a);
        } catch (Exception ex) {
          if (ex instanceof InterruptedException) {
            Thread.currentThread().interrupt();
          }
          SecurityAlert gap =
              new SecurityAlert(
                  AlertKind.ANCHOR_GAP,
                  Severity.HIGH,
                  "checkpoint "
                      + a.wormObject()
                      + " could not be sent to "
                      + sink.name()
                      + " (retried every interval, never skipped): "
                      + ex.getMessage(),
                  Map.of(
                      "sink",
                      sink.name(),
                      "object",
                      a.wormObject(),
                      "anchorNo",
                      a.anchorNo(),
                      "pending",
                      q.size()));
          raised.add(gap);
          try {
            alerts.accept(gap);
          } catch (RuntimeException alertFailed) {
            // the alert topic may be down with the sink; the other sinks still get their turn
          }
          break;
        }
        q.removeFirst();
      }
    }
    return raised;
  }
}
