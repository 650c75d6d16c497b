package dev.strongroom.audit.note;

import dev.strongroom.audit.AuditException;

/**
 * A signed note that must not be trusted: no signature from a known key verified, or a signature
 * from a known key failed (C2SP signed-note: "clients SHOULD reject the whole note"). Not
 * retriable.
 */
public final class NoteVerificationException extends AuditException {
  private static final long serialVersionUID = 1L;

  public NoteVerificationException(String message) {
    super(message, false, null);
  }
}
