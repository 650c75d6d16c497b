package dev.strongroom.contracts.token;

import java.time.Instant;
import java.util.Objects;

/**
 * The verified claims of a tenant token (DESIGN §4).
 *
 * <p>Wire form: {@code base64url(claims) "." base64url(HMAC-SHA256(key,
 * ASCII(base64url(claims))))}, both parts unpadded; {@code claims} is the RFC 8785 canonical JSON
 * of {@code {"aud","cnf":{"x5t#S256"},"exp","iat","kid","nonce","sub","tenant","v":2}} with {@code
 * iat}/{@code exp} in whole seconds since the epoch (docs/tenant-tokens.md). The MAC covers the
 * base64url text of the claims exactly as sent, so a verifier (including the database's {@code
 * security_set_tenant}, which has no JSON canonicaliser) never re-serialises anything before
 * checking it.
 *
 * @param tenant the tenant the bearer may act for
 * @param subject who the tenant authority authenticated ({@code sub})
 * @param issuedAt {@code iat}
 * @param expiresAt {@code exp}; at most {@link TenantTokens#MAX_LIFETIME} after {@code iat}
 * @param nonce random, base64url; makes every token unique
 * @param audience {@code aud}: the deployment the token is for
 * @param keyId {@code kid}: the id of the key that signed it
 * @param certThumbprint {@code cnf."x5t#S256"}: base64url SHA-256 of the DER client certificate the
 *     token was issued to
 */
public record TenantToken(
    String tenant,
    String subject,
    Instant issuedAt,
    Instant expiresAt,
    String nonce,
    String audience,
    String keyId,
    String certThumbprint) {
  public TenantToken {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(issuedAt, "issuedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(nonce, "nonce");
    Objects.requireNonNull(audience, "audience");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(certThumbprint, "certThumbprint");
  }
}
