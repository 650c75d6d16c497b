package dev.strongroom.bench;

import dev.strongroom.contracts.token.TenantTokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The tenants a run spreads its records over ({@code bench-<run>-t<i>}) and a tenant token for
 * each, issued by the stack's tenant authority for the run's length.
 */
public final class TenantSet {
  private final List<String> tenants = new ArrayList<>();
  private final List<String> tokens = new ArrayList<>();

  /**
   * @param certThumbprint the client certificate the tokens are bound to ({@link
   *     TenantTokens#thumbprint}): the application identity the pipeline runs as
   */
  public TenantSet(TenantTokens authority, String runId, int count, String certThumbprint) {
    if (count < 1 || count > 1000) {
      throw new IllegalArgumentException("tenants must be 1..1000, not " + count);
    }
    for (int i = 0; i < count; i++) {
      String tenant = "bench-" + runId + "-t" + i;
      tenants.add(tenant);
      tokens.add(authority.issue(tenant, "bench", TenantTokens.MAX_LIFETIME, certThumbprint));
    }
  }

  public int size() {
    return tenants.size();
  }

  public String tenant(int i) {
    return tenants.get(i);
  }

  public String token(int i) {
    return tokens.get(i);
  }

  /** How long the tokens stay valid (a run must end before). */
  public static Duration lifetime() {
    return TenantTokens.MAX_LIFETIME;
  }
}
