package dev.strongroom.crypto.kms;

import java.security.SecureRandom;

/**
 * A {@link SecureRandom} that hands out exactly the bytes it was given, in order, and fails when
 * asked for more: a golden vector then records every random byte a wrap draws, and a change in what
 * a wrap draws fails the vector test instead of silently using other bytes.
 */
final class FixedBytesRandom extends SecureRandom {
  private static final long serialVersionUID = 1L;
  private final byte[] bytes;
  private int next;

  FixedBytesRandom(byte[] bytes) {
    this.bytes = bytes.clone();
  }

  @Override
  public void nextBytes(byte[] out) {
    if (next + out.length > bytes.length) {
      throw new IllegalStateException(
          "asked for " + out.length + " random bytes, " + (bytes.length - next) + " left");
    }
    System.arraycopy(bytes, next, out, 0, out.length);
    next += out.length;
  }

  /** True when every given byte was drawn. */
  boolean exhausted() {
    return next == bytes.length;
  }
}
