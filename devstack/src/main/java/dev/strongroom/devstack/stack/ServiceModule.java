package dev.strongroom.devstack.stack;

/**
 * The five services: their key in {@code stack.json}'s {@code services}, module directory and
 * identity.
 */
public enum ServiceModule {
  CRYPTO("crypto", "crypto-service"),
  DATA("data", "data-service"),
  AUDIT("audit", "audit-anchor-service"),
  PROVISIONER("provisioner", "provisioner-service"),
  PROOF("proof", "proof-service");

  private final String key;
  private final String module;

  ServiceModule(String key, String module) {
    this.key = key;
    this.module = module;
  }

  /** Name under {@code services} in {@code stack.json}. */
  public String key() {
    return key;
  }

  /** Maven module directory, and the identity whose key the service signs with. */
  public String module() {
    return module;
  }
}
