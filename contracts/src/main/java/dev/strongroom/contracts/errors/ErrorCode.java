package dev.strongroom.contracts.errors;

/**
 * Stable error codes shared by every plane.
 *
 * <p>The {@link #code()} string is the wire identifier: it travels in the {@code
 * strongroom.dlq.reason} header, in result events and in logs. Constant names may change; codes
 * never do (a test pins the table). {@link #retriable()} drives the consumer's decision: retriable
 * failures are retried in place and never dead-lettered; fatal ones are dead-lettered with the code
 * as reason.
 */
public enum ErrorCode {
  /** Unparsable JSON, not UTF-8, duplicate member, or a missing or mistyped required attribute. */
  MALFORMED("MALFORMED", false, "event is not a well-formed signed CloudEvent"),
  /** The type is unknown, not carried on this topic, or {@code data} violates the type's schema. */
  SCHEMA("SCHEMA", false, "event violates its schema"),
  /**
   * Unknown {@code sigkid}, key outside validity, source or type the key may not emit, bad
   * signature.
   */
  SIGNATURE_INVALID("SIGNATURE_INVALID", false, "event signature is not valid"),
  /** {@code time} lies outside the accepted skew window. */
  STALE("STALE", false, "event time is outside the skew window"),
  /** The event id was already processed at another topic/partition/offset. */
  REPLAY("REPLAY", false, "event id was already processed elsewhere"),
  /** The tenant token is missing, forged, expired, over-long or for another tenant. */
  UNAUTHORIZED("UNAUTHORIZED", false, "tenant token refused"),
  /**
   * A ciphertext, tag, commitment or checksum failed verification ("invalid ciphertext"); never
   * retried.
   */
  INTEGRITY("INTEGRITY", false, "integrity check failed"),
  /**
   * A dependency (KMS, database) refused the request: permission, unknown key, invalid argument.
   */
  REFUSED("REFUSED", false, "a dependency refused the request"),
  /**
   * A dependency (broker, database, KMS) is unreachable; the record is retried, never
   * dead-lettered.
   */
  UNAVAILABLE("UNAVAILABLE", true, "a dependency is unavailable"),
  /**
   * An unexpected failure inside the service (a handler bug, an exception nobody mapped). Fatal:
   * the record is dead-lettered with this reason and the partition moves on. Retrying the same
   * input through the same code would fail the same way and hold every record behind it forever.
   */
  INTERNAL("INTERNAL", false, "internal error");

  private final String code;
  private final boolean retriable;
  private final String message;

  ErrorCode(String code, boolean retriable, String message) {
    this.code = code;
    this.retriable = retriable;
    this.message = message;
  }

  /** The stable wire identifier. */
  public String code() {
    return code;
  }

  /** True when the failure is transient and the same input may succeed later. */
  public boolean retriable() {
    return retriable;
  }

  /** A short human-readable description (not stable; do not parse). */
  public String message() {
    return message;
  }

  /**
   * True for the rejection reasons that also raise an alert on {@code strongroom.security.alerts}.
   */
  public boolean raisesAlert() {
    return this == SIGNATURE_INVALID || this == STALE || this == REPLAY;
  }
}
