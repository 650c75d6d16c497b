package dev.strongroom.contracts.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strongroom.contracts.records.SealingKey;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class KeyIdTest {
  /** RFC 8032 §7.1 test 1 public key; the id computed independently (Python hashlib + base64). */
  private static final byte[] RFC8032_TEST1 =
      HexFormat.of().parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");

  @Test
  void knownKey_hasKnownId() {
    assertEquals("If4x36FUomFia_hUBG_SJxt77UtqvkWqWId-9H-XIbk", KeyId.of(RFC8032_TEST1));
  }

  @Test
  void signingAndSealingKeys_areNamedByTheOneFunction() {
    assertEquals(KeyId.of(RFC8032_TEST1), Ed25519Keys.kid(RFC8032_TEST1));
    assertEquals(KeyId.of(RFC8032_TEST1), SealingKey.kidOf(RFC8032_TEST1));
  }

  @Test
  void ed25519Kid_refusesAKeyOfTheWrongLength() {
    assertThrows(IllegalArgumentException.class, () -> Ed25519Keys.kid(new byte[31]));
  }
}
