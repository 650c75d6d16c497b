package dev.strongroom.proof.waiver;

/** A waiver file that is malformed, unsigned, or signed by a key that may not approve waivers. */
public class WaiverException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public WaiverException(String message) {
    super(message);
  }
}
