package dev.strongroom.kit.tls;

import dev.strongroom.contracts.tls.LiveTlsIdentity;
import dev.strongroom.contracts.tls.TlsIdentity;
import io.quarkus.tls.runtime.KeyStoreAndKeyCertOptions;
import io.quarkus.tls.runtime.KeyStoreProvider;
import io.quarkus.tls.runtime.TrustStoreAndTrustOptions;
import io.quarkus.tls.runtime.TrustStoreProvider;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * The key and trust material of the service's HTTPS server, given to Quarkus's TLS registry as its
 * default configuration's key store and trust store providers: the {@link LiveTlsIdentity} of the
 * service's identity ({@code strongroom.tls.*}), whose key manager presents the current validated
 * certificate of the files on every handshake and whose trust manager trusts the current CA file.
 *
 * <p>So the server's SSL options are built once at start and never replaced: a rotation is taken by
 * {@link ServiceCertificateReloader} calling {@link LiveTlsIdentity#refresh()}, not by swapping an
 * SSL context (Vert.x 4.5.25 drops a connection that arrives during such a swap). No {@code
 * quarkus.tls.key-store.*} or {@code trust-store.*} may be configured beside it (the registry
 * refuses both at once); {@link TlsIdentity#serviceConfig(int)} sets none.
 */
@Singleton
public class ServiceTlsMaterial implements KeyStoreProvider, TrustStoreProvider {
  private final Optional<LiveTlsIdentity> live;

  public ServiceTlsMaterial(Config config) {
    this.live =
        TlsIdentity.fromConfig(k -> config.getOptionalValue(k, String.class))
            .map(LiveTlsIdentity::open);
  }

  /** The service's identity as its files are now; empty when the service has none configured. */
  public Optional<LiveTlsIdentity> live() {
    return live;
  }

  @Override
  public KeyStoreAndKeyCertOptions getKeyStore(Vertx vertx) {
    return live.map(l -> new KeyStoreAndKeyCertOptions(null, KeyCertOptions.wrap(l.keyManager())))
        .orElse(null);
  }

  @Override
  public TrustStoreAndTrustOptions getTrustStore(Vertx vertx) {
    return live.map(l -> new TrustStoreAndTrustOptions(null, TrustOptions.wrap(l.trustManager())))
        .orElse(null);
  }
}
