package dev.strongroom.provisionerservice.messaging;

import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.SignedEvent;
import dev.strongroom.contracts.provision.ProvisionCompleted;
import dev.strongroom.contracts.provision.ProvisionRequest;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.kit.events.EventPublisher;
import dev.strongroom.provisioner.atrest.VaultKvV2Client;
import dev.strongroom.provisionerservice.config.ProvisionerConfig;
import dev.strongroom.provisionerservice.run.ProvisionJob;
import dev.strongroom.provisionerservice.run.TargetShells;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * The thin adapter around {@link ProvisionJob}: builds it from {@link ProvisionerConfig}, runs it
 * for each request, and publishes each step as a signed {@code
 * dev.strongroom.provision.progressed.v1} and the outcome as a signed {@code
 * dev.strongroom.provision.completed.v1} on {@code strongroom.provision.events} (key = the target),
 * the result last and acknowledged before the request's offset is committed. Exports {@code
 * strongroom_provision_runs} (runs done, repeats not counted) and {@code
 * strongroom_provision_failed_runs}.
 */
@ApplicationScoped
public class ProvisionRuns {
  private static final Logger LOG = Logger.getLogger(ProvisionRuns.class);

  private final EventPublisher publisher;
  private final EventSigner signer;
  private final ProvisionJob job;
  private final ProvisionerConfig config;
  private final AtomicLong runs = new AtomicLong();
  private final AtomicLong failedRuns = new AtomicLong();

  public ProvisionRuns(
      ProvisionerConfig config,
      EventPublisher publisher,
      EventSigner signer,
      Clock clock,
      MeterRegistry meters) {
    this.config = config;
    this.publisher = publisher;
    this.signer = signer;
    this.job = config.enabled() ? job(config, clock) : null;
    meters.gauge("strongroom_provision_runs", runs);
    meters.gauge("strongroom_provision_failed_runs", failedRuns);
  }

  private static ProvisionJob job(ProvisionerConfig config, Clock clock) {
    Path state =
        config
            .stateDir()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "strongroom.provisioner.state-dir is required when provisioning is"
                            + " enabled"));
    Path root = config.root();
    if (!root.isAbsolute() || !root.normalize().equals(root)) {
      throw new IllegalStateException(
          "strongroom.provisioner.root must be an absolute normalized path: " + root);
    }
    return new ProvisionJob(
            new TargetShells(
                config.allowLocal(),
                config.ssh().identity(),
                config.ssh().knownHosts(),
                config.ssh().timeout()),
            root,
            state.resolve("requests"),
            state.resolve("pki"),
            clock)
        .atRestKeys(
            vault(config),
            requireReencryptWaitBelow(
                config.atRestReencryptWait(),
                consumerLimit(MAX_POLL_INTERVAL),
                consumerLimit(UNPROCESSED_MAX_AGE)));
  }

  static final String MAX_POLL_INTERVAL =
      "mp.messaging.incoming.provision-requests.max.poll.interval.ms";
  static final String UNPROCESSED_MAX_AGE =
      "mp.messaging.incoming.provision-requests.throttled.unprocessed-record-max-age.ms";

  /**
   * What a run needs besides the re-encryption wait (connecting, the other steps, Vault calls, the
   * ledger write), kept free below the consumer's limits.
   */
  static final Duration RUN_MARGIN = Duration.ofMinutes(3);

  private static long consumerLimit(String property) {
    return ConfigProvider.getConfig().getOptionalValue(property, Long.class).orElse(900_000L);
  }

  /**
   * A run holds the request's record for its whole length: a re-encryption wait that, with {@link
   * #RUN_MARGIN}, reaches the consumer's {@code max.poll.interval.ms} or the commit strategy's
   * {@code unprocessed-record-max-age.ms} gets the consumer evicted (or the channel failed) and the
   * request redelivered into a second, concurrent run — refused at start instead. An age of 0 or
   * less turns that check off (SmallRye), leaving the poll interval.
   */
  static Duration requireReencryptWaitBelow(
      Duration wait, long maxPollIntervalMs, long unprocessedMaxAgeMs) {
    Duration limit =
        Duration.ofMillis(
                Math.min(
                    maxPollIntervalMs,
                    unprocessedMaxAgeMs > 0 ? unprocessedMaxAgeMs : Long.MAX_VALUE))
            .minus(RUN_MARGIN);
    if (wait.isNegative() || wait.isZero() || wait.compareTo(limit) > 0) {
      throw new IllegalStateException(
          "strongroom.provisioner.at-rest-reencrypt-wait "
              + wait
              + " must be positive and at most "
              + limit
              + ": the request consumer's "
              + MAX_POLL_INTERVAL
              + " ("
              + maxPollIntervalMs
              + ") and "
              + UNPROCESSED_MAX_AGE
              + " ("
              + unprocessedMaxAgeMs
              + ") less "
              + RUN_MARGIN
              + " for the rest of the run; a longer wait gets the consumer evicted and the request"
              + " redelivered into a concurrent run (applying again waits again instead)");
    }
    return wait;
  }

  /**
   * The Vault client at-rest key rotations write with, made for each rotation (the token file is
   * read again each time); null without {@code strongroom.provisioner.vault.url}.
   */
  private static Supplier<VaultKvV2Client> vault(ProvisionerConfig config) {
    if (config.vault().url().isEmpty()) {
      return null;
    }
    java.net.URI url = config.vault().url().get();
    Path token =
        config
            .vault()
            .tokenFile()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "strongroom.provisioner.vault.token-file is required with"
                            + " strongroom.provisioner.vault.url"));
    Path ca = requireCaForHttps(url, config.vault().ca());
    java.time.Duration timeout = config.vault().timeout();
    return () -> VaultKvV2Client.withTokenFile(url, token, ca, timeout);
  }

  /**
   * The CA that verifies Vault's certificate: required for an https URL, so that a rotation is not
   * first to find it missing.
   *
   * @return the CA, or null for plain http (which the client allows on 127.0.0.1 only)
   */
  static Path requireCaForHttps(java.net.URI url, java.util.Optional<Path> ca) {
    if ("https".equals(url.getScheme()) && ca.isEmpty()) {
      throw new IllegalStateException(
          "strongroom.provisioner.vault.ca is required with an https"
              + " strongroom.provisioner.vault.url ("
              + url
              + "): it is the only CA that verifies Vault's certificate");
    }
    return ca.orElse(null);
  }

  /** True when this instance runs plans. */
  public boolean enabled() {
    return job != null;
  }

  void start(@Observes StartupEvent ev) {
    if (job == null) {
      LOG.info("provisioning disabled (strongroom.provisioner.enabled=false)");
    } else {
      LOG.infof(
          "provisioning on request under root %s; SSH %s; local target %s",
          config.root(),
          config.ssh().identity().isPresent() && config.ssh().knownHosts().isPresent()
              ? "with pinned host keys from " + config.ssh().knownHosts().get()
              : "not configured",
          config.allowLocal() ? "allowed" : "refused");
    }
  }

  /** Runs (or recalls) one request and publishes its progress and result; returns when durable. */
  public ProvisionJob.Result request(ProvisionRequest request) {
    if (job == null) {
      throw new IllegalStateException("provisioning is disabled");
    }
    byte[] key = request.target().getBytes(StandardCharsets.UTF_8);
    ProvisionJob.Result r =
        job.run(
            request,
            p -> {
              SignedEvent e = signer.sign(EventCatalog.PROVISION_PROGRESSED, null, p.toData());
              publisher.send(new ProducerRecord<>(Topics.PROVISION_EVENTS, key, e.bytes()));
            });
    ProvisionCompleted c = r.completed();
    SignedEvent done = signer.sign(EventCatalog.PROVISION_COMPLETED, null, c.toData());
    publisher.send(new ProducerRecord<>(Topics.PROVISION_EVENTS, key, done.bytes()));
    if (!r.repeated()) {
      runs.incrementAndGet();
      if (c.outcome() == ProvisionCompleted.Outcome.FAILED) {
        failedRuns.incrementAndGet();
      }
    }
    LOG.infof(
        "provision %s %s %s (request %s): %s%s%s",
        c.runId(),
        c.mode(),
        c.target(),
        c.requestId(),
        c.outcome(),
        c.errorIfFailed().map(e -> " " + e.code() + ": " + e.detail()).orElse(""),
        r.repeated() ? " (repeat of an earlier request: not run again)" : "");
    return r;
  }
}
