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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@value Topics#ENCRYPT_REQUESTS} a poll batch at a time: every record passes the
 * acceptance rules of DESIGN §3; a verified {@code encrypt.requested.v1} is encrypted ({@link
 * EncryptPipeline}) and the signed {@code store.requested.v1} is sent to {@value
 * Topics#STORE_REQUESTS} (keyed by tenant). The batch's offsets are committed only after every
 * store request of the batch is acknowledged by the broker.
 *
 * <p>The records are encrypted one after the other in offset order and their store requests are
 * sent without waiting for each acknowledgement (the producer batches them; the idempotent producer
 * keeps one partition's records in send order, so one tenant's requests stay in order); the batch
 * then waits for all of them. One exception: when the broker does not take a send within the
 * producer's delivery timeout (30 s), a later send of the same partition may still be written
 * before the retry writes the failed one again, so that tenant's requests can arrive out of order
 * (and the later ones twice, answered {@code DUPLICATE}); the per-record wait of before never did
 * that. Records of the batch after the failed one that were dead-lettered are dead-lettered (and
 * alerted) again on the retry. Waiting per record made each record cost a broker round trip and the
 * broker one produce request per record — the pipeline's largest cost (docs/performance.md).
 *
 * <p>A token, seal, field size or KMS refusal of a verified request is answered: a signed {@code
 * store.completed.v1} REJECTED with the refusal's code ({@code SR-TOKEN-EXPIRED}, {@code
 * SR-FIELD-TOO-LARGE}, {@code INTEGRITY}, …) goes to {@value Topics#STORE_RESULTS}, sent and
 * awaited with the batch like a store request, and the record is dead-lettered with its code as
 * before. A record the acceptance rules refuse (forged, unsigned, stale, replayed, off-schema) is
 * only dead-lettered: its request id is not vouched for by anyone, so it gets no answer that an
 * attacker could aim at another application's request (docs/data-plane.md, "Who answers what"). A
 * record answered and then retried (below) is answered again; the application takes the first
 * answer.
 *
 * <p>A retriable failure (the KMS unreachable, the broker not taking a store request: {@code
 * UNAVAILABLE}) stops the batch at the first record that failed: the sends before it are awaited,
 * and that record and every later one of the batch are processed again after an exponential backoff
 * ({@code strongroom.crypto.retry.*}), for as long as the service runs. Nothing is skipped or
 * dead-lettered for it and no offset is committed meanwhile, so a restart consumes them again; a
 * store request sent twice this way is stored once (the data-service answers the second {@code
 * DUPLICATE}). Records waiting now show in {@code strongroom_encrypt_waiting}, each retry in {@code
 * strongroom_encrypt_retries_total{reason}}.
 *
 * <p>A send the broker refuses because this service's principal may not write the topic (an ACL
 * missing after an upgrade that skipped {@code deploy/kafka/setup.sh}, or a DENY in place) is not
 * retriable: {@link EventPublisher#await} reports it {@code REFUSED}, and the record it was sent
 * for is dead-lettered with that reason, naming the topic and the broker's words, and logged at
 * ERROR; the records after it go on. Retrying it would hold the partition for good with nothing but
 * a retry counter to show for it. If the dead-letter topic refuses the write too, the batch fails
 * and the channel stops (the service's readiness turns DOWN): nothing is committed, nothing lost.
 */
@ApplicationScoped
public class EncryptRequestsConsumer {
  private static final Logger LOG = Logger.getLogger(EncryptRequestsConsumer.class);

  private final GatedConsumer consumer;
  private final EncryptPipeline pipeline;
  private final EventPublisher publisher;
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
    this.pipeline = pipeline;
    this.publisher = publisher;
    this.meters = meters;
    this.backoffMin = config.retry().backoffMin();
    this.backoffMax = config.retry().backoffMax();
    meters.gauge("strongroom.encrypt.waiting", waiting);
  }

  /**
   * A store request or a REJECTED result sent for the record at {@code index} of the batch, not yet
   * acknowledged.
   */
  private record Sent(int index, VerifiedEvent event, String topic, Future<RecordMetadata> ack) {}

  @Incoming("encrypt-requests")
  @Blocking(ordered = true)
  public void onBatch(ConsumerRecords<byte[], byte[]> batch) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(batch.count());
    batch.forEach(records::add);
    long backoff = Math.max(1, backoffMin.toMillis());
    int from = 0;
    int waitingRecords = 0;
    try {
      while (true) {
        List<Sent> sent = new ArrayList<>();
        int failedAt = records.size();
        StrongroomException failure = null;
        for (int i = from; i < records.size(); i++) {
          try {
            consumer.consume(records.get(i), handlers(sent, i));
          } catch (StrongroomException e) {
            if (!e.retriable()) {
              throw e; // the gate dead-letters what is not retriable; anything else is a bug
            }
            failedAt = i;
            failure = e;
            break;
          }
        }
        for (Sent s : sent) {
          if (s.index() >= failedAt) {
            continue; // sent after an earlier failure: processed again (at worst a DUPLICATE)
          }
          try {
            publisher.await(s.topic(), s.ack());
          } catch (StrongroomException e) {
            if (e.retriable()) {
              failedAt = s.index();
              failure = e;
            } else {
              // the broker refused the write (ACLs): retrying cannot succeed, so the record waits
              // in the dead-letter topic with the reason instead of holding its partition forever
              LOG.errorf(
                  "%s/%d@%d dead-lettered: %s",
                  records.get(s.index()).topic(),
                  records.get(s.index()).partition(),
                  records.get(s.index()).offset(),
                  e.getMessage());
              consumer.deadLetterUnpublished(records.get(s.index()), s.event(), e);
            }
          }
        }
        if (failure == null) {
          if (waitingRecords > 0) {
            ConsumerRecord<byte[], byte[]> r = records.get(from);
            LOG.infof("%s/%d@%d went through after waiting", r.topic(), r.partition(), r.offset());
          }
          return;
        }
        ConsumerRecord<byte[], byte[]> r = records.get(failedAt);
        if (waitingRecords == 0) {
          LOG.warnf(
              "%s/%d@%d waits: %s %s (it and the %d records after it in its batch are retried with"
                  + " backoff)",
              r.topic(),
              r.partition(),
              r.offset(),
              failure.code().code(),
              failure.getMessage(),
              records.size() - failedAt - 1);
        }
        waiting.addAndGet(records.size() - failedAt - waitingRecords);
        waitingRecords = records.size() - failedAt;
        meters.counter("strongroom.encrypt.retries", "reason", failure.code().code()).increment();
        from = failedAt;
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException stop) {
          Thread.currentThread().interrupt();
          throw failure; // shutting down: not acknowledged, so not committed; consumed again later
        }
        backoff = Math.min(backoff * 2, backoffMax.toMillis());
      }
    } finally {
      waiting.addAndGet(-waitingRecords);
    }
  }

  private Map<String, EventHandler> handlers(List<Sent> sent, int index) {
    EventHandler encrypt =
        (VerifiedEvent event, boolean redelivery) -> {
          byte[] tenant = event.subject().orElseThrow().getBytes(StandardCharsets.UTF_8);
          SignedEvent store;
          try {
            store = pipeline.encrypt(event);
          } catch (StrongroomException e) {
            if (!e.retriable()) {
              answerRejected(event, e, tenant, sent, index);
            }
            throw e; // the gate dead-letters it (a retriable one is retried, not answered)
          } catch (RuntimeException bug) {
            answerRejected(event, bug, tenant, sent, index);
            throw bug; // the gate dead-letters it as INTERNAL and logs its stack trace
          }
          send(
              sent,
              index,
              event,
              new ProducerRecord<>(Topics.STORE_REQUESTS, tenant, store.bytes()));
        };
    return Map.of(EventCatalog.ENCRYPT_REQUESTED.type(), encrypt);
  }

  /**
   * Sends the REJECTED result for a verified request the pipeline refused; the batch awaits it with
   * the store requests, so it is durable before the offset commits. The gate then dead-letters the
   * record as before.
   */
  private void answerRejected(
      VerifiedEvent event, RuntimeException refusal, byte[] tenant, List<Sent> sent, int index) {
    EncryptPipeline.Rejection rejected = pipeline.rejection(event, refusal);
    send(
        sent,
        index,
        event,
        new ProducerRecord<>(Topics.STORE_RESULTS, tenant, rejected.event().bytes()));
    meters.counter("strongroom.encrypt.rejected", "code", rejected.code()).increment();
  }

  private void send(
      List<Sent> sent, int index, VerifiedEvent event, ProducerRecord<byte[], byte[]> record) {
    sent.add(new Sent(index, event, record.topic(), publisher.sendAsync(record)));
  }
}
