package dev.strongroom.provisioner.pki;

/**
 * What a client certificate authenticates; the value of its {@code OU}.
 *
 * <p>All client certificates carry only the {@code clientAuth} extended key usage, so none of them
 * can serve TLS.
 */
public enum ClientKind {
  /** A database identity ({@code app_user}, {@code auditor}, {@code migration}): {@code OU=db}. */
  DB_IDENTITY("db"),
  /** A Strongroom service calling another over mutual TLS: {@code OU=service}. */
  SERVICE("service"),
  /** A human operator's command-line identity: {@code OU=ops}. */
  OPERATOR("ops");

  private final String unit;

  ClientKind(String unit) {
    this.unit = unit;
  }

  /** The organisational unit written into the subject. */
  public String unit() {
    return unit;
  }
}
