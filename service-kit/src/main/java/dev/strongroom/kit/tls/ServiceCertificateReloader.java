package dev.strongroom.kit.tls;

import dev.strongroom.contracts.tls.TlsIdentity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Serves a rotated certificate without a restart: every {@value #CONFIG_CHECK} (default {@value
 * #DEFAULT_CHECK}) it looks at the service's certificate, key and CA files ({@link TlsFileWatch});
 * when they changed and hold a whole pair, it reloads Quarkus's default TLS configuration (the one
 * {@link TlsIdentity#serviceConfig} fills) and fires {@link CertificateUpdatedEvent}, on which the
 * HTTPS server swaps its SSL options: connections already open (and requests on them) go on
 * undisturbed, every new handshake presents the new certificate. One log line says which serial is
 * now served; {@code strongroom_tls_reloads_total} counts the reloads.
 *
 * <p>The service's Kafka clients keep the material they were created with (Kafka reads its PEM
 * properties once per client) — the broker does not consult the CRL, so they go on working, and a
 * restart at a convenient time moves them to the new certificate (docs/runbook-rotation.md).
 */
@ApplicationScoped
public class ServiceCertificateReloader {
  /** Configuration key: how often the certificate files are looked at (an ISO-8601 duration). */
  public static final String CONFIG_CHECK = "strongroom.tls.reload-check";

  /** Default of {@value #CONFIG_CHECK}. */
  public static final String DEFAULT_CHECK = "PT2S";

  /** The name Quarkus gives its default TLS configuration (the HTTPS server's). */
  static final String DEFAULT_TLS = "<default>";

  private static final Logger LOG = Logger.getLogger(ServiceCertificateReloader.class);

  private final Config config;
  private final TlsConfigurationRegistry registry;
  private final Event<CertificateUpdatedEvent> updated;
  private final Counter reloads;
  private ScheduledExecutorService executor;
  private TlsFileWatch watch;

  public ServiceCertificateReloader(
      Config config,
      TlsConfigurationRegistry registry,
      Event<CertificateUpdatedEvent> updated,
      MeterRegistry meters) {
    this.config = config;
    this.registry = registry;
    this.updated = updated;
    this.reloads =
        Counter.builder("strongroom_tls_reloads")
            .description("certificate rotations the HTTPS server picked up without a restart")
            .register(meters);
  }

  void start(@Observes StartupEvent ev) {
    Optional<TlsIdentity> identity =
        TlsIdentity.fromConfig(k -> config.getOptionalValue(k, String.class));
    if (identity.isEmpty()) {
      return; // no TLS identity: ServiceKafkaConfig refuses to start the service anyway
    }
    Duration every =
        config.getOptionalValue(CONFIG_CHECK, Duration.class).orElse(Duration.parse(DEFAULT_CHECK));
    if (every.toMillis() < 100 || every.toMinutes() > 60) {
      throw new IllegalStateException(CONFIG_CHECK + " must be within 100 ms .. 1 h: " + every);
    }
    watch = new TlsFileWatch(identity.get());
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tls-reload");
              t.setDaemon(true);
              return t;
            });
    // tick() catches and reports every exception, so no exception ends the schedule unseen
    ScheduledFuture<?> unused =
        executor.scheduleWithFixedDelay(
            this::tick, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    LOG.infof(
        "serving certificate serial %s; its files are checked for a rotation every %s",
        TlsFileWatch.serial(identity.get().certificate()), every);
  }

  void stop(@Observes ShutdownEvent ev) {
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  private void tick() {
    try {
      TlsFileWatch.Check c = watch.check();
      switch (c.status()) {
        case UNCHANGED -> {}
        case INCONSISTENT ->
            LOG.warnf(
                "certificate files changed but not usable yet, still serving the old: %s",
                LogSafe.text(c.detail()));
        case CHANGED -> reload(c);
      }
    } catch (RuntimeException e) {
      watch.again();
      LOG.errorf(e, "certificate reload failed; still serving the old certificate, trying again");
    }
  }

  private void reload(TlsFileWatch.Check c) {
    long t0 = System.nanoTime();
    TlsConfiguration tls =
        registry
            .getDefault()
            .orElseThrow(() -> new IllegalStateException("no default TLS configuration"));
    if (!tls.reload()) {
      watch.again();
      LOG.warnf(
          "the TLS registry did not reload %s; still serving the old certificate, trying again",
          DEFAULT_TLS);
      return;
    }
    updated.fire(new CertificateUpdatedEvent(DEFAULT_TLS, tls));
    reloads.increment();
    LOG.infof(
        "reloaded: now serving certificate serial %s (%d ms, no restart)",
        TlsFileWatch.serial(c.certificate()), (System.nanoTime() - t0) / 1_000_000);
  }
}
