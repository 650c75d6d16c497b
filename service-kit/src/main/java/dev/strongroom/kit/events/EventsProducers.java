package dev.strongroom.kit.events;

import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.EventVerifier;
import dev.strongroom.contracts.envelope.ReplayGuard;
import dev.strongroom.contracts.kafka.RecordGate;
import dev.strongroom.contracts.keys.KeyRegistry;
import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.kit.config.EventsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;

/** Builds the contracts objects from {@link EventsConfig}; plain Java underneath, CDI only here. */
@ApplicationScoped
public class EventsProducers {

  @Produces
  @Singleton
  Clock clock() {
    return Clock.systemUTC();
  }

  @Produces
  @Singleton
  KeyRegistry keyRegistry(EventsConfig config) {
    return KeyRegistry.load(config.keyRegistry());
  }

  @Produces
  @Singleton
  SigningKey signingKey(EventsConfig config) {
    return SigningKey.load(config.signingKey());
  }

  @Produces
  @Singleton
  EventSigner eventSigner(SigningKey key, EventsConfig config, Clock clock) {
    return new EventSigner(key, config.source(), clock);
  }

  @Produces
  @Singleton
  ReplayGuard replayGuard(EventsConfig config, Clock clock) {
    return new ReplayGuard(
        config.skew().multipliedBy(2).plus(Duration.ofMinutes(1)), clock, config.replayMemory());
  }

  @Produces
  @Singleton
  EventVerifier eventVerifier(
      KeyRegistry registry, EventsConfig config, Clock clock, ReplayGuard guard) {
    return new EventVerifier(registry, EventCatalog.standard(), config.skew(), clock, guard);
  }

  @Produces
  @Singleton
  RecordGate recordGate(EventVerifier verifier, EventSigner signer) {
    return new RecordGate(verifier, signer);
  }
}
