package dev.strongroom.contracts.keys;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One entry of the key registry: which public key may sign which event types for which source, and
 * when.
 *
 * @param kid base64url SHA-256 of {@code publicKey}; checked against it on load
 * @param publicKey the raw 32-byte Ed25519 public key
 * @param source the only CloudEvents {@code source} this key may sign for
 * @param types the event types this key may sign
 * @param notBefore first instant (inclusive) of validity
 * @param notAfter last instant (inclusive) of validity
 */
public record RegisteredKey(
    String kid,
    byte[] publicKey,
    String source,
    List<String> types,
    Instant notBefore,
    Instant notAfter) {
  public RegisteredKey {
    Objects.requireNonNull(kid, "kid");
    Objects.requireNonNull(source, "source");
    publicKey = publicKey.clone();
    types = List.copyOf(types);
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(notAfter, "notAfter");
    if (!kid.equals(Ed25519Keys.kid(publicKey))) {
      throw new IllegalArgumentException("kid " + kid + " is not the SHA-256 of its public key");
    }
    if (notAfter.isBefore(notBefore)) {
      throw new IllegalArgumentException("key " + kid + " has notAfter before notBefore");
    }
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
}
