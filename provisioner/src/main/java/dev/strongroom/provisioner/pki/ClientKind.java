package dev.strongroom.provisioner.pki;

/**
 * What a client certificate authenticates; the value of its {@code OU}.
 *
 * <p>Client certificates carry only the {@code clientAuth} extended key usage, so none of them can
 * serve TLS — except those of a {@link #SERVICE} (its HTTPS endpoint) and of a {@link #BROKER} (its
 * listeners; it is also its own controller's client), which also carry {@code serverAuth} and the
 * server certificate's subject alternative names ({@link #servesTls()}).
 */
public enum ClientKind {
  /**
   * A database identity ({@code app_user}, {@code auditor}, {@code migration}, {@code backup},
   * {@code anchor_writer}): {@code OU=db}.
   */
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

  /** Whether certificates of this kind also serve TLS (serverAuth and the loopback SANs). */
  public boolean servesTls() {
    return this == SERVICE || this == BROKER;
  }

  /** The organisational unit written into the subject. */
  public String unit() {
    return unit;
  }
}
