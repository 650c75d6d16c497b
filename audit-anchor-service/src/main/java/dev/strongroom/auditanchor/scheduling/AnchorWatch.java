package dev.strongroom.auditanchor.scheduling;

import dev.strongroom.audit.note.CosignatureV1Verifier;
import dev.strongroom.audit.note.Ed25519NoteSigner;
import dev.strongroom.audit.tail.AuditorJdbc;
import dev.strongroom.audit.tail.ChainTail;
import dev.strongroom.audit.tail.TailStateFile;
import dev.strongroom.audit.witness.WitnessClient;
import dev.strongroom.audit.worm.WormStore;
import dev.strongroom.auditanchor.anchor.AnchorFanout;
import dev.strongroom.auditanchor.anchor.AnchorPublisher;
import dev.strongroom.auditanchor.anchor.WormSinks;
import dev.strongroom.auditanchor.config.AnchorConfig;
import dev.strongroom.auditanchor.lease.AnchorLease;
import dev.strongroom.auditanchor.monitor.AuditMonitor;
import dev.strongroom.auditanchor.syslog.SyslogAnchorSink;
import dev.strongroom.auditanchor.syslog.SyslogTransport;
import dev.strongroom.auditanchor.syslog.TcpSyslogTransport;
import dev.strongroom.auditanchor.syslog.UdpSyslogTransport;
import dev.strongroom.contracts.alert.SecurityAlert;
import dev.strongroom.contracts.audit.CheckpointAnchored;
import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.SignedEvent;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.tls.LiveTlsIdentity;
import dev.strongroom.contracts.tls.TlsIdentity;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.kit.events.EventPublisher;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * The thin adapter around {@link AuditMonitor}: builds it from {@link AnchorConfig}, ticks it every
 * interval on one thread, signs each alert and publishes it to {@code strongroom.security.alerts},
 * and exports {@code strongroom_audit_verified_seq}, {@code strongroom_audit_writer} (1 while this
 * instance holds the lease), {@code strongroom_audit_anchored_size} and {@code
 * strongroom_audit_pending_anchors}. With {@code worm.*} and {@code log-key} set, the writer also
 * publishes a signed checkpoint, tiles and bundles every tick ({@link AnchorPublisher}), and every
 * checkpoint written goes on to {@code strongroom.audit.anchors} as a signed {@code
 * dev.strongroom.audit.anchored.v1} event and to syslog ({@link AnchorFanout}, from each sink's
 * cursor in the database: a restart or a takeover resumes where the sink stopped).
 */
@ApplicationScoped
public class AnchorWatch {
  private static final Logger LOG = Logger.getLogger(AnchorWatch.class);

  private final AnchorConfig config;
  private final EventPublisher publisher;
  private final EventSigner signer;
  private final AtomicLong verifiedSeq = new AtomicLong(-1);
  private final AtomicLong writer = new AtomicLong(0);
  private final AtomicLong anchoredSize = new AtomicLong(-1);
  private final AtomicLong pendingAnchors = new AtomicLong(0);
  private final java.util.concurrent.atomic.AtomicBoolean standby =
      new java.util.concurrent.atomic.AtomicBoolean(false);
  private ScheduledExecutorService executor;
  private AuditMonitor monitor;
  private AuditorJdbc jdbc;
  private volatile WormStore store;
  private volatile String origin;
  private AnchorFanout fanout;

  public AnchorWatch(
      AnchorConfig config, EventPublisher publisher, EventSigner signer, MeterRegistry meters) {
    this.config = config;
    this.publisher = publisher;
    this.signer = signer;
    meters.gauge("strongroom_audit_verified_seq", verifiedSeq);
    meters.gauge("strongroom_audit_writer", writer);
    meters.gauge("strongroom_audit_anchored_size", anchoredSize);
    meters.gauge("strongroom_audit_pending_anchors", pendingAnchors);
  }

  void start(@Observes StartupEvent ev) {
    if (!config.enabled()) {
      LOG.info("audit watch disabled (strongroom.audit-anchor.enabled=false)");
      return;
    }
    AnchorConfig.Db db = config.db().orElseThrow(() -> missing("db.*"));
    String holder = config.holder().orElseThrow(() -> missing("holder"));
    long interval = config.interval().toMillis();
    if (interval < 1000 || interval > 3_600_000) {
      throw new IllegalStateException("strongroom.audit-anchor.interval must be within 1 s .. 1 h");
    }
    if (config.leaseTtl().toMillis() < 2 * interval) {
      throw new IllegalStateException(
          "strongroom.audit-anchor.lease-ttl must be at least twice the interval");
    }
    jdbc =
        new AuditorJdbc(
            new AuditorJdbc.Config(
                db.host(),
                db.port(),
                db.user().orElse("anchor_writer"),
                db.caCert(),
                db.cert(),
                db.key()));
    ChainTail tail =
        new ChainTail(
            new TailStateFile(
                config.stateDir().orElseThrow(() -> missing("state-dir")).resolve("tail-state")),
            2000);
    AnchorLease lease = new AnchorLease(holder, config.leaseTtl());
    AnchorPublisher publisher = null;
    if (!config.witnesses().isEmpty() && config.worm().isEmpty()) {
      throw missing("worm.* (witnesses cosign the checkpoints written there)");
    }
    if (config.syslog().isPresent() && config.worm().isEmpty()) {
      throw missing("worm.* (syslog sends the checkpoints written there)");
    }
    if (config.worm().isPresent()) {
      AnchorConfig.Worm worm = config.worm().get();
      Path keyFile = config.logKey().orElseThrow(() -> missing("log-key"));
      Ed25519NoteSigner key;
      try {
        key = Ed25519NoteSigner.fromSignerKey(Files.readString(keyFile).strip());
      } catch (IOException e) {
        throw new IllegalStateException("cannot read the log key " + keyFile, e);
      }
      WormStore store = openStore(worm);
      List<AnchorPublisher.Witnessing> witnesses = new ArrayList<>();
      config
          .witnesses()
          .forEach(
              (name, w) -> {
                CosignatureV1Verifier wkey = CosignatureV1Verifier.parse(w.key());
                witnesses.add(
                    new AnchorPublisher.Witnessing(
                        wkey, new WitnessClient(java.net.URI.create(w.url()), wkey)));
                LOG.infof(
                    "checkpoints are sent to witness %s (%s) at %s", name, wkey.name(), w.url());
              });
      publisher =
          new AnchorPublisher(key, store, lease, Clock.systemUTC(), this::publish, witnesses);
      List<AnchorFanout.Sink> sinks = new ArrayList<>();
      sinks.add(new KafkaAnchorSink());
      config.syslog().ifPresent(sl -> sinks.add(syslogSink(sl)));
      fanout = new AnchorFanout(sinks, this::publish);
      this.store = store;
      this.origin = key.name();
      LOG.infof(
          "publishing checkpoints of %s to %s (verifier key %s)",
          key.name(), store.location(), key.verifierKey());
    }
    // the sinks' catch-up after an outage goes on for at most one interval per tick (the lease
    // is renewed every tick and lasts at least two)
    monitor =
        new AuditMonitor(jdbc, tail, lease, this::publish, publisher, fanout, config.interval());
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "audit-watch");
              t.setDaemon(true);
              return t;
            });
    // tick() catches and reports every exception, so no exception ends the schedule unseen
    ScheduledFuture<?> unused =
        executor.scheduleWithFixedDelay(this::tick, 0, interval, TimeUnit.MILLISECONDS);
    LOG.infof(
        "audit watch started as %s every %d ms (lease %s)", holder, interval, config.leaseTtl());
  }

  private static SyslogAnchorSink syslogSink(AnchorConfig.Syslog sl) {
    SyslogTransport transport =
        switch (sl.transport()) {
          case TLS -> {
            TlsIdentity own =
                TlsIdentity.fromConfig(
                        k -> ConfigProvider.getConfig().getOptionalValue(k, String.class))
                    .orElseThrow(
                        () ->
                            new IllegalStateException(
                                "strongroom.audit-anchor.syslog.transport=tls needs the service's"
                                    + " TLS identity (strongroom.tls.*)"));
            // the files as they are at each new connection: a rotated certificate without a
            // restart; the service's certificate is checked against its own CA, the collector's
            // against syslog.ca-cert (a SIEM's CA) when one is set
            LiveTlsIdentity live =
                sl.caCert().isPresent()
                    ? LiveTlsIdentity.open(own, sl.caCert().get())
                    : LiveTlsIdentity.open(own);
            yield TcpSyslogTransport.withTls(sl.host(), sl.port(), live::clientContext);
          }
          case TCP -> new TcpSyslogTransport(sl.host(), sl.port(), null);
          case UDP ->
              new UdpSyslogTransport(
                  sl.host(),
                  sl.port(),
                  sl.udpMaxSize().orElse(UdpSyslogTransport.DEFAULT_MAX_SIZE));
        };
    String hostname = sl.hostname().orElseGet(AnchorWatch::localHostName);
    LOG.infof("sending checkpoints to syslog %s as %s", transport.target(), hostname);
    return new SyslogAnchorSink(
        transport, hostname, ProcessHandle.current().pid(), Clock.systemUTC());
  }

  private static String localHostName() {
    try {
      String h = java.net.InetAddress.getLocalHost().getHostName();
      return h.isEmpty() ? "-" : h;
    } catch (java.net.UnknownHostException e) {
      return "-"; // RFC 5424 NILVALUE
    }
  }

  /**
   * The service's WORM store (checkpoints and scheduled backups): {@code local-dir} or {@code gcs},
   * the latter refusing to start on a bucket whose retention policy is not locked.
   */
  static WormStore openStore(AnchorConfig.Worm worm) {
    return switch (worm.kind()) {
      case LOCAL_DIR -> WormSinks.localDir(worm.location());
      case GCS ->
          WormSinks.gcs(
              worm.gcsProject().orElseThrow(() -> missing("worm.gcs-project")),
              worm.location(),
              worm.gcsEndpoint().orElse(null),
              worm.minRetention().orElse(null));
    };
  }

  private static IllegalStateException missing(String key) {
    return new IllegalStateException(
        "strongroom.audit-anchor." + key + " is required when the watch is enabled");
  }

  private void tick() {
    try {
      AuditMonitor.Tick t = monitor.tick();
      writer.set(t.writer() ? 1 : 0);
      standby.set(!t.writer());
      verifiedSeq.set(t.verifiedSeq());
      if (t.anchored() != null && t.anchored().recorded() != null) {
        anchoredSize.set(t.anchored().recorded().size());
        pendingAnchors.set(t.anchored().pending());
      }
      if (!t.raised().isEmpty()) {
        LOG.warnf("audit watch raised %d alert(s): %s", t.raised().size(), t.raised());
      }
    } catch (Exception e) {
      writer.set(0);
      LOG.warnf("audit watch tick failed (retrying next interval): %s", e.toString());
    }
  }

  /**
   * The {@code strongroom.audit.anchors} sink: one signed event per checkpoint, keyed by origin.
   */
  private final class KafkaAnchorSink implements AnchorFanout.Sink {
    @Override
    public String name() {
      return Topics.AUDIT_ANCHORS;
    }

    @Override
    public void send(CheckpointAnchored anchor) {
      SignedEvent signed = signer.sign(EventCatalog.AUDIT_ANCHORED, null, anchor.toData());
      publisher.send(
          new ProducerRecord<>(
              Topics.AUDIT_ANCHORS,
              anchor.origin().getBytes(StandardCharsets.UTF_8),
              signed.bytes()));
    }
  }

  private void publish(SecurityAlert alert) {
    SignedEvent signed = signer.sign(EventCatalog.SECURITY_ALERT, null, alert.toData());
    publisher.send(
        new ProducerRecord<>(
            Topics.SECURITY_ALERTS,
            signer.source().getBytes(StandardCharsets.UTF_8),
            signed.bytes()));
  }

  /**
   * True when the watch runs and its last completed tick found another instance holding the lease:
   * a standby, which leaves scheduled work (the backup) to the writer. A tick that failed (the
   * database unreachable) leaves the answer as it was, so an outage does not silence the writer's
   * backup: it runs and its failure is alerted.
   */
  public boolean standby() {
    return standby.get();
  }

  /** The newest checkpoint in the WORM store (any instance may serve it), if it publishes. */
  public Optional<byte[]> newestCheckpoint() {
    WormStore s = store;
    if (s == null) {
      return Optional.empty();
    }
    List<String> names = s.list(AnchorPublisher.checkpointPrefix(origin));
    return names.isEmpty() ? Optional.empty() : s.find(names.get(names.size() - 1));
  }

  /** An object of the WORM store, if it publishes and holds it. */
  public Optional<byte[]> object(String name) {
    WormStore s = store;
    return s == null ? Optional.empty() : s.find(name);
  }

  void stop(@Observes ShutdownEvent ev) {
    if (executor != null) {
      // let a tick in progress finish: interrupted between recording a checkpoint and writing it,
      // it would leave the write to the next writer (which repairs it, but a graceful stop need
      // not)
      executor.shutdown();
      try {
        if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
          executor.shutdownNow();
        }
      } catch (InterruptedException e) {
        executor.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    if (monitor != null) {
      monitor.close();
    }
    if (jdbc != null) {
      jdbc.close();
    }
  }
}
