package dev.strongroom.backup;

import dev.strongroom.backup.BackupException.Reason;
import dev.strongroom.backup.internal.PartCipher;
import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.InvalidCiphertextException;
import dev.strongroom.crypto.KmsException;
import dev.strongroom.crypto.SecretKeyAccess;
import dev.strongroom.crypto.kms.WrappedKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Reads backups back and refuses any that does not verify: the manifest's signature under the
 * trusted key first, then the SHA-256 of every part it lists (a missing part is {@code
 * PART_MISSING}, an edited one {@code PART_DIGEST_MISMATCH}, each naming the part), then the backup
 * key through the KMS. Nothing of a backup is used before all of it verified.
 */
public final class BackupReader {
  private final BackupStore store;
  private final BackupKeys keys;

  public BackupReader(BackupStore store, BackupKeys keys) {
    this.store = store;
    this.keys = keys;
  }

  /** Backups whose signature file exists (complete ones), oldest first. */
  public List<String> completeBackups() {
    return store.backupIds().stream()
        .filter(id -> store.exists(dir(id) + Manifest.SIGNATURE_FILE))
        .toList();
  }

  /** The newest complete backup's manifest, signature checked (not its parts). */
  public Optional<Manifest> latestVerified() {
    List<String> ids = completeBackups();
    return ids.isEmpty() ? Optional.empty() : Optional.of(manifest(ids.get(ids.size() - 1)));
  }

  /** The manifest of {@code id}, its signature verified. */
  public Manifest manifest(String id) {
    byte[] bytes = read(dir(id) + Manifest.FILE, Manifest.FILE);
    String sig;
    if (!store.exists(dir(id) + Manifest.SIGNATURE_FILE)) {
      throw new BackupException(
          Reason.SIGNATURE_INVALID, Manifest.SIGNATURE_FILE, "the backup has no signature");
    }
    sig =
        new String(
            read(dir(id) + Manifest.SIGNATURE_FILE, Manifest.SIGNATURE_FILE),
            StandardCharsets.UTF_8);
    keys.verify(bytes, sig);
    Manifest m = Manifest.fromJson(bytes);
    if (!m.backupId().equals(id)) {
      throw new BackupException(
          Reason.MANIFEST_MALFORMED,
          Manifest.FILE,
          "the manifest is backup " + m.backupId() + "'s, found under " + id);
    }
    return m;
  }

  /** The manifest of {@code id} with every part's SHA-256 checked. */
  public Manifest verify(String id) {
    Manifest m = manifest(id);
    for (Manifest.Part p : m.parts()) {
      String name = dir(id) + p.name();
      if (!store.exists(name)) {
        throw new BackupException(
            Reason.PART_MISSING, p.name(), "listed in the manifest, not in " + store.describe());
      }
      MessageDigest sha = BackupWriter.sha256();
      long n = 0;
      try (InputStream in = store.open(name)) {
        byte[] buf = new byte[1 << 16];
        for (int r = in.read(buf); r >= 0; r = in.read(buf)) {
          sha.update(buf, 0, r);
          n += r;
        }
      } catch (IOException e) {
        throw new BackupException(Reason.STORE_FAILED, p.name(), e.getMessage(), e);
      }
      String got = HexFormat.of().formatHex(sha.digest());
      if (!got.equals(p.sha256()) || n != p.bytes()) {
        throw new BackupException(
            Reason.PART_DIGEST_MISMATCH,
            p.name(),
            "SHA-256 "
                + got
                + " ("
                + n
                + " bytes), the manifest says "
                + p.sha256()
                + " ("
                + p.bytes()
                + " bytes)");
      }
    }
    return m;
  }

  /** The backup key of a verified manifest, unwrapped by the KMS (the caller destroys it). */
  public DataKey backupKey(Manifest m) {
    try {
      return keys.kms()
          .unwrap(
              WrappedKey.of(m.kmsKeyName(), m.kmsKeyVersion(), m.wrappedKey()),
              "backup-" + m.backupId(),
              BackupKeys.wrapContext(m.backupId()));
    } catch (InvalidCiphertextException | KmsException e) {
      throw new BackupException(
          Reason.KEY_UNWRAP_FAILED,
          Manifest.FILE,
          "the backup key does not unwrap under " + m.kmsKeyName() + "@" + m.kmsKeyVersion(),
          e);
    }
  }

  /** The plaintext of a part (decrypted, decompressed) as a stream. */
  public InputStream openPart(Manifest m, DataKey key, String part) {
    InputStream raw = store.open(dir(m.backupId()) + part);
    try {
      byte[] k = key.useKeyBytes(SecretKeyAccess.insecure(), byte[]::clone);
      return new GZIPInputStream(PartCipher.decrypting(raw, k, part), 1 << 16);
    } catch (IOException e) {
      try {
        raw.close();
      } catch (IOException ignored) {
        // closing a failed read
      }
      throw new BackupException(Reason.PART_UNREADABLE, part, "invalid ciphertext", e);
    }
  }

  static String dir(String id) {
    return BackupStore.PREFIX + id + "/";
  }

  private byte[] read(String name, String part) {
    if (!store.exists(name)) {
      throw new BackupException(Reason.PART_MISSING, part, "not in " + store.describe());
    }
    try (InputStream in = store.open(name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
