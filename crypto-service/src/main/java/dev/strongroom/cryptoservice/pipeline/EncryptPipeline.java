package dev.strongroom.cryptoservice.pipeline;

import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.SignedEvent;
import dev.strongroom.contracts.envelope.VerifiedEvent;
import dev.strongroom.contracts.errors.RefusalCode;
import dev.strongroom.contracts.errors.StrongroomException;
import dev.strongroom.contracts.keys.KeyRegistry;
import dev.strongroom.contracts.keys.RegisteredKey;
import dev.strongroom.contracts.records.EncryptRequest;
import dev.strongroom.contracts.records.FieldSealer;
import dev.strongroom.contracts.records.SealingKey;
import dev.strongroom.contracts.records.StoreRequest;
import dev.strongroom.contracts.records.StoreResult;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.crypto.aead.EncryptedField;
import dev.strongroom.crypto.aead.FieldContext;
import dev.strongroom.crypto.cache.DataKeyCache;
import dev.strongroom.crypto.kms.WrappedKey;
import dev.strongroom.crypto.kms.XWingKeyWrapper;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a verified {@code encrypt.requested} event into a signed {@code store.requested} event:
 * check the tenant token against the event's tenant and against the certificates the event's
 * signing key is registered with (the token's {@code cnf} must name one: a token copied from
 * another application is refused {@code SR-TOKEN-CNF}, docs/tenant-tokens.md), open the HPKE-sealed
 * fields, encrypt each field under the tenant's cached data key with its context (tenant, record,
 * field, schema version, data key), and sign the result. Plain Java; the messaging adapter
 * publishes the result before committing.
 *
 * <p>A redelivery encrypts again and publishes a new event with the same request id; the database's
 * unique request id makes the store idempotent (DESIGN §3).
 */
public final class EncryptPipeline {
  /** The field schema version bound into every field's AAD. */
  public static final int FIELD_SCHEMA_VERSION = 1;

  private final SealingKey sealingKey;
  private final TenantTokens tokens;
  private final DataKeyCache cache;
  private final EventSigner signer;
  private final KeyRegistry registry;

  /**
   * @param registry the key registry the requests were verified with: the signing key's entry names
   *     the certificates its tokens must be bound to
   */
  public EncryptPipeline(
      SealingKey sealingKey,
      TenantTokens tokens,
      DataKeyCache cache,
      EventSigner signer,
      KeyRegistry registry) {
    this.sealingKey = sealingKey;
    this.tokens = tokens;
    this.cache = cache;
    this.signer = signer;
    this.registry = registry;
  }

  /**
   * @throws StrongroomException UNAUTHORIZED (token, an {@link
   *     dev.strongroom.contracts.token.InvalidTokenException} with its {@code SR-TOKEN-*} code;
   *     {@code SR-TOKEN-CNF} when the token is not bound to a certificate of the signing key's
   *     registry entry, or the entry names none), INTEGRITY (seal does not open), REFUSED ({@link
   *     RefusalException} {@code SR-FIELD-TOO-LARGE}: a field longer than {@link
   *     StoreRequest#MAX_FIELD_BYTES}, before any data key is touched; or the KMS said no),
   *     UNAVAILABLE (KMS unreachable; retried)
   */
  public SignedEvent encrypt(VerifiedEvent event) {
    String tenant = event.subject().orElseThrow();
    EncryptRequest request = EncryptRequest.fromData(event.data());
    // the event verified, so its key is registered; a registry without it now is a bug (INTERNAL)
    RegisteredKey signedWith =
        registry
            .find(event.sigkid())
            .orElseThrow(() -> new IllegalStateException("verified event's key is not registered"));
    tokens.verifyForSigner(request.tenantToken(), tenant, signedWith);
    Map<String, String> fields = FieldSealer.open(sealingKey, tenant, request);
    StoreRequest.oversizedValue(fields)
        .ifPresent(
            over -> {
              throw new RefusalException(
                  RefusalCode.FIELD_TOO_LARGE,
                  "each field is at most "
                      + StoreRequest.MAX_FIELD_BYTES
                      + " bytes of UTF-8 ("
                      + over
                      + ")");
            });
    Map<String, byte[]> plain = new LinkedHashMap<>();
    fields.forEach((k, v) -> plain.put(k, v.getBytes(StandardCharsets.UTF_8)));
    long bytes = plain.values().stream().mapToLong(b -> b.length).sum();
    try (DataKeyCache.Lease lease = cache.acquire(tenant, bytes)) {
      Map<String, StoreRequest.FieldCiphertext> out = new LinkedHashMap<>();
      for (Map.Entry<String, byte[]> f : plain.entrySet()) {
        FieldContext ctx =
            FieldContext.builder()
                .tenantId(tenant)
                .recordId(request.recordId())
                .fieldName(f.getKey())
                .schemaVersion(FIELD_SCHEMA_VERSION)
                .dataKeyId(lease.dataKeyId())
                .build();
        EncryptedField ef = lease.cipher().encrypt(f.getValue(), ctx);
        out.put(f.getKey(), new StoreRequest.FieldCiphertext(ef.ciphertext(), ef.iv()));
      }
      WrappedKey wrapped = lease.wrappedKey();
      StoreRequest store =
          new StoreRequest(
              request.requestId(),
              request.tenantToken(),
              request.recordId(),
              FIELD_SCHEMA_VERSION,
              new StoreRequest.DataKeyRef(
                  lease.dataKeyId(),
                  wrapped.bytes(),
                  wrapped.keyName(),
                  wrapped.keyVersion(),
                  lease.postQuantumWrappedKey().map(WrappedKey::bytes).orElse(null),
                  lease.postQuantumWrappedKey().isPresent() ? XWingKeyWrapper.PQ_ALG : null),
              out,
              // the data-service's answer names it: the application believes the answer only
              // for the event it published (docs/data-plane.md, "Who answers what")
              event.id());
      return signer.sign(EventCatalog.STORE_REQUESTED, tenant, store.toData());
    } catch (RuntimeException e) {
      throw Errors.translate(e);
    } finally {
      plain.values().forEach(b -> Arrays.fill(b, (byte) 0));
    }
  }

  /**
   * The signed {@code store.completed.v1} REJECTED result that answers a verified encrypt request
   * this pipeline refused, so that the application's wait ends with the refusal's code instead of
   * its timeout (docs/data-plane.md, "Who answers what"). Only for an event that passed the
   * acceptance rules: its request id is vouched for by the application's signature.
   *
   * @param refusal what {@link #encrypt} threw (a fatal code; a retriable one is never answered)
   */
  public Rejection rejection(VerifiedEvent event, RuntimeException refusal) {
    EncryptRequest request = EncryptRequest.fromData(event.data());
    String code = Errors.resultCode(refusal);
    StoreResult result =
        new StoreResult(
            request.requestId(),
            request.recordId(),
            StoreResult.Status.REJECTED,
            code,
            event.id()); // the requester believes it only for the event it published
    return new Rejection(
        code,
        signer.sign(EventCatalog.STORE_COMPLETED, event.subject().orElseThrow(), result.toData()));
  }

  /** A signed REJECTED result and its {@code errorCode}. */
  public record Rejection(String code, SignedEvent event) {}
}
