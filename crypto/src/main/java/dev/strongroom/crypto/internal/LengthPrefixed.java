package dev.strongroom.crypto.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds canonical, unambiguous byte strings: every variable-length item is written as a 4-byte
 * big-endian length followed by its bytes, so no two different item sequences encode alike. Not
 * API.
 */
public final class LengthPrefixed {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream(128);

  public LengthPrefixed raw(byte[] b) {
    out.write(b, 0, b.length);
    return this;
  }

  public LengthPrefixed u32(long v) {
    if (v < 0 || v > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("u32 out of range");
    }
    out.write((int) (v >>> 24));
    out.write((int) (v >>> 16));
    out.write((int) (v >>> 8));
    out.write((int) v);
    return this;
  }

  public LengthPrefixed u64(long v) {
    for (int s = 56; s >= 0; s -= 8) {
      out.write((int) (v >>> s));
    }
    return this;
  }

  public LengthPrefixed bytes(byte[] b) {
    u32(b.length);
    return raw(b);
  }

  public LengthPrefixed utf8(String s) {
    return bytes(s.getBytes(StandardCharsets.UTF_8));
  }

  public byte[] toByteArray() {
    return out.toByteArray();
  }
}
