package dev.strongroom.cloud.gcp.storage;

import dev.strongroom.cloud.gcp.CloudGcpException;
import java.util.HexFormat;

/**
 * A create found the object already there with other bytes. In a WORM sink this is an alarm, never
 * a reason to overwrite: someone wrote that name before us (another writer, a fork, tampering
 * before the retention lock). Not retriable.
 */
public final class ObjectConflictException extends CloudGcpException {
  private static final long serialVersionUID = 1L;

  private final String bucket;
  private final String name;
  private final byte[] existingSha256;
  private final byte[] attemptedSha256;

  public ObjectConflictException(
      String bucket, String name, byte[] existingSha256, byte[] attemptedSha256) {
    super(
        "object gs://"
            + bucket
            + "/"
            + name
            + " already exists with other content (sha256 "
            + HexFormat.of().formatHex(existingSha256)
            + ", attempted "
            + HexFormat.of().formatHex(attemptedSha256)
            + ")",
        false,
        null);
    this.bucket = bucket;
    this.name = name;
    this.existingSha256 = existingSha256.clone();
    this.attemptedSha256 = attemptedSha256.clone();
  }

  public String bucket() {
    return bucket;
  }

  /** The object name. */
  public String name() {
    return name;
  }

  /** SHA-256 of the bytes already stored. */
  public byte[] existingSha256() {
    return existingSha256.clone();
  }

  /** SHA-256 of the bytes we tried to write. */
  public byte[] attemptedSha256() {
    return attemptedSha256.clone();
  }
}
