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
import org.junit.jupiter.api.TestFactory;

/**
 * Golden vectors of our own wire format (testvectors/golden/field_v1.json). Every later version of
 * this library must still decrypt them; the re-encryption check pins format v1 byte for byte.
 */
class GoldenVectorsTest {

  static List<JsonNode> vectors() throws Exception {
    try (InputStream in = GoldenVectorsTest.class.getResourceAsStream("/testvectors/golden/field_v1.json")) {
      List<JsonNode> out = new ArrayList<>();
      new ObjectMapper().readTree(in).get("vectors").forEach(out::add);
      return out;
    }
  }

  private static FieldContext context(JsonNode v) {
    return FieldContext.builder()
        .tenantId(v.get("tenantId").asText())
        .recordId(v.get("recordId").asText())
        .fieldName(v.get("fieldName").asText())
        .schemaVersion(v.get("schemaVersion").asInt())
        .dataKeyId(v.get("dataKeyId").asText())
        .build();
  }

  private static DataKey key(JsonNode v) {
    return DataKey.adopt(v.get("dataKeyId").asText(), Hex.decode(v.get("dataKey").asText()), SecretKeyAccess.insecure());
  }

  @TestFactory
  Stream<DynamicTest> goldenVector_decryptsToItsPlaintext() throws Exception {
    return vectors().stream()
        .map(v -> DynamicTest.dynamicTest(v.get("comment").asText(), () -> {
          FieldContext ctx = context(v);
          assertEquals(v.get("aad").asText(), Hex.encode(ctx.associatedData()), "canonical AAD");
          EncryptedField f = EncryptedField.of(Hex.decode(v.get("ciphertext").asText()), Hex.decode(v.get("iv").asText()));
          byte[] pt = AesGcmHkdfFieldCipher.create(key(v), new SecureRandom()).decrypt(f, ctx);
          assertArrayEquals(Hex.decode(v.get("plaintext").asText()), pt);
        }));
  }

  @TestFactory
  Stream<DynamicTest> goldenVector_reencryptsByteForByteWithItsRandomness() throws Exception {
    return vectors().stream()
        .map(v -> DynamicTest.dynamicTest(v.get("comment").asText(), () -> {
          FieldCipher c = AesGcmHkdfFieldCipher.create(key(v), new FixedRandom(Hex.decode(v.get("random").asText())));
          EncryptedField f = c.encrypt(Hex.decode(v.get("plaintext").asText()), context(v));
          assertEquals(v.get("ciphertext").asText(), Hex.encode(f.ciphertext()));
          assertEquals(v.get("iv").asText(), Hex.encode(f.iv()));
        }));
  }

  @TestFactory
  Stream<DynamicTest> goldenVector_underAnotherTenant_failsToDecrypt() throws Exception {
    return vectors().stream()
        .map(v -> DynamicTest.dynamicTest(v.get("comment").asText(), () -> {
          FieldContext other = context(v).toBuilder().tenantId(v.get("tenantId").asText() + "x").build();
          EncryptedField f = EncryptedField.of(Hex.decode(v.get("ciphertext").asText()), Hex.decode(v.get("iv").asText()));
          assertThrows(InvalidCiphertextException.class,
              () -> AesGcmHkdfFieldCipher.create(key(v), new SecureRandom()).decrypt(f, other));
        }));
  }
}
