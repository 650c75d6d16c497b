package dev.strongroom.auditanchor.anchor;

import dev.strongroom.audit.chain.ChainHash;
import dev.strongroom.audit.chain.ChainRow;
import dev.strongroom.audit.chain.HashChainVerifier;
import dev.strongroom.audit.checkpoint.Checkpoint;
import dev.strongroom.audit.note.CosignatureV1Verifier;
import dev.strongroom.audit.note.Ed25519NoteSigner;
import dev.strongroom.audit.note.Ed25519NoteVerifier;
import dev.strongroom.audit.note.NoteSignature;
import dev.strongroom.audit.note.Notes;
import dev.strongroom.audit.tail.ChainTail;
import dev.strongroom.audit.tiles.TileLogWriter;
import dev.strongroom.audit.tree.MerkleTree;
import dev.strongroom.audit.tree.Proofs;
import dev.strongroom.audit.witness.WitnessClient;
import dev.strongroom.audit.worm.WormConflictException;
import dev.strongroom.audit.worm.WormStore;
import dev.strongroom.auditanchor.lease.AnchorLease;
import dev.strongroom.contracts.alert.AlertKind;
import dev.strongroom.contracts.alert.SecurityAlert;
import dev.strongroom.contracts.alert.Severity;
import dev.strongroom.contracts.audit.CheckpointAnchored;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Publishes the audit chain as a C2SP transparency log (DESIGN §5), one checkpoint per tick, quiet
 * or not. Quarkus-free; called by the lease holder only, with the lease's epoch.
 *
 * <p>Per tick: the chain rows after the log's size are read as {@code anchor_writer} and
 * re-verified in Java from the log's head ({@link HashChainVerifier#resumeAfter}); each verified
 * row's {@code curr_hash} (32 raw bytes) becomes the next entry. A row that does not verify is
 * never entered: the log stops growing there (the watch raises CHAIN_BREAK) and keeps checkpointing
 * its verified size. The new tree must be consistent with the last anchored checkpoint (an RFC 6962
 * consistency proof is built and checked). The checkpoint (origin, size, base64 root; Ed25519
 * signed note) is then recorded in {@code audit_anchors} under the lease epoch — the fence: a
 * lapsed writer records nothing — and only then written to the WORM store: first the tiles and
 * entry bundles of the growth ({@link TileLogWriter}), then the note as {@code checkpoints/<origin
 * with / as _>/<UTC yyyyMMddTHHmmss.SSSZ>-<size>.note}.
 *
 * <p>A store that fails is an {@code ANCHOR_GAP} alert; the checkpoint stays pending and every
 * pending one is written, in order, once the store is back — never skipped. An object that exists
 * with other bytes, a recorded anchor whose root the database's chain no longer reproduces, or a
 * WORM checkpoint the chain is not consistent with is an {@code ANCHOR_MISMATCH} alert, and the
 * publisher anchors nothing more until it is restarted (a fork is never published).
 *
 * <p>State: on taking the lease (a new epoch) the log is rebuilt from the database's chain, fully
 * re-verified from genesis, and checked against the last recorded anchor and the newest WORM
 * checkpoint; anchors recorded but missing from the store (a crash between the two, or an outage)
 * are written again byte for byte. The tree is kept in memory (about 96 bytes per event).
 */
public final class AnchorPublisher {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final int PAGE = 5000;
  private static final int H = 32;

  /** What one tick did. */
  public record Outcome(
      Anchor recorded, List<Anchor> written, int pending, List<SecurityAlert> raised) {}

  /** A checkpoint recorded in the database and meant for the WORM store. */
  public record Anchor(long anchorNo, long size, String object, byte[] note) {
    public Anchor {
      note = note.clone();
    }

    @Override
    public byte[] note() {
      return note.clone();
    }
  }

  private final Ed25519NoteSigner key;
  private final Ed25519NoteVerifier verifier;
  private final WormStore store;
  private final AnchorLease lease;
  private final Clock clock;
  private final Consumer<SecurityAlert> alerts;
  private final Map<String, String> open = new LinkedHashMap<>();

  private long loadedEpoch = -1;
  private MerkleTree tree;
  private byte[] entries; // entry i at [32i, 32i+32)
  private String head; // curr_hash hex of the last entry (genesis for none)
  private long lastNo;
  private long lastSize;
  private byte[] lastRoot;
  private long tilesWritten; // tiles and bundles are in the store for this size
  private long writtenNo; // the newest anchor number whose checkpoint is in the store
  private final Deque<Anchor> pending = new ArrayDeque<>();
  private String halted;
  private final List<Witnessing> witnesses;
  private final Map<String, Anchor> toCosign = new LinkedHashMap<>();
  private final Map<String, Long> witnessed =
      new LinkedHashMap<>(); // size last cosigned, per witness

  /**
   * A witness the log sends its checkpoints to (c2sp.org/tlog-witness {@code add-checkpoint}): its
   * cosignature/v1 key and the client that talks to it.
   */
  public record Witnessing(CosignatureV1Verifier key, WitnessClient client) {
    public Witnessing {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(client, "client");
    }
  }

  public AnchorPublisher(
      Ed25519NoteSigner key,
      WormStore store,
      AnchorLease lease,
      Clock clock,
      Consumer<SecurityAlert> alerts) {
    this(key, store, lease, clock, alerts, List.of());
  }

  /** A publisher that also has every newest checkpoint cosigned by {@code witnesses}. */
  public AnchorPublisher(
      Ed25519NoteSigner key,
      WormStore store,
      AnchorLease lease,
      Clock clock,
      Consumer<SecurityAlert> alerts,
      List<Witnessing> witnesses) {
    this.witnesses = List.copyOf(witnesses);
    this.key = Objects.requireNonNull(key);
    this.verifier = key.verifier();
    this.store = Objects.requireNonNull(store);
    this.lease = Objects.requireNonNull(lease);
    this.clock = Objects.requireNonNull(clock);
    this.alerts = Objects.requireNonNull(alerts);
  }

  /** The log's origin (the key's name). */
  public String origin() {
    return key.name();
  }

  /** Where the checkpoints of {@code origin} are named in the store. */
  public static String checkpointPrefix(String origin) {
    return "checkpoints/" + origin.replace('/', '_') + "/";
  }

  /** The object name of a checkpoint created at {@code at} with {@code size} entries. */
  public static String checkpointName(String origin, Instant at, long size) {
    return checkpointPrefix(origin) + STAMP.format(at) + "-" + size + ".note";
  }

  /**
   * Where the note cosigned by {@code witness} of the checkpoint stored as {@code object} is kept:
   * {@code checkpoints/<o>/<stamp>-<size>.note} → {@code cosignatures/<o>/<stamp>-<size>/<witness
   * name with / as _>.note}.
   */
  public static String cosignedName(String object, String witness) {
    return dev.strongroom.audit.verify.AuditLogVerifier.cosignaturePrefix(object)
        + witness.replace('/', '_')
        + ".note";
  }

  /** The log's current size (entries verified into the tree), -1 before the first tick. */
  public synchronized long size() {
    return tree == null ? -1 : tree.size();
  }

  /**
   * What the SIEM and syslog receive for {@code a}, a checkpoint of this log written to the store:
   * its note, what the note says, and the chain's head at its size.
   */
  public synchronized CheckpointAnchored describe(Anchor a) {
    Checkpoint cp = Checkpoint.open(a.note(), verifier, List.of()).checkpoint();
    String chainHead =
        a.size() == 0 ? ChainHash.GENESIS : HexFormat.of().formatHex(entry(a.size() - 1));
    return new CheckpointAnchored(
        a.anchorNo(),
        cp.origin(),
        cp.size(),
        HexFormat.of().formatHex(cp.root()),
        chainHead,
        new String(a.note(), StandardCharsets.UTF_8),
        a.object());
  }

  /**
   * The checkpoints this log wrote to the store, for the SIEM sinks ({@link AnchorFanout.Backlog}),
   * read from the store — the source of truth — in the order {@code audit_anchors} numbers them.
   * Valid while this instance writes with {@code epoch}: a backlog of a halted log, or of another
   * epoch, is empty (its chain heads could not be trusted).
   */
  public AnchorFanout.Backlog backlog(Connection c, long epoch) {
    return new AnchorFanout.Backlog() {
      @Override
      public long through() {
        synchronized (AnchorPublisher.this) {
          return ready(epoch) ? writtenNo : 0;
        }
      }

      @Override
      public List<CheckpointAnchored> after(long anchorNo, int max) throws SQLException {
        return written(c, epoch, anchorNo, max);
      }
    };
  }

  private boolean ready(long epoch) {
    return halted == null && loadedEpoch == epoch && tree != null;
  }

  private synchronized List<CheckpointAnchored> written(
      Connection c, long epoch, long after, int max) throws SQLException {
    List<CheckpointAnchored> out = new ArrayList<>();
    if (!ready(epoch) || after >= writtenNo) {
      return out;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT anchor_no, tree_size, worm_object FROM strongroom_audit.audit_anchors"
                + " WHERE anchor_no > ? AND anchor_no <= ? ORDER BY anchor_no LIMIT ?")) {
      ps.setLong(1, after);
      ps.setLong(2, writtenNo);
      ps.setInt(3, max);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long no = rs.getLong(1);
          long size = rs.getLong(2);
          String object = rs.getString(3);
          byte[] note = store.get(object); // the store's bytes, not the table's
          CheckpointAnchored a = describe(new Anchor(no, size, object, note));
          if (a.size() != size || size > tree.size()) {
            throw new dev.strongroom.audit.AuditException(
                "the WORM object "
                    + object
                    + " holds a checkpoint of size "
                    + a.size()
                    + ", anchor #"
                    + no
                    + " in the database says "
                    + size,
                false,
                null);
          }
          out.add(a);
        }
      }
    }
    return out;
  }

  /** Why anchoring stopped (an ANCHOR_MISMATCH), or null. */
  public synchronized String halted() {
    return halted;
  }

  /** Checkpoints recorded but not yet written to the store. */
  public synchronized int pending() {
    return pending.size();
  }

  /**
   * One interval as the writer with {@code epoch}: grow, check, record, write.
   *
   * @throws SQLException the database failed (or refused the record: the lease is lost)
   */
  public synchronized Outcome tick(Connection c, long epoch) throws SQLException {
    List<SecurityAlert> raised = new ArrayList<>();
    if (halted != null) {
      return new Outcome(null, List.of(), pending.size(), raised);
    }
    if (epoch != loadedEpoch) {
      if (!load(c, raised)) {
        return new Outcome(null, List.of(), pending.size(), raised);
      }
      loadedEpoch = epoch;
    }
    grow(c);
    long size = tree.size();
    byte[] root = tree.root();
    if (lastSize > 0) {
      // the witness check, against our own last anchor: the new tree extends it
      Proofs.verifyConsistency(
          lastSize, size, tree.consistencyProof(lastSize, size), lastRoot, root);
    }
    Instant now = clock.instant();
    byte[] note = Checkpoint.of(key.name(), size, root).sign(key);
    Anchor a = new Anchor(lastNo + 1, size, checkpointName(key.name(), now, size), note);
    try {
      lease.append(
          c,
          epoch,
          a.anchorNo(),
          size,
          HexFormat.of().formatHex(root),
          new String(note, StandardCharsets.UTF_8),
          a.object(),
          now);
    } catch (SQLException e) {
      loadedEpoch = -1; // another writer may have anchored: rebuild on the next grant
      throw e;
    }
    lastNo = a.anchorNo();
    lastSize = size;
    lastRoot = root;
    pending.addLast(a);
    List<Anchor> written = flush(raised);
    if (!written.isEmpty()) {
      for (Witnessing w : witnesses) {
        toCosign.put(w.key().name(), written.get(written.size() - 1));
      }
    }
    cosign(raised);
    return new Outcome(a, written, pending.size(), raised);
  }

  /**
   * Sends the newest checkpoint written (and not yet cosigned) to each witness, and stores the note
   * with its cosignatures as {@link #cosignedName}. A witness that cannot be reached, or refuses
   * for a reason that is not about the log (400, 403, 404: its configuration), is ANCHOR_GAP; one
   * that refuses because the checkpoint does not extend what it cosigned before (409 after the
   * client's retry with the witness's size, 422: the proof does not hold) is ANCHOR_MISMATCH — the
   * log this service publishes is not the one the witness saw. Publishing goes on either way (the
   * log is checked against its own last anchor before every write); the newest checkpoint is
   * offered again next tick.
   */
  private void cosign(List<SecurityAlert> raised) {
    for (Witnessing w : witnesses) {
      String name = w.key().name();
      Anchor a = toCosign.get(name);
      if (a == null) {
        continue;
      }
      String k = "witness " + name;
      try {
        // the size the witness last cosigned for us (0 after a restart: its 409 tells the client)
        long old = Math.min(witnessed.getOrDefault(name, 0L), a.size());
        List<NoteSignature> sigs = w.client().add(tree, a.size(), old, a.note());
        List<NoteSignature> all = new ArrayList<>(Notes.parse(a.note()).signatures());
        all.addAll(sigs);
        byte[] cosigned = Notes.encode(Notes.parse(a.note()).text(), all);
        store.put(cosignedName(a.object(), name), cosigned);
        toCosign.remove(name);
        witnessed.put(name, a.size());
        open.remove(k);
      } catch (WitnessClient.WitnessRefusedException e) {
        boolean fork = e.status() == 409 || e.status() == 422;
        String why =
            "witness "
                + name
                + " refused checkpoint "
                + a.object()
                + " (size "
                + a.size()
                + ") with "
                + e.status()
                + (fork
                    ? ": it does not extend what the witness cosigned before — the log was forked"
                        + " or rewritten"
                    : ": it is not cosigned")
                + " ("
                + e.getMessage()
                + ")";
        raise(
            raised,
            k,
            e.status() + " " + a.size(),
            new SecurityAlert(
                fork ? AlertKind.ANCHOR_MISMATCH : AlertKind.ANCHOR_GAP,
                fork ? Severity.CRITICAL : Severity.HIGH,
                why,
                Map.of(
                    "witness",
                    name,
                    "status",
                    e.status(),
                    "object",
                    a.object(),
                    "size",
                    a.size())));
        toCosign.remove(name); // a refusal is the witness's answer for this checkpoint
      } catch (RuntimeException e) {
        raise(
            raised,
            k,
            "unreachable",
            new SecurityAlert(
                AlertKind.ANCHOR_GAP,
                Severity.HIGH,
                "checkpoint "
                    + a.object()
                    + " could not be cosigned by witness "
                    + name
                    + " (the newest is offered again every interval): "
                    + e.getMessage(),
                Map.of("witness", name, "object", a.object(), "size", a.size())));
      }
    }
  }

  /** Writes pending anchors in order; stops at the first store failure (ANCHOR_GAP). */
  private List<Anchor> flush(List<SecurityAlert> raised) {
    List<Anchor> written = new ArrayList<>();
    TileLogWriter tiles = new TileLogWriter(store);
    while (!pending.isEmpty()) {
      Anchor a = pending.peekFirst();
      try {
        if (a.size() > tilesWritten) {
          tiles.write(tree, this::entry, tilesWritten, a.size());
          tilesWritten = a.size();
        } else if (a.size() == tilesWritten && a.size() > 0 && written.isEmpty()) {
          // re-assert the partial tiles of this size (harmless when present)
          tiles.write(tree, this::entry, a.size(), a.size());
        }
        store.put(a.object(), a.note());
      } catch (WormConflictException e) {
        mismatch(
            raised,
            "the WORM store already holds other bytes under "
                + e.name()
                + ": the published log differs from this one",
            Map.of("object", e.name(), "anchorNo", a.anchorNo()));
        return written;
      } catch (RuntimeException e) {
        // one alert per interval while the store is down: each names the checkpoint it missed
        SecurityAlert gap =
            new SecurityAlert(
                AlertKind.ANCHOR_GAP,
                Severity.HIGH,
                "checkpoint "
                    + a.object()
                    + " could not be written to "
                    + store.location()
                    + " (retried every interval, never skipped): "
                    + e.getMessage(),
                Map.of("object", a.object(), "anchorNo", a.anchorNo(), "pending", pending.size()));
        alerts.accept(gap);
        raised.add(gap);
        return written;
      }
      pending.removeFirst();
      written.add(a);
      writtenNo = a.anchorNo();
    }
    return written;
  }

  /**
   * Rebuilds the log from the database and checks it against what was anchored. False when it
   * cannot anchor (mismatch: halted; store unreachable: retried next tick).
   */
  private boolean load(Connection c, List<SecurityAlert> raised) throws SQLException {
    tree = new MerkleTree();
    entries = new byte[H * 1024];
    head = ChainHash.GENESIS;
    pending.clear();
    grow(c);
    List<Anchor> recorded = new ArrayList<>();
    lastNo = 0;
    lastSize = 0;
    lastRoot = tree.root(0);
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT anchor_no, tree_size, root_hash, checkpoint, worm_object"
                + " FROM strongroom_audit.audit_anchors ORDER BY anchor_no DESC LIMIT 1")) {
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          lastNo = rs.getLong(1);
          lastSize = rs.getLong(2);
          byte[] note = rs.getString(4).getBytes(StandardCharsets.UTF_8);
          Checkpoint cp;
          try {
            cp = Checkpoint.open(note, verifier, List.of()).checkpoint();
          } catch (RuntimeException e) {
            mismatch(
                raised,
                "anchor #"
                    + lastNo
                    + " in the database is not a checkpoint signed by "
                    + key.name()
                    + ": "
                    + e.getMessage(),
                Map.of("anchorNo", lastNo));
            return false;
          }
          lastRoot = cp.root();
          if (cp.size() != lastSize
              || !HexFormat.of().formatHex(lastRoot).equals(rs.getString(3))) {
            mismatch(
                raised,
                "anchor #" + lastNo + " in the database does not match its own checkpoint note",
                Map.of("anchorNo", lastNo));
            return false;
          }
          recorded.add(new Anchor(lastNo, lastSize, rs.getString(5), note));
        }
      }
    }
    if (!covers(lastSize, lastRoot)) {
      mismatch(
          raised,
          tree.size() < lastSize
              ? "the database's chain holds "
                  + tree.size()
                  + " entries, anchor #"
                  + lastNo
                  + " has "
                  + lastSize
                  + ": it was truncated after it was anchored"
              : "the database's chain does not reproduce anchor #"
                  + lastNo
                  + " (size "
                  + lastSize
                  + "): it was rewritten after it was anchored",
          Map.of("anchorNo", lastNo, "size", lastSize, "chainSize", tree.size()));
      return false;
    }
    try {
      // the newest checkpoint in the store, which root cannot edit: the chain must extend it
      List<String> names = store.list(checkpointPrefix(key.name()));
      if (!names.isEmpty()) {
        String newest = names.get(names.size() - 1);
        Checkpoint cp = Checkpoint.open(store.get(newest), verifier, List.of()).checkpoint();
        if (!covers(cp.size(), cp.root())) {
          mismatch(
              raised,
              "the database's chain holds "
                  + tree.size()
                  + " entries and is not consistent with the anchored checkpoint "
                  + newest
                  + " (size "
                  + cp.size()
                  + "): it was rewritten or truncated after it was anchored",
              Map.of("object", newest, "size", cp.size(), "chainSize", tree.size()));
          return false;
        }
      }
      // anchors recorded but not in the store (a crash between the two, an outage): re-write
      if (!recorded.isEmpty() && !store.exists(recorded.get(0).object())) {
        collectUnwritten(c, recorded);
        pending.addAll(recorded);
        writtenNo = recorded.get(0).anchorNo() - 1;
        tilesWritten = previousWrittenSize(c, recorded.get(0).anchorNo());
      } else {
        tilesWritten = lastSize;
        writtenNo = lastNo;
        if (!recorded.isEmpty()) {
          new TileLogWriter(store).write(tree, this::entry, lastSize, lastSize);
        }
      }
    } catch (WormConflictException e) {
      mismatch(
          raised,
          "the WORM store already holds other bytes under "
              + e.name()
              + ": the published log differs from the database's chain",
          Map.of("object", e.name()));
      return false;
    } catch (dev.strongroom.audit.AuditException e) {
      if (e instanceof dev.strongroom.audit.worm.WormStoreException) {
        SecurityAlert gap =
            new SecurityAlert(
                AlertKind.ANCHOR_GAP,
                Severity.HIGH,
                "the WORM store " + store.location() + " cannot be read: " + e.getMessage(),
                Map.of("store", store.location()));
        alerts.accept(gap);
        raised.add(gap);
        return false;
      }
      mismatch(
          raised,
          "a checkpoint in the WORM store does not open with the log key: " + e.getMessage(),
          Map.of("store", store.location()));
      return false;
    }
    return true;
  }

  /**
   * Adds, oldest first, the recorded anchors before {@code recorded.get(0)} whose objects are
   * missing too (walking back until one is present).
   */
  private void collectUnwritten(Connection c, List<Anchor> recorded) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT anchor_no, tree_size, checkpoint, worm_object FROM"
                + " strongroom_audit.audit_anchors WHERE anchor_no < ? ORDER BY anchor_no DESC"
                + " LIMIT 1000")) {
      ps.setLong(1, recorded.get(0).anchorNo());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (store.exists(rs.getString(4))) {
            break;
          }
          recorded.add(
              0,
              new Anchor(
                  rs.getLong(1),
                  rs.getLong(2),
                  rs.getString(4),
                  rs.getString(3).getBytes(StandardCharsets.UTF_8)));
        }
      }
    }
  }

  /** The tree size of the anchor before {@code anchorNo} (0 for none): its tiles are written. */
  private long previousWrittenSize(Connection c, long anchorNo) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT tree_size FROM strongroom_audit.audit_anchors WHERE anchor_no = ?")) {
      ps.setLong(1, anchorNo - 1);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  private boolean covers(long size, byte[] root) {
    return size <= tree.size() && MessageDigest.isEqual(tree.root(size), root);
  }

  /** Reads and verifies the rows after the tree's size; enters each verified one. */
  private void grow(Connection c) throws SQLException {
    HashChainVerifier v = HashChainVerifier.resumeAfter(tree.size(), head);
    while (true) {
      List<ChainRow> page = ChainTail.read(c, tree.size(), PAGE);
      for (ChainRow r : page) {
        if (!v.accept(r)) {
          return; // never enter a row that does not verify (the watch raises CHAIN_BREAK)
        }
        enter(HexFormat.of().parseHex(r.currHash()));
        head = r.currHash();
      }
      if (page.size() < PAGE) {
        return;
      }
    }
  }

  private void enter(byte[] entry) {
    long i = tree.size();
    int off = Math.toIntExact(i * H);
    if (off + H > entries.length) {
      entries = Arrays.copyOf(entries, Math.max(off + H, entries.length * 2));
    }
    System.arraycopy(entry, 0, entries, off, H);
    tree.append(entry);
  }

  private byte[] entry(long i) {
    int off = Math.toIntExact(i * H);
    return Arrays.copyOfRange(entries, off, off + H);
  }

  private void mismatch(List<SecurityAlert> raised, String why, Map<String, Object> related) {
    halted = why;
    raise(
        raised,
        "mismatch",
        why,
        new SecurityAlert(AlertKind.ANCHOR_MISMATCH, Severity.CRITICAL, why, related));
  }

  private void raise(List<SecurityAlert> raised, String k, String finding, SecurityAlert alert) {
    if (finding.equals(open.get(k))) {
      return;
    }
    open.put(k, finding);
    alerts.accept(alert);
    raised.add(alert);
  }
}
