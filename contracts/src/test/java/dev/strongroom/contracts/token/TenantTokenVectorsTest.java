package dev.strongroom.contracts.token;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.envelope.CanonicalJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The tenant token v2, pinned by a vector made outside Java ({@code
 * testvectors/tenant-token/README.md}): the stored token verifies to its claims (key id, audience
 * and certificate thumbprint included), and the claims re-encode to exactly the stored token; the
 * v1 vector is refused. The SQL verifier's agreement on the same format is {@code
 * TenantTokenSqlIT}.
 */
class TenantTokenVectorsTest {
  private static final JsonNode V = load();

  private static JsonNode load() {
    try (InputStream in =
        TenantTokenVectorsTest.class.getResourceAsStream("/testvectors/tenant-token/v2.json")) {
      return CanonicalJson.mapper().readTree(in);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static byte[] key() {
    return HexFormat.of().parseHex(V.get("key").asText());
  }

  private static TenantTokens at(long epochSecond) {
    return new TenantTokens(key(), Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC));
  }

  @Test
  void storedToken_decodesToItsClaims() {
    String token = V.get("token").asText();
    TenantToken t = at(V.get("verifyAt").asLong()).verifyFor(token, "acme");
    JsonNode c = V.get("claims");
    assertEquals(c.get("tenant").asText(), t.tenant());
    assertEquals(c.get("sub").asText(), t.subject(), "UTF-8 in a claim survives");
    assertEquals(Instant.ofEpochSecond(c.get("iat").asLong()), t.issuedAt());
    assertEquals(Instant.ofEpochSecond(c.get("exp").asLong()), t.expiresAt());
    assertEquals(c.get("nonce").asText(), t.nonce());
    assertEquals(TenantTokenKeys.kidOf(key()), t.keyId());
    assertEquals(c.get("kid").asText(), t.keyId());
    assertEquals("strongroom", t.audience());
    String cnf =
        TenantTokens.thumbprint(
            V.get("certificateDerAscii").asText().getBytes(StandardCharsets.US_ASCII));
    assertEquals(cnf, t.certThumbprint());
    assertEquals("acme", at(V.get("verifyAt").asLong()).verifyFor(token, "acme", cnf).tenant());
    assertArrayEquals(
        V.get("claimsJson").asText().getBytes(StandardCharsets.UTF_8),
        Base64Url.decode(token.substring(0, token.indexOf('.'))),
        "the claims part is the RFC 8785 claims, unpadded base64url");
  }

  @Test
  void claims_reencodeToTheStoredToken() throws Exception {
    byte[] canonical = CanonicalJson.canonicalize(V.get("claims"));
    assertEquals(V.get("claimsJson").asText(), new String(canonical, StandardCharsets.UTF_8));
    String claimsPart = Base64Url.encode(canonical);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key(), "HmacSHA256"));
    String token =
        claimsPart
            + "."
            + Base64Url.encode(mac.doFinal(claimsPart.getBytes(StandardCharsets.US_ASCII)));
    assertEquals(V.get("token").asText(), token);
  }

  @Test
  void storedToken_refusedOutsideItsLifetime_andWithOneBitChanged() {
    String token = V.get("token").asText();
    long iat = V.get("claims").get("iat").asLong();
    long exp = V.get("claims").get("exp").asLong();
    assertEquals(
        "SR-TOKEN-EXPIRED",
        assertThrows(InvalidTokenException.class, () -> at(exp + 3600).verify(token)).reason());
    assertEquals(
        "SR-TOKEN-FUTURE",
        assertThrows(InvalidTokenException.class, () -> at(iat - 3600).verify(token)).reason());
    String flipped = flipFirstMacChar(token);
    assertEquals(
        "SR-TOKEN-SIGNATURE",
        assertThrows(InvalidTokenException.class, () -> at(iat + 60).verify(flipped)).reason());
    assertEquals(
        "SR-TOKEN-TENANT",
        assertThrows(InvalidTokenException.class, () -> at(iat + 60).verifyFor(token, "globex"))
            .reason());
  }

  @Test
  void v1Token_isRefusedAsMalformed() throws IOException {
    JsonNode v1;
    try (InputStream in =
        TenantTokenVectorsTest.class.getResourceAsStream("/testvectors/tenant-token/v1.json")) {
      v1 = CanonicalJson.mapper().readTree(in);
    }
    TenantTokens verifier =
        new TenantTokens(
            HexFormat.of().parseHex(v1.get("key").asText()),
            Clock.fixed(Instant.ofEpochSecond(v1.get("verifyAt").asLong()), ZoneOffset.UTC));
    assertEquals(
        "SR-TOKEN-MALFORMED",
        assertThrows(InvalidTokenException.class, () -> verifier.verify(v1.get("token").asText()))
            .reason());
  }

  /** The MAC's first character changed (its last one also carries padding bits, strictly zero). */
  static String flipFirstMacChar(String token) {
    int dot = token.indexOf('.');
    char c = token.charAt(dot + 1);
    return token.substring(0, dot + 1) + (c == 'A' ? 'B' : 'A') + token.substring(dot + 2);
  }
}
