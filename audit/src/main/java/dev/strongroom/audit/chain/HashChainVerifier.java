package dev.strongroom.audit.chain;

import java.util.HashSet;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies the audit chain row by row, recomputing every hash from the documented payload
 * (docs/audit-chain.md) in Java with {@link AuditJsonNotRfc8785} — nothing of the database's
 * payload or hash is trusted. Incremental: {@link #resumeAfter} continues from a verified head (the
 * anchor service's last verified seq), {@link #accept} takes the next row and names the first
 * divergence; once diverged, the verifier stays diverged. How the rows are read (JDBC, the
 * command-line client) is the caller's business.
 *
 * <p>Not thread-safe; one verifier per reader.
 */
public final class HashChainVerifier {
  private long expectedSeq;
  private String prev;
  private final Set<Long> seen = new HashSet<>();
  private Result failure;

  private HashChainVerifier(long verified, String head) {
    this.expectedSeq = verified + 1;
    this.prev = head;
  }

  /** A verifier expecting {@code seq = 1} after the genesis hash. */
  public static HashChainVerifier fromGenesis() {
    return new HashChainVerifier(0, ChainHash.GENESIS);
  }

  /**
   * A verifier that trusts rows {@code 1..verified} (checked earlier) with head {@code headHash},
   * and expects {@code seq = verified + 1} next. Event ids sealed before are not remembered, so a
   * double seal across the resume point is not seen here (the full verify sees it).
   */
  public static HashChainVerifier resumeAfter(long verified, String headHash) {
    if (verified < 0) {
      throw new IllegalArgumentException("negative seq: " + verified);
    }
    if (!ChainHash.isHash(headHash)) {
      throw new IllegalArgumentException("not a chain hash: " + headHash);
    }
    if (verified == 0 && !ChainHash.GENESIS.equals(headHash)) {
      throw new IllegalArgumentException("the head of an empty chain is the genesis hash");
    }
    return new HashChainVerifier(verified, headHash);
  }

  /** The outcome: {@code firstBadSeq} is null when every accepted row verified. */
  public record Result(long verified, Long firstBadSeq, String reason, String headHash) {
    public boolean ok() {
      return firstBadSeq == null;
    }

    @Override
    public String toString() {
      return ok()
          ? "OK: " + verified + " chain rows from genesis, head " + headHash
          : "DIVERGES at seq " + firstBadSeq + ": " + reason;
    }
  }

  /**
   * Checks the next row; returns false (and remembers why, {@link #result()}) at the first
   * divergence. After a divergence every further call returns false without looking.
   */
  public boolean accept(ChainRow r) {
    Objects.requireNonNull(r, "row");
    if (failure != null) {
      return false;
    }
    long seq = r.seq();
    if (seq != expectedSeq) {
      return fail(
          expectedSeq,
          "seq "
              + expectedSeq
              + " is missing (next chain row is seq "
              + seq
              + "): a chain row was removed");
    }
    if (!prev.equals(r.prevHash())) {
      return fail(
          seq,
          "prev_hash does not equal curr_hash of seq "
              + (seq - 1)
              + ": a chain row was inserted, removed or re-chained before it");
    }
    if (!seen.add(r.eventId())) {
      return fail(seq, "event " + Long.toUnsignedString(r.eventId()) + " is sealed twice");
    }
    AuditEvent e = r.event();
    String id = Long.toUnsignedString(r.eventId());
    if (e == null) {
      return fail(seq, "event " + id + " is missing from audit_events: removed");
    }
    String payload;
    try {
      java.util.Optional<String> p = e.payloadIfStoredCanonical();
      if (p.isEmpty()) {
        return fail(seq, "event " + id + " holds non-canonical JSON: edited");
      }
      payload = p.get();
    } catch (IllegalArgumentException | NullPointerException x) {
      return fail(seq, "event " + id + " is not well-formed (" + x.getMessage() + "): edited");
    }
    String h = ChainHash.hash(prev, payload);
    if (!h.equals(r.currHash())) {
      return fail(
          seq,
          "curr_hash does not match event "
              + id
              + " recomputed: the event or the chain row was edited");
    }
    prev = h;
    expectedSeq++;
    return true;
  }

  /** Accepts every row in order, stopping at the first divergence; returns {@link #result()}. */
  public Result verify(Iterator<ChainRow> rows) {
    while (rows.hasNext() && accept(rows.next())) {
      // next
    }
    return result();
  }

  /** Where the verifier stands: the rows verified so far, or the first divergence. */
  public Result result() {
    return failure != null ? failure : new Result(expectedSeq - 1, null, null, prev);
  }

  /** The seq of the last verified row (0 before any). */
  public long verified() {
    return failure != null ? failure.verified() : expectedSeq - 1;
  }

  /** The {@code curr_hash} of the last verified row (genesis before any). */
  public String headHash() {
    return prev;
  }

  private boolean fail(long seq, String reason) {
    failure = new Result(expectedSeq - 1, seq, reason, prev);
    return false;
  }
}
