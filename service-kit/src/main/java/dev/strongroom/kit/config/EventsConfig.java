package dev.strongroom.kit.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Event signing and verification settings every service shares ({@code strongroom.events.*}). Paths
 * have no defaults on purpose: a service without its key and registry must not start.
 */
@ConfigMapping(prefix = "strongroom.events")
public interface EventsConfig {
  /** Path of the key registry JSON (DESIGN §3) used to verify every consumed event. */
  Path keyRegistry();

  /** Path of this service's Ed25519 private key, PKCS#8 PEM, mode 0600. */
  Path signingKey();

  /** This service's CloudEvents source, e.g. {@code /strongroom/data-service}. */
  String source();

  /** Accepted distance between an event's time and this service's clock. */
  @WithDefault("PT5M")
  Duration skew();

  /**
   * Upper bound on remembered event ids (replay memory); past it the oldest are dropped and
   * counted.
   */
  @WithDefault("500000")
  int replayMemory();
}
