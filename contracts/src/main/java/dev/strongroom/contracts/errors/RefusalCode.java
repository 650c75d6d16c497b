package dev.strongroom.contracts.errors;

import java.util.Optional;

/**
 * The database's refusal codes: every {@code SIGNAL SQLSTATE '45000'} of the proc-only schema
 * starts its message with one of these ({@code SR-NO-TENANT: no tenant bound to this session}), and
 * the Java tenant-token checks use the same {@code SR-TOKEN-*} codes. A test in the provisioner
 * checks this table against every {@code SIGNAL} in the SQL, both ways.
 *
 * <p>Each code maps to the {@link ErrorCode} a consumer acts on: {@link ErrorCode#UNAUTHORIZED} for
 * the token and binding refusals, {@link ErrorCode#REFUSED} for a request the database will never
 * accept, and a retriable code for the few that say "try again". Codes never change; the table may
 * grow.
 */
public enum RefusalCode {
  /** No live tenant binding for this connection. */
  NO_TENANT("SR-NO-TENANT", ErrorCode.UNAUTHORIZED),
  /** The token is not {@code <claims>.<mac>} of unpadded base64url with exactly the nine claims. */
  TOKEN_MALFORMED("SR-TOKEN-MALFORMED", ErrorCode.UNAUTHORIZED),
  /** The token's MAC does not verify (or no token key is installed). */
  TOKEN_SIGNATURE("SR-TOKEN-SIGNATURE", ErrorCode.UNAUTHORIZED),
  /** The token's lifetime is not within 0..1 h. */
  TOKEN_LIFETIME("SR-TOKEN-LIFETIME", ErrorCode.UNAUTHORIZED),
  /** The token was issued in the future. */
  TOKEN_FUTURE("SR-TOKEN-FUTURE", ErrorCode.UNAUTHORIZED),
  /** The token has expired. */
  TOKEN_EXPIRED("SR-TOKEN-EXPIRED", ErrorCode.UNAUTHORIZED),
  /**
   * The token was signed by a key that no longer verifies (retired after a rotation), or its {@code
   * kid} does not name the key that signed it.
   */
  TOKEN_KEY("SR-TOKEN-KEY", ErrorCode.UNAUTHORIZED),
  /** The token's {@code aud} is not this deployment's audience. */
  TOKEN_AUDIENCE("SR-TOKEN-AUDIENCE", ErrorCode.UNAUTHORIZED),
  /**
   * The token is bound ({@code cnf}) to another client certificate than the caller presented, or,
   * inside an encrypt request, than the certificates the request's signing key is registered with
   * (none counts as another) — Java checks only: the services that see the caller's certificate or
   * the signer's registry entry.
   */
  TOKEN_CNF("SR-TOKEN-CNF", ErrorCode.UNAUTHORIZED),
  /** A decrypt's reader is not the {@code sub} of the bound token. */
  TOKEN_SUBJECT("SR-TOKEN-SUBJECT", ErrorCode.UNAUTHORIZED),
  /** The token names another tenant than the one asked for (Java checks only). */
  TOKEN_TENANT("SR-TOKEN-TENANT", ErrorCode.UNAUTHORIZED),
  /** A request id, record id or data key of another tenant. */
  CROSS_TENANT("SR-CROSS-TENANT", ErrorCode.REFUSED),
  /** No such record or data key. */
  NOT_FOUND("SR-NOT-FOUND", ErrorCode.REFUSED),
  /** Same tenant, same record id, another request id: a record id reused with other content. */
  RECORD_EXISTS("SR-RECORD-EXISTS", ErrorCode.REFUSED),
  /** A compare-and-swap lost, or a unique key was taken concurrently by another tenant. */
  CONFLICT("SR-CONFLICT", ErrorCode.REFUSED),
  /** An argument outside the procedure's limits (the limits of {@code store.requested.v1}). */
  INVALID_ARGUMENT("SR-INVALID-ARGUMENT", ErrorCode.REFUSED),
  /**
   * A field ciphertext longer than {@link
   * dev.strongroom.contracts.records.StoreRequest#MAX_FIELD_CIPHERTEXT_BYTES}: refused by the
   * data-service before the database is asked, and by {@code app_create_user_encrypted} for any
   * other caller. Also a field value longer than {@link
   * dev.strongroom.contracts.records.StoreRequest#MAX_FIELD_BYTES} (whose ciphertext would be):
   * refused by the crypto-service before it encrypts, and by the client library before it seals.
   */
  FIELD_TOO_LARGE("SR-FIELD-TOO-LARGE", ErrorCode.REFUSED),
  /**
   * The binding lock could not be taken (not expected to happen: its name is 128 fresh random
   * bits). Retried, as {@link ErrorCode#UNAVAILABLE}: the next call draws a new name, so unlike a
   * service's own {@link ErrorCode#INTERNAL} the same input can succeed.
   */
  INTERNAL("SR-INTERNAL", ErrorCode.UNAVAILABLE),
  /** Another sealer holds the audit chain lock; retried. */
  AUDIT_BUSY("SR-AUDIT-BUSY", ErrorCode.UNAVAILABLE),
  /** An attempt to change or remove an audit row. */
  AUDIT_IMMUTABLE("SR-AUDIT-IMMUTABLE", ErrorCode.REFUSED),
  /** The audit plane's seal lock row is gone; the installer must re-install. Retried meanwhile. */
  AUDIT_LOCK_MISSING("SR-AUDIT-LOCK-MISSING", ErrorCode.UNAVAILABLE),
  /**
   * An anchor append by an audit-anchor-service instance that does not hold the lease with this
   * epoch (a lapsed or second writer): the log must never fork, so it is refused, never retried.
   */
  AUDIT_NOT_LEASEHOLDER("SR-AUDIT-NOT-LEASEHOLDER", ErrorCode.REFUSED),
  /** An anchor whose size shrinks or passes the chain head, or that lacks a field. */
  AUDIT_BAD_ANCHOR("SR-AUDIT-BAD-ANCHOR", ErrorCode.REFUSED),
  /**
   * A proof bundle record without a well-formed digest, run id, versions, target, count or time.
   */
  AUDIT_BAD_EVIDENCE("SR-AUDIT-BAD-EVIDENCE", ErrorCode.REFUSED),
  /**
   * Same tenant, same request id, another record id: the request id is already stored for another
   * record, so the request is not a repeat of the stored one and DUPLICATE would be false. Java
   * check only: the data-service compares the record id {@code app_create_user_encrypted} returns
   * with a DUPLICATE against the request's (docs/data-plane.md).
   */
  REQUEST_EXISTS("SR-REQUEST-EXISTS", ErrorCode.REFUSED);

  private final String code;
  private final ErrorCode errorCode;

  RefusalCode(String code, ErrorCode errorCode) {
    this.code = code;
    this.errorCode = errorCode;
  }

  /** The stable wire identifier, e.g. {@code SR-NO-TENANT}. */
  public String code() {
    return code;
  }

  /** What a consumer does with it: retry (retriable codes) or reject and dead-letter. */
  public ErrorCode errorCode() {
    return errorCode;
  }

  /** The code a refusal message starts with ({@code SR-XYZ: …}), if it is one of ours. */
  public static Optional<RefusalCode> ofMessage(String message) {
    if (message == null) {
      return Optional.empty();
    }
    int colon = message.indexOf(':');
    String head = colon < 0 ? message.trim() : message.substring(0, colon);
    for (RefusalCode c : values()) {
      if (c.code.equals(head)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }
}
