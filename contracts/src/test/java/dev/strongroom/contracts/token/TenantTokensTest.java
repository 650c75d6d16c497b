package dev.strongroom.contracts.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.testing.Fixture;
import dev.strongroom.contracts.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TenantTokensTest {
  private final Fixture.MutableClock clock =
      new Fixture.MutableClock(Instant.parse("2026-11-23T09:00:00Z"));
  private final byte[] key = TestKeys.seed("tenant-token-key");
  private final TenantTokens tokens = new TenantTokens(key, clock);
  private final String kid = TenantTokenKeys.kidOf(key);

  /** The thumbprint of the certificate the test tokens are bound to. */
  private static final String CNF =
      TenantTokens.thumbprint("the application's certificate".getBytes(StandardCharsets.UTF_8));

  private static final String OTHER_CNF =
      TenantTokens.thumbprint("another valid certificate".getBytes(StandardCharsets.UTF_8));

  private static InvalidTokenException refused(Runnable r) {
    return assertThrows(InvalidTokenException.class, r::run);
  }

  @Test
  void issuedToken_verifies_withItsClaims() {
    String t = tokens.issue("acme", "alice@acme", TenantTokens.DEFAULT_LIFETIME, CNF);
    TenantToken claims = tokens.verifyFor(t, "acme");
    assertEquals("alice@acme", claims.subject());
    assertEquals(Instant.parse("2026-11-23T09:15:00Z"), claims.expiresAt());
    String json =
        new String(Base64Url.decode(t.substring(0, t.indexOf('.'))), StandardCharsets.UTF_8);
    assertTrue(
        json.matches(
            "\\{\"aud\":\"strongroom\",\"cnf\":\\{\"x5t#S256\":\""
                + CNF
                + "\"},\"exp\":1795425300,\"iat\":1795424400,\"kid\":\""
                + kid
                + "\",\"nonce\":\"[A-Za-z0-9_-]{22}\",\"sub\":\"alice@acme\",\"tenant\":\"acme\",\"v\":2}"),
        json);
    assertEquals(CNF, claims.certThumbprint());
    assertEquals(kid, claims.keyId());
    assertEquals("strongroom", claims.audience());
  }

  @Test
  void anotherTenantsToken_isRefused() {
    String t = tokens.issue("acme", "alice", TenantTokens.DEFAULT_LIFETIME, CNF);
    assertEquals("SR-TOKEN-TENANT", refused(() -> tokens.verifyFor(t, "globex")).reason());
  }

  @Test
  void forgedClaims_areRefused() {
    String t = tokens.issue("acme", "alice", TenantTokens.DEFAULT_LIFETIME, CNF);
    String claims =
        new String(Base64Url.decode(t.substring(0, t.indexOf('.'))), StandardCharsets.UTF_8)
            .replace("acme", "globex");
    String forged =
        Base64Url.encode(claims.getBytes(StandardCharsets.UTF_8)) + t.substring(t.indexOf('.'));
    assertEquals("SR-TOKEN-SIGNATURE", refused(() -> tokens.verify(forged)).reason());
    TenantTokens otherKey = new TenantTokens(TestKeys.seed("another key"), clock);
    assertEquals("SR-TOKEN-SIGNATURE", refused(() -> otherKey.verify(t)).reason());
  }

  @Test
  void expired_future_overlong_andMalformed_areRefused() {
    String t = tokens.issue("acme", "alice", Duration.ofMinutes(15), CNF);
    clock.advance(Duration.ofMinutes(15));
    assertEquals("SR-TOKEN-EXPIRED", refused(() -> tokens.verify(t)).reason());

    TenantTokens early =
        new TenantTokens(key, new Fixture.MutableClock(Instant.parse("2026-11-23T09:30:00Z")));
    String future = early.issue("acme", "alice", Duration.ofMinutes(15), CNF);
    assertEquals("SR-TOKEN-FUTURE", refused(() -> tokens.verify(future)).reason());

    assertThrows(
        IllegalArgumentException.class,
        () -> tokens.issue("acme", "alice", Duration.ofMinutes(61), CNF));
    for (String bad :
        List.of(
            "",
            "abc",
            "a.b.c",
            "!!.??",
            Base64Url.encode("[]".getBytes(StandardCharsets.UTF_8)) + ".AAAA")) {
      assertTrue(refused(() -> tokens.verify(bad)).reason().startsWith("SR-TOKEN-"), bad);
    }
  }

  @Test
  void overlongLifetime_withAValidMac_isRefused() throws Exception {
    String claims =
        "{\"exp\":"
            + (1795423500L + 7200)
            + ",\"iat\":1795423500,\"kid\":\""
            + kid
            + "\",\"nonce\":\"n\",\"sub\":\"a\",\"tenant\":\"acme\",\"v\":2}";
    claims =
        "{\"aud\":\"strongroom\",\"cnf\":{\"x5t#S256\":\"" + CNF + "\"}," + claims.substring(1);
    String part = Base64Url.encode(claims.getBytes(StandardCharsets.UTF_8));
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
    String token =
        part + "." + Base64Url.encode(mac.doFinal(part.getBytes(StandardCharsets.US_ASCII)));
    assertEquals("SR-TOKEN-LIFETIME", refused(() -> tokens.verify(token)).reason());
    assertTrue(CanonicalJson.parse(claims.getBytes(StandardCharsets.UTF_8)).isObject());
  }

  @Test
  void trailingSpace_inTenantOrSub_isRefused_becauseTheDatabasePadsSpaces() throws Exception {
    assertThrows(
        IllegalArgumentException.class,
        () -> tokens.issue("acme ", "alice", Duration.ofMinutes(5), CNF));
    assertThrows(
        IllegalArgumentException.class,
        () -> tokens.issue("acme", "alice ", Duration.ofMinutes(5), CNF));
    long iat = clock.instant().getEpochSecond();
    for (String[] ts : List.of(new String[] {"acme ", "alice"}, new String[] {"acme", "alice "})) {
      String claims =
          "{\"aud\":\"strongroom\",\"cnf\":{\"x5t#S256\":\""
              + CNF
              + "\"},\"exp\":"
              + (iat + 60)
              + ",\"iat\":"
              + iat
              + ",\"kid\":\""
              + kid
              + "\",\"nonce\":\"n\",\"sub\":\""
              + ts[1]
              + "\",\"tenant\":\""
              + ts[0]
              + "\",\"v\":2}";
      String part = Base64Url.encode(claims.getBytes(StandardCharsets.UTF_8));
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
      String token =
          part + "." + Base64Url.encode(mac.doFinal(part.getBytes(StandardCharsets.US_ASCII)));
      InvalidTokenException e = refused(() -> tokens.verify(token));
      assertEquals("SR-TOKEN-MALFORMED", e.reason());
      assertTrue(e.getMessage().contains("must not end with a space"), e.getMessage());
    }
    // a space elsewhere is a character like any other
    assertEquals(
        "acme corp",
        tokens.verify(tokens.issue("acme corp", "alice", Duration.ofMinutes(5), CNF)).tenant());
  }

  private String signed(String claims) throws Exception {
    String part = Base64Url.encode(claims.getBytes(StandardCharsets.UTF_8));
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
    return part + "." + Base64Url.encode(mac.doFinal(part.getBytes(StandardCharsets.US_ASCII)));
  }

  private String claims(String v, String tenant) {
    return claims(v, tenant, "\"strongroom\"", "\"" + kid + "\"", "{\"x5t#S256\":\"" + CNF + "\"}");
  }

  /** Claims with every member's JSON text given (sorted as JCS sorts them). */
  private String claims(String v, String tenant, String aud, String kidJson, String cnf) {
    long iat = clock.instant().getEpochSecond();
    return "{\"aud\":"
        + aud
        + ",\"cnf\":"
        + cnf
        + ",\"exp\":"
        + (iat + 60)
        + ",\"iat\":"
        + iat
        + ",\"kid\":"
        + kidJson
        + ",\"nonce\":\"n\",\"sub\":\"alice\",\"tenant\":"
        + tenant
        + ",\"v\":"
        + v
        + "}";
  }

  @Test
  void versionOtherThanTheInteger2_isRefused_evenIfItReadsAs2() throws Exception {
    assertEquals("acme", tokens.verify(signed(claims("2", "\"acme\""))).tenant());
    for (String v : List.of("\"2\"", "true", "2.5", "2.0", "1", "3")) {
      InvalidTokenException e =
          refused(() -> tokens.verify(uncheckedSigned(claims(v, "\"acme\""))));
      assertEquals("SR-TOKEN-MALFORMED", e.reason(), v);
    }
  }

  @Test
  void escapedMemberName_isRefused_becauseTheDatabaseDoesNotMatchIt() throws Exception {
    String c = claims("2", "\"acme\"").replace("\"tenant\":", "\"ten\\u0061nt\":");
    assertTrue(CanonicalJson.parse(c.getBytes(StandardCharsets.UTF_8)).has("tenant"), c);
    assertEquals("SR-TOKEN-MALFORMED", refused(() -> tokens.verify(uncheckedSigned(c))).reason());
  }

  @Test
  void controlCharacters_inTenantOrSub_areRefused_toIssueAndToVerify() throws Exception {
    for (String bad : List.of("a\nb", "a\u0000", "a\u001b[2J", "a\u007f", "a\u0085", "a\u2028")) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> tokens.issue(bad, "alice", Duration.ofMinutes(5), CNF));
      assertEquals(
          "tenant must not hold control characters (C0, DEL, C1, U+2028, U+2029)", e.getMessage());
      assertThrows(
          IllegalArgumentException.class,
          () -> tokens.issue("acme", bad, Duration.ofMinutes(5), CNF));
      String json = CanonicalJson.mapper().writeValueAsString(bad);
      InvalidTokenException r = refused(() -> tokens.verify(uncheckedSigned(claims("2", json))));
      assertEquals("SR-TOKEN-MALFORMED", r.reason());
      assertTrue(
          r.getMessage()
              .endsWith("SR-TOKEN-MALFORMED: tenant and sub must not hold control characters"),
          r.getMessage());
    }
  }

  @Test
  void tenantLongerThan255CodePoints_isRefused_likeTheDatabaseDoes() throws Exception {
    String emoji = "\uD83D\uDE00".repeat(255); // 255 code points, 510 UTF-16 units
    assertEquals(
        emoji, tokens.verify(tokens.issue(emoji, "alice", Duration.ofMinutes(5), CNF)).tenant());
    assertThrows(
        IllegalArgumentException.class,
        () -> tokens.issue("a".repeat(256), "alice", Duration.ofMinutes(5), CNF));
    InvalidTokenException r =
        refused(() -> tokens.verify(uncheckedSigned(claims("2", "\"" + "a".repeat(256) + "\""))));
    assertEquals("SR-TOKEN-MALFORMED", r.reason());
  }

  private String uncheckedSigned(String claims) {
    try {
      return signed(claims);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void stolenToken_presentedWithAnotherCertificate_isRefused() {
    String t = tokens.issue("acme", "alice", TenantTokens.DEFAULT_LIFETIME, CNF);
    assertEquals("alice", tokens.verifyFor(t, "acme", CNF).subject());
    InvalidTokenException e = refused(() -> tokens.verifyFor(t, "acme", OTHER_CNF));
    assertEquals("SR-TOKEN-CNF", e.reason());
    assertEquals(
        "UNAUTHORIZED: SR-TOKEN-CNF: token is bound to another client certificate", e.getMessage());
    assertEquals("SR-TOKEN-CNF", refused(() -> tokens.verifyFor(t, "acme", null)).reason());
  }

  /**
   * A token inside an event: it must be bound to a certificate the signing key's registry entry
   * names. Another application's key (bound to its own certificate) carrying this token is refused,
   * and so is a key bound to none (fail closed), each {@code SR-TOKEN-CNF} after every other check.
   */
  @Test
  void tokenInAnEvent_mustBeBoundToACertificateOfItsSigningKey_andAnUnboundKeyCarriesNone() {
    String t = tokens.issue("acme", "alice", TenantTokens.DEFAULT_LIFETIME, CNF);
    var app =
        dev.strongroom.contracts.keys.KeyRegistry.entry(
            TestKeys.key("app"),
            "/apps/demo",
            List.of("dev.strongroom.encrypt.requested.v1"),
            Instant.parse("2020-01-01T00:00:00Z"),
            Instant.parse("2099-01-01T00:00:00Z"),
            List.of(OTHER_CNF, CNF)); // rotating: two certificates
    assertEquals("alice", tokens.verifyForSigner(t, "acme", app).subject());

    var another =
        dev.strongroom.contracts.keys.KeyRegistry.entry(
            TestKeys.key("another-app"),
            "/apps/other",
            List.of("dev.strongroom.encrypt.requested.v1"),
            Instant.parse("2020-01-01T00:00:00Z"),
            Instant.parse("2099-01-01T00:00:00Z"),
            List.of(OTHER_CNF));
    InvalidTokenException e = refused(() -> tokens.verifyForSigner(t, "acme", another));
    assertEquals("SR-TOKEN-CNF", e.reason());
    assertEquals(
        "UNAUTHORIZED: SR-TOKEN-CNF: token is bound to another client certificate than its"
            + " signer's",
        e.getMessage());

    var unbound =
        TestKeys.entry("unbound-app", "/apps/x", List.of("dev.strongroom.encrypt.requested.v1"));
    assertEquals(
        "UNAUTHORIZED: SR-TOKEN-CNF: the signing key is bound to no client certificate in the key"
            + " registry",
        refused(() -> tokens.verifyForSigner(t, "acme", unbound)).getMessage());
    // the token's own checks come first
    assertEquals(
        "SR-TOKEN-TENANT", refused(() -> tokens.verifyForSigner(t, "globex", unbound)).reason());
  }

  @Test
  void unverifiedCertThumbprint_readsTheClaim_andNothingFromWhatIsNotAToken() {
    String t = tokens.issue("acme", "alice", TenantTokens.DEFAULT_LIFETIME, CNF);
    assertEquals(java.util.Optional.of(CNF), TenantTokens.unverifiedCertThumbprint(t));
    // read without the MAC: a token of another key still names its thumbprint (the database
    // refuses it later), so this is no verification
    String foreign =
        new TenantTokens(TenantTokens.generateKey(), clock)
            .issue("acme", "alice", TenantTokens.DEFAULT_LIFETIME, OTHER_CNF);
    assertEquals(java.util.Optional.of(OTHER_CNF), TenantTokens.unverifiedCertThumbprint(foreign));
    for (String bad :
        java.util.Arrays.asList(
            null,
            "",
            "eyJ2IjoxfQ.AAAA",
            t + ".x",
            t.substring(t.indexOf('.')),
            "%%%." + t.substring(t.indexOf('.') + 1),
            Base64Url.encode("{\"cnf\":{\"x5t#S256\":\"short\"}}".getBytes(StandardCharsets.UTF_8))
                + ".AAAA",
            Base64Url.encode("[1]".getBytes(StandardCharsets.UTF_8)) + ".AAAA")) {
      assertEquals(java.util.Optional.empty(), TenantTokens.unverifiedCertThumbprint(bad), bad);
    }
  }

  @Test
  void anotherAudience_isRefused() throws Exception {
    TenantTokens elsewhere =
        new TenantTokens(TenantTokenKeys.single(key, "another-deployment"), clock);
    String t = elsewhere.issue("acme", "alice", TenantTokens.DEFAULT_LIFETIME, CNF);
    InvalidTokenException e = refused(() -> tokens.verify(t));
    assertEquals("SR-TOKEN-AUDIENCE", e.reason());
    assertEquals(
        "SR-TOKEN-AUDIENCE",
        refused(
                () ->
                    tokens.verify(
                        uncheckedSigned(
                            claims(
                                "2",
                                "\"acme\"",
                                "\"strongroom2\"",
                                "\"" + kid + "\"",
                                "{\"x5t#S256\":\"" + CNF + "\"}"))))
            .reason());
  }

  @Test
  void kidNotNamingTheSigningKey_isRefused_andBadCnfIsMalformed() {
    assertEquals(
        "SR-TOKEN-KEY",
        refused(
                () ->
                    tokens.verify(
                        uncheckedSigned(
                            claims(
                                "2",
                                "\"acme\"",
                                "\"strongroom\"",
                                "\"someOtherKeyId00\"",
                                "{\"x5t#S256\":\"" + CNF + "\"}"))))
            .reason());
    for (String cnf :
        List.of(
            "{}",
            "\"" + CNF + "\"",
            "{\"x5t#S256\":\"" + CNF + "\",\"jkt\":\"x\"}",
            "{\"x5t#S256\":\"" + CNF.substring(1) + "\"}",
            "{\"x5t#S256\":\"" + CNF + "=\"}",
            "{\"x5t\\u0023S256\":\"" + CNF + "\"}",
            "{\"x5t#S256\":1}")) {
      assertEquals(
          "SR-TOKEN-MALFORMED",
          refused(
                  () ->
                      tokens.verify(
                          uncheckedSigned(
                              claims("2", "\"acme\"", "\"strongroom\"", "\"" + kid + "\"", cnf))))
              .reason(),
          cnf);
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> tokens.issue("acme", "alice", TenantTokens.DEFAULT_LIFETIME, "not-a-thumbprint"));
  }

  @Test
  void rotation_bothKeysVerify_untilTheOldOneRetires() {
    TenantTokenKeys before = TenantTokenKeys.single(key);
    String oldToken =
        new TenantTokens(before, clock).issue("acme", "alice", Duration.ofHours(1), CNF);
    byte[] newKey = TestKeys.seed("the next key");
    TenantTokenKeys during = before.rotate(newKey, clock.instant());
    assertEquals(TenantTokenKeys.kidOf(newKey), during.issuing().kid());
    assertEquals(
        clock.instant().plus(Duration.ofMinutes(61)),
        during.key(kid).orElseThrow().verifyUntil().orElseThrow());
    TenantTokenKeys reread = TenantTokenKeys.parse(during.toJson());
    assertEquals(during.toJson(), reread.toJson());
    TenantTokens verifier = new TenantTokens(reread, clock);
    String newToken = verifier.issue("acme", "alice", TenantTokens.DEFAULT_LIFETIME, CNF);
    assertEquals(kid, verifier.verify(oldToken).keyId());
    assertEquals(TenantTokenKeys.kidOf(newKey), verifier.verify(newToken).keyId());
    assertEquals(
        "SR-TOKEN-SIGNATURE", refused(() -> tokens.verify(newToken)).reason(), "old verifier");
    assertEquals(List.of(), during.retirable(clock.instant(), false));
    clock.advance(Duration.ofMinutes(61));
    // a token signed with the old key after the rotation (a stale issuer) is refused once it
    // retires
    String late =
        new TenantTokens(before, clock).issue("acme", "alice", Duration.ofMinutes(5), CNF);
    assertEquals("SR-TOKEN-KEY", refused(() -> verifier.verify(late)).reason());
    TenantTokenKeys after = during.retire(clock.instant(), false);
    assertEquals(
        List.of(TenantTokenKeys.kidOf(newKey)),
        after.keys().stream().map(TenantTokenKeys.Key::kid).toList());
    assertEquals(
        "SR-TOKEN-SIGNATURE", refused(() -> new TenantTokens(after, clock).verify(late)).reason());
  }

  @Test
  void legacySingleKeyFile_readsAsOneIssuingKey() {
    TenantTokenKeys k = TenantTokenKeys.parse(Base64Url.encode(key) + "\n");
    assertEquals(kid, k.issuing().kid());
    assertEquals(TenantTokenKeys.DEFAULT_AUDIENCE, k.audience());
    assertEquals(16, kid.length());
  }

  @Test
  void mac_matchesOpenssl() throws Exception {
    String t = tokens.issue("acme", "alice", TenantTokens.DEFAULT_LIFETIME, CNF);
    String claimsPart = t.substring(0, t.indexOf('.'));
    Path in = Files.createTempFile("claims", ".txt");
    try {
      Files.writeString(in, claimsPart, StandardCharsets.US_ASCII);
      Process p =
          new ProcessBuilder(
                  "openssl",
                  "dgst",
                  "-sha256",
                  "-mac",
                  "HMAC",
                  "-macopt",
                  "hexkey:" + HexFormat.of().formatHex(key),
                  "-binary",
                  in.toString())
              .redirectErrorStream(false)
              .start();
      byte[] out = p.getInputStream().readAllBytes();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      assertEquals(0, p.exitValue());
      assertEquals(t.substring(t.indexOf('.') + 1), Base64Url.encode(out));
    } finally {
      Files.deleteIfExists(in);
    }
  }
}
