package dev.strongroom.contracts.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * One mutual-TLS identity of the stack — a certificate and key issued by the stack's CA, and the CA
 * that peers must chain to — and <b>the one place</b> that turns it into client configuration:
 * Kafka producer, consumer and admin properties ({@link #kafkaClient(String)}) and the
 * configuration handed to a service process ({@link #serviceConfig(int)}), which the service kit
 * turns into its Kafka clients' and HTTP server's TLS settings. Every service, the devstack, the
 * command and the test fixtures build their clients here, so a client built anywhere else is a bug.
 *
 * <p>Kafka: {@code security.protocol=SSL}, TLS 1.3 only, PEM key store and trust store given inline
 * (the key is read from its 0600 file when the properties are built; no password, no copy on disk),
 * and host name verification of the broker against its certificate's SANs.
 *
 * @param name the identity: the certificate's CN, which is the Kafka principal ({@code User:name})
 *     and the name services allow-list
 * @param caCert PEM file of the CA certificate peers must chain to
 * @param cert PEM file of this identity's certificate
 * @param key PEM file of its unencrypted PKCS#8 private key (mode 0600)
 */
public record TlsIdentity(String name, Path caCert, Path cert, Path key) {

  /** Service configuration key: the CA certificate (PEM path). */
  public static final String CONFIG_CA = "strongroom.tls.ca";

  /** Service configuration key: the service's own certificate (PEM path). */
  public static final String CONFIG_CERT = "strongroom.tls.cert";

  /** Service configuration key: the service's own private key (PKCS#8 PEM path, 0600). */
  public static final String CONFIG_KEY = "strongroom.tls.key";

  /** Service configuration key: the service's identity name (its certificate's CN). */
  public static final String CONFIG_NAME = "strongroom.tls.name";

  /** The only TLS version any Strongroom link speaks. */
  public static final String TLS_VERSION = "TLSv1.3";

  public TlsIdentity {
    Objects.requireNonNull(name, "name");
    caCert = caCert.toAbsolutePath().normalize();
    cert = cert.toAbsolutePath().normalize();
    key = key.toAbsolutePath().normalize();
  }

  /**
   * The Kafka client security properties of this identity (no bootstrap address): mTLS over TLS 1.3
   * with the PEM material inline.
   *
   * @throws UncheckedIOException if a PEM file cannot be read
   */
  public Map<String, Object> kafkaSecurity() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("security.protocol", "SSL");
    p.put("ssl.protocol", TLS_VERSION);
    p.put("ssl.enabled.protocols", TLS_VERSION);
    p.put("ssl.endpoint.identification.algorithm", "https");
    p.put("ssl.keystore.type", "PEM");
    p.put("ssl.keystore.certificate.chain", read(cert));
    p.put("ssl.keystore.key", read(key));
    p.put("ssl.truststore.type", "PEM");
    p.put("ssl.truststore.certificates", read(caCert));
    return p;
  }

  /**
   * Properties for a Kafka producer, consumer or admin client of this identity: {@link
   * #kafkaSecurity()} plus {@code bootstrap.servers}. Callers add their own client settings.
   */
  public Map<String, Object> kafkaClient(String bootstrap) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("bootstrap.servers", Objects.requireNonNull(bootstrap, "bootstrap"));
    p.putAll(kafkaSecurity());
    return p;
  }

  /** {@link #kafkaClient(String)} as {@link Properties}. */
  public Properties kafkaProperties(String bootstrap) {
    Properties p = new Properties();
    p.putAll(kafkaClient(bootstrap));
    return p;
  }

  /**
   * The configuration a service process of this identity is started with (paths only, never key
   * bytes, so nothing secret appears on a command line): {@value #CONFIG_NAME}, {@value
   * #CONFIG_CA}, {@value #CONFIG_CERT}, {@value #CONFIG_KEY} for its Kafka clients and its HTTPS
   * server on {@code httpsPort} — TLS 1.3 only, the plain HTTP port not opened at all. The server's
   * certificate, key and trusted CA are not Quarkus key-store settings: the service kit serves them
   * from these files as they are now ({@link LiveTlsIdentity}, a rotation without a restart). (That
   * a client certificate is required is build-time configuration in Quarkus: every service's {@code
   * application.properties} sets {@code quarkus.http.ssl.client-auth=required}.)
   */
  public Map<String, String> serviceConfig(int httpsPort) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put(CONFIG_NAME, name);
    c.put(CONFIG_CA, caCert.toString());
    c.put(CONFIG_CERT, cert.toString());
    c.put(CONFIG_KEY, key.toString());
    c.put("quarkus.tls.protocols", TLS_VERSION);
    c.put("quarkus.http.insecure-requests", "disabled");
    c.put("quarkus.http.ssl-port", Integer.toString(httpsPort));
    c.put("quarkus.http.test-ssl-port", Integer.toString(httpsPort));
    return c;
  }

  /**
   * This identity's certificate (what it presents to its peers; a tenant token issued to it is
   * bound to this certificate's thumbprint).
   *
   * @throws IllegalStateException if the PEM file cannot be loaded
   */
  public X509Certificate certificate() {
    try (InputStream in = Files.newInputStream(cert)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot load the certificate of " + name + ": " + e, e);
    }
  }

  /**
   * This identity's private key, read from its file now (a rotation replaces the file; callers that
   * cache it re-read it when the file changes).
   *
   * @throws IllegalStateException if the PEM file cannot be read or parsed
   */
  public PrivateKey privateKey() {
    try {
      return privateKey(read(key));
    } catch (GeneralSecurityException | UncheckedIOException e) {
      throw new IllegalStateException("cannot load the private key of " + name + ": " + e, e);
    }
  }

  /**
   * A TLS 1.3 context presenting this certificate and trusting only the CA.
   *
   * @throws IllegalStateException if the PEM material cannot be loaded
   */
  public SSLContext sslContext() {
    try {
      CertificateFactory x509 = CertificateFactory.getInstance("X.509");
      X509Certificate own;
      X509Certificate ca;
      try (InputStream in = Files.newInputStream(cert)) {
        own = (X509Certificate) x509.generateCertificate(in);
      }
      try (InputStream in = Files.newInputStream(caCert)) {
        ca = (X509Certificate) x509.generateCertificate(in);
      }
      PrivateKey privateKey = privateKey(read(key));
      char[] password = new char[0];
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry(name, privateKey, password, new Certificate[] {own});
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance(TLS_VERSION);
      context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot load the TLS identity " + name + ": " + e, e);
    }
  }

  /**
   * An HTTP client for the services' HTTPS endpoints: TLS 1.3, this certificate, only the CA
   * trusted, the server's name checked against its certificate.
   */
  public HttpClient httpClient() {
    SSLParameters params = new SSLParameters();
    params.setProtocols(new String[] {TLS_VERSION});
    return HttpClient.newBuilder()
        .sslContext(sslContext())
        .sslParameters(params)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  private static PrivateKey privateKey(String pem) throws GeneralSecurityException {
    String body =
        pem.replace("-----BEGIN PRIVATE KEY-----", "")
            .replace("-----END PRIVATE KEY-----", "")
            .replaceAll("\\s", "");
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body));
    GeneralSecurityException last = null;
    for (String alg : new String[] {"EC", "RSA", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw last;
  }

  /**
   * The identity a service process was configured with by {@link #serviceConfig(int)}, read back
   * through {@code lookup} (its configuration); empty when none of the keys is set.
   *
   * @throws IllegalArgumentException when only some of the keys are set
   */
  public static Optional<TlsIdentity> fromConfig(Function<String, Optional<String>> lookup) {
    Optional<String> name = lookup.apply(CONFIG_NAME);
    Optional<String> ca = lookup.apply(CONFIG_CA);
    Optional<String> cert = lookup.apply(CONFIG_CERT);
    Optional<String> key = lookup.apply(CONFIG_KEY);
    if (name.isEmpty() && ca.isEmpty() && cert.isEmpty() && key.isEmpty()) {
      return Optional.empty();
    }
    if (name.isEmpty() || ca.isEmpty() || cert.isEmpty() || key.isEmpty()) {
      throw new IllegalArgumentException(
          "TLS identity configuration is incomplete: "
              + CONFIG_NAME
              + ", "
              + CONFIG_CA
              + ", "
              + CONFIG_CERT
              + " and "
              + CONFIG_KEY
              + " must all be set");
    }
    return Optional.of(
        new TlsIdentity(name.get(), Path.of(ca.get()), Path.of(cert.get()), Path.of(key.get())));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read TLS material " + file, e);
    }
  }

  @Override
  public String toString() {
    return "TlsIdentity[" + name + ", " + cert + "]";
  }
}
