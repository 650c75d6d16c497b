package dev.strongroom.contracts.records;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.errors.StrongroomException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.hpke.HPKE;

/**
 * Seals an encrypt request's PII fields to the crypto-service's {@link SealingKey} and opens them
 * there (DESIGN §3: no PII plaintext in a Kafka log). HPKE (RFC 9180) base mode, suite
 * DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-256-GCM, through Bouncy Castle; {@code info} =
 * {@link EncryptRequest#hpkeInfo} binds the seal to tenant, record and request; the plaintext is
 * the RFC 8785 JSON of {@code {name, role?, email?, phone?}} (strings).
 *
 * <p>Every way a seal can fail to open (wrong key, another request's context, tampered bytes, bad
 * contents) raises the same {@code INTEGRITY} error.
 */
public final class FieldSealer {
  private FieldSealer() {}

  private static HPKE hpke() {
    return new HPKE(
        HPKE.mode_base, HPKE.kem_X25519_SHA256, HPKE.kdf_HKDF_SHA256, HPKE.aead_AES_GCM256);
  }

  /** Seals {@code fields} for the holder of {@code recipientPublicKey}. */
  public static EncryptRequest.Sealed seal(
      byte[] recipientPublicKey,
      String tenant,
      String recordId,
      String requestId,
      Map<String, String> fields) {
    ObjectNode plain = CanonicalJson.mapper().createObjectNode();
    checkFields(fields.keySet().iterator(), fields.containsKey("name"));
    fields.forEach(plain::put);
    byte[] pt = CanonicalJson.canonicalize(plain);
    try {
      HPKE h = hpke();
      byte[][] out =
          h.seal(
              h.deserializePublicKey(recipientPublicKey),
              EncryptRequest.hpkeInfo(tenant, recordId, requestId),
              new byte[0],
              pt,
              null,
              null,
              null);
      return new EncryptRequest.Sealed(SealingKey.kidOf(recipientPublicKey), out[1], out[0]);
    } catch (InvalidCipherTextException e) {
      throw new IllegalStateException("HPKE seal failed", e);
    } finally {
      Arrays.fill(pt, (byte) 0);
    }
  }

  /** Opens the fields sealed in {@code request} with {@code key}, for tenant {@code tenant}. */
  public static Map<String, String> open(SealingKey key, String tenant, EncryptRequest request) {
    EncryptRequest.Sealed sealed = request.sealed();
    if (!sealed.recipientKid().equals(key.kid())) {
      throw cannotOpen();
    }
    byte[] pt = null;
    try {
      HPKE h = hpke();
      AsymmetricCipherKeyPair kp = h.deserializePrivateKey(key.privateKeyBytes(), key.publicKey());
      pt =
          h.open(
              sealed.enc(),
              kp,
              EncryptRequest.hpkeInfo(tenant, request.recordId(), request.requestId()),
              new byte[0],
              sealed.ciphertext(),
              null,
              null,
              null);
      JsonNode tree = CanonicalJson.parse(pt);
      Map<String, String> fields = new LinkedHashMap<>();
      checkFields(tree.fieldNames(), tree.has("name"));
      for (String f : StoreRequest.FIELDS) {
        JsonNode v = tree.get(f);
        if (v != null) {
          if (!v.isTextual()) {
            throw cannotOpen();
          }
          fields.put(f, v.asText());
        }
      }
      return fields;
    } catch (InvalidCipherTextException | IllegalArgumentException e) {
      throw cannotOpen();
    } finally {
      if (pt != null) {
        Arrays.fill(pt, (byte) 0);
      }
    }
  }

  private static void checkFields(Iterator<String> names, boolean hasName) {
    if (!hasName) {
      throw new IllegalArgumentException("the name field is required");
    }
    while (names.hasNext()) {
      String n = names.next();
      if (!StoreRequest.FIELDS.contains(n)) {
        throw new IllegalArgumentException("unknown field " + n);
      }
    }
  }

  private static StrongroomException cannotOpen() {
    return new StrongroomException(ErrorCode.INTEGRITY, "sealed fields do not open");
  }
}
