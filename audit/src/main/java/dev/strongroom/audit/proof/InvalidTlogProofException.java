package dev.strongroom.audit.proof;

import dev.strongroom.audit.AuditException;

/** A receipt that is malformed or lacks the required cosignatures. Not retriable. */
public final class InvalidTlogProofException extends AuditException {
  private static final long serialVersionUID = 1L;

  public InvalidTlogProofException(String message) {
    super(message, false, null);
  }
}
