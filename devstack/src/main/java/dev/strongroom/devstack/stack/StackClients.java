package dev.strongroom.devstack.stack;

import com.github.f4b6a3.uuid.UuidCreator;
import dev.strongroom.client.StrongroomClient;
import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.EventVerifier;
import dev.strongroom.contracts.envelope.ReplayGuard;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.tls.TlsIdentity;
import dev.strongroom.devstack.kafka.KafkaAccessPolicy;
import dev.strongroom.devstack.keys.DevKeys;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.net.URI;
import java.time.Clock;

/** Clients of a running stack, built as an outside application would build them. */
public final class StackClients {
  private StackClients() {}

  /**
   * The client library acting as the stack's demo application ({@code demo-app}: its mutual-TLS
   * identity on Kafka and HTTPS, its event-signing key), with its own results group named after
   * {@code purpose}.
   */
  public static StrongroomClient application(
      TlsIdentity app, StackDescriptor stack, DevKeys keys, String purpose) {
    Clock clock = Clock.systemUTC();
    return StrongroomClient.builder()
        .kafka(app.kafkaClient(stack.kafkaBootstrap()))
        .resultsGroup(
            KafkaAccessPolicy.groupFor(
                PkiSpec.DEMO_APP, purpose + "-" + UuidCreator.getTimeOrderedEpoch()))
        .signer(new EventSigner(keys.key(PkiSpec.DEMO_APP), "/apps/demo", clock))
        .verifier(
            new EventVerifier(
                keys.registry(),
                EventCatalog.standard(),
                EventVerifier.DEFAULT_SKEW,
                clock,
                ReplayGuard.forSkew(EventVerifier.DEFAULT_SKEW, clock)))
        .http(app.httpClient())
        .cryptoUrl(URI.create(stack.services().get(ServiceModule.CRYPTO)))
        .dataUrl(URI.create(stack.services().get(ServiceModule.DATA)))
        .build();
  }
}
