package dev.strongroom.crypto;

import java.security.SecureRandom;

/**
 * Test helper: a "SecureRandom" that hands out a fixed byte sequence, so that golden vectors can be
 * reproduced byte for byte. Never for anything but tests.
 */
public final class FixedRandom extends SecureRandom {
  private static final long serialVersionUID = 1L;
  private final byte[] bytes;
  private int pos;

  public FixedRandom(byte[] bytes) {
    this.bytes = bytes.clone();
  }

  @Override
  public synchronized void nextBytes(byte[] out) {
    if (pos + out.length > bytes.length) {
      throw new IllegalStateException("fixed randomness exhausted");
    }
    System.arraycopy(bytes, pos, out, 0, out.length);
    pos += out.length;
  }
}
