package dev.strongroom.crypto.kms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.SecretKeyAccess;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The golden vectors of the two stored wrap formats ({@code data_keys.wrapped_dek} under an AES-GCM
 * KEK, and {@code data_keys.pq_wrapped_dek} under X-Wing), and their generator. Run {@link #main}
 * only to create a new vector version; never to refresh an existing one — stored bytes outlive any
 * release, and a changed vector means rows already written no longer read.
 */
final class WrapVectors {
  static final HexFormat HEX = HexFormat.of();
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  static final String KEYRING = "testvectors/wrapped-dek/v1-aes256gcm-kek.json";
  static final String XWING = "testvectors/xwing-wrap/v1-xwing-mlkem768-x25519.json";

  private WrapVectors() {}

  static JsonNode load(String resource) {
    try (InputStream in = WrapVectors.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test vector " + resource);
      }
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] hex(JsonNode v, String field) {
    return HEX.parseHex(v.get(field).asText());
  }

  static InsecureLocalKeyring keyring(JsonNode v, java.security.SecureRandom random, Path dir)
      throws IOException {
    Path file = dir.resolve("keyring");
    Files.writeString(
        file,
        v.get("keyVersion").asText() + ":" + Base64.getEncoder().encodeToString(hex(v, "kek")));
    return InsecureLocalKeyring.load(v.get("keyName").asText(), file, random);
  }

  static byte[] dekBytes(DataKey key) {
    return key.useKeyBytes(SecretKeyAccess.insecure(), byte[]::clone);
  }

  static String sha256(byte[] b) throws Exception {
    return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  /** Prints both vectors' JSON: inputs chosen below, outputs computed by the code under test. */
  public static void main(String[] args) throws Exception {
    String tenant = "acme";
    String dekId = "0190f0c2-7d2e-7c41-9b1a-5e3d2c1b0a99";
    byte[] dek = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    byte[] aad = DataKeyWrapContext.encode(tenant, dekId);

    ObjectNode k = JSON.createObjectNode();
    k.put("description", "wrapped_dek format 0x01/0x01 (WrapFormat): AES-256-GCM under a KEK");
    k.put("kek", "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f");
    k.put("keyName", "strongroom-dev-kek");
    k.put("keyVersion", "1");
    k.put("tenant", tenant);
    k.put("dataKeyId", dekId);
    k.put("associatedData", HEX.formatHex(aad));
    k.put("dek", HEX.formatHex(dek));
    k.put("random", "a0a1a2a3a4a5a6a7a8a9aaab");
    Path dir = Files.createTempDirectory("wrapvec");
    InsecureLocalKeyring ring = keyring(k, new FixedBytesRandom(hex(k, "random")), dir);
    k.put(
        "wrapped",
        HEX.formatHex(
            ring.wrap(DataKey.adopt(dekId, dek.clone(), SecretKeyAccess.insecure()), aad).bytes()));
    System.out.println(JSON.writeValueAsString(k));

    ObjectNode x = JSON.createObjectNode();
    x.put("description", "pq_wrapped_dek format 0x01 (XWingKeyWrapper." + "PQ_ALG)");
    x.put("pqAlg", XWingKeyWrapper.PQ_ALG);
    byte[] seed = HEX.parseHex("7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26");
    x.put("privateKeySeed", HEX.formatHex(seed));
    x.put("publicKeySha256", sha256(XWingKeyWrapper.keyPairFromSeed(seed).publicKey()));
    x.put("keyName", "strongroom-pq-recovery");
    x.put("keyVersion", "1");
    x.put("tenant", tenant);
    x.put("dataKeyId", dekId);
    x.put("associatedData", HEX.formatHex(aad));
    x.put("dek", HEX.formatHex(dek));
    byte[] random = new byte[64 + 12];
    for (int i = 0; i < random.length; i++) {
      random[i] = (byte) (0xc0 + i);
    }
    x.put("random", HEX.formatHex(random));
    XWingKeyWrapper w =
        XWingKeyWrapper.withPrivateKey(
            "strongroom-pq-recovery", "1", seed, new FixedBytesRandom(random));
    x.put(
        "wrapped",
        HEX.formatHex(
            w.wrap(DataKey.adopt(dekId, dek.clone(), SecretKeyAccess.insecure()), aad).bytes()));
    System.out.println(new String(JSON.writeValueAsBytes(x), StandardCharsets.UTF_8));
  }
}
