package dev.strongroom.crypto.kms;

import static dev.strongroom.crypto.kms.WrapVectors.HEX;
import static dev.strongroom.crypto.kms.WrapVectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.InvalidCiphertextException;
import dev.strongroom.crypto.SecretKeyAccess;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stored wrap formats, pinned (issue 9): each vector's stored bytes decode to the data key
 * (today's code reads yesterday's rows), and the same inputs with the recorded random bytes encode
 * to exactly the stored bytes (today's code writes what tomorrow's must read). Vectors: {@code
 * src/test/resources/testvectors/wrapped-dek/} and {@code …/xwing-wrap/}; {@link WrapVectors}.
 */
class WrapGoldenVectorsTest {
  @TempDir Path dir;

  private final JsonNode keyring = WrapVectors.load(WrapVectors.KEYRING);
  private final JsonNode xwing = WrapVectors.load(WrapVectors.XWING);

  private static DataKey dek(JsonNode v) {
    return DataKey.adopt(v.get("dataKeyId").asText(), hex(v, "dek"), SecretKeyAccess.insecure());
  }

  private static WrappedKey stored(JsonNode v) {
    return WrappedKey.of(
        v.get("keyName").asText(), v.get("keyVersion").asText(), hex(v, "wrapped"));
  }

  @Test
  void associatedData_isTheDataKeyWrapContextOfTenantAndKeyId() {
    for (JsonNode v : new JsonNode[] {keyring, xwing}) {
      assertArrayEquals(
          hex(v, "associatedData"),
          DataKeyWrapContext.encode(v.get("tenant").asText(), v.get("dataKeyId").asText()));
    }
  }

  @Test
  void keyringVector_decodes_storedBytesUnwrapToTheDataKey() throws Exception {
    byte[] wrapped = hex(keyring, "wrapped");
    assertEquals(WrapFormat.LENGTH, wrapped.length);
    assertEquals(0x01, wrapped[0], "format version");
    assertEquals(0x01, wrapped[1], "AES_256_GCM_IV12_TAG16");
    WrapFormat.Parts parts = WrapFormat.parse(wrapped);
    assertArrayEquals(hex(keyring, "random"), parts.iv(), "the IV is the one random draw");

    InsecureLocalKeyring ring = WrapVectors.keyring(keyring, new SecureRandom(), dir);
    DataKey unwrapped =
        ring.unwrap(
            stored(keyring), keyring.get("dataKeyId").asText(), hex(keyring, "associatedData"));
    assertArrayEquals(hex(keyring, "dek"), WrapVectors.dekBytes(unwrapped));
  }

  @Test
  void keyringVector_encodes_byteForByte() throws Exception {
    FixedBytesRandom random = new FixedBytesRandom(hex(keyring, "random"));
    InsecureLocalKeyring ring = WrapVectors.keyring(keyring, random, dir);
    WrappedKey w = ring.wrap(dek(keyring), hex(keyring, "associatedData"));
    assertEquals(keyring.get("wrapped").asText(), HEX.formatHex(w.bytes()));
    assertTrue(random.exhausted(), "a wrap draws exactly the recorded bytes");
    WrapFormat.Parts parts = WrapFormat.parse(hex(keyring, "wrapped"));
    assertArrayEquals(
        hex(keyring, "wrapped"), WrapFormat.encode(parts.iv(), parts.ciphertextAndTag()));
  }

  @Test
  void keyringVector_anyChangedByteOrContext_isRefused() throws Exception {
    InsecureLocalKeyring ring = WrapVectors.keyring(keyring, new SecureRandom(), dir);
    byte[] good = hex(keyring, "wrapped");
    String id = keyring.get("dataKeyId").asText();
    byte[] aad = hex(keyring, "associatedData");
    for (int i = 0; i < good.length; i++) {
      byte[] bad = good.clone();
      bad[i] ^= 0x01;
      WrappedKey w = WrappedKey.of("strongroom-dev-kek", "1", bad);
      assertThrows(InvalidCiphertextException.class, () -> ring.unwrap(w, id, aad), "byte " + i);
    }
    byte[] otherTenant = DataKeyWrapContext.encode("globex", id);
    assertThrows(
        InvalidCiphertextException.class, () -> ring.unwrap(stored(keyring), id, otherTenant));
  }

  @Test
  void xwingVector_decodes_storedBytesUnwrapToTheDataKey() throws Exception {
    byte[] seed = hex(xwing, "privateKeySeed");
    assertEquals(
        xwing.get("publicKeySha256").asText(),
        WrapVectors.sha256(XWingKeyWrapper.keyPairFromSeed(seed).publicKey()),
        "key generation from the seed is pinned too");
    assertEquals(XWingKeyWrapper.PQ_ALG, xwing.get("pqAlg").asText());
    byte[] wrapped = hex(xwing, "wrapped");
    assertEquals(XWingKeyWrapper.LENGTH, wrapped.length);
    XWingKeyWrapper w =
        XWingKeyWrapper.withPrivateKey(
            xwing.get("keyName").asText(),
            xwing.get("keyVersion").asText(),
            seed,
            new SecureRandom());
    DataKey unwrapped =
        w.unwrap(stored(xwing), xwing.get("dataKeyId").asText(), hex(xwing, "associatedData"));
    assertArrayEquals(hex(xwing, "dek"), WrapVectors.dekBytes(unwrapped));
  }

  @Test
  void xwingVector_encodes_byteForByte() {
    FixedBytesRandom random = new FixedBytesRandom(hex(xwing, "random"));
    XWingKeyWrapper w =
        XWingKeyWrapper.withPrivateKey(
            xwing.get("keyName").asText(),
            xwing.get("keyVersion").asText(),
            hex(xwing, "privateKeySeed"),
            random);
    WrappedKey out = w.wrap(dek(xwing), hex(xwing, "associatedData"));
    assertEquals(xwing.get("wrapped").asText(), HEX.formatHex(out.bytes()));
    assertTrue(random.exhausted(), "64 bytes of encapsulation seed, then a 12-byte IV");
  }

  @Test
  void xwingVector_aChangedCiphertextOrTag_isRefused() {
    XWingKeyWrapper w =
        XWingKeyWrapper.withPrivateKey(
            xwing.get("keyName").asText(),
            xwing.get("keyVersion").asText(),
            hex(xwing, "privateKeySeed"),
            new SecureRandom());
    byte[] good = hex(xwing, "wrapped");
    String id = xwing.get("dataKeyId").asText();
    byte[] aad = hex(xwing, "associatedData");
    // the version byte, a byte of the KEM ciphertext, of the IV and of the tag
    for (int i : new int[] {0, 2, 600, 2 + XWingKeyWrapper.CT_LENGTH + 3, good.length - 1}) {
      byte[] bad = good.clone();
      bad[i] ^= 0x01;
      WrappedKey k = WrappedKey.of("strongroom-pq-recovery", "1", bad);
      assertThrows(InvalidCiphertextException.class, () -> w.unwrap(k, id, aad), "byte " + i);
    }
  }
}
