package dev.strongroom.backup;

import dev.strongroom.audit.checkpoint.Checkpoint;
import dev.strongroom.audit.note.NoteVerifier;
import dev.strongroom.audit.worm.WormStore;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checkpoints the audit plane anchored in the WORM store (DESIGN §5: {@code checkpoints/<origin
 * with / as _>/<UTC yyyymmddThhmmss.SSSZ>-<size>.note}), each opened under the log's verifier key:
 * a note that does not verify, or whose size disagrees with its name, is an error, never skipped.
 */
public final class AnchoredCheckpoints {
  private static final Pattern NAME = Pattern.compile("^.*/\\d{8}T\\d{6}\\.\\d{3}Z-(\\d+)\\.note$");
  private final WormStore store;
  private final NoteVerifier logKey;
  private final String prefix;

  /** {@code logKey}: the log's verifier, whose name is the origin. */
  public AnchoredCheckpoints(WormStore store, NoteVerifier logKey) {
    this.store = store;
    this.logKey = logKey;
    this.prefix = "checkpoints/" + logKey.name().replace('/', '_') + "/";
  }

  /** Where the notes are read from. */
  public String describe() {
    return store.location() + "/" + prefix;
  }

  /**
   * The anchored checkpoint with the largest size not above {@code size} (the newest of that size),
   * verified; empty when none was anchored at or below it.
   *
   * @throws IllegalStateException a note that does not open under the log key, or names a size its
   *     text does not carry
   */
  public Optional<Checkpoint> largestAtMost(long size) {
    String best = null;
    long bestSize = -1;
    for (String name : store.list(prefix)) {
      Matcher m = NAME.matcher(name);
      if (!m.matches()) {
        continue;
      }
      long s = Long.parseLong(m.group(1));
      if (s <= size && s >= bestSize) {
        best = name;
        bestSize = s;
      }
    }
    if (best == null) {
      return Optional.empty();
    }
    Checkpoint c;
    try {
      c = Checkpoint.open(store.get(best), logKey, java.util.List.of()).checkpoint();
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "anchored checkpoint " + best + " does not verify: " + e.getMessage(), e);
    }
    if (c.size() != bestSize) {
      throw new IllegalStateException(
          "anchored checkpoint " + best + " carries size " + c.size() + ", not its name's");
    }
    return Optional.of(c);
  }
}
