package dev.strongroom.audit.tiles;

import dev.strongroom.audit.AuditException;

/**
 * A tile or bundle that is missing, malformed, or does not hash to what the checkpoint commits to.
 * The message names the object. Not retriable.
 */
public final class TileException extends AuditException {
  private static final long serialVersionUID = 1L;

  public TileException(String message) {
    super(message, false, null);
  }
}
