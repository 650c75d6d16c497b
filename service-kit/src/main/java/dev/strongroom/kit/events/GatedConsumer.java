package dev.strongroom.kit.events;

import dev.strongroom.contracts.envelope.Rejection;
import dev.strongroom.contracts.envelope.VerifiedEvent;
import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.errors.StrongroomException;
import dev.strongroom.contracts.kafka.RecordGate;
import dev.strongroom.kit.config.EventsConfig;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * What every {@code @Incoming} method delegates to: verify the record by the acceptance rules, hand
 * an accepted event to this service's handler for its type, dead-letter (and alert) everything
 * else, and return only when the outcome is durable — the messaging layer commits the offset after
 * the return.
 *
 * <p>A verified event of a type this service has no handler for is dead-lettered as {@code SCHEMA}:
 * the catalog said the type rides this topic, but this service does not (yet) process it. An
 * exception the handler did not map to an error code (a bug) is dead-lettered as {@code INTERNAL}
 * with its class name as detail and its stack trace in the log: retrying the same record through
 * the same code would fail the same way and stop the partition for good.
 */
@ApplicationScoped
public class GatedConsumer {
  private static final Logger LOG = Logger.getLogger(GatedConsumer.class);

  private final RecordGate gate;
  private final EventPublisher publisher;
  private final MeterRegistry meters;
  private final String source;

  public GatedConsumer(
      RecordGate gate, EventPublisher publisher, MeterRegistry meters, EventsConfig config) {
    this.gate = gate;
    this.publisher = publisher;
    this.meters = meters;
    this.source = config.source();
  }

  /**
   * Processes one record.
   *
   * @param handlers this service's handlers by event type
   * @throws StrongroomException with a retriable code when a dependency failed: the record is
   *     retried
   */
  public void consume(ConsumerRecord<byte[], byte[]> record, Map<String, EventHandler> handlers) {
    RecordGate.Decision decision = gate.admit(record);
    if (decision instanceof RecordGate.Admit admit) {
      VerifiedEvent event = admit.event();
      EventHandler handler = handlers.get(event.type());
      if (handler == null) {
        deadLetter(
            gate.refuse(
                record,
                new Rejection(
                    ErrorCode.SCHEMA,
                    source + " does not process " + event.type(),
                    event.id(),
                    event.source(),
                    event.sigkid())));
        return;
      }
      try {
        handler.handle(event, admit.redelivery());
        count(record.topic(), "ACCEPTED");
      } catch (StrongroomException e) {
        if (e.retriable()) {
          throw e;
        }
        deadLetter(
            gate.refuse(
                record,
                new Rejection(
                    e.code(), e.getMessage(), event.id(), event.source(), event.sigkid())));
      } catch (RuntimeException bug) {
        LOG.errorf(bug, "handler of %s failed on event %s", event.type(), event.id());
        deadLetter(
            gate.refuse(
                record,
                new Rejection(
                    ErrorCode.INTERNAL,
                    "handler failed: " + bug.getClass().getName(),
                    event.id(),
                    event.source(),
                    event.sigkid())));
      }
      return;
    }
    deadLetter((RecordGate.DeadLetter) decision);
  }

  /**
   * Dead-letters a record its handler processed but whose output could not be published for a
   * reason retrying cannot mend ({@code failure} not retriable: the broker refused the write). The
   * record is not lost and does not hold its partition: it waits in the dead-letter topic with the
   * reason until an operator mends the cause and replays it.
   */
  public void deadLetterUnpublished(
      ConsumerRecord<byte[], byte[]> record, VerifiedEvent event, StrongroomException failure) {
    if (failure.retriable()) {
      throw new IllegalArgumentException("a retriable failure is retried, not dead-lettered");
    }
    deadLetter(
        gate.refuse(
            record,
            new Rejection(
                failure.code(), failure.getMessage(), event.id(), event.source(), event.sigkid())));
  }

  private void deadLetter(RecordGate.DeadLetter deadLetter) {
    publisher.publishDeadLetter(deadLetter);
    Rejection r = deadLetter.rejection();
    count(deadLetter.deadLetter().topic().replaceFirst("\\.dlq$", ""), r.code().code());
    LOG.warnf(
        "dead-lettered %s/%s as %s: %s%s",
        deadLetter.deadLetter().topic(),
        r.eventIdIfKnown().orElse("(no id)"),
        r.code().code(),
        r.detail(),
        deadLetter.alert().isPresent() ? " (alert raised)" : "");
  }

  private void count(String topic, String outcome) {
    meters.counter("strongroom.events", "topic", topic, "outcome", outcome).increment();
  }
}
