package dev.strongroom.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/** Test support until the audit library's WORM store is wired: files under a directory. */
final class TestDirectoryStore implements BackupStore {
  final Path root;

  TestDirectoryStore(Path root) {
    this.root = root;
  }

  @Override
  public void create(String name, Path file) {
    Path target = root.resolve(name);
    try {
      Files.createDirectories(target.getParent());
      Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public InputStream open(String name) {
    try {
      return Files.newInputStream(root.resolve(name));
    } catch (NoSuchFileException e) {
      throw new BackupException(BackupException.Reason.PART_MISSING, name, "absent");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public boolean exists(String name) {
    return Files.isRegularFile(root.resolve(name));
  }

  @Override
  public List<String> backupIds() {
    Path dir = root.resolve(PREFIX);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String describe() {
    return root.toString();
  }
}
