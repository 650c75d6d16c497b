package dev.strongroom.provisioner.pki;

/**
 * What a client certificate authenticates; the value of its {@code OU}.
 *
 * <p>Client certificates carry only the {@code clientAuth} extended key usage, so none of them can
 * serve TLS — except a {@link #BROKER}'s, which is both a TLS server (its listeners) and a TLS
 * client (it connects to its own controller listener), and so also carries {@code serverAuth} and
 * the server certificate's subject alternative names.
 */
public enum ClientKind {
  /** A database identity ({@code app_user}, {@code auditor}, {@code migration}): {@code OU=db}. */
  DB_IDENTITY("db"),
  /** A Strongroom service calling another over mutual TLS: {@code OU=service}. */
  SERVICE("service"),
  /** A human operator's command-line identity: {@code OU=ops}. */
  OPERATOR("ops"),
  /**
   * An application publishing encrypt and store requests and reading their results: {@code OU=app}.
   */
  APPLICATION("app"),
  /** A Kafka broker (serverAuth and clientAuth, loopback SANs): {@code OU=kafka}. */
  BROKER("kafka");

  private final String unit;

  ClientKind(String unit) {
    this.unit = unit;
  }

  /** The organisational unit written into the subject. */
  public String unit() {
    return unit;
  }
}
