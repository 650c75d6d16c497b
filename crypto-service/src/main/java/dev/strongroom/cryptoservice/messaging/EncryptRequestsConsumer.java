package dev.strongroom.cryptoservice.messaging;

import dev.strongroom.contracts.envelope.SignedEvent;
import dev.strongroom.contracts.envelope.VerifiedEvent;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.cryptoservice.pipeline.EncryptPipeline;
import dev.strongroom.kit.events.EventHandler;
import dev.strongroom.kit.events.EventPublisher;
import dev.strongroom.kit.events.GatedConsumer;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@value Topics#ENCRYPT_REQUESTS}: every record passes the acceptance rules of DESIGN §3;
 * a verified {@code encrypt.requested.v1} is encrypted ({@link EncryptPipeline}) and the signed
 * {@code store.requested.v1} is published to {@value Topics#STORE_REQUESTS} (keyed by tenant)
 * before the offset is committed. A token, seal or KMS refusal dead-letters the record with its
 * code; an unreachable KMS is retried.
 */
@ApplicationScoped
public class EncryptRequestsConsumer {
  private final GatedConsumer consumer;
  private final Map<String, EventHandler> handlers;

  public EncryptRequestsConsumer(
      GatedConsumer consumer, EncryptPipeline pipeline, EventPublisher publisher) {
    this.consumer = consumer;
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
    consumer.consume(record, handlers);
  }
}
