package dev.strongroom.audit.tail;

import dev.strongroom.audit.chain.AuditEvent;
import dev.strongroom.audit.chain.ChainRow;
import dev.strongroom.audit.chain.HashChainVerifier;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Tails {@code strongroom_audit.audit_chain} incrementally: each {@link #poll} first checks that
 * the row it verified last is still there with the same {@code curr_hash} (a rewrite re-chained to
 * the head changes it), then reads the rows after it in seq order, joined to their events,
 * re-computes every hash in Java ({@link HashChainVerifier#resumeAfter}) and stores the new head in
 * its {@link TailStateFile} after each page, so a restart resumes where it stopped — no row is
 * verified twice and none is skipped.
 *
 * <p>Rows are read as the identity of the connection ({@code auditor} or {@code anchor_writer}),
 * with plain consistent reads: no lock is taken.
 */
public final class ChainTail {
  static final String ROWS =
      "SELECT c.seq, c.event_id, c.prev_hash, c.curr_hash, e.event_id,"
          + " DATE_FORMAT(e.event_time, '%Y-%m-%d %H:%i:%s.%f'), e.db_user, e.current_usr, e.tenant_id,"
          + " e.operation, e.table_name, e.primary_key, e.before_image, e.after_image, e.request_id"
          + " FROM strongroom_audit.audit_chain c"
          + " LEFT JOIN strongroom_audit.audit_events e ON e.event_id = c.event_id"
          + " WHERE c.seq > ? ORDER BY c.seq LIMIT ?";

  private final TailStateFile state;
  private final int pageSize;

  /** {@code pageSize}: rows per query (1..100000). */
  public ChainTail(TailStateFile state, int pageSize) {
    if (pageSize < 1 || pageSize > 100_000) {
      throw new IllegalArgumentException("pageSize must be within 1..100000");
    }
    this.state = state;
    this.pageSize = pageSize;
  }

  /**
   * One poll's outcome: the state before and after, the rows verified in this poll (in seq order),
   * and the divergence, or null when every row read verified.
   */
  public record Poll(
      TailState before,
      TailState after,
      List<ChainRow> verified,
      HashChainVerifier.Result divergence) {
    public boolean ok() {
      return divergence == null;
    }
  }

  /** The stored state (where the next poll resumes). */
  public TailState state() {
    return state.load();
  }

  /**
   * Verifies up to {@code maxRows} new rows (in pages), stopping at the first divergence. The state
   * advances over verified rows only.
   */
  public Poll poll(Connection c, long maxRows) {
    TailState before = state.load();
    try {
      HashChainVerifier.Result moved = headMoved(c, before);
      if (moved != null) {
        return new Poll(before, before, List.of(), moved);
      }
      HashChainVerifier v = HashChainVerifier.resumeAfter(before.verifiedSeq(), before.headHash());
      List<ChainRow> verified = new ArrayList<>();
      TailState now = before;
      while (verified.size() < maxRows) {
        int limit = (int) Math.min(pageSize, maxRows - verified.size());
        List<ChainRow> page = read(c, now.verifiedSeq(), limit);
        for (ChainRow r : page) {
          if (!v.accept(r)) {
            return new Poll(before, now, verified, v.result());
          }
          verified.add(r);
          now = new TailState(r.seq(), r.currHash());
        }
        if (!page.isEmpty()) {
          state.store(now);
        }
        if (page.size() < limit) {
          break;
        }
      }
      return new Poll(before, now, verified, null);
    } catch (SQLException e) {
      throw new TailException("cannot read the audit chain: " + e.getMessage(), e);
    }
  }

  private static HashChainVerifier.Result headMoved(Connection c, TailState s) throws SQLException {
    if (s.verifiedSeq() == 0) {
      return null;
    }
    try (PreparedStatement ps =
        c.prepareStatement("SELECT curr_hash FROM strongroom_audit.audit_chain WHERE seq = ?")) {
      ps.setLong(1, s.verifiedSeq());
      try (ResultSet rs = ps.executeQuery()) {
        String now = rs.next() ? rs.getString(1) : null;
        if (s.headHash().equals(now)) {
          return null;
        }
        String why =
            now == null
                ? "chain row seq " + s.verifiedSeq() + ", verified earlier, is gone"
                : "curr_hash of seq "
                    + s.verifiedSeq()
                    + " changed since it was verified ("
                    + s.headHash()
                    + " -> "
                    + now
                    + "): the chain was rewritten";
        return new HashChainVerifier.Result(
            s.verifiedSeq() - 1, s.verifiedSeq(), why, s.headHash());
      }
    }
  }

  /**
   * Reads up to {@code limit} chain rows after {@code afterSeq}, in seq order, joined to their
   * events (unverified: feed them to a {@link HashChainVerifier}).
   */
  public static List<ChainRow> read(Connection c, long afterSeq, int limit) throws SQLException {
    List<ChainRow> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(ROWS)) {
      ps.setLong(1, afterSeq);
      ps.setInt(2, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long eventId = rs.getLong(2);
          AuditEvent e = null;
          rs.getLong(5);
          if (!rs.wasNull()) {
            e =
                new AuditEvent(
                    rs.getLong(5),
                    rs.getString(6),
                    rs.getString(7),
                    rs.getString(8),
                    rs.getString(9),
                    rs.getString(10),
                    rs.getString(11),
                    rs.getString(12),
                    rs.getString(13),
                    rs.getString(14),
                    rs.getString(15));
          }
          out.add(new ChainRow(rs.getLong(1), eventId, rs.getString(3), rs.getString(4), e));
        }
      }
    }
    return out;
  }
}
