package dev.strongroom.crypto;

/** Root of every exception this library throws on purpose. Unchecked, as in the other modules. */
public class CryptoException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CryptoException(String message) {
    super(message);
  }

  public CryptoException(String message, Throwable cause) {
    super(message, cause);
  }
}
