package dev.strongroom.proofservice.messaging;

import dev.strongroom.contracts.proof.ProofRequest;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.kit.events.EventHandler;
import dev.strongroom.kit.events.GatedConsumer;
import dev.strongroom.proofservice.scheduling.ProofRuns;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@value Topics#PROOF_REQUESTS}. Every record passes the acceptance rules of DESIGN §3
 * first; refusals are dead-lettered with their reason (and alerted when security-relevant).
 *
 * <p>Handler: {@code dev.strongroom.proof.requested.v1} runs a proof (or recalls the result of the
 * same request id) and publishes it on {@value Topics#PROOF_RESULTS} before the offset is
 * committed. When proofs are disabled ({@code strongroom.proof.enabled=false}) this instance has no
 * handler, and a request is dead-lettered as {@code SCHEMA} ("does not process"), never dropped.
 */
@ApplicationScoped
public class ProofRequestsConsumer {
  private final GatedConsumer consumer;
  private final Map<String, EventHandler> handlers;

  public ProofRequestsConsumer(GatedConsumer consumer, ProofRuns runs) {
    this.consumer = consumer;
    this.handlers =
        runs.enabled()
            ? Map.of(
                EventCatalog.PROOF_REQUESTED.type(),
                (event, redelivery) ->
                    runs.request(ProofRequest.fromData(event.data()).requestId()))
            : Map.of();
  }

  @Incoming("proof-requests")
  @Blocking(ordered = true)
  public void onRecord(ConsumerRecord<byte[], byte[]> record) {
    consumer.consume(record, handlers);
  }
}
