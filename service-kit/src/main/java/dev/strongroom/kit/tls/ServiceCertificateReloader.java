package dev.strongroom.kit.tls;

import dev.strongroom.contracts.tls.LiveTlsIdentity;
import dev.strongroom.contracts.tls.TlsFileWatch;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Serves a rotated certificate without a restart and without a gap: every {@value #CONFIG_CHECK}
 * (default {@value #DEFAULT_CHECK}) it has the service's {@link LiveTlsIdentity} ({@link
 * ServiceTlsMaterial}) look at the certificate, key and CA files ({@link TlsFileWatch}); once they
 * hold a whole new pair, the HTTPS server's key manager presents it on every new handshake. The
 * server's SSL context is never replaced, so no connection — open or arriving during the rotation —
 * is dropped. One log line says which serial is now served; {@code strongroom_tls_reloads_total}
 * counts the rotations taken.
 *
 * <p>The service's Kafka clients take the rotation by themselves: their {@link
 * dev.strongroom.contracts.kafka.ReloadingSslEngineFactory} looks at the same files before each new
 * broker connection ({@link ServiceKafkaConfig}).
 */
@ApplicationScoped
public class ServiceCertificateReloader {
  /** Configuration key: how often the certificate files are looked at (an ISO-8601 duration). */
  public static final String CONFIG_CHECK = "strongroom.tls.reload-check";

  /** Default of {@value #CONFIG_CHECK}. */
  public static final String DEFAULT_CHECK = "PT2S";

  private static final Logger LOG = Logger.getLogger(ServiceCertificateReloader.class);

  private final Config config;
  private final ServiceTlsMaterial material;
  private final Counter reloads;
  private ScheduledExecutorService executor;

  public ServiceCertificateReloader(
      Config config, ServiceTlsMaterial material, MeterRegistry meters) {
    this.config = config;
    this.material = material;
    this.reloads =
        Counter.builder("strongroom_tls_reloads")
            .description("certificate rotations the HTTPS server picked up without a restart")
            .register(meters);
  }

  void start(@Observes StartupEvent ev) {
    if (material.live().isEmpty()) {
      return; // no TLS identity: ServiceKafkaConfig refuses to start the service anyway
    }
    LiveTlsIdentity live = material.live().get();
    Duration every =
        config.getOptionalValue(CONFIG_CHECK, Duration.class).orElse(Duration.parse(DEFAULT_CHECK));
    if (every.toMillis() < 100 || every.toMinutes() > 60) {
      throw new IllegalStateException(CONFIG_CHECK + " must be within 100 ms .. 1 h: " + every);
    }
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
            () -> tick(live), every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    LOG.infof(
        "serving certificate serial %s; its files are checked for a rotation every %s",
        TlsFileWatch.serial(live.certificate()), every);
  }

  void stop(@Observes ShutdownEvent ev) {
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  private void tick(LiveTlsIdentity live) {
    try {
      long t0 = System.nanoTime();
      TlsFileWatch.Check c = live.refresh();
      switch (c.status()) {
        case UNCHANGED -> {}
        case INCONSISTENT ->
            LOG.warnf(
                "certificate files changed but not usable yet, still serving serial %s: %s",
                TlsFileWatch.serial(live.certificate()), LogSafe.text(c.detail()));
        case CHANGED -> {
          reloads.increment();
          LOG.infof(
              "reloaded: now serving certificate serial %s (%d ms, no restart, no context swap)",
              TlsFileWatch.serial(live.certificate()), (System.nanoTime() - t0) / 1_000_000);
        }
      }
    } catch (RuntimeException e) {
      LOG.errorf(e, "certificate reload failed; still serving the old certificate, trying again");
    }
  }
}
