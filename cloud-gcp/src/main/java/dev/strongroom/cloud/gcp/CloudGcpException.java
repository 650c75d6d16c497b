package dev.strongroom.cloud.gcp;

/**
 * The root of this module's failures, except the storage ones, which are the audit library's {@code
 * WormStoreException} (a {@code WormStore} speaks one error vocabulary). {@link #retriable()} says
 * whether the same call may succeed later (Google unreachable, throttled, a 5xx) or never will as
 * things stand (a conflict, a refusal, a bucket that is not WORM).
 */
public class CloudGcpException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean retriable;

  public CloudGcpException(String message, boolean retriable, Throwable cause) {
    super(message, cause);
    this.retriable = retriable;
  }

  /** True when the same call may succeed later. */
  public boolean retriable() {
    return retriable;
  }
}
