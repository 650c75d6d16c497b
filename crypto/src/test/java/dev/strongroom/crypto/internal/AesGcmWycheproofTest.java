package dev.strongroom.crypto.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strongroom.crypto.Hex;
import dev.strongroom.crypto.InvalidCiphertextException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays every Wycheproof AES-GCM case with a 256-bit key, 96-bit IV and 128-bit tag
 * (C2SP/wycheproof testvectors_v1/aes_gcm_test.json, group tcId 91..156; see the file's "source")
 * against {@link AesGcm}, the raw primitive field encryption and the local keyring use.
 */
class AesGcmWycheproofTest {
  private static final String FILE = "/testvectors/wycheproof/aes_gcm_256_96_128_test.json";

  static List<JsonNode> cases() throws Exception {
    try (InputStream in = AesGcmWycheproofTest.class.getResourceAsStream(FILE)) {
      JsonNode root = new ObjectMapper().readTree(in);
      List<JsonNode> out = new ArrayList<>();
      for (JsonNode g : root.get("testGroups")) {
        if (g.get("keySize").asInt() == 256
            && g.get("ivSize").asInt() == 96
            && g.get("tagSize").asInt() == 128) {
          g.get("tests").forEach(out::add);
        }
      }
      return out;
    }
  }

  @Test
  void vectorFile_holdsTheWholeGroup() throws Exception {
    List<JsonNode> cases = cases();
    assertEquals(66, cases.size());
    assertEquals(91, cases.get(0).get("tcId").asInt());
    assertEquals(156, cases.get(cases.size() - 1).get("tcId").asInt());
  }

  @TestFactory
  Stream<DynamicTest> wycheproofAesGcm256_everyCaseBehavesAsExpected() throws Exception {
    return cases().stream()
        .map(
            t ->
                DynamicTest.dynamicTest(
                    "tcId " + t.get("tcId").asInt() + " " + t.get("result").asText(),
                    () -> run(t)));
  }

  private static void run(JsonNode t) {
    byte[] key = Hex.decode(t.get("key").asText());
    byte[] iv = Hex.decode(t.get("iv").asText());
    byte[] aad = Hex.decode(t.get("aad").asText());
    byte[] msg = Hex.decode(t.get("msg").asText());
    byte[] ct = Hex.decode(t.get("ct").asText());
    byte[] tag = Hex.decode(t.get("tag").asText());
    byte[] ctAndTag = new byte[ct.length + tag.length];
    System.arraycopy(ct, 0, ctAndTag, 0, ct.length);
    System.arraycopy(tag, 0, ctAndTag, ct.length, tag.length);
    String result = t.get("result").asText();
    if (result.equals("valid")) {
      assertArrayEquals(ctAndTag, AesGcm.encrypt(key, iv, aad, msg), "encryption");
      assertArrayEquals(msg, AesGcm.decrypt(key, iv, aad, ctAndTag), "decryption");
    } else {
      assertTrue(result.equals("invalid"), "no 'acceptable' cases in this group");
      InvalidCiphertextException e =
          assertThrows(
              InvalidCiphertextException.class, () -> AesGcm.decrypt(key, iv, aad, ctAndTag));
      assertEquals("invalid ciphertext", e.getMessage());
    }
  }
}
