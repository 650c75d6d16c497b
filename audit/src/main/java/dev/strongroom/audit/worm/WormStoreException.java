package dev.strongroom.audit.worm;

import dev.strongroom.audit.AuditException;

/**
 * A {@link WormStore} could not serve a call. {@link #retriable()} is true when the same call may
 * succeed later (the store unreachable, throttled, an I/O failure), false when it refused (a
 * conflict, a bad name, permissions).
 */
public class WormStoreException extends AuditException {
  private static final long serialVersionUID = 1L;

  public WormStoreException(String message, boolean retriable, Throwable cause) {
    super(message, retriable, cause);
  }
}
