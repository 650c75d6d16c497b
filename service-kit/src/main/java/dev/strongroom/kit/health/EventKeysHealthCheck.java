package dev.strongroom.kit.health;

import dev.strongroom.contracts.keys.KeyRegistry;
import dev.strongroom.contracts.keys.RegisteredKey;
import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.kit.config.EventsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only if this service's signing key is registered, for its source, and valid now. */
@Readiness
@ApplicationScoped
public class EventKeysHealthCheck implements HealthCheck {
  private final KeyRegistry registry;
  private final SigningKey key;
  private final EventsConfig config;
  private final Clock clock;

  public EventKeysHealthCheck(
      KeyRegistry registry, SigningKey key, EventsConfig config, Clock clock) {
    this.registry = registry;
    this.key = key;
    this.config = config;
    this.clock = clock;
  }

  @Override
  public HealthCheckResponse call() {
    var builder =
        HealthCheckResponse.named("strongroom-event-keys")
            .withData("kid", key.kid())
            .withData("source", config.source());
    Optional<RegisteredKey> entry = registry.find(key.kid());
    if (entry.isEmpty()) {
      return builder.down().withData("reason", "signing key is not in the key registry").build();
    }
    if (!entry.get().source().equals(config.source())) {
      return builder
          .down()
          .withData("reason", "registry binds this key to " + entry.get().source())
          .build();
    }
    if (!entry.get().validAt(clock.instant())) {
      return builder.down().withData("reason", "signing key is outside its validity").build();
    }
    return builder.up().withData("registeredKeys", registry.keys().size()).build();
  }
}
