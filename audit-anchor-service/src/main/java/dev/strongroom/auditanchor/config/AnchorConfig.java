package dev.strongroom.auditanchor.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The audit-anchor-service's own settings (docs/configuration.md). */
@ConfigMapping(prefix = "strongroom.audit-anchor")
public interface AnchorConfig {
  /** Whether the watch runs; off by default (a service started without a database stays idle). */
  @WithDefault("false")
  boolean enabled();

  /** This instance's lease name, unique per instance ({@code [A-Za-z0-9._:@-]{1,128}}). */
  Optional<String> holder();

  /** How often the watch ticks (1 s .. 1 h). */
  @WithDefault("PT60S")
  Duration interval();

  /** How long a lease lasts unrenewed; at least twice {@link #interval()}. */
  @WithDefault("PT150S")
  Duration leaseTtl();

  /** Where the tail keeps its state (the last verified seq and head). */
  Optional<Path> stateDir();

  /**
   * The log key: a file holding the C2SP signer key {@code PRIVATE+KEY+<origin>+<hex
   * id>+base64(0x01 || seed)} (golang.org/x/mod sumdb/note form; the name is the log's origin).
   * Required with {@link #worm()}.
   */
  Optional<Path> logKey();

  /** Where checkpoints, tiles and bundles are published; absent: the watch publishes nothing. */
  Optional<Worm> worm();

  /** The WORM sink (DESIGN §5). */
  interface Worm {
    /** The kind of store. */
    WormKind kind();

    /** For {@code local-dir}: the directory (created if missing). */
    String location();
  }

  /** The WORM stores the service can write. */
  enum WormKind {
    /** A local create-only directory ({@code LocalDirWormStore}): the embedded stack. */
    LOCAL_DIR
  }

  /** The database, as the {@code auditor} identity. */
  Optional<Db> db();

  /** Connection to the audit schema. */
  interface Db {
    /** Server host (its certificate must name it). */
    String host();

    /** Server port. */
    int port();

    /** The stack CA (PEM). */
    Path caCert();

    /** The auditor's client certificate (PEM). */
    Path cert();

    /** The auditor's key (PEM, unencrypted PKCS#8). */
    Path key();

    /**
     * The login (the certificate's identity); {@code auditor} when absent (no default here: a
     * default would make the optional group present, and its other members required).
     */
    Optional<String> user();
  }
}
