package dev.strongroom.contracts.encoding;

import java.util.Base64;

/**
 * base64url without padding (RFC 4648 §5), strict on decode: the one copy for every module (key
 * ids, signatures, tokens, key files). Decoding refuses padding, whitespace, characters outside the
 * URL alphabet and non-canonical trailing bits, so one value has exactly one text form.
 */
public final class Base64Url {
  private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DEC = Base64.getUrlDecoder();

  private Base64Url() {}

  public static String encode(byte[] bytes) {
    return ENC.encodeToString(bytes);
  }

  /**
   * Decodes unpadded base64url; rejects padding, whitespace and any character outside the alphabet.
   *
   * @throws IllegalArgumentException on anything else
   */
  public static byte[] decode(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_';
      if (!ok) {
        throw new IllegalArgumentException("not unpadded base64url");
      }
    }
    byte[] out = DEC.decode(text);
    if (!encode(out).equals(text)) { // non-canonical trailing bits
      throw new IllegalArgumentException("non-canonical base64url");
    }
    return out;
  }
}
