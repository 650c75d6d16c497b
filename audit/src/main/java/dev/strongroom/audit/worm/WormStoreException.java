package dev.strongroom.audit.worm;

/**
 * A {@link WormStore} could not serve a call. {@link #retriable()} is true when the same call may
 * succeed later (the store unreachable, throttled, an I/O failure), false when it refused (a
 * conflict, a bad name, permissions).
 */
public class WormStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean retriable;

  public WormStoreException(String message, boolean retriable, Throwable cause) {
    super(message, cause);
    this.retriable = retriable;
  }

  /** True when the same call may succeed later. */
  public boolean retriable() {
    return retriable;
  }
}
