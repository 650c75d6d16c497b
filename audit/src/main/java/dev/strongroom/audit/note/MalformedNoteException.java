package dev.strongroom.audit.note;

import dev.strongroom.audit.AuditException;

/** Bytes that are not a C2SP signed note, a key that is not a valid key string. Not retriable. */
public final class MalformedNoteException extends AuditException {
  private static final long serialVersionUID = 1L;

  public MalformedNoteException(String message) {
    super(message, false, null);
  }
}
