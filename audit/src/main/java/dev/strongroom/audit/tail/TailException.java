package dev.strongroom.audit.tail;

import dev.strongroom.audit.AuditException;

/**
 * Reading the chain from the database or keeping the tail's state failed (connection, SQL, state
 * file). Retriable: the same read may succeed once the database is back. A chain that does not
 * verify is not an exception but a {@link ChainTail.Poll} with a divergence.
 */
public class TailException extends AuditException {
  private static final long serialVersionUID = 1L;

  public TailException(String message, Throwable cause) {
    super(message, true, cause);
  }
}
