package dev.strongroom.auditanchor.lease;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The anchor service's single-writer lease, held in the database (docs/audit-chain.md, "Anchor
 * lease"): {@code audit_lease_acquire} renews or takes it, {@code audit_anchor_append} records a
 * checkpoint only for the current holder with the current epoch — the epoch is the fencing token,
 * so an instance that was paused past its lease cannot record anything when it wakes up.
 *
 * <p>Procedures are called as plain statements (client-side prepared): a {@code CallableStatement}
 * would need read access to the routines' metadata, which {@code anchor_writer} does not have. Only
 * that identity, the service's own, may execute the three procedures ({@code
 * 06-anchor-writer-grants.sql}); the {@code auditor} certificate assessors hold may not.
 *
 * <p>An instance calls {@link #acquire} every tick (well within the TTL); it acts as the writer
 * only while the last grant says {@link Grant#acquired()} and has not expired by its own clock.
 */
public final class AnchorLease {
  /** The lease as the database granted it: who holds it, with which epoch, until when (UTC). */
  public record Grant(boolean acquired, String holder, long epoch, Instant expiresAt) {}

  private final String holder;
  private final Duration ttl;

  /** {@code holder}: this instance's name ({@code [A-Za-z0-9._:@-]{1,128}}); ttl 0.5 s..10 min. */
  public AnchorLease(String holder, Duration ttl) {
    this.holder = Objects.requireNonNull(holder, "holder");
    if (!holder.matches("[A-Za-z0-9._:@-]{1,128}")) {
      throw new IllegalArgumentException("holder must be 1..128 of [A-Za-z0-9._:@-]");
    }
    if (ttl.toMillis() < 500 || ttl.toMillis() > 600_000) {
      throw new IllegalArgumentException("lease ttl must be within 0.5 s .. 10 min");
    }
    this.ttl = ttl;
  }

  public String holder() {
    return holder;
  }

  public Duration ttl() {
    return ttl;
  }

  /** Renews the lease if this instance holds it, takes it if it lapsed, else reports the holder. */
  public Grant acquire(Connection c) throws SQLException {
    try (PreparedStatement cs =
        c.prepareStatement("CALL strongroom_audit.audit_lease_acquire(?, ?)")) {
      cs.setString(1, holder);
      cs.setInt(2, (int) ttl.toMillis());
      try (ResultSet rs = cs.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("audit_lease_acquire returned no row");
        }
        Timestamp expires =
            rs.getTimestamp(
                4, java.util.Calendar.getInstance(java.util.TimeZone.getTimeZone(ZoneOffset.UTC)));
        return new Grant(
            rs.getInt(1) == 1,
            rs.getString(2),
            rs.getLong(3),
            expires == null ? Instant.EPOCH : expires.toInstant());
      }
    }
  }

  /**
   * Records checkpoint {@code anchorNo} under {@code epoch}; the database refuses with {@code
   * SR-AUDIT-NOT-LEASEHOLDER}, {@code SR-CONFLICT} or {@code SR-AUDIT-BAD-ANCHOR} (SQLSTATE 45000).
   */
  public void append(
      Connection c,
      long epoch,
      long anchorNo,
      long treeSize,
      String rootHex,
      String checkpointNote,
      String wormObject,
      Instant createdAt)
      throws SQLException {
    try (PreparedStatement cs =
        c.prepareStatement("CALL strongroom_audit.audit_anchor_append(?, ?, ?, ?, ?, ?, ?, ?)")) {
      cs.setString(1, holder);
      cs.setLong(2, epoch);
      cs.setLong(3, anchorNo);
      cs.setLong(4, treeSize);
      cs.setString(5, rootHex);
      cs.setString(6, checkpointNote);
      cs.setString(7, wormObject);
      cs.setString(
          8, createdAt.atOffset(ZoneOffset.UTC).toLocalDateTime().toString().replace('T', ' '));
      cs.execute();
    }
  }

  /**
   * The highest anchor number {@code sink} took or started after ({@code audit_sink_deliveries}),
   * empty for a sink that has no row yet.
   */
  public OptionalLong deliveredThrough(Connection c, String sink) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT MAX(anchor_no) FROM strongroom_audit.audit_sink_deliveries WHERE sink = ?")) {
      ps.setString(1, sink);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long no = rs.getLong(1);
        return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(no);
      }
    }
  }

  /**
   * Records, under {@code epoch}, that {@code sink} took anchor {@code anchorNo} ({@code start}:
   * that a new sink starts after it); the database refuses a lapsed or superseded writer with
   * {@code SR-AUDIT-NOT-LEASEHOLDER}, an anchor past the last one, or a sent without a start or
   * past the cursor + 1, with {@code SR-AUDIT-BAD-ANCHOR}. A number at or below the sink's cursor
   * changes nothing (a retried call).
   */
  public void delivered(Connection c, long epoch, String sink, long anchorNo, boolean start)
      throws SQLException {
    try (PreparedStatement cs =
        c.prepareStatement("CALL strongroom_audit.audit_sink_delivered(?, ?, ?, ?, ?)")) {
      cs.setString(1, holder);
      cs.setLong(2, epoch);
      cs.setString(3, sink);
      cs.setLong(4, anchorNo);
      cs.setString(5, start ? "start" : "sent");
      cs.execute();
    }
  }
}
