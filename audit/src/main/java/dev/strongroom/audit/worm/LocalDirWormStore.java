package dev.strongroom.audit.worm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A create-only {@link WormStore} in a local directory: the embedded stack's WORM sink (DESIGN §5).
 *
 * <p>{@link #put} writes the bytes to a temporary file beside the target ({@code .tmp-…}, never a
 * valid object name), forces them to disk, makes the file read-only for its owner alone ({@code
 * r--------}: the store lives in a private state directory), then publishes it with a hard link —
 * {@code link(2)} fails when the name exists, so the object appears atomically and whole, and an
 * existing object is never replaced (a rename would replace it). The directory is then forced to
 * disk as well, so a crash after {@code CREATED} cannot lose the object. When the name exists, its
 * bytes are compared: identical is {@link PutOutcome#ALREADY_PRESENT}, different a {@link
 * WormConflictException}.
 *
 * <p>What it cannot do: stop the host's root (or the directory's owner) from deleting or editing
 * files — that is what the anchored copies elsewhere (Cloud Storage, syslog, the SIEM) and the
 * witness are for; an edit shows up as a conflict or a verification failure. The file system must
 * support hard links (every POSIX local file system does).
 *
 * <p>Names: {@code /}-separated segments of ASCII letters, digits and {@code . _ - + = @ , ~ %}, no
 * segment empty or starting with {@code .}, at most 1024 bytes.
 */
public final class LocalDirWormStore implements WormStore {
  private static final int MAX_NAME = 1024;
  private static final int MAX_SEGMENT = 255;
  private static final String TEMP_PREFIX = ".tmp-";

  private final Path root;

  private LocalDirWormStore(Path root) {
    this.root = root;
  }

  /** A store rooted at {@code root}, created (with its parents) if missing. */
  public static LocalDirWormStore open(Path root) {
    Path abs = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    try {
      Files.createDirectories(abs);
    } catch (IOException e) {
      throw new WormStoreException("cannot create WORM directory " + abs + ": " + e, false, e);
    }
    if (!Files.isDirectory(abs)) {
      throw new WormStoreException("not a directory: " + abs, false, null);
    }
    return new LocalDirWormStore(abs);
  }

  /** The directory. */
  public Path root() {
    return root;
  }

  @Override
  public String location() {
    return root.toUri().toString();
  }

  @Override
  public PutOutcome put(String name, byte[] bytes) {
    Path target = resolve(name);
    byte[] content = bytes.clone();
    try {
      Optional<PutOutcome> already = compareExisting(name, target, content);
      if (already.isPresent()) {
        return already.get();
      }
      Path dir = target.getParent();
      mkdirs(dir);
      Path tmp = Files.createTempFile(dir, TEMP_PREFIX, ".part");
      try {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
          ByteBuffer b = ByteBuffer.wrap(content);
          while (b.hasRemaining()) {
            ch.write(b);
          }
          ch.force(true);
        }
        readOnly(tmp);
        try {
          Files.createLink(target, tmp);
        } catch (FileAlreadyExistsException raced) {
          return compareExisting(name, target, content)
              .orElseThrow(() -> notAnObject(name, target));
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
      fsync(dir);
      return PutOutcome.CREATED;
    } catch (IOException e) {
      throw new WormStoreException("put " + name + " in " + location() + " failed: " + e, true, e);
    }
  }

  @Override
  public Optional<byte[]> find(String name) {
    Path p = resolve(name);
    try {
      if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      return Optional.of(Files.readAllBytes(p));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new WormStoreException("read " + name + " in " + location() + " failed: " + e, true, e);
    }
  }

  @Override
  public List<String> list(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    int slash = prefix.lastIndexOf('/');
    Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash)).normalize();
    if (!start.startsWith(root) || !Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.walk(start)) {
      files
          .filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .map(p -> root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/"))
          .filter(n -> n.startsWith(prefix) && validName(n))
          .forEach(names::add);
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new WormStoreException(
          "list " + prefix + " in " + location() + " failed: " + e, true, e);
    }
    names.sort(null); // names are ASCII: String order is UTF-8 byte order
    return names;
  }

  @Override
  public String toString() {
    return "LocalDirWormStore[" + root + "]";
  }

  private Optional<PutOutcome> compareExisting(String name, Path target, byte[] content)
      throws IOException {
    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw notAnObject(name, target);
    }
    byte[] existing;
    try {
      existing = Files.readAllBytes(target);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    if (MessageDigest.isEqual(existing, content)) {
      return Optional.of(PutOutcome.ALREADY_PRESENT);
    }
    throw new WormConflictException(location(), name, sha256(existing), sha256(content));
  }

  private WormStoreException notAnObject(String name, Path target) {
    return new WormStoreException(
        "name " + name + " in " + location() + " is a directory, not an object: " + target,
        false,
        null);
  }

  private Path resolve(String name) {
    if (!validName(name)) {
      throw new IllegalArgumentException("not a valid object name: " + name);
    }
    Path p = root.resolve(name).normalize();
    if (!p.startsWith(root) || p.equals(root)) {
      throw new IllegalArgumentException("not a valid object name: " + name);
    }
    return p;
  }

  /** Whether {@code name} is a valid object name (see the class comment). */
  public static boolean validName(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_NAME) {
      return false;
    }
    int segStart = 0;
    for (int k = 0; k <= name.length(); k++) {
      char c = k < name.length() ? name.charAt(k) : '/';
      if (c == '/') {
        int len = k - segStart;
        if (len == 0 || len > MAX_SEGMENT || name.charAt(segStart) == '.') {
          return false;
        }
        segStart = k + 1;
      } else if (!((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || "._-+=@,~%".indexOf(c) >= 0)) {
        return false;
      }
    }
    return true;
  }

  /** Creates the missing directories down to {@code dir}, forcing each new entry to disk. */
  private void mkdirs(Path dir) throws IOException {
    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    mkdirs(dir.getParent());
    try {
      Files.createDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw new WormStoreException(
            "cannot create directory " + dir + ": an object has that name", false, e);
      }
      return;
    }
    fsync(dir.getParent());
  }

  private static void fsync(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private static void readOnly(Path p) throws IOException {
    PosixFileAttributeView posix = Files.getFileAttributeView(p, PosixFileAttributeView.class);
    if (posix != null) {
      posix.setPermissions(PosixFilePermissions.fromString("r--------"));
    } else if (!p.toFile().setReadOnly()) {
      throw new IOException("cannot make " + p + " read-only");
    }
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
