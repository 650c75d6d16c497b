package dev.strongroom.provisioner.os;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.provisioner.ProvisionerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * File writes with explicit POSIX modes: secrets are created 0600 before a byte is written (never
 * chmod-ed after the fact), public material 0644, directories 0700. Writes go to a temporary file
 * in the same directory and are moved into place atomically, so a reader never sees half a key.
 */
public final class SecureFiles {
  public static final Set<PosixFilePermission> SECRET =
      PosixFilePermissions.fromString("rw-------");
  public static final Set<PosixFilePermission> PUBLIC =
      PosixFilePermissions.fromString("rw-r--r--");
  public static final Set<PosixFilePermission> PRIVATE_DIR =
      PosixFilePermissions.fromString("rwx------");

  private SecureFiles() {}

  /**
   * {@code file}'s mode when its group or others have any permission on it (a secret other accounts
   * may read, as ssh judges a private key), or null when it is closed to them.
   */
  public static String openToOthers(Path file) throws IOException {
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
    boolean open =
        perms.stream()
            .anyMatch(x -> x.name().startsWith("GROUP_") || x.name().startsWith("OTHERS_"));
    return open ? PosixFilePermissions.toString(perms) : null;
  }

  /** Creates {@code dir} (and parents) and sets it to 0700. */
  public static Path privateDir(Path dir) {
    try {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PRIVATE_DIR);
      return dir;
    } catch (IOException e) {
      throw new ProvisionerException(ErrorCode.INTERNAL, "cannot create directory " + dir, e);
    }
  }

  /** Writes a secret (mode 0600) atomically. */
  public static void writeSecret(Path file, byte[] content) {
    write(file, content, SECRET);
  }

  /** Writes public material (mode 0644) atomically. */
  public static void writePublic(Path file, byte[] content) {
    write(file, content, PUBLIC);
  }

  /** Writes UTF-8 text with the given mode atomically. */
  public static void writeText(Path file, String content, Set<PosixFilePermission> mode) {
    write(file, content.getBytes(StandardCharsets.UTF_8), mode);
  }

  /** Writes {@code content} to {@code file} with {@code mode}, atomically. */
  public static void write(Path file, byte[] content, Set<PosixFilePermission> mode) {
    Path dir = file.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
      Path tmp =
          Files.createTempFile(
              dir,
              "." + file.getFileName() + ".",
              ".tmp",
              PosixFilePermissions.asFileAttribute(mode));
      try {
        Files.write(tmp, content);
        try {
          Files.move(
              tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new ProvisionerException(ErrorCode.INTERNAL, "cannot write " + file, e);
    }
  }
}
