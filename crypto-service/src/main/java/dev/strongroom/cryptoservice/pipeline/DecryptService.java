package dev.strongroom.cryptoservice.pipeline;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.errors.StrongroomException;
import dev.strongroom.contracts.records.StoreRequest;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.crypto.aead.EncryptedField;
import dev.strongroom.crypto.aead.FieldContext;
import dev.strongroom.crypto.cache.UnwrappedKeyCache;
import dev.strongroom.crypto.kms.WrappedKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Decrypts a stored record for a caller that holds a valid tenant token for that record's tenant,
 * issued to the very client certificate the caller presents (DESIGN §7: only the crypto plane holds
 * unwrap rights; docs/tenant-tokens.md: sender-constrained tokens). The reader rebuilds every
 * field's context from the tenant it was authorised for and the record it asked for; nothing of the
 * AAD is taken from the stored envelope, so a ciphertext moved to another field, record or tenant
 * fails as "invalid ciphertext".
 *
 * <p>Data keys come from an {@link UnwrappedKeyCache}: a burst of reads of one tenant costs one KMS
 * unwrap per data key; the token is checked on every call, before the cache is consulted. An
 * unavailable KMS is waited for within a bound ({@link KmsWait}), then the decrypt fails {@code
 * UNAVAILABLE} (HTTP 503); nothing is decrypted without the data key the KMS unwrapped.
 */
public final class DecryptService {
  /**
   * What the caller hands in: the tenant it acts for, its token, and the stored envelope; and what
   * the TLS layer saw: the thumbprint of the client certificate the caller presented ({@code null}
   * if none), which the token must be bound to.
   */
  public record Request(
      String tenant,
      String tenantToken,
      String recordId,
      int schemaVersion,
      StoreRequest.DataKeyRef dataKey,
      Map<String, StoreRequest.FieldCiphertext> fields,
      String callerCertThumbprint) {
    public Request {
      Objects.requireNonNull(tenant, "tenant");
      Objects.requireNonNull(tenantToken, "tenantToken");
      Objects.requireNonNull(recordId, "recordId");
      Objects.requireNonNull(dataKey, "dataKey");
      fields = Map.copyOf(fields);
    }
  }

  /**
   * How a decrypt waits out an unavailable KMS: tries again after {@code backoffMin}, doubling up
   * to {@code backoffMax}, the last wait cut short so that a last try starts at {@code bound} after
   * the first; then it fails {@code UNAVAILABLE}. A KMS that refuses at once is therefore tried for
   * the whole bound (a wait that ran past it used to be skipped: 6.35 s of 10). One KMS call in
   * flight may end after the bound (its own timeout bounds it).
   */
  public record KmsWait(Duration bound, Duration backoffMin, Duration backoffMax) {
    public KmsWait {
      Objects.requireNonNull(bound, "bound");
      Objects.requireNonNull(backoffMin, "backoffMin");
      Objects.requireNonNull(backoffMax, "backoffMax");
    }
  }

  /** Observes the waits (metrics). */
  public interface Listener {
    /** One more try of an unavailable KMS. */
    void retry();

    /** A decrypt started (+1) or stopped (-1) waiting for the KMS. */
    void waiting(int delta);

    /** A decrypt gave up at its bound and answers UNAVAILABLE. */
    void gaveUp();
  }

  private final TenantTokens tokens;
  private final UnwrappedKeyCache keys;
  private final KmsWait wait;
  private final Listener listener;

  public DecryptService(
      TenantTokens tokens, UnwrappedKeyCache keys, KmsWait wait, Listener listener) {
    this.tokens = tokens;
    this.keys = keys;
    this.wait = wait;
    this.listener = listener;
  }

  /**
   * @return field name → plaintext, in the seed's field order
   * @throws StrongroomException UNAUTHORIZED (token, or a token bound to another certificate),
   *     INTEGRITY (any ciphertext or wrapped key that does not verify), UNAVAILABLE / REFUSED (KMS)
   */
  public Map<String, String> decrypt(Request r) {
    // sender-constrained: a token copied off a topic or a log is refused to anyone but the
    // certificate it was issued to (SR-TOKEN-CNF)
    tokens.verifyFor(r.tenantToken(), r.tenant(), r.callerCertThumbprint());
    StoreRequest.DataKeyRef ref = r.dataKey();
    try (UnwrappedKeyCache.Lease dek =
        acquireWaitingForTheKms(
            r.tenant(),
            ref.dekId(),
            WrappedKey.of(ref.kmsKeyName(), ref.kmsKeyVersion(), ref.wrappedDek()))) {
      Map<String, String> out = new LinkedHashMap<>();
      for (String name : StoreRequest.FIELDS) {
        StoreRequest.FieldCiphertext c = r.fields().get(name);
        if (c == null) {
          continue;
        }
        FieldContext ctx =
            FieldContext.builder()
                .tenantId(r.tenant())
                .recordId(r.recordId())
                .fieldName(name)
                .schemaVersion(r.schemaVersion())
                .dataKeyId(ref.dekId())
                .build();
        out.put(
            name,
            new String(
                dek.cipher().decrypt(EncryptedField.of(c.ct(), c.iv()), ctx),
                StandardCharsets.UTF_8));
      }
      return out;
    } catch (RuntimeException e) {
      throw Errors.translate(e);
    }
  }

  /**
   * The data key, unwrapped by the KMS on a cache miss; an unavailable KMS is tried again with
   * backoff within {@link KmsWait#bound()}, any other failure is final at once.
   */
  private UnwrappedKeyCache.Lease acquireWaitingForTheKms(
      String tenant, String dekId, WrappedKey wrapped) {
    long start = System.nanoTime();
    long backoff = Math.max(1, wait.backoffMin().toMillis());
    boolean counted = false;
    try {
      while (true) {
        try {
          return keys.acquire(tenant, dekId, wrapped);
        } catch (RuntimeException e) {
          StrongroomException failure = Errors.translate(e);
          if (failure.code() != ErrorCode.UNAVAILABLE) {
            throw failure;
          }
          long left = wait.bound().toMillis() - (System.nanoTime() - start) / 1_000_000;
          if (left <= 0) {
            listener.gaveUp();
            throw failure;
          }
          if (!counted) {
            counted = true;
            listener.waiting(1);
          }
          listener.retry();
          try {
            Thread.sleep(Math.min(backoff, left)); // the last try starts at the bound
          } catch (InterruptedException stop) {
            Thread.currentThread().interrupt();
            throw failure;
          }
          backoff = Math.min(backoff * 2, wait.backoffMax().toMillis());
        }
      }
    } finally {
      if (counted) {
        listener.waiting(-1);
      }
    }
  }
}
