package dev.strongroom.provisionerservice.messaging;

import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.kit.events.EventHandler;
import dev.strongroom.kit.events.GatedConsumer;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@value Topics#PROVISION_REQUESTS}. Every record passes the acceptance rules of DESIGN
 * §3 first; refusals are dead-lettered with their reason (and alerted when security-relevant).
 *
 * <p>Handlers: none yet. Provisioning plans arrive with the provisioner capability (its event types
 * and schemas go into contracts' EventCatalog). Until then a verified event on this topic is
 * dead-lettered as {@code SCHEMA} ("does not process"), never dropped.
 */
@ApplicationScoped
public class ProvisionRequestsConsumer {
  private static final Map<String, EventHandler> HANDLERS = Map.of();

  private final GatedConsumer consumer;

  public ProvisionRequestsConsumer(GatedConsumer consumer) {
    this.consumer = consumer;
  }

  @Incoming("provision-requests")
  @Blocking(ordered = true)
  public void onRecord(ConsumerRecord<byte[], byte[]> record) {
    consumer.consume(record, HANDLERS);
  }
}
