package dev.strongroom.contracts.records;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.envelope.CanonicalJson;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Typed {@code data} of {@code dev.strongroom.encrypt.requested.v1}: the fields travel sealed with
 * HPKE (RFC 9180, base mode, suite {@value #SUITE}) to the crypto-service's published X25519 key.
 */
public record EncryptRequest(String requestId, String tenantToken, String recordId, Sealed sealed) {
  /** KEM, KDF and AEAD of the seal, in the wire's spelling. */
  public static final String SUITE = "DHKEM_X25519_HKDF_SHA256.HKDF_SHA256.AES_256_GCM";

  private static final byte[] INFO_DOMAIN =
      "strongroom/encrypt.requested/v1".getBytes(StandardCharsets.US_ASCII);

  /** The HPKE output: recipient key id, encapsulated key, ciphertext. */
  public record Sealed(String recipientKid, byte[] enc, byte[] ciphertext) {
    public Sealed {
      Objects.requireNonNull(recipientKid, "recipientKid");
      enc = enc.clone();
      ciphertext = ciphertext.clone();
    }

    @Override
    public byte[] enc() {
      return enc.clone();
    }

    @Override
    public byte[] ciphertext() {
      return ciphertext.clone();
    }
  }

  public EncryptRequest {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(tenantToken, "tenantToken");
    Objects.requireNonNull(recordId, "recordId");
    Objects.requireNonNull(sealed, "sealed");
  }

  /**
   * The HPKE {@code info}: {@code "strongroom/encrypt.requested/v1" || lp(tenant) || lp(recordId)
   * || lp(requestId)}, lp = u32 big-endian byte length || UTF-8. Binding the seal to its request
   * means a sealed blob copied into another tenant's, record's or request's event does not open.
   */
  public static byte[] hpkeInfo(String tenant, String recordId, String requestId) {
    byte[][] parts = {
      tenant.getBytes(StandardCharsets.UTF_8),
      recordId.getBytes(StandardCharsets.UTF_8),
      requestId.getBytes(StandardCharsets.UTF_8)
    };
    int len = INFO_DOMAIN.length;
    for (byte[] p : parts) {
      len += 4 + p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(len).put(INFO_DOMAIN);
    for (byte[] p : parts) {
      b.putInt(p.length).put(p);
    }
    return b.array();
  }

  public ObjectNode toData() {
    ObjectNode d = CanonicalJson.mapper().createObjectNode();
    d.put("requestId", requestId);
    d.put("tenantToken", tenantToken);
    d.put("recordId", recordId);
    d.putObject("sealed")
        .put("suite", SUITE)
        .put("recipientKid", sealed.recipientKid())
        .put("enc", Base64Url.encode(sealed.enc()))
        .put("ciphertext", Base64Url.encode(sealed.ciphertext()));
    return d;
  }

  public static EncryptRequest fromData(JsonNode d) {
    JsonNode s = d.get("sealed");
    return new EncryptRequest(
        d.get("requestId").asText(),
        d.get("tenantToken").asText(),
        d.get("recordId").asText(),
        new Sealed(
            s.get("recipientKid").asText(),
            Base64Url.decode(s.get("enc").asText()),
            Base64Url.decode(s.get("ciphertext").asText())));
  }
}
