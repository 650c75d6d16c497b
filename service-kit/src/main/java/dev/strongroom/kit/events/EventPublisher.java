package dev.strongroom.kit.events;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.errors.StrongroomException;
import dev.strongroom.contracts.kafka.RecordGate;
import dev.strongroom.kit.tls.ServiceKafkaConfig;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes records synchronously (idempotent producer, acks=all): a service's output events, dead
 * letters and alerts. The consumer commits an offset only after what it published for that record
 * is durably in Kafka. A plain producer rather than a messaging channel: the destination topic
 * depends on the record (a dead letter goes to its source topic's {@code .dlq}), and the send must
 * complete before the ack.
 */
@Startup // built at boot: a bad producer config fails the start, not the first refusal
@ApplicationScoped
public class EventPublisher {
  private final KafkaProducer<byte[], byte[]> producer;

  public EventPublisher(
      @Identifier(ServiceKafkaConfig.DEFAULT_KAFKA_BROKER) Map<String, Object> kafkaConfig) {
    Map<String, Object> p = new HashMap<>(kafkaConfig); // bootstrap and mutual TLS
    p.keySet().removeIf(k -> k.startsWith("group.") || k.contains("deserializer"));
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "strongroom-events");
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Sends the dead letter, then the alert; returns when both are acknowledged. */
  public void publishDeadLetter(RecordGate.DeadLetter deadLetter) {
    send(deadLetter.deadLetter());
    deadLetter.alert().ifPresent(this::send);
  }

  /** Sends one record and waits for the acknowledgement. */
  public void send(ProducerRecord<byte[], byte[]> record) {
    await(record.topic(), sendAsync(record));
  }

  /**
   * Sends one record without waiting: the producer batches what is sent while earlier requests are
   * in flight. Records to one partition are acknowledged in the order they were sent (idempotent
   * producer). The caller must {@link #await} the future before it lets the source offset commit.
   */
  public Future<RecordMetadata> sendAsync(ProducerRecord<byte[], byte[]> record) {
    return producer.send(record);
  }

  /**
   * Waits for the acknowledgement of a {@link #sendAsync}.
   *
   * @throws StrongroomException {@code REFUSED} (fatal) when the broker refused the service's
   *     principal the write — an ACL missing or a DENY in place: sending the same record again
   *     cannot succeed until an operator changes the ACLs, so the caller dead-letters the record it
   *     was publishing for instead of retrying it forever; {@code UNAVAILABLE} (retriable) when it
   *     was not acknowledged for any other reason
   */
  public void await(String topic, Future<RecordMetadata> sent) {
    try {
      sent.get(35, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StrongroomException(
          ErrorCode.UNAVAILABLE, "interrupted while publishing to " + topic, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AuthorizationException refused) {
        throw new StrongroomException(
            ErrorCode.REFUSED,
            "the broker refused this service's write to "
                + topic
                + " ("
                + refused.getClass().getSimpleName()
                + ": "
                + refused.getMessage()
                + "); check its ACLs (deploy/kafka/setup.sh)",
            e);
      }
      throw new StrongroomException(
          ErrorCode.UNAVAILABLE, "cannot publish to " + topic + ": " + e.getMessage(), e);
    } catch (TimeoutException e) {
      throw new StrongroomException(
          ErrorCode.UNAVAILABLE, "cannot publish to " + topic + ": " + e.getMessage(), e);
    }
  }

  @PreDestroy
  public void close() {
    producer.close(java.time.Duration.ofSeconds(5));
  }
}
