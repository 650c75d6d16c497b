package dev.strongroom.audit.tree;

import dev.strongroom.audit.AuditException;

/**
 * A Merkle inclusion or consistency proof does not verify: wrong shape (sizes, index, number of
 * hashes) or a computed root that differs from the expected one. Not retriable.
 */
public final class InvalidProofException extends AuditException {
  private static final long serialVersionUID = 1L;

  public InvalidProofException(String message) {
    super(message, false, null);
  }
}
