package dev.strongroom.dataservice.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The data-service's settings ({@code strongroom.data.*}; docs/configuration.md). Certificate and
 * key paths have no defaults: a data-service without its database identity must not start.
 */
@ConfigMapping(prefix = "strongroom.data")
public interface DataConfig {
  /** The database connection. */
  Db db();

  /** The store consumer. */
  Store store();

  /** Database connection of the {@code app_user} identity. */
  interface Db {
    /** Database host. */
    @WithDefault("127.0.0.1")
    String host();

    /** Database port. */
    int port();

    /** Schema the procedures live in. */
    @WithDefault("strongroom")
    String database();

    /** Database user; the certificate's subject is pinned to it. */
    @WithDefault("app_user")
    String user();

    /** CA certificate (PEM) the server's certificate must chain to. */
    Path caCert();

    /** The {@code app_user} client certificate (PEM). */
    Path cert();

    /** The {@code app_user} private key (PEM, unencrypted PKCS#8, mode 0600). */
    Path key();

    /** Largest number of pooled connections (also the number of store lanes run at once). */
    @WithDefault("8")
    int poolSize();

    /** Connect timeout. */
    @WithDefault("PT5S")
    Duration connectTimeout();

    /** Longest wait for one procedure call, checkout included; then it is retried. */
    @WithDefault("PT15S")
    Duration callTimeout();
  }

  /** The {@code strongroom.store.requests} consumer. */
  interface Store {
    /** Consumer group shared by every data-service instance. */
    @WithDefault("data-service")
    String groupId();

    /** Most records per poll (one Kafka transaction). */
    @WithDefault("500")
    int maxPollRecords();

    /** First wait before retrying a transient database failure; doubles up to the maximum. */
    @WithDefault("PT0.05S")
    Duration backoffMin();

    /** Longest wait between retries of a transient database failure. */
    @WithDefault("PT5S")
    Duration backoffMax();
  }
}
