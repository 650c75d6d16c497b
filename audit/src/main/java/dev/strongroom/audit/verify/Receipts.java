package dev.strongroom.audit.verify;

import dev.strongroom.audit.AuditException;
import dev.strongroom.audit.checkpoint.Checkpoint;
import dev.strongroom.audit.note.NoteVerifier;
import dev.strongroom.audit.proof.TlogProof;
import dev.strongroom.audit.tiles.TileLogReader;
import dev.strongroom.audit.tree.Proofs;
import dev.strongroom.audit.tree.Rfc6962;
import dev.strongroom.audit.worm.WormStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Inclusion receipts ({@code ./strongroom receipt}): for an audit event at {@code seq}, a C2SP
 * {@code tlog-proof@v1} — index {@code seq - 1}, the RFC 6962 inclusion proof built from the
 * store's tiles, and the newest signed checkpoint of the store — that anyone verifies offline with
 * the log key and the event's {@code curr_hash} ({@link TlogProof#verify} with {@code
 * Rfc6962.leafHash(curr_hash bytes)}).
 */
public final class Receipts {
  private Receipts() {}

  /** A receipt for one event. */
  public record Receipt(
      long seq, String currHash, String table, String operation, TlogProof proof) {}

  /** A receipt cannot be issued (the event is not anchored yet, the store is empty). */
  public static final class ReceiptException extends AuditException {
    private static final long serialVersionUID = 1L;

    public ReceiptException(String message) {
      super(message, false, null);
    }
  }

  /** The newest checkpoint of the origin in the store, verified with the log key. */
  public static Checkpoint.Signed newest(WormStore store, NoteVerifier logKey) {
    List<String> names = store.list(AuditLogVerifier.checkpointPrefix(logKey.name()));
    if (names.isEmpty()) {
      throw new ReceiptException("no checkpoint of " + logKey.name() + " in " + store.location());
    }
    return Checkpoint.open(store.get(names.get(names.size() - 1)), logKey, List.of());
  }

  /**
   * The receipt of the event at {@code seq} whose chain hash is {@code currHash}, against the
   * newest checkpoint; checked before it is returned.
   */
  public static TlogProof receipt(WormStore store, NoteVerifier logKey, long seq, String currHash) {
    Checkpoint.Signed cp = newest(store, logKey);
    long size = cp.checkpoint().size();
    if (seq < 1 || seq > size) {
      throw new ReceiptException(
          "seq " + seq + " is not anchored yet (the newest checkpoint has " + size + " events)");
    }
    List<byte[]> proof = Proofs.inclusionProof(new TileLogReader(store, size), seq - 1, size);
    TlogProof p = TlogProof.of(seq - 1, proof, cp.bytes());
    p.verify(Rfc6962.leafHash(HexFormat.of().parseHex(currHash)), logKey, List.of(), 0);
    return p;
  }

  /**
   * The receipts of every audit event about {@code recordId} (its {@code users} row and each
   * recorded decrypt of it), read as the connection's identity (normally {@code auditor}).
   */
  public static List<Receipt> forRecord(
      WormStore store, NoteVerifier logKey, Connection c, String recordId) throws SQLException {
    List<Receipt> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT c.seq, c.curr_hash, e.table_name, e.operation"
                + " FROM strongroom_audit.audit_chain c"
                + " JOIN strongroom_audit.audit_events e ON e.event_id = c.event_id"
                + " WHERE JSON_VALUE(e.primary_key, '$.record_id') = ?"
                + " OR JSON_VALUE(e.after_image, '$.record_id') = ?"
                + " OR JSON_VALUE(e.before_image, '$.record_id') = ?"
                + " ORDER BY c.seq")) {
      ps.setString(1, recordId);
      ps.setString(2, recordId);
      ps.setString(3, recordId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long seq = rs.getLong(1);
          String h = rs.getString(2);
          out.add(
              new Receipt(
                  seq, h, rs.getString(3), rs.getString(4), receipt(store, logKey, seq, h)));
        }
      }
    }
    return out;
  }
}
