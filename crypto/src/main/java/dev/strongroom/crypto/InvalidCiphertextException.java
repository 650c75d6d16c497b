package dev.strongroom.crypto;

/**
 * The one failure every decrypt and unwrap path reports, whatever went wrong: a truncated or
 * malformed envelope, an unknown version or algorithm, a commitment mismatch, a bad GCM tag, a
 * wrong key, a wrong key name or a wrong context. The message is always exactly {@value #MESSAGE}
 * and no cause is attached, so callers (and their logs) cannot become a padding/format oracle.
 */
public final class InvalidCiphertextException extends CryptoException {
  private static final long serialVersionUID = 1L;

  /** The fixed message. */
  public static final String MESSAGE = "invalid ciphertext";

  public InvalidCiphertextException() {
    super(MESSAGE);
  }

  /** No stack trace: this is an expected outcome of hostile input, not a bug. */
  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
