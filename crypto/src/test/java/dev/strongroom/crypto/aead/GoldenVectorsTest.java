package dev.strongroom.crypto.aead;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.FixedRandom;
import dev.strongroom.crypto.Hex;
import dev.strongroom.crypto.InvalidCiphertextException;
import dev.strongroom.crypto.SecretKeyAccess;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden vectors of our own wire format: suite 0x01 (testvectors/golden/field_v1.json) and suite
 * 0x02 (testvectors/golden/field_v1_alg02.json). Every later version of this library must still
 * decrypt all of them; the re-encryption check pins each suite byte for byte.
 */
class GoldenVectorsTest {
  static final String ALG01_FILE = "/testvectors/golden/field_v1.json";
  static final String ALG02_FILE = "/testvectors/golden/field_v1_alg02.json";

  /** One vector and the suite its file was written with. */
  record Golden(FieldAlgorithm algorithm, JsonNode v) {
    String name() {
      return String.format("0x%02x %s", algorithm.wireId(), v.get("comment").asText());
    }
  }

  /** The suite-0x01 vectors. */
  static List<JsonNode> vectors() throws Exception {
    return vectors(ALG01_FILE);
  }

  static List<JsonNode> vectors(String file) throws Exception {
    try (InputStream in = GoldenVectorsTest.class.getResourceAsStream(file)) {
      List<JsonNode> out = new ArrayList<>();
      new ObjectMapper().readTree(in).get("vectors").forEach(out::add);
      return out;
    }
  }

  static List<Golden> allVectors() throws Exception {
    List<Golden> out = new ArrayList<>();
    vectors(ALG01_FILE)
        .forEach(
            v ->
                out.add(
                    new Golden(FieldAlgorithm.AES_256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY, v)));
    vectors(ALG02_FILE)
        .forEach(
            v ->
                out.add(
                    new Golden(
                        FieldAlgorithm.AES_256_GCM_IV12_TAG16_HKDF_SHA512_DEK_SUBKEY_COMMIT_KEY,
                        v)));
    return out;
  }

  static FieldContext context(JsonNode v) {
    return FieldContext.builder()
        .tenantId(v.get("tenantId").asText())
        .recordId(v.get("recordId").asText())
        .fieldName(v.get("fieldName").asText())
        .schemaVersion(v.get("schemaVersion").asInt())
        .dataKeyId(v.get("dataKeyId").asText())
        .build();
  }

  static DataKey key(JsonNode v) {
    return DataKey.adopt(
        v.get("dataKeyId").asText(),
        Hex.decode(v.get("dataKey").asText()),
        SecretKeyAccess.insecure());
  }

  static EncryptedField field(JsonNode v) {
    return EncryptedField.of(
        Hex.decode(v.get("ciphertext").asText()), Hex.decode(v.get("iv").asText()));
  }

  @TestFactory
  Stream<DynamicTest> goldenVector_decryptsToItsPlaintext() throws Exception {
    return allVectors().stream()
        .map(
            g ->
                DynamicTest.dynamicTest(
                    g.name(),
                    () -> {
                      JsonNode v = g.v();
                      FieldContext ctx = context(v);
                      assertEquals(
                          v.get("aad").asText(), Hex.encode(ctx.associatedData()), "canonical AAD");
                      assertEquals(
                          g.algorithm().wireId(), field(v).ciphertext()[1], "algorithm byte");
                      byte[] pt =
                          AesGcmHkdfFieldCipher.create(key(v), new SecureRandom())
                              .decrypt(field(v), ctx);
                      assertArrayEquals(Hex.decode(v.get("plaintext").asText()), pt);
                    }));
  }

  @TestFactory
  Stream<DynamicTest> goldenVector_reencryptsByteForByteWithItsRandomness() throws Exception {
    return allVectors().stream()
        .map(
            g ->
                DynamicTest.dynamicTest(
                    g.name(),
                    () -> {
                      JsonNode v = g.v();
                      FieldCipher c =
                          AesGcmHkdfFieldCipher.create(
                              key(v),
                              new FixedRandom(Hex.decode(v.get("random").asText())),
                              g.algorithm());
                      EncryptedField f =
                          c.encrypt(Hex.decode(v.get("plaintext").asText()), context(v));
                      assertEquals(v.get("ciphertext").asText(), Hex.encode(f.ciphertext()));
                      assertEquals(v.get("iv").asText(), Hex.encode(f.iv()));
                    }));
  }

  @TestFactory
  Stream<DynamicTest> goldenVector_underAnotherTenant_failsToDecrypt() throws Exception {
    return allVectors().stream()
        .map(
            g ->
                DynamicTest.dynamicTest(
                    g.name(),
                    () -> {
                      JsonNode v = g.v();
                      FieldContext other =
                          context(v).toBuilder().tenantId(v.get("tenantId").asText() + "x").build();
                      assertThrows(
                          InvalidCiphertextException.class,
                          () ->
                              AesGcmHkdfFieldCipher.create(key(v), new SecureRandom())
                                  .decrypt(field(v), other));
                    }));
  }

  /**
   * Stored 0x01 fields and new 0x02 fields of the same data key open with the one cipher for it.
   */
  @Test
  void goldenVectorsOfBothSuitesUnderOneDataKey_decryptWithOneCipher() throws Exception {
    List<Golden> sameKey = new ArrayList<>();
    for (Golden g : allVectors()) {
      if (g.v().get("dataKeyId").asText().equals("dek-0001")) {
        sameKey.add(g);
      }
    }
    assertEquals(4, sameKey.size(), "two 0x01 and two 0x02 vectors under dek-0001");
    FieldCipher cipher = AesGcmHkdfFieldCipher.create(key(sameKey.get(0).v()), new SecureRandom());
    for (Golden g : sameKey) {
      assertArrayEquals(
          Hex.decode(g.v().get("plaintext").asText()),
          cipher.decrypt(field(g.v()), context(g.v())),
          g.name());
    }
  }
}
