package dev.strongroom.crypto;

import java.util.HexFormat;

/** Test helper. */
public final class Hex {
  private Hex() {}

  public static byte[] decode(String s) {
    return HexFormat.of().parseHex(s);
  }

  public static String encode(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
