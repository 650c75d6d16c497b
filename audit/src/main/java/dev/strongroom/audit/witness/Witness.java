package dev.strongroom.audit.witness;

import dev.strongroom.audit.AuditException;
import dev.strongroom.audit.checkpoint.Checkpoint;
import dev.strongroom.audit.note.CosignatureV1Signer;
import dev.strongroom.audit.note.NoteSignature;
import dev.strongroom.audit.note.NoteVerifier;
import dev.strongroom.audit.note.Notes;
import dev.strongroom.audit.tree.InvalidProofException;
import dev.strongroom.audit.tree.Proofs;
import dev.strongroom.audit.tree.Rfc6962;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A minimal witness (c2sp.org/tlog-witness {@code add-checkpoint}) as a library: for each known log
 * origin it keeps the latest checkpoint it cosigned, on disk, and cosigns a new one only when a
 * consistency proof from that size verifies ({@code cosignature/v1}). Status codes are the spec's:
 * 404 unknown origin, 403 no valid signature of the log's key (or a failed one), 400 a malformed
 * request or an old size above the new, 409 an old size that is not the witness's (body: its size,
 * {@code text/x.tlog.size}), 422 a proof that does not verify or a different root at the same size
 * (a fork), 200 the cosignature line. Checking and persisting are one atomic step (the whole call
 * is synchronized; the state file is replaced by an fsynced rename).
 */
public final class Witness {
  /** An HTTP-shaped answer. */
  public record Response(int status, String contentType, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final CosignatureV1Signer signer;
  private final Map<String, NoteVerifier> logs;
  private final Path stateDir;
  private final Clock clock;

  /**
   * @param signer this witness's cosigning key
   * @param logs the known logs: origin to the log's key (whose name is the origin)
   * @param stateDir where the latest cosigned checkpoint of each log is kept
   */
  public Witness(
      CosignatureV1Signer signer, Map<String, NoteVerifier> logs, Path stateDir, Clock clock) {
    this.signer = signer;
    this.logs = Map.copyOf(logs);
    this.stateDir = stateDir;
    this.clock = clock;
    try {
      Files.createDirectories(stateDir);
    } catch (IOException e) {
      throw new AuditException("cannot create witness state " + stateDir + ": " + e, false, e);
    }
  }

  /** The latest size this witness cosigned for {@code origin} (0 if none). */
  public synchronized long latestSize(String origin) {
    return load(origin).size();
  }

  /** Handles an {@code add-checkpoint} request body. */
  public synchronized Response addCheckpoint(byte[] body) {
    String s = new String(body, StandardCharsets.UTF_8);
    int blank = s.indexOf("\n\n");
    if (blank < 0) {
      return text(400, "no empty line before the checkpoint\n");
    }
    String[] head = s.substring(0, blank).split("\n", -1);
    if (!head[0].matches("old (0|[1-9][0-9]{0,18})")) {
      return text(400, "no valid old size line\n");
    }
    long oldSize;
    try {
      oldSize = Long.parseLong(head[0].substring(4));
    } catch (NumberFormatException e) {
      return text(400, "old size out of range\n");
    }
    if (head.length - 1 > 63) {
      return text(400, "more than 63 proof lines\n");
    }
    List<byte[]> proof = new ArrayList<>();
    for (int i = 1; i < head.length; i++) {
      try {
        byte[] h = Base64.getDecoder().decode(head[i]);
        if (h.length != Rfc6962.HASH_SIZE) {
          return text(400, "proof line " + i + " is not a hash\n");
        }
        proof.add(h);
      } catch (IllegalArgumentException e) {
        return text(400, "proof line " + i + " is not base64\n");
      }
    }
    byte[] note = s.substring(blank + 2).getBytes(StandardCharsets.UTF_8);
    Notes.Parsed parsed;
    Checkpoint c;
    try {
      parsed = Notes.parse(note);
      c = Checkpoint.parse(parsed.text());
    } catch (AuditException e) {
      return text(400, "malformed checkpoint: " + e.getMessage() + "\n");
    }
    NoteVerifier logKey = logs.get(c.origin());
    if (logKey == null) {
      return text(404, "unknown log origin " + c.origin() + "\n");
    }
    try {
      Checkpoint.open(note, logKey, List.of());
    } catch (AuditException e) {
      return text(403, e.getMessage() + "\n");
    }
    if (oldSize > c.size()) {
      return text(400, "old size " + oldSize + " is above the checkpoint size " + c.size() + "\n");
    }
    State st = load(c.origin());
    if (oldSize != st.size()) {
      return new Response(
          409, "text/x.tlog.size", (st.size() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    if (c.size() == 0 && !MessageDigest.isEqual(c.root(), Rfc6962.emptyRoot())) {
      return text(422, "a checkpoint of size 0 must have the empty root\n");
    }
    if (oldSize == 0) {
      if (!proof.isEmpty()) {
        return text(422, "old size 0 takes no proof\n");
      }
    } else if (oldSize == c.size()) {
      if (!proof.isEmpty() || !MessageDigest.isEqual(st.root(), c.root())) {
        return text(422, "same size, different root: the log forked\n");
      }
    } else {
      try {
        Proofs.verifyConsistency(oldSize, c.size(), proof, st.root(), c.root());
      } catch (InvalidProofException e) {
        return text(422, "not consistent with size " + oldSize + ": " + e.getMessage() + "\n");
      }
    }
    store(c.origin(), new State(c.size(), c.root()));
    long now = Math.max(1, clock.instant().getEpochSecond());
    NoteSignature cosig = signer.cosign(parsed.text(), now);
    return new Response(
        200, "text/plain; charset=utf-8", cosig.line().getBytes(StandardCharsets.UTF_8));
  }

  private record State(long size, byte[] root) {}

  private Path file(String origin) {
    return stateDir.resolve(
        Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(origin.getBytes(StandardCharsets.UTF_8))
            + ".state");
  }

  private State load(String origin) {
    Path f = file(origin);
    if (!Files.exists(f)) {
      return new State(0, Rfc6962.emptyRoot());
    }
    try {
      String[] l = Files.readString(f).split("\n");
      return new State(Long.parseLong(l[0]), Base64.getDecoder().decode(l[1]));
    } catch (IOException | RuntimeException e) {
      throw new AuditException("witness state " + f + " is unreadable: " + e, false, e);
    }
  }

  private void store(String origin, State st) {
    Path f = file(origin);
    Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
    try {
      Files.writeString(
          tmp, st.size() + "\n" + Base64.getEncoder().encodeToString(st.root()) + "\n");
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel ch = FileChannel.open(stateDir, StandardOpenOption.READ)) {
        ch.force(true);
      }
    } catch (IOException e) {
      throw new AuditException("cannot persist witness state " + f + ": " + e, true, e);
    }
  }

  private static Response text(int status, String msg) {
    return new Response(status, "text/plain; charset=utf-8", msg.getBytes(StandardCharsets.UTF_8));
  }
}
