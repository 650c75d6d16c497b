package dev.strongroom.audit.tail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The tail's state on disk, one line {@code "<verifiedSeq> <headHash>\n"}, replaced atomically
 * (temporary file, fsync, rename, fsync of the directory), so a crash leaves the old or the new
 * state, never a torn one. A missing file is the genesis state; a malformed one is refused, not
 * silently reset (resetting would re-verify from genesis, which is safe but would hide tampering
 * with the file).
 */
public final class TailStateFile {
  private final Path file;

  public TailStateFile(Path file) {
    this.file = file;
  }

  public Path path() {
    return file;
  }

  /** The stored state, or {@link TailState#GENESIS} when there is none yet. */
  public TailState load() {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      return TailState.GENESIS;
    } catch (IOException e) {
      throw new TailException("cannot read the tail state " + file, e);
    }
    String[] parts = text.split(" ", -1);
    if (parts.length != 2 || !parts[1].endsWith("\n") || !parts[0].matches("0|[1-9][0-9]{0,18}")) {
      throw new TailException("malformed tail state " + file, null);
    }
    try {
      return new TailState(Long.parseLong(parts[0]), parts[1].substring(0, parts[1].length() - 1));
    } catch (IllegalArgumentException e) {
      throw new TailException("malformed tail state " + file, e);
    }
  }

  /** Replaces the stored state with {@code state}, durably. */
  public void store(TailState state) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = dir.resolve(file.getFileName() + ".tmp");
      byte[] line =
          (state.verifiedSeq() + " " + state.headHash() + "\n").getBytes(StandardCharsets.US_ASCII);
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(line));
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      }
    } catch (IOException e) {
      throw new TailException("cannot store the tail state " + file, e);
    }
  }
}
