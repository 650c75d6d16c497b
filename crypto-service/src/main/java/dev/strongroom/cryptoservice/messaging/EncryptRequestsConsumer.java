package dev.strongroom.cryptoservice.messaging;

import dev.strongroom.contracts.envelope.SignedEvent;
import dev.strongroom.contracts.envelope.VerifiedEvent;
import dev.strongroom.contracts.errors.StrongroomException;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.cryptoservice.config.CryptoConfig;
import dev.strongroom.cryptoservice.pipeline.EncryptPipeline;
import dev.strongroom.kit.events.EventHandler;
import dev.strongroom.kit.events.EventPublisher;
import dev.strongroom.kit.events.GatedConsumer;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@value Topics#ENCRYPT_REQUESTS}: every record passes the acceptance rules of DESIGN §3;
 * a verified {@code encrypt.requested.v1} is encrypted ({@link EncryptPipeline}) and the signed
 * {@code store.requested.v1} is published to {@value Topics#STORE_REQUESTS} (keyed by tenant)
 * before the offset is committed. A token, seal or KMS refusal dead-letters the record with its
 * code. A retriable failure (the KMS unreachable, the broker not taking the result: {@code
 * UNAVAILABLE}) is retried in place with exponential backoff ({@code strongroom.crypto.retry.*})
 * for as long as the service runs: the record is neither skipped nor dead-lettered, and its offset
 * is not committed, so a restart in the meantime consumes it again. Records waiting now show in
 * {@code strongroom_encrypt_waiting}, each retry in {@code
 * strongroom_encrypt_retries_total{reason}}.
 */
@ApplicationScoped
public class EncryptRequestsConsumer {
  private static final Logger LOG = Logger.getLogger(EncryptRequestsConsumer.class);

  private final GatedConsumer consumer;
  private final Map<String, EventHandler> handlers;
  private final MeterRegistry meters;
  private final AtomicInteger waiting = new AtomicInteger();
  private final Duration backoffMin;
  private final Duration backoffMax;

  public EncryptRequestsConsumer(
      GatedConsumer consumer,
      EncryptPipeline pipeline,
      EventPublisher publisher,
      MeterRegistry meters,
      CryptoConfig config) {
    this.consumer = consumer;
    this.meters = meters;
    this.backoffMin = config.retry().backoffMin();
    this.backoffMax = config.retry().backoffMax();
    meters.gauge("strongroom.encrypt.waiting", waiting);
    EventHandler encrypt =
        (VerifiedEvent event, boolean redelivery) -> {
          SignedEvent store = pipeline.encrypt(event);
          byte[] tenant = event.subject().orElseThrow().getBytes(StandardCharsets.UTF_8);
          publisher.send(new ProducerRecord<>(Topics.STORE_REQUESTS, tenant, store.bytes()));
        };
    this.handlers = Map.of(EventCatalog.ENCRYPT_REQUESTED.type(), encrypt);
  }

  @Incoming("encrypt-requests")
  @Blocking(ordered = true)
  public void onRecord(ConsumerRecord<byte[], byte[]> record) {
    long backoff = Math.max(1, backoffMin.toMillis());
    boolean wasWaiting = false;
    try {
      while (true) {
        try {
          consumer.consume(record, handlers);
          if (wasWaiting) {
            LOG.infof(
                "%s/%d@%d went through after waiting",
                record.topic(), record.partition(), record.offset());
          }
          return;
        } catch (StrongroomException e) {
          if (!e.retriable()) {
            throw e; // the gate dead-letters what is not retriable; anything else is a bug
          }
          if (!wasWaiting) {
            wasWaiting = true;
            waiting.incrementAndGet();
            LOG.warnf(
                "%s/%d@%d waits: %s %s (retried with backoff)",
                record.topic(),
                record.partition(),
                record.offset(),
                e.code().code(),
                e.getMessage());
          }
          meters.counter("strongroom.encrypt.retries", "reason", e.code().code()).increment();
          try {
            Thread.sleep(backoff);
          } catch (InterruptedException stop) {
            Thread.currentThread().interrupt();
            throw e; // shutting down: not acknowledged, so not committed; consumed again later
          }
          backoff = Math.min(backoff * 2, backoffMax.toMillis());
        }
      }
    } finally {
      if (wasWaiting) {
        waiting.decrementAndGet();
      }
    }
  }
}
