package dev.strongroom.cloud.gcp.storage;

import dev.strongroom.audit.worm.WormStoreException;

/**
 * Cloud Storage could not serve a call: retriable when the service was unreachable, throttled or
 * failing (5xx, 408, 429, I/O), not when it refused (403, 400, …).
 */
public final class GcsStoreException extends WormStoreException {
  private static final long serialVersionUID = 1L;

  private final int httpStatus;

  public GcsStoreException(String message, int httpStatus, boolean retriable, Throwable cause) {
    super(message, retriable, cause);
    this.httpStatus = httpStatus;
  }

  /** Cloud Storage's HTTP status, or 0 when no response came (I/O). */
  public int httpStatus() {
    return httpStatus;
  }
}
