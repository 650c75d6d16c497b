package dev.strongroom.backup;

import dev.strongroom.audit.worm.WormConflictException;
import dev.strongroom.audit.worm.WormStore;
import dev.strongroom.audit.worm.WormStoreException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;

/**
 * Backups in the audit library's WORM sink ({@link WormStore}: the local create-only directory or
 * the retention-locked Cloud Storage bucket): create-only, a retried identical write is accepted, a
 * different object under an existing name is refused.
 */
public final class WormBackupStore implements BackupStore {
  private final WormStore worm;

  public WormBackupStore(WormStore worm) {
    this.worm = worm;
  }

  @Override
  public void create(String name, Path file) {
    try {
      worm.put(name, Files.readAllBytes(file));
    } catch (WormConflictException e) {
      throw new BackupException(
          BackupException.Reason.STORE_FAILED,
          part(name),
          "other bytes exist under " + name + " in " + describe(),
          e);
    } catch (WormStoreException | IOException e) {
      throw new BackupException(
          BackupException.Reason.STORE_FAILED,
          part(name),
          "cannot write " + name + " to " + describe() + ": " + e.getMessage(),
          e);
    }
  }

  /** A refusal names the part relative to its backup's directory ({@link BackupException#part}). */
  static String part(String name) {
    if (name != null && name.startsWith(PREFIX)) {
      int slash = name.indexOf('/', PREFIX.length());
      if (slash > 0) {
        return name.substring(slash + 1);
      }
    }
    return name;
  }

  @Override
  public InputStream open(String name) {
    return new ByteArrayInputStream(
        read(() -> worm.find(name), name)
            .orElseThrow(
                () ->
                    new BackupException(
                        BackupException.Reason.PART_MISSING, name, "not in " + describe())));
  }

  @Override
  public boolean exists(String name) {
    return read(() -> worm.exists(name), name);
  }

  /** A store that cannot be read is STORE_FAILED, like one that cannot be written. */
  private <T> T read(java.util.function.Supplier<T> op, String name) {
    try {
      return op.get();
    } catch (WormStoreException e) {
      throw new BackupException(
          BackupException.Reason.STORE_FAILED,
          part(name),
          "cannot read " + (name == null ? "" : name + " in ") + describe() + ": " + e.getMessage(),
          e);
    }
  }

  @Override
  public List<String> backupIds() {
    TreeSet<String> ids = new TreeSet<>();
    for (String n : read(() -> worm.list(PREFIX), null)) {
      String rest = n.substring(PREFIX.length());
      int slash = rest.indexOf('/');
      if (slash > 0) {
        ids.add(rest.substring(0, slash));
      }
    }
    return List.copyOf(ids);
  }

  @Override
  public String describe() {
    return worm.location();
  }
}
