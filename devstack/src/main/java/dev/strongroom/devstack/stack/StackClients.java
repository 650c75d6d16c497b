package dev.strongroom.devstack.stack;

import com.github.f4b6a3.uuid.UuidCreator;
import dev.strongroom.client.StrongroomClient;
import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.EventVerifier;
import dev.strongroom.contracts.envelope.ReplayGuard;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.tls.TlsIdentity;
import dev.strongroom.devstack.keys.DevKeys;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;

/** Clients of a running stack, built as an outside application would build them. */
public final class StackClients {
  private StackClients() {}

  /**
   * The client library acting as the stack's demo application ({@code demo-app}: its mutual-TLS
   * identity on Kafka and HTTPS, its event-signing key); its Kafka client id names {@code purpose}.
   */
  public static StrongroomClient application(
      TlsIdentity app, StackDescriptor stack, DevKeys keys, String purpose) {
    Clock clock = Clock.systemUTC();
    Map<String, Object> kafka = app.kafkaClient(stack.kafkaBootstrap());
    kafka.put(
        CommonClientConfigs.CLIENT_ID_CONFIG, purpose + "-" + UuidCreator.getTimeOrderedEpoch());
    return StrongroomClient.builder()
        .kafka(kafka)
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
