package dev.strongroom.cloud.gcp.storage;

import dev.strongroom.audit.worm.WormConflictException;

/**
 * A create found the object already there with other bytes. In a WORM sink this is an alarm, never
 * a reason to overwrite: someone wrote that name before us (another writer, a fork, tampering
 * before the retention lock). Not retriable. The audit library's {@link WormConflictException} with
 * the bucket.
 */
public final class ObjectConflictException extends WormConflictException {
  private static final long serialVersionUID = 1L;

  private final String bucket;

  public ObjectConflictException(
      String bucket, String name, byte[] existingSha256, byte[] attemptedSha256) {
    super("gs://" + bucket, name, existingSha256, attemptedSha256);
    this.bucket = bucket;
  }

  public String bucket() {
    return bucket;
  }
}
