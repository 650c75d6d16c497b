package dev.strongroom.provisioner.audit;

import dev.strongroom.provisioner.db.ClientConnection;
import dev.strongroom.provisioner.db.MariaDbClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Reads {@code strongroom_audit.audit_chain} and {@code audit_events} (as the auditor: SELECT only)
 * and recomputes every hash from the documented payload (docs/audit-chain.md) in Java, with its own
 * canonical JSON — nothing of the SQL's payload or hash is trusted. Returns OK, or the first
 * divergent {@code seq} with the reason.
 *
 * <p>Every text column is fetched as {@code HEX()} so tabs, line breaks and backslashes in the data
 * cannot disturb the client's tab-separated output ({@code NULL} stays the word NULL, which is
 * never hex).
 */
public final class AuditChainVerifier {
  public static final String GENESIS = "0".repeat(64);
  private static final int PAGE = 2000;

  private final MariaDbClient client;
  private final ClientConnection connection;

  public AuditChainVerifier(MariaDbClient client, ClientConnection connection) {
    this.client = client;
    this.connection = connection;
  }

  /** The outcome: {@code firstBadSeq} is null when the chain verified. */
  public record Result(
      long verified, Long firstBadSeq, String reason, long unsealed, String headHash) {
    public boolean ok() {
      return firstBadSeq == null;
    }

    @Override
    public String toString() {
      return ok()
          ? "OK: "
              + verified
              + " chain rows from genesis, head "
              + headHash
              + ", "
              + unsealed
              + " unsealed"
          : "DIVERGES at seq " + firstBadSeq + ": " + reason;
    }
  }

  public Result verify() {
    long expectedSeq = 1;
    String prev = GENESIS;
    Set<Long> seen = new HashSet<>();
    long after = 0;
    while (true) {
      List<List<String>> rows =
          client
              .require(
                  connection,
                  "SELECT c.seq, c.event_id, HEX(c.prev_hash), HEX(c.curr_hash), e.event_id, HEX(e.event_time),"
                      + " HEX(e.db_user), HEX(e.current_usr), HEX(e.tenant_id), HEX(e.operation), HEX(e.table_name),"
                      + " HEX(e.primary_key), HEX(e.before_image), HEX(e.after_image), HEX(e.request_id)"
                      + " FROM strongroom_audit.audit_chain c"
                      + " LEFT JOIN strongroom_audit.audit_events e ON e.event_id = c.event_id"
                      + " WHERE c.seq > "
                      + after
                      + " ORDER BY c.seq LIMIT "
                      + PAGE)
              .rows();
      for (List<String> r : rows) {
        long seq = Long.parseUnsignedLong(r.get(0));
        long eventId = Long.parseUnsignedLong(r.get(1));
        String prevHash = text(r.get(2));
        String currHash = text(r.get(3));
        if (seq != expectedSeq) {
          return new Result(
              expectedSeq - 1,
              expectedSeq,
              "seq "
                  + expectedSeq
                  + " is missing (next chain row is seq "
                  + seq
                  + "): a chain row was removed",
              0,
              prev);
        }
        if (!prev.equals(prevHash)) {
          return new Result(
              expectedSeq - 1,
              seq,
              "prev_hash does not equal curr_hash of seq "
                  + (seq - 1)
                  + ": a chain row was inserted, removed or re-chained before it",
              0,
              prev);
        }
        if (!seen.add(eventId)) {
          return new Result(expectedSeq - 1, seq, "event " + eventId + " is sealed twice", 0, prev);
        }
        if ("NULL".equals(r.get(4))) {
          return new Result(
              expectedSeq - 1,
              seq,
              "event " + eventId + " is missing from audit_events: removed",
              0,
              prev);
        }
        AuditEvent e =
            new AuditEvent(
                eventId,
                text(r.get(5)),
                text(r.get(6)),
                text(r.get(7)),
                text(r.get(8)),
                text(r.get(9)),
                text(r.get(10)),
                text(r.get(11)),
                text(r.get(12)),
                text(r.get(13)),
                text(r.get(14)));
        String payload;
        try {
          if (!e.storedCanonical()) {
            return new Result(
                expectedSeq - 1,
                seq,
                "event " + eventId + " holds non-canonical JSON: edited",
                0,
                prev);
          }
          payload = e.payload();
        } catch (IllegalArgumentException | NullPointerException x) {
          return new Result(
              expectedSeq - 1,
              seq,
              "event " + eventId + " is not well-formed (" + x.getMessage() + "): edited",
              0,
              prev);
        }
        String h = hash(prev, payload);
        if (!h.equals(currHash)) {
          return new Result(
              expectedSeq - 1,
              seq,
              "curr_hash does not match event "
                  + eventId
                  + " recomputed: the event or the chain row was edited",
              0,
              prev);
        }
        prev = h;
        expectedSeq++;
        after = seq;
      }
      if (rows.size() < PAGE) {
        break;
      }
    }
    long unsealed =
        Long.parseLong(
            client
                .require(
                    connection,
                    "SELECT COUNT(*) FROM strongroom_audit.audit_events e WHERE NOT EXISTS"
                        + " (SELECT 1 FROM strongroom_audit.audit_chain c WHERE c.event_id = e.event_id)")
                .scalar());
    return new Result(expectedSeq - 1, null, null, unsealed, prev);
  }

  /** {@code SHA-256(prevHex "|" payload)} over UTF-8, as lowercase hex. */
  public static String hash(String prevHex, String payload) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of()
          .formatHex(md.digest((prevHex + "|" + payload).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException x) {
      throw new IllegalStateException(x);
    }
  }

  private static String text(String hexOrNull) {
    if ("NULL".equals(hexOrNull)) {
      return null;
    }
    return new String(HexFormat.of().parseHex(hexOrNull), StandardCharsets.UTF_8);
  }
}
