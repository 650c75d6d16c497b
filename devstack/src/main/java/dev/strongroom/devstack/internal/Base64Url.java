package dev.strongroom.devstack.internal;

import java.util.Base64;

/** Unpadded base64url for devstack key files (contracts keeps its own internal copy private). */
public final class Base64Url {
  private Base64Url() {}

  public static String encode(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static byte[] decode(String text) {
    return Base64.getUrlDecoder().decode(text);
  }
}
