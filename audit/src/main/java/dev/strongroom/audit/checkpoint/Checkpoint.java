package dev.strongroom.audit.checkpoint;

import dev.strongroom.audit.note.Ed25519NoteSigner;
import dev.strongroom.audit.note.NoteVerifier;
import dev.strongroom.audit.note.Notes;
import dev.strongroom.audit.tree.Rfc6962;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * A C2SP tlog-checkpoint body (c2sp.org/tlog-checkpoint): the origin line, the tree size in ASCII
 * decimal without leading zeros, the root hash in standard base64, each ending in a newline,
 * optionally followed by extension lines. DESIGN §5: our checkpoints carry no extension line and
 * the origin {@code strongroom.local/<db-instance>} (no spaces); {@link #parse} accepts extension
 * lines (so other logs' checkpoints can be read), {@link #text()} writes them back unchanged.
 *
 * <pre>
 * strongroom.local/db1\n
 * 15\n
 * 4lOFWEzrC3TSW5lAwjwK6WFu0AAnDOOmRPZXLVJqZ2Y=\n
 * </pre>
 */
public record Checkpoint(String origin, long size, byte[] root, List<String> extensions) {
  public Checkpoint {
    if (origin == null || origin.isEmpty() || origin.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
      throw new MalformedCheckpointException("origin must be non-empty without spaces: " + origin);
    }
    if (size < 0) {
      throw new MalformedCheckpointException("negative tree size");
    }
    if (root == null || root.length != Rfc6962.HASH_SIZE) {
      throw new MalformedCheckpointException("a root hash has 32 bytes");
    }
    root = root.clone();
    extensions = List.copyOf(extensions);
    for (String e : extensions) {
      if (e.isEmpty() || e.contains("\n") || e.chars().anyMatch(c -> c < 0x20)) {
        throw new MalformedCheckpointException("not an extension line: " + e);
      }
    }
  }

  /** A checkpoint without extension lines (ours). */
  public static Checkpoint of(String origin, long size, byte[] root) {
    return new Checkpoint(origin, size, root, List.of());
  }

  @Override
  public byte[] root() {
    return root.clone();
  }

  /** The note text: origin, size, base64 root, extensions, each with a newline. */
  public String text() {
    StringBuilder b =
        new StringBuilder(origin)
            .append('\n')
            .append(size)
            .append('\n')
            .append(Base64.getEncoder().encodeToString(root))
            .append('\n');
    extensions.forEach(e -> b.append(e).append('\n'));
    return b.toString();
  }

  /**
   * Reads a checkpoint body (a note's text).
   *
   * @throws MalformedCheckpointException naming what is wrong
   */
  public static Checkpoint parse(String text) {
    if (!text.endsWith("\n")) {
      throw new MalformedCheckpointException("checkpoint text does not end in a newline");
    }
    String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
    if (lines.length < 3) {
      throw new MalformedCheckpointException("a checkpoint has at least three lines");
    }
    if (!lines[1].matches("0|[1-9][0-9]{0,18}")) {
      throw new MalformedCheckpointException("not a tree size: " + lines[1]);
    }
    long size;
    try {
      size = Long.parseLong(lines[1]);
    } catch (NumberFormatException e) {
      throw new MalformedCheckpointException("tree size out of range: " + lines[1]);
    }
    byte[] root;
    try {
      root = Base64.getDecoder().decode(lines[2]);
    } catch (IllegalArgumentException e) {
      throw new MalformedCheckpointException("root is not base64: " + lines[2]);
    }
    if (!Base64.getEncoder().encodeToString(root).equals(lines[2])) {
      throw new MalformedCheckpointException("root is not canonical base64: " + lines[2]);
    }
    Checkpoint c = new Checkpoint(lines[0], size, root, List.of(lines).subList(3, lines.length));
    if (!c.text().equals(text)) {
      throw new MalformedCheckpointException("checkpoint text is not in canonical form");
    }
    return c;
  }

  /** The signed note of this checkpoint by the log key {@code signer}. */
  public byte[] sign(Ed25519NoteSigner signer) {
    return signer.signNote(text());
  }

  /**
   * Opens a signed checkpoint: the note must carry a valid signature of {@code logKey} (whose name
   * must be the origin, as tlog-checkpoint requires), and the text must be a checkpoint.
   *
   * @return the checkpoint and the whole opened note (its cosignatures, verified or not)
   */
  public static Signed open(byte[] note, NoteVerifier logKey, List<? extends NoteVerifier> others) {
    List<NoteVerifier> known = new java.util.ArrayList<>();
    known.add(logKey);
    known.addAll(others);
    Notes.Opened o = Notes.open(note, known);
    if (o.verified().stream()
        .noneMatch(s -> s.name().equals(logKey.name()) && s.keyId() == logKey.keyId())) {
      throw new dev.strongroom.audit.note.NoteVerificationException(
          "checkpoint is not signed by the log key " + logKey.name());
    }
    Checkpoint c = parse(o.text());
    if (!c.origin().equals(logKey.name())) {
      throw new MalformedCheckpointException(
          "checkpoint origin " + c.origin() + " is not the log key's name " + logKey.name());
    }
    return new Signed(c, o, note.clone());
  }

  /** A verified signed checkpoint. */
  public record Signed(Checkpoint checkpoint, Notes.Opened note, byte[] bytes) {
    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    public String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Checkpoint c
        && c.origin.equals(origin)
        && c.size == size
        && java.util.Arrays.equals(c.root, root)
        && c.extensions.equals(extensions);
  }

  @Override
  public int hashCode() {
    return origin.hashCode() * 31 + Long.hashCode(size);
  }

  @Override
  public String toString() {
    return "Checkpoint[" + text().replace("\n", " | ") + "]";
  }
}
