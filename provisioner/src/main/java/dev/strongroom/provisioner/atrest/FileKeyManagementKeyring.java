package dev.strongroom.provisioner.atrest;

import dev.strongroom.provisioner.os.SecureFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The at-rest keyring of a MariaDB instance: the files MariaDB's {@code file_key_management} plugin
 * reads, created once and never overwritten.
 *
 * <ul>
 *   <li>{@code filekey} — 64 hex characters (32 random bytes), no newline, mode 0600: the password
 *       that decrypts the key file ({@code file_key_management_filekey=FILE:<path>});
 *   <li>{@code keys.enc} — the key file, encrypted as {@link MariaDbKeyFile} describes, mode 0600
 *       ({@code file_key_management_filename}). It holds key 1 (InnoDB's default {@code
 *       innodb_default_encryption_key_id}, Aria tables and the binary log) and key 2 (MariaDB uses
 *       it for temporary files when present).
 * </ul>
 *
 * <p>{@link #ensure()} creates both when neither exists and otherwise only checks that the key file
 * decrypts: regenerating an existing key would make every encrypted page unreadable, so a mismatch
 * is an error for a human, never a reason to write. {@code file_key_management} has no key
 * versions; rotating the key material of an id is not possible with this plugin (see the rotation
 * runbook).
 *
 * <p>Keeping {@code filekey} next to {@code keys.enc} protects against a stolen data directory, not
 * a stolen host: in production the filekey belongs on a separately protected mount.
 */
public final class FileKeyManagementKeyring {
  /** Key ids written on creation. */
  private static final int[] INITIAL_KEY_IDS = {1, 2};

  private final Path dir;

  private FileKeyManagementKeyring(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  public static FileKeyManagementKeyring at(Path dir) {
    return new FileKeyManagementKeyring(dir);
  }

  public Path keyFile() {
    return dir.resolve("keys.enc");
  }

  public Path fileKey() {
    return dir.resolve("filekey");
  }

  /** Creates the keyring if absent; verifies it otherwise. Returns true when it was created. */
  public synchronized boolean ensure() {
    boolean haveKeys = Files.exists(keyFile());
    boolean haveFileKey = Files.exists(fileKey());
    if (haveKeys && haveFileKey) {
      keys(); // throws when it does not decrypt
      return false;
    }
    if (haveKeys || haveFileKey) {
      throw new AtRestException(
          "incomplete keyring in "
              + dir
              + ": found only "
              + (haveKeys ? "keys.enc" : "filekey")
              + "; refusing to generate keys over existing material");
    }
    SecureFiles.privateDir(dir);
    SecureRandom rnd = new SecureRandom();
    byte[] secret = new byte[32];
    rnd.nextBytes(secret);
    byte[] password = HexFormat.of().formatHex(secret).getBytes(StandardCharsets.US_ASCII);
    SortedMap<Integer, byte[]> keys = new TreeMap<>();
    for (int id : INITIAL_KEY_IDS) {
      byte[] k = new byte[32];
      rnd.nextBytes(k);
      keys.put(id, k);
    }
    byte[] plain = MariaDbKeyFile.plaintext(keys).getBytes(StandardCharsets.US_ASCII);
    SecureFiles.writeSecret(fileKey(), password);
    SecureFiles.writeSecret(keyFile(), MariaDbKeyFile.encrypt(plain, password));
    java.util.Arrays.fill(plain, (byte) 0);
    return true;
  }

  /** Decrypts and returns the key ids and keys (for verification; callers must not log them). */
  public synchronized SortedMap<Integer, byte[]> keys() {
    try {
      byte[] password = stripNewlines(Files.readAllBytes(fileKey()));
      byte[] plain = MariaDbKeyFile.decrypt(Files.readAllBytes(keyFile()), password);
      return MariaDbKeyFile.parse(new String(plain, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new AtRestException("cannot read the keyring in " + dir, e);
    }
  }

  /** As the plugin does: trailing CR/LF of the filekey are not part of the password. */
  private static byte[] stripNewlines(byte[] b) {
    int n = b.length;
    while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == '\r')) {
      n--;
    }
    return java.util.Arrays.copyOf(b, n);
  }
}
