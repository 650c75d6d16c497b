package dev.strongroom.auditanchor.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The scheduled backup's settings (docs/configuration.md, docs/backups.md). Backups go to the
 * service's WORM store ({@code strongroom.audit-anchor.worm.*}) under {@code backups/}.
 */
@ConfigMapping(prefix = "strongroom.backup")
public interface BackupConfig {
  /** Whether this instance runs scheduled backups; off by default. */
  @WithDefault("false")
  boolean enabled();

  /** When: {@code daily@HH:MM} (UTC) or an ISO-8601 duration (1 min .. 7 days). */
  @WithDefault("daily@02:00")
  String schedule();

  /** After a failed backup, the next attempt this much later (unless the schedule's is sooner). */
  @WithDefault("PT1H")
  Duration retryAfter();

  /**
   * A private scratch directory (made 0700) for the encrypted parts before they are stored; no
   * plaintext is ever written there.
   */
  Optional<Path> workDir();

  /** The backup signing key (Ed25519, PKCS#8 PEM, 0600); restores trust its public half. */
  Optional<Path> signingKey();

  /** The KMS that wraps each backup's key (wrap only: the service never unwraps). */
  Optional<Kms> kms();

  /** The KMS key-encryption key. */
  interface Kms {
    /** Which backend. */
    KmsKind kind();

    /** The KEK's name (recorded in the manifest). */
    String keyName();

    /** INSECURE_LOCAL_KEYRING: the keyring file. */
    Optional<Path> keyringFile();
  }

  /** KMS backends the service can wrap with. */
  enum KmsKind {
    /** The development keyring file ({@code InsecureLocalKeyring}): the embedded stack only. */
    INSECURE_LOCAL_KEYRING
  }

  /** The database, as the {@code backup} identity. */
  Optional<Db> db();

  /** Connection for mariadb-dump, mariadb-binlog and mariadb (mutual TLS). */
  interface Db {
    /** Server host (its certificate must name it). */
    String host();

    /** Server port. */
    int port();

    /** The stack CA (PEM). */
    Path caCert();

    /** The backup identity's client certificate (PEM). */
    Path cert();

    /** The backup identity's key (PEM, unencrypted PKCS#8). */
    Path key();

    /** The login (the certificate's identity); {@code backup} when absent. */
    Optional<String> user();
  }
}
