package dev.strongroom.contracts.token;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.errors.StrongroomException;

/**
 * A tenant token was refused. The message starts with a stable code (the same codes the database's
 * {@code security_set_tenant} signals): {@code SR-TOKEN-MALFORMED}, {@code SR-TOKEN-SIGNATURE},
 * {@code SR-TOKEN-EXPIRED}, {@code SR-TOKEN-LIFETIME}, {@code SR-TOKEN-FUTURE}, {@code
 * SR-TOKEN-KEY}, {@code SR-TOKEN-AUDIENCE}; and the Java-only {@code SR-TOKEN-TENANT} and {@code
 * SR-TOKEN-CNF}.
 */
public class InvalidTokenException extends StrongroomException {
  private static final long serialVersionUID = 1L;
  private final String reason;

  public InvalidTokenException(String reason, String detail) {
    super(ErrorCode.UNAUTHORIZED, reason + ": " + detail);
    this.reason = reason;
  }

  /** The stable refusal code, e.g. {@code SR-TOKEN-EXPIRED}. */
  public String reason() {
    return reason;
  }
}
