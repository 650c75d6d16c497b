package dev.strongroom.contracts.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.keys.RegisteredKey;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and verifies tenant tokens (format in {@link TenantToken}). The issuer is the tenant
 * authority (in production the applications' identity provider or gateway; in the devstack {@code
 * ./strongroom token}); services verify tokens they are handed before acting for a tenant, and the
 * database verifies them again in {@code security_set_tenant}.
 *
 * <p>Tokens are sender-constrained (the idea of RFC 8705): each carries the SHA-256 thumbprint of
 * the client certificate it was issued to ({@code cnf}/{@code x5t#S256}); a service acting for a
 * caller over mutual TLS uses {@link #verifyFor(String, String, String)} with the thumbprint of the
 * certificate the caller presented. Each also carries its audience ({@code aud}) and the id of the
 * key that signed it ({@code kid}); during a key rotation two keys verify ({@link
 * TenantTokenKeys}).
 *
 * <p>The HMAC keys are 32 random bytes shared between the authority and the verifiers; they never
 * travel in events. The MAC is checked against every key of the set that still verifies (at most a
 * few) before any byte of the claims is parsed; the {@code kid} claim must then name the key that
 * verified it.
 */
public final class TenantTokens {
  /** Longest allowed lifetime (DESIGN §4). */
  public static final Duration MAX_LIFETIME = Duration.ofHours(1);

  /** Default lifetime. */
  public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(15);

  /** Tolerated clock skew for {@code iat} in the future. */
  public static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

  public static final int KEY_LENGTH = 32;

  /** The format version this class issues and the only one it accepts. */
  public static final int VERSION = 2;

  /** The confirmation method: SHA-256 thumbprint of the DER certificate (RFC 8705 §3.1). */
  public static final String CNF_X5T_S256 = "x5t#S256";

  private static final Set<String> CLAIMS =
      Set.of("v", "tenant", "sub", "iat", "exp", "nonce", "aud", "kid", "cnf");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Supplier<TenantTokenKeys> keys;
  private final Clock clock;

  /** One key, its derived id, the default audience. */
  public TenantTokens(byte[] key, Clock clock) {
    this(TenantTokenKeys.single(key), clock);
  }

  public TenantTokens(TenantTokenKeys keys, Clock clock) {
    this(() -> keys, clock);
  }

  /**
   * Keys from {@code keys} at every call (e.g. {@link TenantTokenKeyFile}, so a rotation needs no
   * restart).
   */
  public TenantTokens(Supplier<TenantTokenKeys> keys, Clock clock) {
    this.keys = keys;
    this.clock = clock;
  }

  /** A fresh random key. */
  public static byte[] generateKey() {
    byte[] k = new byte[KEY_LENGTH];
    RANDOM.nextBytes(k);
    return k;
  }

  /** The RFC 8705 {@code x5t#S256} of a DER certificate: base64url(SHA-256(der)), 43 characters. */
  public static String thumbprint(byte[] derCertificate) {
    try {
      return Base64Url.encode(MessageDigest.getInstance("SHA-256").digest(derCertificate));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  /** {@link #thumbprint(byte[])} of {@code certificate}'s DER encoding. */
  public static String thumbprint(Certificate certificate) {
    try {
      return thumbprint(certificate.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("certificate has no DER encoding", e);
    }
  }

  /** The audience the current key set issues for and requires. */
  public String audience() {
    return keys.get().audience();
  }

  /**
   * Issues a token for {@code tenant} and {@code subject}, valid for {@code lifetime} (≤ 1 h),
   * bound to the client certificate whose {@link #thumbprint} is {@code certThumbprint}, signed
   * with the issuing key.
   */
  public String issue(String tenant, String subject, Duration lifetime, String certThumbprint) {
    if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0) {
      throw new IllegalArgumentException("token lifetime must be within (0, 1 h]");
    }
    if (tenant.isEmpty() || subject.isEmpty()) {
      throw new IllegalArgumentException("tenant and subject must not be empty");
    }
    checkName("tenant", tenant);
    checkName("subject", subject);
    if (!isThumbprint(certThumbprint)) {
      throw new IllegalArgumentException(
          "the certificate thumbprint is base64url of 32 bytes (43 characters)");
    }
    TenantTokenKeys set = keys.get();
    TenantTokenKeys.Key key = set.issuing();
    long iat = clock.instant().getEpochSecond();
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    ObjectNode claims = CanonicalJson.mapper().createObjectNode();
    claims.put("v", VERSION);
    claims.put("tenant", tenant);
    claims.put("sub", subject);
    claims.put("iat", iat);
    claims.put("exp", iat + lifetime.toSeconds());
    claims.put("nonce", Base64Url.encode(nonce));
    claims.put("aud", set.audience());
    claims.put("kid", key.kid());
    claims.putObject("cnf").put(CNF_X5T_S256, certThumbprint);
    String claimsPart = Base64Url.encode(CanonicalJson.canonicalize(claims));
    return claimsPart + "." + Base64Url.encode(mac(key.secretNoCopy(), claimsPart));
  }

  /**
   * Verifies {@code token} and returns its claims. The certificate binding is not checked here (see
   * {@link #verifyFor(String, String, String)}); the audience is.
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
    TenantTokenKeys set = keys.get();
    TenantTokenKeys.Key verifying = null;
    for (TenantTokenKeys.Key k : set.keys()) {
      // constant time per key; every key is tried, so the timing says nothing about which one
      if (MessageDigest.isEqual(mac(k.secretNoCopy(), claimsPart), givenMac)) {
        verifying = k;
      }
    }
    if (verifying == null) {
      throw new InvalidTokenException("SR-TOKEN-SIGNATURE", "token MAC does not verify");
    }
    Instant now = clock.instant();
    if (!verifying.verifiesAt(now)) {
      throw new InvalidTokenException("SR-TOKEN-KEY", "token key retired");
    }
    JsonNode claims;
    try {
      claims = CanonicalJson.parse(claimsBytes);
    } catch (IllegalArgumentException e) {
      throw new InvalidTokenException("SR-TOKEN-MALFORMED", "claims are not JSON");
    }
    if (!claims.isObject()
        || !memberNames(claims).equals(CLAIMS)
        || !literalMemberNames(claimsBytes)
        || !claims.get("v").isIntegralNumber()
        || claims.get("v").asLong() != VERSION
        || !claims.get("tenant").isTextual()
        || !claims.get("sub").isTextual()
        || !claims.get("nonce").isTextual()
        || !claims.get("aud").isTextual()
        || !claims.get("kid").isTextual()
        || !claims.get("cnf").isObject()
        || !memberNames(claims.get("cnf")).equals(Set.of(CNF_X5T_S256))
        || !claims.get("cnf").get(CNF_X5T_S256).isTextual()
        || !claims.get("iat").canConvertToLong()
        || !claims.get("exp").canConvertToLong()
        || !claims.get("iat").isIntegralNumber()
        || !claims.get("exp").isIntegralNumber()
        || claims.get("tenant").asText().isEmpty()
        || claims.get("sub").asText().isEmpty()) {
      throw new InvalidTokenException(
          "SR-TOKEN-MALFORMED",
          "claims must be exactly v=2, tenant, sub, iat, exp, nonce, aud, kid, cnf");
    }
    String thumb = claims.get("cnf").get(CNF_X5T_S256).asText();
    if (!isThumbprint(thumb)) {
      throw new InvalidTokenException(
          "SR-TOKEN-MALFORMED", "cnf x5t#S256 must be base64url of 32 bytes");
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
    if (!claims.get("kid").asText().equals(verifying.kid())) {
      throw new InvalidTokenException("SR-TOKEN-KEY", "kid does not name the key that signed it");
    }
    if (!claims.get("aud").asText().equals(set.audience())) {
      throw new InvalidTokenException("SR-TOKEN-AUDIENCE", "token is for another audience");
    }
    Instant iat = Instant.ofEpochSecond(claims.get("iat").asLong());
    Instant exp = Instant.ofEpochSecond(claims.get("exp").asLong());
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
        claims.get("nonce").asText(),
        claims.get("aud").asText(),
        verifying.kid(),
        thumb);
  }

  /**
   * Verifies {@code token} and that it was issued for {@code tenant} (the certificate binding is
   * not checked: for a token that did not come from the caller's own TLS connection, e.g. one
   * inside a signed event).
   */
  public TenantToken verifyFor(String token, String tenant) {
    TenantToken t = verify(token);
    if (!t.tenant().equals(tenant)) {
      throw new InvalidTokenException("SR-TOKEN-TENANT", "token is for another tenant");
    }
    return t;
  }

  /**
   * {@link #verifyFor(String, String)} for a caller over mutual TLS: the token must also be bound
   * to the certificate the caller presented ({@code presentedThumbprint}, its {@link #thumbprint}),
   * compared in constant time; a token copied off a topic or a log is refused ({@code
   * SR-TOKEN-CNF}) to anyone else.
   */
  public TenantToken verifyFor(String token, String tenant, String presentedThumbprint) {
    TenantToken t = verifyFor(token, tenant);
    if (presentedThumbprint == null
        || !MessageDigest.isEqual(
            t.certThumbprint().getBytes(StandardCharsets.US_ASCII),
            presentedThumbprint.getBytes(StandardCharsets.US_ASCII))) {
      throw new InvalidTokenException(
          "SR-TOKEN-CNF", "token is bound to another client certificate");
    }
    return t;
  }

  /**
   * {@link #verifyFor(String, String)} for a token that arrived inside an event signed with {@code
   * signer} (an encrypt request on Kafka, where no TLS certificate of the producer reaches the
   * consumer): the token must be bound to a certificate the signing key's registry entry is bound
   * to ({@link RegisteredKey#certThumbprints()}). So an application that copied another's token off
   * a topic or a log cannot use it under its own key; and a key bound to no certificate may carry
   * no token at all (fail closed). Both refusals are {@code SR-TOKEN-CNF}, after every other check
   * of the token.
   */
  public TenantToken verifyForSigner(String token, String tenant, RegisteredKey signer) {
    TenantToken t = verifyFor(token, tenant);
    if (signer.certThumbprints().isEmpty()) {
      throw new InvalidTokenException(
          "SR-TOKEN-CNF", "the signing key is bound to no client certificate in the key registry");
    }
    if (!signer.isBoundTo(t.certThumbprint())) {
      throw new InvalidTokenException(
          "SR-TOKEN-CNF", "token is bound to another client certificate than its signer's");
    }
    return t;
  }

  /**
   * The certificate thumbprint ({@code cnf."x5t#S256"}) {@code token} claims, read <em>without</em>
   * checking its MAC: for a service that holds no token key and hands the token on to a verifier
   * that does — the data-service, whose database verifies the MAC over exactly these claims, so a
   * forged thumbprint is refused there. Empty when the token's claims cannot be read or name no
   * well-formed thumbprint. Never a reason to trust anything else in the token.
   */
  public static java.util.Optional<String> unverifiedCertThumbprint(String token) {
    if (token == null) {
      return java.util.Optional.empty();
    }
    int dot = token.indexOf('.');
    if (dot <= 0 || dot != token.lastIndexOf('.') || token.length() > 4096) {
      return java.util.Optional.empty();
    }
    try {
      JsonNode claims = CanonicalJson.parse(Base64Url.decode(token.substring(0, dot)));
      JsonNode thumb = claims.path("cnf").path(CNF_X5T_S256);
      return thumb.isTextual() && isThumbprint(thumb.asText())
          ? java.util.Optional.of(thumb.asText())
          : java.util.Optional.empty();
    } catch (IllegalArgumentException e) {
      return java.util.Optional.empty();
    }
  }

  /** Whether {@code v} is a canonical unpadded base64url encoding of exactly 32 bytes. */
  static boolean isThumbprint(String v) {
    if (v == null || v.length() != 43) {
      return false;
    }
    try {
      return Base64Url.decode(v).length == 32;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static Set<String> memberNames(JsonNode o) {
    Set<String> names = new TreeSet<>();
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
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
   * Whether every member name of the claims (top level and inside {@code cnf}) is spelled literally
   * (no escape): the database looks members up by their raw text, so a name written with a unicode
   * escape for {@code v} is not {@code v} there and must not be here.
   */
  private static boolean literalMemberNames(byte[] claimsBytes) {
    String text = new String(claimsBytes, StandardCharsets.UTF_8);
    try (com.fasterxml.jackson.core.JsonParser p =
        CanonicalJson.mapper().getFactory().createParser(text)) {
      for (com.fasterxml.jackson.core.JsonToken tok = p.nextToken();
          tok != null;
          tok = p.nextToken()) {
        if (tok == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
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

  private static byte[] mac(byte[] key, String claimsPart) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(claimsPart.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
