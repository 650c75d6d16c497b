package dev.strongroom.bench;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the benchmark's procedure calls go: the stack's database, TLS 1.3 with the {@code app_user}
 * client certificate (the data-service's identity), verified against the stack's CA.
 */
public record DbEndpoint(
    String host, int port, String database, Path caCert, Path clientCert, Path clientKey) {
  public DbEndpoint {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(caCert, "caCert");
    Objects.requireNonNull(clientCert, "clientCert");
    Objects.requireNonNull(clientKey, "clientKey");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }
}
