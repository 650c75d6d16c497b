package dev.strongroom.cryptoservice.pipeline;

import dev.strongroom.contracts.errors.RefusalCode;
import dev.strongroom.contracts.errors.StrongroomException;

/**
 * A request the crypto-service refuses with one of the shared {@code SR-} codes ({@link
 * RefusalCode}), e.g. {@code SR-FIELD-TOO-LARGE}: dead-lettered with the code's {@link
 * RefusalCode#errorCode()} as reason, answered REJECTED with the {@code SR-} code itself.
 */
public final class RefusalException extends StrongroomException {
  private static final long serialVersionUID = 1L;
  private final RefusalCode refusal;

  public RefusalException(RefusalCode refusal, String detail) {
    super(refusal.errorCode(), refusal.code() + ": " + detail);
    this.refusal = refusal;
  }

  /** The stable refusal code. */
  public RefusalCode refusal() {
    return refusal;
  }
}
