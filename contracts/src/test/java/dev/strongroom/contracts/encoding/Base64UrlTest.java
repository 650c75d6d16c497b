package dev.strongroom.contracts.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Base64UrlTest {
  /** RFC 4648 §10 test vectors, unpadded. */
  @ParameterizedTest
  @CsvSource({
    "'',''",
    "f,Zg",
    "fo,Zm8",
    "foo,Zm9v",
    "foob,Zm9vYg",
    "fooba,Zm9vYmE",
    "foobar,Zm9vYmFy"
  })
  void rfc4648Vectors_roundTrip(String plain, String encoded) {
    byte[] bytes = plain.getBytes(StandardCharsets.US_ASCII);
    assertEquals(encoded, Base64Url.encode(bytes));
    assertArrayEquals(bytes, Base64Url.decode(encoded));
  }

  @org.junit.jupiter.api.Test
  void urlAlphabet_isUsed() {
    assertEquals("-_8", Base64Url.encode(new byte[] {(byte) 0xfb, (byte) 0xff}));
  }

  @ParameterizedTest
  @ValueSource(strings = {"Zg==", "Zm8=", "Zm 9v", "Zm9v\n", "+_8", "-/8", "Z", "Zh", "Zm9w!"})
  void padding_whitespace_otherAlphabet_nonCanonicalBits_areRefused(String text) {
    // "Zh" decodes to "f" with non-zero trailing bits: a second spelling of "Zg", refused.
    assertThrows(IllegalArgumentException.class, () -> Base64Url.decode(text));
  }
}
