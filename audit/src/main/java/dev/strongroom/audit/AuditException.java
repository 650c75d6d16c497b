package dev.strongroom.audit;

/**
 * The root of the audit library's failures. {@link #retriable()} says whether the same call may
 * succeed later (a store unreachable) or never will as things stand (a bad proof, a conflict, a
 * forged signature).
 */
public class AuditException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean retriable;

  public AuditException(String message, boolean retriable, Throwable cause) {
    super(message, cause);
    this.retriable = retriable;
  }

  /** True when the same call may succeed later. */
  public boolean retriable() {
    return retriable;
  }
}
