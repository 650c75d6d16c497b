package dev.strongroom.proof.run;

import dev.strongroom.audit.note.NoteVerifier;
import dev.strongroom.audit.worm.WormStore;
import java.util.Objects;

/**
 * The audit log the target anchors (DESIGN §5): the WORM store its checkpoints and tiles are in
 * ({@code stack.json worm.*}) and the log key that signs them ({@code audit.verifierKey}). With it,
 * SR-DB-AUD-04 verifies the database's chain against the anchors; without it that control is
 * NOT_APPLICABLE.
 *
 * @param location how the store is named in evidence ({@code local-dir:/…/worm})
 */
public record AnchoredLog(WormStore store, NoteVerifier key, String location) {
  public AnchoredLog {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(location, "location");
  }
}
