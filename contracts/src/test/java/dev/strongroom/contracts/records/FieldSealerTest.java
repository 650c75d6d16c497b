package dev.strongroom.contracts.records;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.errors.StrongroomException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.hpke.HPKEContext;
import org.bouncycastle.crypto.hpke.HPKEContextWithEncapsulation;
import org.junit.jupiter.api.Test;

class FieldSealerTest {
  private static final HexFormat HEX = HexFormat.of();
  private final SealingKey key = SealingKey.generate();
  private final Map<String, String> fields =
      Map.of("name", "Alice Example", "email", "alice@example.org");

  private EncryptRequest request(String recordId, String requestId, EncryptRequest.Sealed sealed) {
    return new EncryptRequest(requestId, "a.b", recordId, sealed);
  }

  @Test
  void bouncyCastleHpke_reproducesRfc9180_B_1_1() throws Exception {
    JsonNode v =
        CanonicalJson.parse(
            Files.readAllBytes(
                Path.of("src/test/resources/testvectors/hpke/rfc9180-b.1.1-base.json")));
    HPKE h =
        new HPKE(
            HPKE.mode_base, HPKE.kem_X25519_SHA256, HPKE.kdf_HKDF_SHA256, HPKE.aead_AES_GCM128);
    AsymmetricCipherKeyPair e = h.deriveKeyPair(HEX.parseHex(v.get("ikmE").asText()));
    AsymmetricCipherKeyPair r = h.deriveKeyPair(HEX.parseHex(v.get("ikmR").asText()));
    assertEquals(v.get("pkEm").asText(), HEX.formatHex(h.serializePublicKey(e.getPublic())));
    assertEquals(v.get("pkRm").asText(), HEX.formatHex(h.serializePublicKey(r.getPublic())));
    byte[] info = HEX.parseHex(v.get("info").asText());
    HPKEContextWithEncapsulation sender = h.setupBaseS(r.getPublic(), info, e);
    assertEquals(v.get("enc").asText(), HEX.formatHex(sender.getEncapsulation()));
    HPKEContext receiver = h.setupBaseR(sender.getEncapsulation(), r, info);
    for (JsonNode enc : v.get("encryptions")) {
      byte[] ct =
          sender.seal(HEX.parseHex(enc.get("aad").asText()), HEX.parseHex(enc.get("pt").asText()));
      assertEquals(enc.get("ct").asText(), HEX.formatHex(ct), "seq " + enc.get("seq"));
      assertArrayEquals(
          HEX.parseHex(enc.get("pt").asText()),
          receiver.open(HEX.parseHex(enc.get("aad").asText()), ct));
    }
  }

  @Test
  void sealedFields_openForTheRightTenantRecordAndRequest() {
    EncryptRequest.Sealed s = FieldSealer.seal(key.publicKey(), "acme", "r-1", "req-1", fields);
    assertEquals(key.kid(), s.recipientKid());
    assertEquals(32, s.enc().length);
    assertEquals(fields, FieldSealer.open(key, "acme", request("r-1", "req-1", s)));
  }

  @Test
  void sealedFields_openedWithTheWrongKey_orMovedElsewhere_orTampered_fail() {
    EncryptRequest.Sealed s = FieldSealer.seal(key.publicKey(), "acme", "r-1", "req-1", fields);
    SealingKey other = SealingKey.generate();
    EncryptRequest.Sealed claimingOther =
        new EncryptRequest.Sealed(other.kid(), s.enc(), s.ciphertext());
    for (Runnable attempt :
        new Runnable[] {
          () -> FieldSealer.open(other, "acme", request("r-1", "req-1", claimingOther)),
          () -> FieldSealer.open(key, "globex", request("r-1", "req-1", s)),
          () -> FieldSealer.open(key, "acme", request("r-2", "req-1", s)),
          () -> FieldSealer.open(key, "acme", request("r-1", "req-2", s)),
          () -> {
            byte[] ct = s.ciphertext();
            ct[ct.length - 1] ^= 1;
            FieldSealer.open(
                key,
                "acme",
                request("r-1", "req-1", new EncryptRequest.Sealed(s.recipientKid(), s.enc(), ct)));
          }
        }) {
      StrongroomException e = assertThrows(StrongroomException.class, attempt::run);
      assertEquals(ErrorCode.INTEGRITY, e.code());
      assertEquals("INTEGRITY: sealed fields do not open", e.getMessage());
    }
  }

  @Test
  void onlyTheSeedsFourFields_andNameIsRequired() {
    assertThrows(
        IllegalArgumentException.class,
        () -> FieldSealer.seal(key.publicKey(), "acme", "r", "q", Map.of("email", "x")));
    assertThrows(
        IllegalArgumentException.class,
        () -> FieldSealer.seal(key.publicKey(), "acme", "r", "q", Map.of("name", "x", "ssn", "y")));
  }

  @Test
  void sealingKey_pemRoundTrip() {
    SealingKey back = SealingKey.fromPem(key.toPem());
    assertEquals(key.kid(), back.kid());
    assertArrayEquals(key.publicKey(), back.publicKey());
  }
}
