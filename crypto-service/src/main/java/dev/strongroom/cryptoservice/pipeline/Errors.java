package dev.strongroom.cryptoservice.pipeline;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.errors.StrongroomException;
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
}
