package dev.strongroom.backup;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Where backups live: names are slash-separated paths under the store's root, a backup's files
 * under {@code backups/<backup id>/}. The writing side is create-only (an existing name is refused,
 * never overwritten); it is the WORM sink's contract, which this interface only narrows to what
 * backups need.
 */
public interface BackupStore {
  /** The prefix every backup's files share. */
  String PREFIX = "backups/";

  /** Stores {@code file}'s bytes under {@code name}, once. */
  void create(String name, Path file);

  /** The bytes of {@code name}; {@link BackupException.Reason#PART_MISSING} if absent. */
  InputStream open(String name);

  boolean exists(String name);

  /** The backup ids present (each a directory under {@code backups/}), oldest first. */
  List<String> backupIds();

  /** A description for messages (e.g. the directory or bucket). */
  String describe();
}
