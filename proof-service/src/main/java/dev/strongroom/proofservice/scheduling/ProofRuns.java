package dev.strongroom.proofservice.scheduling;

import dev.strongroom.contracts.alert.SecurityAlert;
import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.SignedEvent;
import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.contracts.proof.ProofCompleted;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.token.TenantTokenKeyFile;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.kit.events.EventPublisher;
import dev.strongroom.proof.run.AnchoredLog;
import dev.strongroom.proof.run.DbTarget;
import dev.strongroom.proof.run.HostFacts;
import dev.strongroom.proof.run.ProofContext;
import dev.strongroom.proof.run.StandardCatalogue;
import dev.strongroom.proofservice.config.ProofConfig;
import dev.strongroom.proofservice.run.ProofJob;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

/**
 * The thin adapter around {@link ProofJob}: builds it from {@link ProofConfig}, runs it on the
 * schedule ({@code strongroom.proof.every}) and for requests, and publishes each result as a signed
 * {@code dev.strongroom.proof.completed.v1} on {@code strongroom.proof.results} (key = run id),
 * then its PROOF_FAILED alert on {@code strongroom.security.alerts}. Exports {@code
 * strongroom_proof_runs} and {@code strongroom_proof_last_passed} (1 passed, 0 failed, -1 none
 * yet).
 */
@ApplicationScoped
public class ProofRuns {
  private static final Logger LOG = Logger.getLogger(ProofRuns.class);

  private final ProofConfig config;
  private final EventPublisher publisher;
  private final EventSigner signer;
  private final ProofJob job;
  private final AtomicLong runs = new AtomicLong();
  private final AtomicLong lastPassed = new AtomicLong(-1);
  private ScheduledExecutorService executor;

  public ProofRuns(
      ProofConfig config,
      EventPublisher publisher,
      EventSigner signer,
      SigningKey key,
      Clock clock,
      MeterRegistry meters) {
    this.config = config;
    this.publisher = publisher;
    this.signer = signer;
    this.job = config.enabled() ? job(config, key, clock) : null;
    meters.gauge("strongroom_proof_runs", runs);
    meters.gauge("strongroom_proof_last_passed", lastPassed);
  }

  private static ProofJob job(ProofConfig config, SigningKey key, Clock clock) {
    Path evidence =
        config
            .evidenceDir()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "strongroom.proof.evidence-dir is required when proofs are enabled"));
    Optional<DbTarget> db = config.db().map(ProofRuns::target);
    Optional<TenantTokens> authority =
        config.tenantTokenKey().map(p -> new TenantTokens(TenantTokenKeyFile.open(p), clock));
    Optional<AnchoredLog> log =
        config.auditLog().map(a -> AnchoredLog.localDir(a.wormDir(), a.verifierKey()));
    return new ProofJob(
        StandardCatalogue.create(),
        scratch -> new ProofContext(db, authority, log, HostFacts.detect(), scratch, clock),
        key,
        evidence);
  }

  static DbTarget target(ProofConfig.Db d) {
    Map<String, DbTarget.CertKey> ids = new LinkedHashMap<>();
    d.identities().forEach((n, ck) -> ids.put(n, new DbTarget.CertKey(ck.cert(), ck.key())));
    return new DbTarget(
        d.host(),
        d.port(),
        d.socket(),
        d.dialect().orElse("mariadb-10.11"),
        d.database().orElse("strongroom"),
        d.dataDir(),
        d.caCert(),
        ids);
  }

  /** True when this instance runs proofs. */
  public boolean enabled() {
    return job != null;
  }

  void start(@Observes StartupEvent ev) {
    if (job == null) {
      LOG.info("proofs disabled (strongroom.proof.enabled=false)");
      return;
    }
    Optional<Duration> every = config.every();
    if (every.isEmpty()) {
      LOG.infof("proofs on request only; bundles in %s", job.evidenceDir());
      return;
    }
    Duration d = every.get();
    if (d.compareTo(Duration.ofMinutes(1)) < 0 || d.compareTo(Duration.ofDays(7)) > 0) {
      throw new IllegalStateException("strongroom.proof.every must be within 1 min .. 7 days");
    }
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "proof-schedule");
              t.setDaemon(true);
              return t;
            });
    // scheduledRun() catches and reports every exception, so none ends the schedule unseen
    ScheduledFuture<?> unused =
        executor.scheduleWithFixedDelay(
            this::scheduledRun, d.toMillis(), d.toMillis(), TimeUnit.MILLISECONDS);
    LOG.infof("proofs every %s and on request; bundles in %s", d, job.evidenceDir());
  }

  private void scheduledRun() {
    try {
      publish(job.scheduled());
    } catch (RuntimeException e) {
      LOG.warnf("scheduled proof failed to complete (next at the next interval): %s", e);
    }
  }

  /** Runs (or recalls) the proof for a request and publishes its result; returns when durable. */
  public ProofJob.Result request(String requestId) {
    if (job == null) {
      throw new IllegalStateException("proofs are disabled");
    }
    ProofJob.Result r = job.requested(requestId);
    publish(r);
    return r;
  }

  private void publish(ProofJob.Result r) {
    ProofCompleted c = r.completed();
    SignedEvent completed = signer.sign(EventCatalog.PROOF_COMPLETED, null, c.toData());
    publisher.send(
        new ProducerRecord<>(
            Topics.PROOF_RESULTS, c.runId().getBytes(StandardCharsets.UTF_8), completed.bytes()));
    if (r.alert().isPresent()) {
      SecurityAlert a = r.alert().get();
      SignedEvent alert = signer.sign(EventCatalog.SECURITY_ALERT, null, a.toData());
      publisher.send(
          new ProducerRecord<>(
              Topics.SECURITY_ALERTS,
              signer.source().getBytes(StandardCharsets.UTF_8),
              alert.bytes()));
    }
    r.previousRefused()
        .ifPresent(
            why -> LOG.warnf("proof %s not compared with the previous run: %s", c.runId(), why));
    r.drift()
        .ifPresent(
            d ->
                LOG.infof(
                    "proof %s against the previous run %s: %d changed, %d regressed %s",
                    c.runId(),
                    d.againstRunId(),
                    d.changes().size(),
                    d.regressions().size(),
                    d.changes()));
    if (!r.repeated()) {
      runs.incrementAndGet();
      lastPassed.set(c.passed() ? 1 : 0);
    }
    LOG.infof(
        "proof %s (%s%s): %s, counts %s, bundle %s%s",
        c.runId(),
        c.trigger(),
        c.requestIdIfRequested().map(id -> " " + id).orElse(""),
        c.passed() ? "PASSED" : "FAILED",
        c.counts(),
        c.bundleFile(),
        r.repeated() ? " (repeat of an earlier request: not run again)" : "");
  }

  void stop(@Observes ShutdownEvent ev) {
    if (executor != null) {
      executor.shutdownNow();
    }
  }
}
