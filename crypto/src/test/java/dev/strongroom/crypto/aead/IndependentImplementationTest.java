package dev.strongroom.crypto.aead;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strongroom.crypto.Hex;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

/**
 * Rebuilds every golden envelope of both suites from the written specification (docs/crypto.md, the
 * class Javadoc of {@link AesGcmHkdfFieldCipher} and {@link FieldContext}) with Bouncy Castle's
 * HKDF and AES-GCM only: none of this library's code is used, so a divergence between the
 * documented format and the implementation shows up here.
 */
class IndependentImplementationTest {

  @Test
  void goldenEnvelopes_matchTheDocumentedFormatBuiltWithBouncyCastle() throws Exception {
    for (JsonNode v : GoldenVectorsTest.vectors()) {
      byte[] dek = Hex.decode(v.get("dataKey").asText());
      byte[] random = Hex.decode(v.get("random").asText());
      byte[] salt = Arrays.copyOfRange(random, 0, 32);
      byte[] iv = Arrays.copyOfRange(random, 32, 44);
      byte[] info = concat(new byte[] {0x01}, "SR-KEY+COMMIT".getBytes(StandardCharsets.US_ASCII));
      HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA512Digest());
      hkdf.init(new HKDFParameters(dek, salt, info));
      byte[] okm = new byte[64];
      hkdf.generateBytes(okm, 0, 64);

      byte[] header =
          concat(new byte[] {0x01, 0x01}, concat(salt, Arrays.copyOfRange(okm, 32, 64)));
      byte[] aad = concat(header, contextAad(v));
      assertEquals(v.get("aad").asText(), Hex.encode(contextAad(v)), "context AAD");

      org.bouncycastle.crypto.modes.AEADBlockCipher gcm =
          GCMBlockCipher.newInstance(AESEngine.newInstance());
      gcm.init(
          true, new AEADParameters(new KeyParameter(Arrays.copyOfRange(okm, 0, 32)), 128, iv, aad));
      byte[] pt = Hex.decode(v.get("plaintext").asText());
      byte[] body = new byte[gcm.getOutputSize(pt.length)];
      int n = gcm.processBytes(pt, 0, pt.length, body, 0);
      gcm.doFinal(body, n);

      assertEquals(
          v.get("ciphertext").asText(),
          Hex.encode(concat(header, body)),
          v.get("comment").asText());
      assertEquals(v.get("iv").asText(), Hex.encode(iv));
    }
  }

  /**
   * Suite 0x02 from docs/crypto.md: OKM = HKDF-SHA-512(salt = "strongroom/field/0x02/dek-subkey",
   * IKM = DEK, info = 0x02 || "SR-DEK-SUBKEY+COMMIT" || lp(dekId), 64); subkey = OKM[0..32),
   * commitment = OKM[32..64); envelope = 0x01 0x02 || commitment || GCM(subkey, iv, AAD = those 34
   * bytes || context).
   */
  @Test
  void goldenEnvelopesOfSuite02_matchTheDocumentedFormatBuiltWithBouncyCastle() throws Exception {
    List<JsonNode> vectors = GoldenVectorsTest.vectors(GoldenVectorsTest.ALG02_FILE);
    assertEquals(5, vectors.size());
    for (JsonNode v : vectors) {
      byte[] dek = Hex.decode(v.get("dataKey").asText());
      byte[] iv = Hex.decode(v.get("random").asText());
      byte[] salt = "strongroom/field/0x02/dek-subkey".getBytes(StandardCharsets.US_ASCII);
      byte[] info =
          concat(
              concat(new byte[] {0x02}, "SR-DEK-SUBKEY+COMMIT".getBytes(StandardCharsets.US_ASCII)),
              lp(v.get("dataKeyId").asText()));
      HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA512Digest());
      hkdf.init(new HKDFParameters(dek, salt, info));
      byte[] okm = new byte[64];
      hkdf.generateBytes(okm, 0, 64);
      assertEquals(v.get("subkey").asText(), Hex.encode(Arrays.copyOfRange(okm, 0, 32)), "subkey");
      assertEquals(
          v.get("commitment").asText(), Hex.encode(Arrays.copyOfRange(okm, 32, 64)), "commitment");

      byte[] header = concat(new byte[] {0x01, 0x02}, Arrays.copyOfRange(okm, 32, 64));
      assertEquals(34, header.length);
      byte[] aad = concat(header, contextAad(v));
      assertEquals(v.get("aad").asText(), Hex.encode(contextAad(v)), "context AAD");

      org.bouncycastle.crypto.modes.AEADBlockCipher gcm =
          GCMBlockCipher.newInstance(AESEngine.newInstance());
      gcm.init(
          true, new AEADParameters(new KeyParameter(Arrays.copyOfRange(okm, 0, 32)), 128, iv, aad));
      byte[] pt = Hex.decode(v.get("plaintext").asText());
      byte[] body = new byte[gcm.getOutputSize(pt.length)];
      int n = gcm.processBytes(pt, 0, pt.length, body, 0);
      gcm.doFinal(body, n);

      byte[] envelope = concat(header, body);
      assertEquals(50 + pt.length, envelope.length, "50 + n bytes");
      assertEquals(v.get("ciphertext").asText(), Hex.encode(envelope), v.get("comment").asText());
      assertEquals(v.get("iv").asText(), Hex.encode(iv));
    }
  }

  /**
   * "SRF1" || lp(tenant) || uuid(16) || lp(field) || u32(schema) || lp(dekId), lp = u32 BE length
   * || UTF-8.
   */
  private static byte[] contextAad(JsonNode v) {
    UUID record = UUID.fromString(v.get("recordId").asText());
    java.nio.ByteBuffer uuid =
        java.nio.ByteBuffer.allocate(16)
            .putLong(record.getMostSignificantBits())
            .putLong(record.getLeastSignificantBits());
    return concat(
        concat(
            concat("SRF1".getBytes(StandardCharsets.US_ASCII), lp(v.get("tenantId").asText())),
            concat(uuid.array(), lp(v.get("fieldName").asText()))),
        concat(
            java.nio.ByteBuffer.allocate(4).putInt(v.get("schemaVersion").asInt()).array(),
            lp(v.get("dataKeyId").asText())));
  }

  private static byte[] lp(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return concat(java.nio.ByteBuffer.allocate(4).putInt(b.length).array(), b);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
