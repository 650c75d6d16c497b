package dev.strongroom.crypto.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.Hex;
import dev.strongroom.crypto.InvalidCiphertextException;
import dev.strongroom.crypto.KmsException;
import dev.strongroom.crypto.SecretKeyAccess;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.crypto.prng.FixedSecureRandom;
import org.bouncycastle.pqc.crypto.xwing.XWingKEMExtractor;
import org.bouncycastle.pqc.crypto.xwing.XWingKEMGenerator;
import org.bouncycastle.pqc.crypto.xwing.XWingPrivateKeyParameters;
import org.bouncycastle.pqc.crypto.xwing.XWingPublicKeyParameters;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class XWingKeyWrapperTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] AD = DataKeyWrapContext.encode("tenant-a", "dek-1");
  private static final Pattern FIELD =
      Pattern.compile("^(seed|sk|pk|eseed|ct|ss)\\b\\s*([0-9a-f]*)\\s*$");

  /** Parses the draft's Appendix C text (testvectors/xwing/...-appendix-c.txt). */
  static List<Map<String, byte[]>> vectors() throws Exception {
    String text;
    try (InputStream in =
        XWingKeyWrapperTest.class.getResourceAsStream(
            "/testvectors/xwing/draft-connolly-cfrg-xwing-kem-10_appendix-c.txt")) {
      text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
    List<Map<String, StringBuilder>> raw = new ArrayList<>();
    String field = null;
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      Matcher m = FIELD.matcher(line);
      if (m.matches()) {
        field = m.group(1);
        if (field.equals("seed")) {
          raw.add(new LinkedHashMap<>());
        }
        raw.get(raw.size() - 1).put(field, new StringBuilder(m.group(2)));
      } else {
        raw.get(raw.size() - 1).get(field).append(line.strip());
      }
    }
    List<Map<String, byte[]>> out = new ArrayList<>();
    for (Map<String, StringBuilder> r : raw) {
      Map<String, byte[]> v = new LinkedHashMap<>();
      r.forEach((k, s) -> v.put(k, Hex.decode(s.toString())));
      out.add(v);
    }
    return out;
  }

  @Test
  void vectorFile_holdsThreeCompleteVectors() throws Exception {
    List<Map<String, byte[]>> vs = vectors();
    assertEquals(3, vs.size());
    for (Map<String, byte[]> v : vs) {
      assertEquals(1216, v.get("pk").length);
      assertEquals(1120, v.get("ct").length);
      assertEquals(64, v.get("eseed").length);
    }
  }

  /**
   * Bouncy Castle's X-Wing reproduces draft-10's key generation, encapsulation and decapsulation.
   */
  @TestFactory
  Stream<DynamicTest> xwingDraft10Vectors_keygenEncapsDecapsMatch() throws Exception {
    return vectors().stream()
        .map(
            v ->
                DynamicTest.dynamicTest(
                    "seed " + Hex.encode(v.get("seed")).substring(0, 8),
                    () -> {
                      XWingKeyWrapper.KeyPair kp = XWingKeyWrapper.keyPairFromSeed(v.get("seed"));
                      assertArrayEquals(v.get("pk"), kp.publicKey(), "public key from seed");
                      assertArrayEquals(
                          v.get("sk"),
                          kp.privateKey(SecretKeyAccess.insecure()),
                          "private key = seed");
                      SecretWithEncapsulation enc =
                          new XWingKEMGenerator(new FixedSecureRandom(v.get("eseed")))
                              .generateEncapsulated(new XWingPublicKeyParameters(v.get("pk")));
                      assertArrayEquals(v.get("ct"), enc.getEncapsulation(), "ciphertext");
                      assertArrayEquals(v.get("ss"), enc.getSecret(), "encapsulated shared secret");
                      assertArrayEquals(
                          v.get("ss"),
                          new XWingKEMExtractor(new XWingPrivateKeyParameters(v.get("sk")))
                              .extractSecret(v.get("ct")),
                          "decapsulated shared secret");
                    }));
  }

  private static byte[] bytes(DataKey k) {
    return k.useKeyBytes(SecretKeyAccess.insecure(), byte[]::clone);
  }

  @Test
  void wrapToPublicKey_unwrapWithPrivateKey_returnsTheDataKey() {
    XWingKeyWrapper.KeyPair kp = XWingKeyWrapper.generateKeyPair(RANDOM);
    XWingKeyWrapper sender = XWingKeyWrapper.forRecipient("pq-kek", "1", kp.publicKey(), RANDOM);
    XWingKeyWrapper recipient =
        XWingKeyWrapper.withPrivateKey(
            "pq-kek", "1", kp.privateKey(SecretKeyAccess.insecure()), RANDOM);
    DataKey dek = DataKey.generate("dek-1", RANDOM);
    WrappedKey w = sender.wrap(dek, AD);
    assertEquals(1182, w.bytes().length);
    assertArrayEquals(bytes(dek), bytes(recipient.unwrap(w, "dek-1", AD)));
    assertThrows(KmsException.class, () -> sender.unwrap(w, "dek-1", AD));
  }

  @Test
  void wrongPrivateKey_failsToUnwrap() {
    XWingKeyWrapper.KeyPair kp = XWingKeyWrapper.generateKeyPair(RANDOM);
    WrappedKey w =
        XWingKeyWrapper.forRecipient("pq-kek", "1", kp.publicKey(), RANDOM)
            .wrap(DataKey.generate("dek-1", RANDOM), AD);
    XWingKeyWrapper other =
        XWingKeyWrapper.withPrivateKey(
            "pq-kek",
            "1",
            XWingKeyWrapper.generateKeyPair(RANDOM).privateKey(SecretKeyAccess.insecure()),
            RANDOM);
    assertThrows(InvalidCiphertextException.class, () -> other.unwrap(w, "dek-1", AD));
  }

  @Test
  void tamperedBytesOtherContextOrName_failToUnwrap() {
    XWingKeyWrapper.KeyPair kp = XWingKeyWrapper.generateKeyPair(RANDOM);
    XWingKeyWrapper x =
        XWingKeyWrapper.withPrivateKey(
            "pq-kek", "1", kp.privateKey(SecretKeyAccess.insecure()), RANDOM);
    WrappedKey w = x.wrap(DataKey.generate("dek-1", RANDOM), AD);
    for (int i : new int[] {0, 1, 2, 500, 1121, 1122, 1133, 1134, 1165, 1166, 1181}) {
      byte[] t = w.bytes();
      t[i] ^= 0x01;
      WrappedKey tampered = WrappedKey.of("pq-kek", "1", t);
      assertThrows(
          InvalidCiphertextException.class, () -> x.unwrap(tampered, "dek-1", AD), "byte " + i);
    }
    assertThrows(
        InvalidCiphertextException.class,
        () -> x.unwrap(w, "dek-1", DataKeyWrapContext.encode("tenant-b", "dek-1")));
    assertThrows(
        InvalidCiphertextException.class,
        () -> x.unwrap(WrappedKey.of("hsm-kek", "1", w.bytes()), "dek-1", AD));
  }
}
