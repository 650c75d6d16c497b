package dev.strongroom.audit.verify;

import dev.strongroom.audit.AuditException;
import dev.strongroom.audit.checkpoint.Checkpoint;
import dev.strongroom.audit.note.CosignatureV1Verifier;
import dev.strongroom.audit.note.NoteSignature;
import dev.strongroom.audit.note.NoteVerifier;
import dev.strongroom.audit.note.Notes;
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
 * store's tiles, and a signed checkpoint of the store — that anyone verifies offline with the log
 * key and the event's {@code curr_hash} ({@link TlogProof#verify} with {@code
 * Rfc6962.leafHash(curr_hash bytes)}).
 *
 * <p>The checkpoint carries the witnesses' cosignatures kept with it (C2SP {@code
 * tlog-cosignature}: extra signature lines on the same note, which {@code tlog-proof} allows), so a
 * verifier that knows a witness key can also require that witness's cosignature. It is the newest
 * checkpoint that has them among the newest {@value #COSIGNED_LOOKBACK} of a size that includes the
 * event (the witness cosigns the newest checkpoint each interval, shortly after it is written),
 * else the newest checkpoint, without cosignatures.
 */
public final class Receipts {
  private Receipts() {}

  /** How many of the newest checkpoints a receipt looks through for a cosigned one. */
  public static final int COSIGNED_LOOKBACK = 16;

  /**
   * A receipt for one event; {@code cosignedBy}: the witnesses whose cosignatures on its checkpoint
   * verified with the keys given.
   */
  public record Receipt(
      long seq,
      String currHash,
      String table,
      String operation,
      TlogProof proof,
      List<String> cosignedBy) {
    public Receipt {
      cosignedBy = List.copyOf(cosignedBy);
    }
  }

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
   * The checkpoint a receipt for {@code seq} is made against, as a note with the log's signature
   * and every witness cosignature kept for it (see the class comment for which one).
   *
   * @throws ReceiptException the store has no checkpoint, or none includes {@code seq}
   * @throws AuditException a cosigned copy in the store is of another checkpoint text
   */
  public static Checkpoint.Signed anchoredFor(WormStore store, NoteVerifier logKey, long seq) {
    List<String> names = store.list(AuditLogVerifier.checkpointPrefix(logKey.name()));
    if (names.isEmpty()) {
      throw new ReceiptException("no checkpoint of " + logKey.name() + " in " + store.location());
    }
    int last = names.size() - 1;
    Checkpoint.Signed newest = Checkpoint.open(store.get(names.get(last)), logKey, List.of());
    long size = newest.checkpoint().size();
    if (seq < 1 || seq > size) {
      throw new ReceiptException(
          "seq " + seq + " is not anchored yet (the newest checkpoint has " + size + " events)");
    }
    for (int i = last; i >= Math.max(0, last - COSIGNED_LOOKBACK + 1); i--) {
      String name = names.get(i);
      Checkpoint.Signed cp =
          i == last ? newest : Checkpoint.open(store.get(name), logKey, List.of());
      if (cp.checkpoint().size() < seq) {
        break;
      }
      byte[] cosigned = withCosignatures(store, name, cp, logKey);
      if (cosigned != null) {
        return Checkpoint.open(cosigned, logKey, List.of());
      }
    }
    return newest;
  }

  /**
   * {@code cp}'s note with the signature lines of every cosigned copy kept for {@code object} added
   * (each once), or null when there is none.
   */
  private static byte[] withCosignatures(
      WormStore store, String object, Checkpoint.Signed cp, NoteVerifier logKey) {
    List<String> copies = store.list(AuditLogVerifier.cosignaturePrefix(object));
    if (copies.isEmpty()) {
      return null;
    }
    Notes.Parsed own = Notes.parse(cp.bytes());
    List<NoteSignature> all = new ArrayList<>(own.signatures());
    for (String copy : copies) {
      Notes.Parsed other = Notes.parse(store.get(copy));
      if (!other.text().equals(own.text())) {
        throw new AuditException(
            copy + " is a cosigned copy of another checkpoint than " + object, false, null);
      }
      for (NoteSignature s : other.signatures()) {
        boolean logs = s.name().equals(logKey.name()) && s.keyId() == logKey.keyId();
        boolean known =
            all.stream()
                .anyMatch(
                    x ->
                        x.name().equals(s.name())
                            && x.keyId() == s.keyId()
                            && java.util.Arrays.equals(x.signature(), s.signature()));
        if (!logs && !known) {
          all.add(s);
        }
      }
    }
    return all.size() == own.signatures().size() ? null : Notes.encode(own.text(), all);
  }

  /**
   * The receipt of the event at {@code seq} whose chain hash is {@code currHash}, against the
   * checkpoint {@link #anchoredFor} picks; checked before it is returned.
   */
  public static TlogProof receipt(WormStore store, NoteVerifier logKey, long seq, String currHash) {
    return receipt(store, logKey, List.of(), seq, currHash);
  }

  /**
   * As {@link #receipt(WormStore, NoteVerifier, long, String)}, checking each cosignature of a
   * witness in {@code witnesses} too (one that does not verify is refused).
   */
  public static TlogProof receipt(
      WormStore store,
      NoteVerifier logKey,
      List<CosignatureV1Verifier> witnesses,
      long seq,
      String currHash) {
    Checkpoint.Signed cp = anchoredFor(store, logKey, seq);
    long size = cp.checkpoint().size();
    List<byte[]> proof = Proofs.inclusionProof(new TileLogReader(store, size), seq - 1, size);
    TlogProof p = TlogProof.of(seq - 1, proof, cp.bytes());
    p.verify(Rfc6962.leafHash(HexFormat.of().parseHex(currHash)), logKey, witnesses, 0);
    return p;
  }

  /**
   * The receipts of every audit event about {@code recordId} (its {@code users} row and each
   * recorded decrypt of it), read as the connection's identity (normally {@code auditor}).
   */
  public static List<Receipt> forRecord(
      WormStore store, NoteVerifier logKey, Connection c, String recordId) throws SQLException {
    return forRecord(store, logKey, List.of(), c, recordId);
  }

  /**
   * As {@link #forRecord(WormStore, NoteVerifier, Connection, String)}, each receipt's cosignatures
   * checked with {@code witnesses} and named in {@link Receipt#cosignedBy}.
   */
  public static List<Receipt> forRecord(
      WormStore store,
      NoteVerifier logKey,
      List<CosignatureV1Verifier> witnesses,
      Connection c,
      String recordId)
      throws SQLException {
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
          TlogProof p = receipt(store, logKey, witnesses, seq, h);
          List<String> by = new ArrayList<>();
          p.verify(Rfc6962.leafHash(HexFormat.of().parseHex(h)), logKey, witnesses, 0)
              .cosignatures()
              .forEach(sig -> by.add(sig.name()));
          out.add(new Receipt(seq, h, rs.getString(3), rs.getString(4), p, by));
        }
      }
    }
    return out;
  }
}
