package dev.strongroom.proofservice.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The proof-service's own settings (docs/configuration.md). */
@ConfigMapping(prefix = "strongroom.proof")
public interface ProofConfig {
  /**
   * Whether this instance runs proofs; off by default (a service started without a target stays
   * idle, and a request is then dead-lettered as SCHEMA "does not process").
   */
  @WithDefault("false")
  boolean enabled();

  /** Where signed bundles and the request ledger are written (required when enabled). */
  Optional<Path> evidenceDir();

  /** Run a proof this often (1 min .. 7 days) besides requests; absent: requests only. */
  Optional<Duration> every();

  /**
   * The tenant authority's key file (docs/tenant-tokens.md; re-read when it changes), for the
   * tenant-isolation probes; absent: those controls are not-applicable.
   */
  Optional<Path> tenantTokenKey();

  /** The database under proof; absent: every database control is not-applicable. */
  Optional<Db> db();

  /**
   * The anchored audit log SR-DB-AUD-04 verifies the chain against; absent: that control is
   * not-applicable.
   */
  Optional<AuditLog> auditLog();

  /**
   * The audit log's WORM store and key ({@code stack.json}'s {@code worm.*} and {@code audit.*}).
   */
  interface AuditLog {
    /** The local directory of a {@code local-dir} WORM store ({@code worm.location}). */
    Path wormDir();

    /**
     * The log's C2SP verifier key {@code <origin>+<hex id>+<base64>} ({@code audit.verifierKey}).
     */
    String verifierKey();
  }

  /** The database target ({@code stack.json}'s {@code db.*}). */
  interface Db {
    /** Server host (its certificate must name it). */
    String host();

    /** Server port. */
    int port();

    /** The installer's local socket (root); absent: the installer's controls are not-applicable. */
    Optional<Path> socket();

    /**
     * {@code mariadb-10.11} (when absent) or {@code mysql-8.4}. No {@code @WithDefault} in this
     * optional group: a default would make the group present, and its other members required.
     */
    Optional<String> dialect();

    /** The data schema; {@code strongroom} when absent. */
    Optional<String> database();

    /** The server's data directory, for the plaintext-marker scan; absent: not-applicable. */
    Optional<Path> dataDir();

    /** The stack CA (PEM). */
    Path caCert();

    /**
     * Identity name ({@code app_user}, {@code auditor}, {@code migration}, {@code anchor_writer} …)
     * → cert and key.
     */
    Map<String, Identity> identities();
  }

  /** One database identity's client certificate and key (PEM, unencrypted PKCS#8). */
  interface Identity {
    /** Certificate (PEM). */
    Path cert();

    /** Key (PEM). */
    Path key();
  }
}
