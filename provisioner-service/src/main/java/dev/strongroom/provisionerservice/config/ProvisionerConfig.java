package dev.strongroom.provisionerservice.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The provisioner-service's own settings (docs/configuration.md). */
@ConfigMapping(prefix = "strongroom.provisioner")
public interface ProvisionerConfig {
  /**
   * Whether this instance runs plans; off by default (a request is then dead-lettered as SCHEMA
   * "does not process", never dropped).
   */
  @WithDefault("false")
  boolean enabled();

  /** Where the request ledger is kept, one result per request id (required when enabled). */
  Optional<Path> stateDir();

  /**
   * The directory plans apply under on every target: {@code /} on real hosts; a throwaway directory
   * on the target for rehearsals and tests (activation then only enables the units under it, {@code
   * systemctl --root}).
   */
  @WithDefault("/")
  Path root();

  /** Whether the {@code local} target (this service's own machine) may be provisioned. */
  @WithDefault("false")
  boolean allowLocal();

  /** How the service reaches SSH targets. */
  Ssh ssh();

  /** The Vault KV v2 mount holding the targets' at-rest keys ({@code hashicorp_key_management}). */
  Vault vault();

  /**
   * How long an at-rest key rotation's {@code re-encrypted} step waits for the server to re-encrypt
   * every tablespace under the new key versions before it fails (applying again waits again).
   */
  @WithDefault("PT10M")
  Duration atRestReencryptWait();

  /**
   * Where at-rest key rotations write new key versions: the provisioner's own token, never the
   * database server's (which needs to read only).
   */
  interface Vault {
    /**
     * The mount URL, {@code https://vault.example.internal:8200/v1/<mount>}: exactly what the
     * targets' servers name in {@code hashicorp_key_management_vault_url}; absent: a Vault-keyed
     * target's rotation is refused.
     */
    Optional<URI> url();

    /**
     * A file (0600) holding the provisioner's Vault token: read on {@code <mount>/config} and
     * {@code <mount>/metadata/*}, read and create/update on {@code <mount>/data/*}; no delete.
     * Re-read for every rotation.
     */
    Optional<Path> tokenFile();

    /** The CA certificate(s) (PEM) that verify Vault's certificate; required for https. */
    Optional<Path> ca();

    /** Connect and per-call timeout. */
    @WithDefault("PT10S")
    Duration timeout();
  }

  /** SSH credentials and pins: the service's own files, never anything a request carries. */
  interface Ssh {
    /** The private key (OpenSSH or PEM, unencrypted, 0600) it logs in with; absent: no SSH. */
    Optional<Path> identity();

    /**
     * An OpenSSH {@code known_hosts} file pinning exactly one host key per target ({@code
     * [host]:port keytype base64}); re-read for every request; absent: no SSH.
     */
    Optional<Path> knownHosts();

    /** Connect, authenticate and per-command timeout. */
    @WithDefault("PT30S")
    Duration timeout();
  }
}
