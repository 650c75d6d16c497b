package dev.strongroom.provisioner.audit;

import dev.strongroom.audit.chain.AuditEvent;
import dev.strongroom.audit.chain.ChainRow;
import dev.strongroom.audit.chain.HashChainVerifier;
import dev.strongroom.provisioner.db.ClientConnection;
import dev.strongroom.provisioner.db.MariaDbClient;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads {@code strongroom_audit.audit_chain} joined to {@code audit_events} (as the auditor: SELECT
 * only) through the stock command-line client and feeds the rows to the audit library's {@link
 * HashChainVerifier}, which recomputes every hash; then counts the events not sealed yet. The
 * provisioner's own tests use it; the services read through JDBC.
 *
 * <p>Every text column is fetched as {@code HEX()} so tabs, line breaks and backslashes in the data
 * cannot disturb the client's tab-separated output ({@code NULL} stays the word NULL, which is
 * never hex).
 */
public final class CliAuditChainVerifier {
  private static final int PAGE = 2000;

  private final MariaDbClient client;
  private final ClientConnection connection;

  public CliAuditChainVerifier(MariaDbClient client, ClientConnection connection) {
    this.client = client;
    this.connection = connection;
  }

  /** The chain's verdict and the number of events not sealed yet. */
  public record Result(HashChainVerifier.Result chain, long unsealed) {
    public boolean ok() {
      return chain.ok();
    }

    public long verified() {
      return chain.verified();
    }

    public Long firstBadSeq() {
      return chain.firstBadSeq();
    }

    public String reason() {
      return chain.reason();
    }

    public String headHash() {
      return chain.headHash();
    }

    @Override
    public String toString() {
      return ok() ? chain + ", " + unsealed + " unsealed" : chain.toString();
    }
  }

  public Result verify() {
    HashChainVerifier v = HashChainVerifier.fromGenesis();
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
        AuditEvent e =
            "NULL".equals(r.get(4))
                ? null
                : new AuditEvent(
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
        if (!v.accept(new ChainRow(seq, eventId, text(r.get(2)), text(r.get(3)), e))) {
          return new Result(v.result(), 0);
        }
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
    return new Result(v.result(), unsealed);
  }

  private static String text(String hexOrNull) {
    if ("NULL".equals(hexOrNull)) {
      return null;
    }
    return new String(HexFormat.of().parseHex(hexOrNull), StandardCharsets.UTF_8);
  }
}
