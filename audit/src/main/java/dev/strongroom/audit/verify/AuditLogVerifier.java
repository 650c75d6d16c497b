package dev.strongroom.audit.verify;

import dev.strongroom.audit.AuditException;
import dev.strongroom.audit.chain.ChainRow;
import dev.strongroom.audit.chain.HashChainVerifier;
import dev.strongroom.audit.checkpoint.Checkpoint;
import dev.strongroom.audit.note.NoteVerifier;
import dev.strongroom.audit.tail.ChainTail;
import dev.strongroom.audit.tail.TailException;
import dev.strongroom.audit.tiles.TileException;
import dev.strongroom.audit.tiles.TileLogReader;
import dev.strongroom.audit.tiles.TilePaths;
import dev.strongroom.audit.tree.MerkleTree;
import dev.strongroom.audit.worm.WormStore;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code verify-audit} (DESIGN §5 and §7), offline and JDK-only: the WORM store and the database's
 * chain rows against the log key, trusting neither.
 *
 * <ol>
 *   <li>every checkpoint of the origin ({@code checkpoints/<origin with / as _>/…}, in name order,
 *       which is time order) opens with the log key, names the origin, and is not smaller than the
 *       one before it;
 *   <li>the newest one's entry bundles hash into the level-0 tiles entry by entry, the tiles into
 *       the tiles above and into its root ({@link TileLogReader#verify});
 *   <li>the tree of those entries has, at every stored checkpoint's size, that checkpoint's root —
 *       every checkpoint is a prefix of the next (consistency across all of them);
 *   <li>the database's rows re-hash from genesis ({@link HashChainVerifier}) and each row's {@code
 *       curr_hash} is the anchored entry at {@code seq - 1}; the chain may run past the newest
 *       checkpoint (not yet anchored) but not stop short of it.
 * </ol>
 *
 * The first failure is reported as the first seq that is not established, with why: {@code DIVERGED
 * at seq <n>: <why>}; else {@code OK <events> events, <checkpoints> checkpoints}.
 */
public final class AuditLogVerifier {
  private static final Pattern TILE =
      Pattern.compile("tile/(entries|\\d+)/((?:x\\d{3}/)*\\d{3})(?:\\.p/\\d+)?");

  private AuditLogVerifier() {}

  /** The outcome; {@code divergedAt} is null when everything verified. */
  public record Report(long events, int checkpoints, long anchored, Long divergedAt, String why) {
    public boolean ok() {
      return divergedAt == null;
    }

    /** The DESIGN §7 line. */
    public String line() {
      return ok()
          ? "OK " + events + " events, " + checkpoints + " checkpoints"
          : "DIVERGED at seq " + divergedAt + ": " + why;
    }
  }

  /** The prefix under which {@code origin}'s checkpoints are stored. */
  public static String checkpointPrefix(String origin) {
    return "checkpoints/" + origin.replace('/', '_') + "/";
  }

  /**
   * The prefix under which the witnesses' cosigned copies of the checkpoint stored as {@code
   * object} are kept, one {@code <witness name with / as _>.note} each: {@code
   * checkpoints/<o>/<stamp>-<size>.note} → {@code cosignatures/<o>/<stamp>-<size>/}.
   */
  public static String cosignaturePrefix(String object) {
    if (!object.startsWith("checkpoints/") || !object.endsWith(".note")) {
      throw new IllegalArgumentException("not a checkpoint object: " + object);
    }
    return "cosignatures/"
        + object.substring("checkpoints/".length(), object.length() - ".note".length())
        + "/";
  }

  /**
   * Verifies the store's log against the chain read through {@code c} (normally as {@code auditor};
   * pages of 10000 rows, {@link ChainTail#read}).
   *
   * @throws TailException the database could not be read
   */
  public static Report verify(WormStore store, NoteVerifier logKey, Connection c) {
    return verify(store, logKey, rows(c));
  }

  /** Every chain row joined to its event, in seq order, read page by page through {@code c}. */
  public static Iterator<ChainRow> rows(Connection c) {
    return new Iterator<>() {
      private final Deque<ChainRow> page = new ArrayDeque<>();
      private long after;
      private boolean done;

      @Override
      public boolean hasNext() {
        if (page.isEmpty() && !done) {
          try {
            List<ChainRow> next = ChainTail.read(c, after, 10_000);
            page.addAll(next);
            done = next.size() < 10_000;
          } catch (SQLException e) {
            throw new TailException("cannot read the audit chain: " + e.getMessage(), e);
          }
          if (!page.isEmpty()) {
            after = page.peekLast().seq();
          }
        }
        return !page.isEmpty();
      }

      @Override
      public ChainRow next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return page.removeFirst();
      }
    };
  }

  /**
   * Verifies the store's log of {@code logKey}'s origin and the database's {@code rows} (in seq
   * order from seq 1).
   */
  public static Report verify(WormStore store, NoteVerifier logKey, Iterator<ChainRow> rows) {
    List<String> names = store.list(checkpointPrefix(logKey.name()));
    List<Checkpoint> cps = new ArrayList<>();
    long established = 0;
    for (String name : names) {
      Checkpoint cp;
      try {
        cp = Checkpoint.open(store.get(name), logKey, List.of()).checkpoint();
      } catch (AuditException e) {
        return diverged(cps, established + 1, "checkpoint " + name + ": " + e.getMessage());
      }
      if (!cps.isEmpty() && cp.size() < cps.get(cps.size() - 1).size()) {
        return diverged(
            cps,
            cp.size() + 1,
            "checkpoint "
                + name
                + " (size "
                + cp.size()
                + ") is smaller than the one before it (size "
                + cps.get(cps.size() - 1).size()
                + "): the log was truncated");
      }
      cps.add(cp);
      established = cp.size();
    }
    long size = cps.isEmpty() ? 0 : cps.get(cps.size() - 1).size();
    MerkleTree tree = new MerkleTree();
    List<byte[]> entries = new ArrayList<>();
    if (size > 0) {
      TileLogReader reader = new TileLogReader(store, size);
      try {
        for (long n = 0; n * TilePaths.WIDTH < size; n++) {
          List<byte[]> bundle = reader.bundle(n);
          byte[] tile = reader.tile(0, n);
          for (int k = 0; k < bundle.size(); k++) {
            long i = n * TilePaths.WIDTH + k;
            byte[] leaf = tree.node(0, tree.append(bundle.get(k)));
            if (!MessageDigest.isEqual(leaf, Arrays.copyOfRange(tile, k * 32, k * 32 + 32))) {
              return diverged(
                  cps,
                  i + 1,
                  "entry "
                      + i
                      + " in "
                      + TilePaths.entries(n, TilePaths.partialWidth(0, n, size))
                      + " does not hash to its leaf in "
                      + TilePaths.tile(0, n, TilePaths.partialWidth(0, n, size)));
            }
            entries.add(bundle.get(k));
          }
        }
      } catch (TileException e) {
        return diverged(cps, firstSeqOf(e.getMessage()), e.getMessage());
      }
      long before = 0;
      for (int i = 0; i < cps.size(); i++) {
        Checkpoint cp = cps.get(i);
        if (!MessageDigest.isEqual(tree.root(cp.size()), cp.root())) {
          return diverged(
              cps,
              before + 1,
              "the stored entries do not hash to the root of checkpoint "
                  + names.get(i)
                  + " (size "
                  + cp.size()
                  + "): the checkpoints are not consistent");
        }
        before = cp.size();
      }
      try {
        reader.verify(cps.get(cps.size() - 1).root());
      } catch (TileException e) {
        return diverged(cps, firstSeqOf(e.getMessage()), e.getMessage());
      }
    }
    HashChainVerifier chain = HashChainVerifier.fromGenesis();
    long events = 0;
    while (rows.hasNext()) {
      ChainRow r = rows.next();
      if (!chain.accept(r)) {
        HashChainVerifier.Result res = chain.result();
        return diverged(cps, res.firstBadSeq(), res.reason());
      }
      events++;
      if (r.seq() <= size) {
        byte[] anchored = entries.get((int) (r.seq() - 1));
        if (!Arrays.equals(anchored, HexFormat.of().parseHex(r.currHash()))) {
          return diverged(
              cps,
              r.seq(),
              "the database's curr_hash "
                  + r.currHash()
                  + " is not the anchored "
                  + HexFormat.of().formatHex(anchored)
                  + " (checkpoint "
                  + names.get(names.size() - 1)
                  + "): the chain was rewritten after it was anchored");
        }
      }
    }
    if (events < size) {
      return diverged(
          cps,
          events + 1,
          "the database's chain ends at seq "
              + events
              + " but "
              + names.get(names.size() - 1)
              + " anchored "
              + size
              + " events: the chain was truncated after it was anchored");
    }
    return new Report(events, cps.size(), size, null, null);
  }

  private static Report diverged(List<Checkpoint> cps, long seq, String why) {
    long anchored = cps.isEmpty() ? 0 : cps.get(cps.size() - 1).size();
    return new Report(0, cps.size(), anchored, Math.max(1, seq), why);
  }

  /** The first seq an object named in {@code message} covers (1 if none is named). */
  static long firstSeqOf(String message) {
    Matcher m = TILE.matcher(message);
    if (!m.find()) {
      return 1;
    }
    long index = Long.parseLong(m.group(2).replace("x", "").replace("/", ""));
    int level = m.group(1).equals("entries") ? 0 : Integer.parseInt(m.group(1));
    long first = index;
    for (int l = 0; l <= level; l++) {
      first *= TilePaths.WIDTH;
    }
    return first + 1;
  }
}
