package dev.strongroom.cryptoservice.pipeline;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.errors.StrongroomException;
import dev.strongroom.contracts.token.InvalidTokenException;
import dev.strongroom.crypto.InvalidCiphertextException;
import dev.strongroom.crypto.KmsException;

/** Maps the crypto library's exceptions to the stable error codes consumers act on. */
final class Errors {
  private Errors() {}

  static StrongroomException translate(RuntimeException e) {
    if (e instanceof StrongroomException s) {
      return s;
    }
    if (e instanceof InvalidCiphertextException) {
      return new StrongroomException(ErrorCode.INTEGRITY, InvalidCiphertextException.MESSAGE);
    }
    if (e instanceof KmsException k) {
      return new StrongroomException(
          k.retriable() ? ErrorCode.UNAVAILABLE : ErrorCode.REFUSED,
          "key management: " + k.getMessage(),
          k);
    }
    return new StrongroomException(ErrorCode.INTERNAL, e.getClass().getSimpleName(), e);
  }

  /**
   * The {@code errorCode} of the REJECTED result that answers {@code refusal}, as the data-service
   * spells it: the {@code SR-} code where there is one ({@code SR-TOKEN-TENANT}, {@code
   * SR-FIELD-TOO-LARGE}), else the error code ({@code INTEGRITY}, {@code REFUSED}; {@code INTERNAL}
   * for an exception nobody mapped).
   */
  static String resultCode(RuntimeException refusal) {
    if (refusal instanceof InvalidTokenException t) {
      return t.reason();
    }
    if (refusal instanceof RefusalException r) {
      return r.refusal().code();
    }
    if (refusal instanceof StrongroomException s) {
      return s.code().code();
    }
    return ErrorCode.INTERNAL.code();
  }
}
