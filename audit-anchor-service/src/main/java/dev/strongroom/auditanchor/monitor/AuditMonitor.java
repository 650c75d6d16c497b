package dev.strongroom.auditanchor.monitor;

import dev.strongroom.audit.chain.HashChainVerifier;
import dev.strongroom.audit.tail.AuditorJdbc;
import dev.strongroom.audit.tail.ChainTail;
import dev.strongroom.audit.tail.SchemaWatch;
import dev.strongroom.auditanchor.anchor.AnchorFanout;
import dev.strongroom.auditanchor.anchor.AnchorPublisher;
import dev.strongroom.auditanchor.lease.AnchorLease;
import dev.strongroom.contracts.alert.AlertKind;
import dev.strongroom.contracts.alert.SecurityAlert;
import dev.strongroom.contracts.alert.Severity;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * One tick of the audit plane's watch, Quarkus-free: take or renew the lease; as the writer, tail
 * and verify the chain from the last verified seq, read the drift and row-count views, and raise
 * alerts (CHAIN_BREAK with the seq, SCHEMA_DRIFT for a changed table, column, trigger or routine,
 * GRANT_CHANGE for a changed grant, SCHEMA_DRIFT for a row count its events do not account for — a
 * TRUNCATE); publish the tick's checkpoint and send the SIEM sinks what they have not taken yet,
 * from their cursors in the database ({@link AnchorFanout}). As a standby, do nothing but ask for
 * the lease. Each distinct finding is alerted once per process while it lasts (a changed finding is
 * a new one); cleared findings are forgotten.
 */
public final class AuditMonitor {
  /** What a tick saw. */
  public record Tick(
      AnchorLease.Grant grant,
      boolean writer,
      long verifiedSeq,
      HashChainVerifier.Result divergence,
      List<SchemaWatch.Drift> drift,
      List<SchemaWatch.RowMismatch> rows,
      List<SecurityAlert> raised,
      AnchorPublisher.Outcome anchored) {}

  private final AuditorJdbc jdbc;
  private final ChainTail tail;
  private final AnchorLease lease;
  private final Consumer<SecurityAlert> alerts;
  private final AnchorPublisher publisher;
  private final AnchorFanout fanout;
  private final Duration fanoutBudget;
  private final Map<String, String> open = new LinkedHashMap<>();
  private Connection connection;

  /** A watch that anchors nothing. */
  public AuditMonitor(
      AuditorJdbc jdbc, ChainTail tail, AnchorLease lease, Consumer<SecurityAlert> alerts) {
    this(jdbc, tail, lease, alerts, null);
  }

  /**
   * A watch that, as the writer, also publishes a checkpoint every tick through {@code publisher}
   * (null: none) after the chain, drift and row checks.
   */
  public AuditMonitor(
      AuditorJdbc jdbc,
      ChainTail tail,
      AnchorLease lease,
      Consumer<SecurityAlert> alerts,
      AnchorPublisher publisher) {
    this(jdbc, tail, lease, alerts, publisher, null, Duration.ZERO);
  }

  /**
   * A watch that, as the writer, publishes through {@code publisher} and then sends every sink of
   * {@code fanout} (null: none) what the store holds after its cursor, for at most {@code
   * fanoutBudget} per tick.
   */
  public AuditMonitor(
      AuditorJdbc jdbc,
      ChainTail tail,
      AnchorLease lease,
      Consumer<SecurityAlert> alerts,
      AnchorPublisher publisher,
      AnchorFanout fanout,
      Duration fanoutBudget) {
    if (fanout != null && publisher == null) {
      throw new IllegalArgumentException("the fanout sends what the publisher writes");
    }
    this.publisher = publisher;
    this.fanout = fanout;
    this.fanoutBudget = Objects.requireNonNull(fanoutBudget);
    this.jdbc = Objects.requireNonNull(jdbc);
    this.tail = Objects.requireNonNull(tail);
    this.lease = Objects.requireNonNull(lease);
    this.alerts = Objects.requireNonNull(alerts);
  }

  /** Runs one tick; a database failure drops the connection and is thrown (retry next tick). */
  public synchronized Tick tick() throws SQLException {
    try {
      Connection c = connection();
      AnchorLease.Grant grant = lease.acquire(c);
      if (!grant.acquired()) {
        return new Tick(
            grant, false, tail.state().verifiedSeq(), null, List.of(), List.of(), List.of(), null);
      }
      List<SecurityAlert> raised = new java.util.ArrayList<>();
      ChainTail.Poll poll = tail.poll(c, 1_000_000);
      if (poll.divergence() != null) {
        HashChainVerifier.Result d = poll.divergence();
        raise(
            raised,
            "chain",
            d.firstBadSeq() + " " + d.reason(),
            new SecurityAlert(
                AlertKind.CHAIN_BREAK,
                Severity.CRITICAL,
                "the audit chain diverges at seq " + d.firstBadSeq() + ": " + d.reason(),
                Map.of("seq", d.firstBadSeq(), "verifiedSeq", d.verified())));
      } else {
        open.remove("chain");
      }
      List<SchemaWatch.Drift> drift = SchemaWatch.drift(c);
      List<SchemaWatch.Drift> grants =
          drift.stream().filter(x -> x.kind().equals("grant")).toList();
      List<SchemaWatch.Drift> schema =
          drift.stream().filter(x -> !x.kind().equals("grant")).toList();
      if (!schema.isEmpty()) {
        raise(
            raised,
            "schema",
            schema.toString(),
            new SecurityAlert(
                AlertKind.SCHEMA_DRIFT,
                Severity.HIGH,
                "the audited schema differs from what the installer left: " + schema,
                Map.of("changes", schema.size(), "first", schema.get(0).toString())));
      } else {
        open.remove("schema");
      }
      if (!grants.isEmpty()) {
        raise(
            raised,
            "grants",
            grants.toString(),
            new SecurityAlert(
                AlertKind.GRANT_CHANGE,
                Severity.HIGH,
                "grants on the audited schemas differ from what the installer left: " + grants,
                Map.of("changes", grants.size(), "first", grants.get(0).toString())));
      } else {
        open.remove("grants");
      }
      List<SchemaWatch.RowMismatch> rows = List.of();
      try {
        rows = SchemaWatch.rowMismatches(c);
        if (rows.isEmpty()) {
          open.remove("rows");
        } else {
          SchemaWatch.RowMismatch first = rows.get(0);
          raise(
              raised,
              "rows",
              rows.toString(),
              new SecurityAlert(
                  AlertKind.SCHEMA_DRIFT,
                  Severity.HIGH,
                  "rows changed without audit events (a TRUNCATE?): " + rows,
                  Map.of(
                      "check", "row-count",
                      "table", first.table(),
                      "rows", first.rows(),
                      "expected", first.expected())));
        }
      } catch (SchemaWatch.DriftException e) {
        raise(
            raised,
            "rows",
            e.getMessage(),
            new SecurityAlert(
                AlertKind.SCHEMA_DRIFT,
                Severity.HIGH,
                e.getMessage(),
                Map.of("check", "row-count")));
      }
      AnchorPublisher.Outcome anchored = null;
      if (publisher != null) {
        anchored = publisher.tick(c, grant.epoch());
        raised.addAll(anchored.raised());
        if (fanout != null) {
          long epoch = grant.epoch();
          long first = anchored.written().isEmpty() ? 0 : anchored.written().get(0).anchorNo();
          raised.addAll(
              fanout.deliver(
                  publisher.backlog(c, epoch),
                  new AnchorFanout.Cursors() {
                    @Override
                    public OptionalLong get(String sink) throws SQLException {
                      return lease.deliveredThrough(c, sink);
                    }

                    @Override
                    public void record(String sink, long anchorNo, boolean start)
                        throws SQLException {
                      lease.delivered(c, epoch, sink, anchorNo, start);
                    }
                  },
                  first,
                  fanoutBudget));
        }
      }
      return new Tick(
          grant,
          true,
          poll.after().verifiedSeq(),
          poll.divergence(),
          drift,
          rows,
          raised,
          anchored);
    } catch (SQLException | RuntimeException e) {
      closeConnection();
      throw e;
    }
  }

  private void raise(List<SecurityAlert> raised, String key, String finding, SecurityAlert alert) {
    if (finding.equals(open.get(key))) {
      return;
    }
    open.put(key, finding);
    alerts.accept(alert);
    raised.add(alert);
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      connection = jdbc.connect();
    }
    return connection;
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // already broken
      }
      connection = null;
    }
  }

  /** Closes the database connection. */
  public synchronized void close() {
    closeConnection();
  }
}
