package dev.strongroom.cryptoservice.pipeline;

import dev.strongroom.contracts.errors.StrongroomException;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.crypto.kms.DataKeyWrapContext;
import dev.strongroom.crypto.kms.KeyWrapper;
import dev.strongroom.crypto.kms.WrappedKey;
import java.util.Objects;

/**
 * KEK rotation's half that needs the KMS (DESIGN §2: the crypto-service alone holds unwrap rights):
 * a stored data key, wrapped under an older KEK version, wrapped again under the primary one
 * ({@link KeyWrapper#rewrap}) for a caller that holds a valid tenant token for the key's tenant,
 * bound to the client certificate it presents (sender-constrained tokens). The associated data is
 * rebuilt from that tenant and the data key id, never taken from the caller, so a wrapped key of
 * another tenant or data key does not unwrap. Ciphertexts are never touched: the data key stays the
 * same. Storing the result is the data plane's ({@code app_rewrap_data_key}, compare-and-set on the
 * old version, audited).
 */
public final class RewrapService {
  /**
   * A stored data key of {@code tenant}, as {@code data_keys} holds it, and the thumbprint of the
   * client certificate the caller presented (the token must be bound to it), or null.
   */
  public record Request(
      String tenant,
      String tenantToken,
      String dekId,
      WrappedKey wrapped,
      String callerCertThumbprint) {
    public Request {
      Objects.requireNonNull(tenant, "tenant");
      Objects.requireNonNull(tenantToken, "tenantToken");
      Objects.requireNonNull(dekId, "dekId");
      Objects.requireNonNull(wrapped, "wrapped");
    }
  }

  private final TenantTokens tokens;
  private final KeyWrapper kek;

  public RewrapService(TenantTokens tokens, KeyWrapper kek) {
    this.tokens = tokens;
    this.kek = kek;
  }

  /** The KEK's name and the version new wraps (and rewraps) use. */
  public String keyName() {
    return kek.keyName();
  }

  /**
   * @return the same data key wrapped under the KEK's primary version
   * @throws dev.strongroom.contracts.token.InvalidTokenException the token does not verify for the
   *     tenant, or is bound to another client certificate ({@code SR-TOKEN-CNF})
   * @throws StrongroomException INTEGRITY (the wrapped key does not unwrap for this tenant and data
   *     key id, or under a version this KEK does not know), UNAVAILABLE / REFUSED (KMS)
   */
  public WrappedKey rewrap(Request r) {
    tokens.verifyFor(r.tenantToken(), r.tenant(), r.callerCertThumbprint());
    try {
      return kek.rewrap(r.wrapped(), r.dekId(), DataKeyWrapContext.encode(r.tenant(), r.dekId()));
    } catch (RuntimeException e) {
      throw Errors.translate(e);
    }
  }
}
