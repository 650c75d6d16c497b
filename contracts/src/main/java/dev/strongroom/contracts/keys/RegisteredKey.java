package dev.strongroom.contracts.keys;

import dev.strongroom.contracts.encoding.Base64Url;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * One entry of the key registry: which public key may sign which event types for which source, and
 * when; for an application's key, also which client certificates its holder presents.
 *
 * @param kid base64url SHA-256 of {@code publicKey}; checked against it on load
 * @param publicKey the raw 32-byte Ed25519 public key
 * @param source the only CloudEvents {@code source} this key may sign for
 * @param types the event types this key may sign
 * @param notBefore first instant (inclusive) of validity
 * @param notAfter last instant (inclusive) of validity
 * @param certThumbprints the RFC 8705 {@code x5t#S256} thumbprints (base64url, no padding, of the
 *     SHA-256 of the DER certificate) of the TLS client certificates the key's holder is issued; an
 *     encrypt request signed with this key may carry only a tenant token bound ({@code cnf}) to one
 *     of them (docs/tenant-tokens.md). Empty: bound to no certificate, and so refused as the signer
 *     of any request that carries a token. More than one only while a certificate is rotated.
 */
public record RegisteredKey(
    String kid,
    byte[] publicKey,
    String source,
    List<String> types,
    Instant notBefore,
    Instant notAfter,
    List<String> certThumbprints) {
  public RegisteredKey {
    Objects.requireNonNull(kid, "kid");
    Objects.requireNonNull(source, "source");
    publicKey = publicKey.clone();
    types = List.copyOf(types);
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(notAfter, "notAfter");
    certThumbprints = List.copyOf(certThumbprints);
    if (!kid.equals(Ed25519Keys.kid(publicKey))) {
      throw new IllegalArgumentException("kid " + kid + " is not the SHA-256 of its public key");
    }
    if (notAfter.isBefore(notBefore)) {
      throw new IllegalArgumentException("key " + kid + " has notAfter before notBefore");
    }
    for (String t : certThumbprints) {
      if (!isThumbprint(t)) {
        throw new IllegalArgumentException(
            "key "
                + kid
                + " has a certificate thumbprint that is not base64url (no padding) of 32 bytes");
      }
    }
    if (new HashSet<>(certThumbprints).size() != certThumbprints.size()) {
      throw new IllegalArgumentException("key " + kid + " lists a certificate thumbprint twice");
    }
  }

  /** An entry bound to no client certificate (a service's or an operator's key). */
  public RegisteredKey(
      String kid,
      byte[] publicKey,
      String source,
      List<String> types,
      Instant notBefore,
      Instant notAfter) {
    this(kid, publicKey, source, types, notBefore, notAfter, List.of());
  }

  @Override
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** True if the key is valid at {@code instant}. */
  public boolean validAt(Instant instant) {
    return !instant.isBefore(notBefore) && !instant.isAfter(notAfter);
  }

  /** True if this key may sign {@code type} for {@code eventSource}. */
  public boolean mayEmit(String eventSource, String type) {
    return source.equals(eventSource) && types.contains(type);
  }

  /**
   * True if {@code thumbprint} (an {@code x5t#S256}) is one of the certificates this key is bound
   * to; compared in constant time against each. False for a key bound to none.
   */
  public boolean isBoundTo(String thumbprint) {
    if (thumbprint == null) {
      return false;
    }
    byte[] presented = thumbprint.getBytes(StandardCharsets.US_ASCII);
    boolean bound = false;
    for (String t : certThumbprints) {
      bound |= MessageDigest.isEqual(t.getBytes(StandardCharsets.US_ASCII), presented);
    }
    return bound;
  }

  /** Whether {@code v} is the canonical unpadded base64url encoding of exactly 32 bytes. */
  private static boolean isThumbprint(String v) {
    if (v == null || v.length() != 43) {
      return false;
    }
    try {
      byte[] b = Base64Url.decode(v);
      return b.length == 32 && Base64Url.encode(b).equals(v);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
