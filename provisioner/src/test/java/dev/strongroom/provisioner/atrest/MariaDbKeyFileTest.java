package dev.strongroom.provisioner.atrest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MariaDbKeyFileTest {
  private static byte[] resource(String name) throws IOException {
    try (InputStream in =
        MariaDbKeyFileTest.class.getResourceAsStream("/testvectors/file_key_management/" + name)) {
      return in.readAllBytes();
    }
  }

  @Test
  void opensslEncVector_decryptsToPlaintext() throws IOException {
    byte[] plain = MariaDbKeyFile.decrypt(resource("keys.enc"), resource("filekey"));
    assertArrayEquals(resource("keys.txt"), plain);
    SortedMap<Integer, byte[]> keys =
        MariaDbKeyFile.parse(new String(plain, StandardCharsets.US_ASCII));
    assertEquals(2, keys.size());
    assertEquals(
        "a7addd9adea9978fda19f21e6be987880e68ac92632ca052e5bb42b1a506939a",
        HexFormat.of().formatHex(keys.get(1)));
  }

  @Test
  void roundTrip_renderEncryptDecryptParse() {
    SortedMap<Integer, byte[]> keys = new TreeMap<>();
    keys.put(1, new byte[32]);
    keys.put(7, HexFormat.of().parseHex("00112233445566778899aabbccddeeff"));
    String text = MariaDbKeyFile.plaintext(keys);
    assertEquals(
        "1;0000000000000000000000000000000000000000000000000000000000000000\n"
            + "7;00112233445566778899aabbccddeeff\n",
        text);
    byte[] pw = "secret".getBytes(StandardCharsets.US_ASCII);
    byte[] enc = MariaDbKeyFile.encrypt(text.getBytes(StandardCharsets.US_ASCII), pw);
    assertEquals("Salted__", new String(enc, 0, 8, StandardCharsets.US_ASCII));
    assertEquals(text, new String(MariaDbKeyFile.decrypt(enc, pw), StandardCharsets.US_ASCII));
  }

  @Test
  void wrongFilekey_failsWithOneUniformMessage() throws IOException {
    AtRestException e =
        assertThrows(
            AtRestException.class,
            () ->
                MariaDbKeyFile.decrypt(
                    resource("keys.enc"), "not-the-password".getBytes(StandardCharsets.US_ASCII)));
    assertEquals(
        "INTERNAL: key file cannot be decrypted with this filekey (wrong key or corrupt file)",
        e.getMessage());
  }

  @Test
  void notSaltedFormat_isRefused() {
    AtRestException e =
        assertThrows(
            AtRestException.class, () -> MariaDbKeyFile.decrypt(new byte[48], new byte[] {'x'}));
    assertEquals(
        "INTERNAL: key file is not in the OpenSSL 'Salted__' AES-256-CBC format", e.getMessage());
  }

  @Test
  void malformedLine_isRefusedWithLineNumber() {
    AtRestException e = assertThrows(AtRestException.class, () -> MariaDbKeyFile.parse("1;00\n"));
    assertEquals("INTERNAL: key file line 1 is not '<id>;<hex key>'", e.getMessage());
  }
}
