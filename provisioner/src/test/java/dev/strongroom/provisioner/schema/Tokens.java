package dev.strongroom.provisioner.schema;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Test support: tokens signed by hand (claims TenantTokens would refuse to issue), record ids, SQL
 * calls.
 */
final class Tokens {
  private Tokens() {}

  static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static byte[] hmac(byte[] key, byte[] msg) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(msg);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The certificate thumbprint test tokens are bound to (the database checks its shape only). */
  static final String CNF =
      dev.strongroom.contracts.token.TenantTokens.thumbprint(
          "a test client certificate".getBytes(StandardCharsets.UTF_8));

  /** Where {@link #claims} puts the key id; {@link #sign} writes the signing key's id there. */
  static final String KID = "@KID@";

  /**
   * {@code b64url(claims) "." b64url(HMAC(key, claimsPart))} for any claims text; {@value #KID} in
   * it becomes {@code key}'s id.
   */
  static String sign(byte[] key, String claimsJson) {
    claimsJson = claimsJson.replace(KID, dev.strongroom.contracts.token.TenantTokenKeys.kidOf(key));
    String claimsPart = b64(claimsJson.getBytes(StandardCharsets.UTF_8));
    return claimsPart + "." + b64(hmac(key, claimsPart.getBytes(StandardCharsets.US_ASCII)));
  }

  /** Canonical (JCS, keys sorted) claims, of the signing key ({@link #KID}), default audience. */
  static String claims(String tenant, String sub, long iat, long exp) {
    return "{\"aud\":\"strongroom\",\"cnf\":{\"x5t#S256\":\""
        + CNF
        + "\"},\"exp\":"
        + exp
        + ",\"iat\":"
        + iat
        + ",\"kid\":\""
        + KID
        + "\",\"nonce\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"sub\":\""
        + sub
        + "\",\"tenant\":\""
        + tenant
        + "\",\"v\":2}";
  }

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  /** A random lowercase UUIDv7-shaped id. */
  static String recordId() {
    StringBuilder s = new StringBuilder(UUID.randomUUID().toString());
    s.setCharAt(14, '7');
    return s.toString();
  }

  static String bind(String token) {
    return "CALL security_set_tenant('" + token + "');";
  }

  /** A create call with two fields (name, email) of dummy ciphertext. */
  static String create(String requestId, String recordId, String dekId) {
    return "CALL app_create_user_encrypted('"
        + requestId
        + "', '"
        + recordId
        + "', '"
        + dekId
        + "', X'01020304',"
        + " 'projects/p/locations/l/keyRings/r/cryptoKeys/k', '1', NULL, NULL,"
        + " X'AA01', X'000102030405060708090A0B', NULL, NULL, X'BB02', X'0C0D0E0F1011121314151617', NULL, NULL);";
  }

  /** The KMS key name {@link #create} stores. */
  static final String KMS_KEY = "projects/p/locations/l/keyRings/r/cryptoKeys/k";

  /**
   * A rewrap of {@code dekId} from {@code expectedVersion} to {@code version}, wrapped key {@code
   * X'wrappedHex'}, no PQ pair.
   */
  static String rewrap(String dekId, String expectedVersion, String wrappedHex, String version) {
    return "CALL app_rewrap_data_key('"
        + dekId
        + "', '"
        + expectedVersion
        + "', X'"
        + wrappedHex
        + "', '"
        + KMS_KEY
        + "', '"
        + version
        + "', NULL, NULL);";
  }

  static String decrypt(String recordId, String reader) {
    return "CALL app_record_decrypt('" + recordId + "', '" + reader + "');";
  }
}
