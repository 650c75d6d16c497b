package dev.strongroom.audit.checkpoint;

import dev.strongroom.audit.AuditException;

/** A note text that is not a C2SP checkpoint body. Not retriable. */
public final class MalformedCheckpointException extends AuditException {
  private static final long serialVersionUID = 1L;

  public MalformedCheckpointException(String message) {
    super(message, false, null);
  }
}
