package dev.strongroom.provisionerservice.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
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
