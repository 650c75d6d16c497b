package dev.strongroom.contracts.token;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The tenant-token keys of a key file ({@link TenantTokenKeys} file form), read again whenever the
 * file changes (modification time, size or file identity: a rotation replaces the file atomically),
 * so a verifier follows {@code ./strongroom rotate-token-key} without a restart. A file that cannot
 * be read or parsed after a change keeps the last good set in use and is tried again at the next
 * call; the first read must succeed.
 */
public final class TenantTokenKeyFile implements Supplier<TenantTokenKeys> {
  private record Loaded(Object stamp, TenantTokenKeys keys) {}

  private final Path file;
  private volatile Loaded loaded;

  private TenantTokenKeyFile(Path file, Loaded loaded) {
    this.file = file;
    this.loaded = loaded;
  }

  /**
   * Reads {@code file} now.
   *
   * @throws UncheckedIOException if it cannot be read
   * @throws IllegalArgumentException if it is not a key file
   */
  public static TenantTokenKeyFile open(Path file) {
    try {
      return new TenantTokenKeyFile(file, load(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the tenant-token key file " + file, e);
    }
  }

  @Override
  public TenantTokenKeys get() {
    Loaded current = loaded;
    try {
      if (!Objects.equals(stamp(file), current.stamp())) {
        current = load(file);
        loaded = current;
      }
    } catch (IOException | RuntimeException e) {
      // keep the last good set: a half-done operator edit must not lock every tenant out
    }
    return current.keys();
  }

  private static Object stamp(Path file) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    return java.util.List.of(
        a.lastModifiedTime().toMillis(), a.size(), String.valueOf(a.fileKey()));
  }

  private static Loaded load(Path file) throws IOException {
    Object stamp = stamp(file);
    return new Loaded(
        stamp, TenantTokenKeys.parse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8)));
  }
}
