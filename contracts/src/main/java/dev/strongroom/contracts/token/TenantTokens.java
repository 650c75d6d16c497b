package dev.strongroom.contracts.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.envelope.CanonicalJson;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and verifies tenant tokens (format in {@link TenantToken}). The issuer is the tenant
 * authority (in production the applications' identity provider or gateway; in the devstack {@code
 * ./strongroom token}); services verify tokens they are handed before acting for a tenant, and the
 * database verifies them again in {@code security_set_tenant}.
 *
 * <p>The HMAC key is 32 random bytes shared between the authority and the verifiers; it never
 * travels in events.
 */
public final class TenantTokens {
  /** Longest allowed lifetime (DESIGN §4). */
  public static final Duration MAX_LIFETIME = Duration.ofHours(1);

  /** Default lifetime. */
  public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(15);

  /** Tolerated clock skew for {@code iat} in the future. */
  public static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

  public static final int KEY_LENGTH = 32;

  private static final Set<String> CLAIMS = Set.of("v", "tenant", "sub", "iat", "exp", "nonce");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] key;
  private final Clock clock;

  public TenantTokens(byte[] key, Clock clock) {
    if (key.length != KEY_LENGTH) {
      throw new IllegalArgumentException("a tenant-token key is 32 bytes");
    }
    this.key = key.clone();
    this.clock = clock;
  }

  /** A fresh random key. */
  public static byte[] generateKey() {
    byte[] k = new byte[KEY_LENGTH];
    RANDOM.nextBytes(k);
    return k;
  }

  /** Issues a token for {@code tenant} and {@code subject}, valid for {@code lifetime} (≤ 1 h). */
  public String issue(String tenant, String subject, Duration lifetime) {
    if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0) {
      throw new IllegalArgumentException("token lifetime must be within (0, 1 h]");
    }
    if (tenant.isEmpty() || subject.isEmpty()) {
      throw new IllegalArgumentException("tenant and subject must not be empty");
    }
    checkName("tenant", tenant);
    checkName("subject", subject);
    long iat = clock.instant().getEpochSecond();
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    ObjectNode claims = CanonicalJson.mapper().createObjectNode();
    claims.put("v", 1);
    claims.put("tenant", tenant);
    claims.put("sub", subject);
    claims.put("iat", iat);
    claims.put("exp", iat + lifetime.toSeconds());
    claims.put("nonce", Base64Url.encode(nonce));
    String claimsPart = Base64Url.encode(CanonicalJson.canonicalize(claims));
    return claimsPart + "." + Base64Url.encode(mac(claimsPart));
  }

  /**
   * Verifies {@code token} and returns its claims.
   *
   * @throws InvalidTokenException with a stable reason code
   */
  public TenantToken verify(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0 || dot != token.lastIndexOf('.') || token.length() > 4096) {
      throw new InvalidTokenException("SR-TOKEN-MALFORMED", "a token is <claims>.<mac>");
    }
    String claimsPart = token.substring(0, dot);
    byte[] givenMac;
    byte[] claimsBytes;
    try {
      givenMac = Base64Url.decode(token.substring(dot + 1));
      claimsBytes = Base64Url.decode(claimsPart);
    } catch (IllegalArgumentException e) {
      throw new InvalidTokenException("SR-TOKEN-MALFORMED", "parts must be unpadded base64url");
    }
    if (!MessageDigest.isEqual(mac(claimsPart), givenMac)) { // constant time
      throw new InvalidTokenException("SR-TOKEN-SIGNATURE", "token MAC does not verify");
    }
    JsonNode claims;
    try {
      claims = CanonicalJson.parse(claimsBytes);
    } catch (IllegalArgumentException e) {
      throw new InvalidTokenException("SR-TOKEN-MALFORMED", "claims are not JSON");
    }
    Set<String> names = new TreeSet<>();
    for (Iterator<String> it = claims.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    if (!claims.isObject()
        || !names.equals(CLAIMS)
        || !literalMemberNames(claimsBytes)
        || !claims.get("v").isIntegralNumber()
        || claims.get("v").asLong() != 1
        || !claims.get("tenant").isTextual()
        || !claims.get("sub").isTextual()
        || !claims.get("nonce").isTextual()
        || !claims.get("iat").canConvertToLong()
        || !claims.get("exp").canConvertToLong()
        || !claims.get("iat").isIntegralNumber()
        || !claims.get("exp").isIntegralNumber()
        || claims.get("tenant").asText().isEmpty()
        || claims.get("sub").asText().isEmpty()) {
      throw new InvalidTokenException(
          "SR-TOKEN-MALFORMED", "claims must be exactly v=1, tenant, sub, iat, exp, nonce");
    }
    // the database compares tenants with a PAD SPACE collation ('a ' = 'a'): a trailing space would
    // alias a tenant
    if (claims.get("tenant").asText().endsWith(" ") || claims.get("sub").asText().endsWith(" ")) {
      throw new InvalidTokenException(
          "SR-TOKEN-MALFORMED", "tenant and sub must not end with a space");
    }
    if (hasControl(claims.get("tenant").asText()) || hasControl(claims.get("sub").asText())) {
      throw new InvalidTokenException(
          "SR-TOKEN-MALFORMED", "tenant and sub must not hold control characters");
    }
    if (tooLong(claims.get("tenant").asText()) || tooLong(claims.get("sub").asText())) {
      throw new InvalidTokenException(
          "SR-TOKEN-MALFORMED", "tenant and sub are at most 255 characters here");
    }
    Instant iat = Instant.ofEpochSecond(claims.get("iat").asLong());
    Instant exp = Instant.ofEpochSecond(claims.get("exp").asLong());
    Instant now = clock.instant();
    if (!exp.isAfter(iat) || Duration.between(iat, exp).compareTo(MAX_LIFETIME) > 0) {
      throw new InvalidTokenException("SR-TOKEN-LIFETIME", "token lifetime exceeds 1 h");
    }
    if (iat.isAfter(now.plus(CLOCK_SKEW))) {
      throw new InvalidTokenException("SR-TOKEN-FUTURE", "token issued in the future");
    }
    if (!now.isBefore(exp)) {
      throw new InvalidTokenException("SR-TOKEN-EXPIRED", "token expired");
    }
    return new TenantToken(
        claims.get("tenant").asText(),
        claims.get("sub").asText(),
        iat,
        exp,
        claims.get("nonce").asText());
  }

  /** Verifies {@code token} and that it was issued for {@code tenant}. */
  public TenantToken verifyFor(String token, String tenant) {
    TenantToken t = verify(token);
    if (!t.tenant().equals(tenant)) {
      throw new InvalidTokenException("SR-TOKEN-TENANT", "token is for another tenant");
    }
    return t;
  }

  /** Longest tenant or subject, in code points (the database's VARCHAR(255) columns). */
  public static final int MAX_NAME_LENGTH = 255;

  /**
   * Checks a tenant or subject before a token is issued for it: not empty, no trailing space (the
   * database's PAD SPACE collation would alias it to another tenant), no control character (C0,
   * DEL, C1, U+2028/U+2029: they forge log lines and terminal output), at most {@value
   * #MAX_NAME_LENGTH} code points.
   *
   * @throws IllegalArgumentException naming what is wrong (not the value)
   */
  public static void checkName(String what, String value) {
    if (value.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    if (value.endsWith(" ")) {
      throw new IllegalArgumentException(what + " must not end with a space");
    }
    if (hasControl(value)) {
      throw new IllegalArgumentException(
          what + " must not hold control characters (C0, DEL, C1, U+2028, U+2029)");
    }
    if (tooLong(value)) {
      throw new IllegalArgumentException(
          what + " must be at most " + MAX_NAME_LENGTH + " characters");
    }
  }

  private static boolean hasControl(String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029) {
        return true;
      }
    }
    return false;
  }

  private static boolean tooLong(String v) {
    return v.codePointCount(0, v.length()) > MAX_NAME_LENGTH;
  }

  /**
   * Whether every top-level member name of the claims object is spelled literally (no escape): the
   * database looks members up by their raw text, so a name written with a unicode escape for {@code
   * v} is not {@code v} there and must not be here.
   */
  private static boolean literalMemberNames(byte[] claimsBytes) {
    String text = new String(claimsBytes, StandardCharsets.UTF_8);
    try (com.fasterxml.jackson.core.JsonParser p =
        CanonicalJson.mapper().getFactory().createParser(text)) {
      int depth = 0;
      for (com.fasterxml.jackson.core.JsonToken tok = p.nextToken();
          tok != null;
          tok = p.nextToken()) {
        if (tok.isStructStart()) {
          depth++;
        } else if (tok.isStructEnd()) {
          depth--;
        } else if (tok == com.fasterxml.jackson.core.JsonToken.FIELD_NAME && depth == 1) {
          int at = (int) p.currentTokenLocation().getCharOffset();
          if (at < 0 || !text.startsWith("\"" + p.currentName() + "\"", at)) {
            return false;
          }
        }
      }
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private byte[] mac(String claimsPart) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(claimsPart.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
