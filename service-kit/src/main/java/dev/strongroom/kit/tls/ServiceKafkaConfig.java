package dev.strongroom.kit.tls;

import dev.strongroom.contracts.kafka.ReloadingSslEngineFactory;
import dev.strongroom.contracts.tls.TlsIdentity;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.eclipse.microprofile.config.Config;

/**
 * The Kafka client configuration of a service: every {@code kafka.*} property of its configuration
 * (as Quarkus itself would collect them) plus the mutual-TLS settings of the service's identity
 * ({@link ReloadingSslEngineFactory#kafkaSecurity(TlsIdentity)}, from {@code strongroom.tls.*}):
 * TLS 1.3, and an SSL engine factory that re-reads the identity's files before each new broker
 * connection, so a rotated certificate reaches the broker on the next connection without a restart
 * of the service (docs/runbook-rotation.md).
 *
 * <p>It replaces Quarkus's default {@value #DEFAULT_KAFKA_BROKER} map, so every messaging channel
 * gets it without a line of channel configuration; a plain client inside a service (a producer of
 * its own, an admin client) injects it —
 * {@code @Identifier(ServiceKafkaConfig.DEFAULT_KAFKA_BROKER) Map<String, Object>} — and copies it
 * before adding its own settings. A service started without a TLS identity does not start: there is
 * no plaintext Kafka in Strongroom.
 */
@ApplicationScoped
public class ServiceKafkaConfig {
  /** The identifier SmallRye Reactive Messaging looks up for the connector's default config. */
  public static final String DEFAULT_KAFKA_BROKER = "default-kafka-broker";

  /** The service's Kafka client properties (unmodifiable; copy before adding to it). */
  @Produces
  @Singleton
  @Identifier(DEFAULT_KAFKA_BROKER)
  public Map<String, Object> kafkaConfig(Config config) {
    return Collections.unmodifiableMap(build(config));
  }

  /** Builds the map; public for tests and tools that hold a {@link Config}. */
  public static Map<String, Object> build(Config config) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String name : config.getPropertyNames()) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (!lower.startsWith("kafka.") || lower.startsWith("kafka.ui")) {
        continue;
      }
      config
          .getOptionalValue(name, String.class)
          .ifPresent(v -> out.put(lower.substring("kafka.".length()).replace('_', '.'), v));
    }
    TlsIdentity identity =
        TlsIdentity.fromConfig(k -> config.getOptionalValue(k, String.class))
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no TLS identity configured ("
                            + TlsIdentity.CONFIG_CERT
                            + " and the rest): Strongroom services speak to Kafka only over"
                            + " mutual TLS"));
    out.putAll(ReloadingSslEngineFactory.kafkaSecurity(identity));
    return out;
  }
}
