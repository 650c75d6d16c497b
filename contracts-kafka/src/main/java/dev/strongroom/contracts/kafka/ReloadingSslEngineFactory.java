package dev.strongroom.contracts.kafka;

import dev.strongroom.contracts.tls.LiveTlsIdentity;
import dev.strongroom.contracts.tls.TlsFileWatch;
import dev.strongroom.contracts.tls.TlsIdentity;
import java.security.KeyStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.security.auth.SslEngineFactory;

/**
 * A Kafka {@code ssl.engine.factory.class} that presents the identity's certificate <em>as its
 * files are now</em>: before each new broker connection it looks at the certificate, key and CA
 * files ({@link LiveTlsIdentity#refresh()}, a {@code stat} each) and the connection's handshake
 * presents the current validated pair, so a rotated certificate reaches the broker on the client's
 * next connection — after a broker restart, a leader move, an idle close — without restarting the
 * client. A pair is taken only once whole (the key signs what the certificate verifies, the CA file
 * vouches for it); until then the old one goes on being presented.
 *
 * <p>Configured from the client's own properties, by the service configuration keys of {@link
 * TlsIdentity} ({@value TlsIdentity#CONFIG_NAME}, {@value TlsIdentity#CONFIG_CA}, {@value
 * TlsIdentity#CONFIG_CERT}, {@value TlsIdentity#CONFIG_KEY}: paths only, no key bytes in the
 * properties); {@link #kafkaSecurity(TlsIdentity)} writes them. TLS 1.3 only, the broker's name
 * always checked against its certificate (HTTPS rules), a client certificate always required on the
 * server side.
 *
 * <p>Each generation of the files gets an SSL context of its own ({@link
 * LiveTlsIdentity#clientContext()}): a connection made after a rotation starts a full handshake and
 * cannot resume a TLS session made with the old certificate (on a resumption the broker would see
 * the old session's certificate again).
 */
public final class ReloadingSslEngineFactory implements SslEngineFactory {
  private static final System.Logger LOG =
      System.getLogger(ReloadingSslEngineFactory.class.getName());

  private Map<String, Object> configs = Map.of();
  private LiveTlsIdentity live;

  /**
   * The Kafka client security properties of {@code identity} with this factory: {@code
   * security.protocol=SSL}, TLS 1.3, host name verification, and the identity's file paths.
   */
  public static Map<String, Object> kafkaSecurity(TlsIdentity identity) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("security.protocol", "SSL");
    p.put(SslConfigs.SSL_PROTOCOL_CONFIG, TlsIdentity.TLS_VERSION);
    p.put(SslConfigs.SSL_ENABLED_PROTOCOLS_CONFIG, TlsIdentity.TLS_VERSION);
    p.put(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, "https");
    p.put(SslConfigs.SSL_ENGINE_FACTORY_CLASS_CONFIG, ReloadingSslEngineFactory.class.getName());
    p.put(TlsIdentity.CONFIG_NAME, identity.name());
    p.put(TlsIdentity.CONFIG_CA, identity.caCert().toString());
    p.put(TlsIdentity.CONFIG_CERT, identity.cert().toString());
    p.put(TlsIdentity.CONFIG_KEY, identity.key().toString());
    return p;
  }

  @Override
  public void configure(Map<String, ?> configs) {
    this.configs = Map.copyOf(withoutNulls(configs));
    Optional<TlsIdentity> identity;
    try {
      identity =
          TlsIdentity.fromConfig(
              k -> Optional.ofNullable(configs.get(k)).map(v -> String.valueOf(v)));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    if (identity.isEmpty()) {
      throw new ConfigException(
          getClass().getName()
              + " needs "
              + TlsIdentity.CONFIG_NAME
              + ", "
              + TlsIdentity.CONFIG_CA
              + ", "
              + TlsIdentity.CONFIG_CERT
              + " and "
              + TlsIdentity.CONFIG_KEY);
    }
    try {
      live = LiveTlsIdentity.open(identity.get());
    } catch (IllegalStateException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  @Override
  public SSLEngine createClientSslEngine(
      String peerHost, int peerPort, String endpointIdentification) {
    SSLEngine engine = currentContext().createSSLEngine(peerHost, peerPort);
    engine.setUseClientMode(true);
    SSLParameters p = engine.getSSLParameters();
    p.setProtocols(new String[] {TlsIdentity.TLS_VERSION});
    p.setEndpointIdentificationAlgorithm("HTTPS"); // always, whatever the client was told
    engine.setSSLParameters(p);
    return engine;
  }

  @Override
  public SSLEngine createServerSslEngine(String peerHost, int peerPort) {
    SSLEngine engine = currentContext().createSSLEngine(peerHost, peerPort);
    engine.setUseClientMode(false);
    SSLParameters p = engine.getSSLParameters();
    p.setProtocols(new String[] {TlsIdentity.TLS_VERSION});
    p.setNeedClientAuth(true);
    engine.setSSLParameters(p);
    return engine;
  }

  /** The context of the files' current generation, looked at now. */
  private synchronized SSLContext currentContext() {
    if (live == null) {
      throw new IllegalStateException(getClass().getName() + " is not configured");
    }
    long before = live.generation();
    SSLContext context = live.clientContext();
    if (live.generation() != before) {
      LOG.log(
          System.Logger.Level.INFO,
          "Kafka client of {0}: new connections present certificate serial {1} (no restart)",
          live.identity().name(),
          TlsFileWatch.serial(live.certificate()));
    }
    return context;
  }

  /** The certificate new connections present now (for tests and diagnostics). */
  public synchronized java.security.cert.X509Certificate certificate() {
    return live.certificate();
  }

  @Override
  public boolean shouldBeRebuilt(Map<String, Object> nextConfigs) {
    return !withoutNulls(nextConfigs).equals(configs);
  }

  @Override
  public Set<String> reconfigurableConfigs() {
    return Set.of();
  }

  /** None: the material lives in {@link LiveTlsIdentity}, re-read from the files. */
  @Override
  public KeyStore keystore() {
    return null;
  }

  /** None: the material lives in {@link LiveTlsIdentity}, re-read from the files. */
  @Override
  public KeyStore truststore() {
    return null;
  }

  @Override
  public void close() {}

  private static Map<String, Object> withoutNulls(Map<String, ?> in) {
    Map<String, Object> out = new LinkedHashMap<>();
    in.forEach(
        (k, v) -> {
          if (k != null && v != null) {
            out.put(k, v);
          }
        });
    return out;
  }
}
