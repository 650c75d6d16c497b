package dev.strongroom.backup;

import java.util.Optional;

/**
 * Why a backup, restore or drill could not be done. {@link #reason()} is stable (tests and the
 * command key on it); {@link #part()} names the backup part a verification refusal is about.
 */
public class BackupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Stable reasons. Names may be printed; they are never renumbered. */
  public enum Reason {
    /** The manifest is not valid JSON or lacks a field. */
    MANIFEST_MALFORMED,
    /** The manifest's Ed25519 signature is missing or does not verify under the trusted key. */
    SIGNATURE_INVALID,
    /** A part the manifest lists is not in the store. */
    PART_MISSING,
    /** A part's SHA-256 differs from the manifest's. */
    PART_DIGEST_MISMATCH,
    /** A part's bytes do not decrypt (wrong key, edited, truncated). */
    PART_UNREADABLE,
    /** The backup key does not unwrap under the stack's KMS. */
    KEY_UNWRAP_FAILED,
    /** No backup (or no backup old enough for the point in time) exists. */
    NO_BACKUP,
    /** The binary logs between two backups are not continuous (purged before they were kept). */
    BINLOG_GAP,
    /** The restore target is not a fresh directory, or is the running instance's. */
    TARGET_NOT_FRESH,
    /** A database tool (mariadb-dump, mariadb-binlog, mariadb) failed. */
    TOOL_FAILED,
    /** Writing to or reading from the store failed. */
    STORE_FAILED
  }

  private final Reason reason;
  private final String part;

  public BackupException(Reason reason, String part, String message) {
    super(reason + (part == null ? "" : " [" + part + "]") + ": " + message);
    this.reason = reason;
    this.part = part;
  }

  public BackupException(Reason reason, String part, String message, Throwable cause) {
    super(reason + (part == null ? "" : " [" + part + "]") + ": " + message, cause);
    this.reason = reason;
    this.part = part;
  }

  public Reason reason() {
    return reason;
  }

  /** The part (path relative to the backup directory) the refusal names, if any. */
  public Optional<String> part() {
    return Optional.ofNullable(part);
  }
}
