package dev.strongroom.provisionerservice.messaging;

import dev.strongroom.contracts.provision.ProvisionRequest;
import dev.strongroom.contracts.schema.EventCatalog;
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
 * <p>Handler: {@code dev.strongroom.provision.requested.v1} plans or applies the host bundle on the
 * target (or recalls the result of the same request id) and publishes progress and result on
 * {@value Topics#PROVISION_EVENTS} before the offset is committed. A request the service will not
 * run — options the bundle refuses ({@code SCHEMA}), a target it does not serve ({@code REFUSED}) —
 * is dead-lettered with that reason. When provisioning is disabled ({@code
 * strongroom.provisioner.enabled=false}) this instance has no handler, and a request is
 * dead-lettered as {@code SCHEMA} ("does not process"), never dropped.
 */
@ApplicationScoped
public class ProvisionRequestsConsumer {
  private final GatedConsumer consumer;
  private final Map<String, EventHandler> handlers;

  public ProvisionRequestsConsumer(GatedConsumer consumer, ProvisionRuns runs) {
    this.consumer = consumer;
    this.handlers =
        runs.enabled()
            ? Map.of(
                EventCatalog.PROVISION_REQUESTED.type(),
                (event, redelivery) -> runs.request(ProvisionRequest.fromData(event.data())))
            : Map.of();
  }

  @Incoming("provision-requests")
  @Blocking(ordered = true)
  public void onRecord(ConsumerRecord<byte[], byte[]> record) {
    consumer.consume(record, handlers);
  }
}
