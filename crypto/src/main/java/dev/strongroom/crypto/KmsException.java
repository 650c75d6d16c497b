package dev.strongroom.crypto;

/**
 * A key-management operation could not be carried out (token absent, login refused, key missing,
 * provider error). Distinct from {@link InvalidCiphertextException}: this says nothing about the
 * input, only that the KMS or HSM was not usable. {@link #retriable()} tells a consumer whether to
 * retry (a transient device error) or to dead-letter (a configuration error).
 */
public class KmsException extends CryptoException {
  private static final long serialVersionUID = 1L;
  private final boolean retriable;

  public KmsException(String message, boolean retriable, Throwable cause) {
    super(message, cause);
    this.retriable = retriable;
  }

  public boolean retriable() {
    return retriable;
  }
}
