package dev.strongroom.proof.run;

import dev.strongroom.audit.note.Ed25519NoteVerifier;
import dev.strongroom.audit.note.NoteVerifier;
import dev.strongroom.audit.worm.LocalDirWormStore;
import dev.strongroom.audit.worm.WormStore;
import java.nio.file.Path;
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

  /**
   * A {@code local-dir} WORM store and the log's C2SP verifier key {@code <origin>+<hex
   * id>+<base64>} ({@code stack.json}'s {@code worm.location} and {@code audit.verifierKey}).
   */
  public static AnchoredLog localDir(Path wormDir, String verifierKey) {
    return new AnchoredLog(
        LocalDirWormStore.open(wormDir),
        Ed25519NoteVerifier.parse(verifierKey),
        "local-dir:" + wormDir);
  }
}
