package dev.strongroom.proof.bundle;

/** A bundle that cannot be read or written (not a tar.gz, unsafe path, I/O failure). */
public class BundleException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BundleException(String message) {
    super(message);
  }

  public BundleException(String message, Throwable cause) {
    super(message, cause);
  }
}
