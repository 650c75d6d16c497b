package dev.strongroom.kit.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.apache.kafka.common.Configurable;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.security.auth.AuthenticationContext;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.KafkaPrincipalBuilder;
import org.apache.kafka.common.security.auth.KafkaPrincipalSerde;
import org.apache.kafka.common.security.auth.SslAuthenticationContext;
import org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder;
import org.apache.kafka.common.security.ssl.SslPrincipalMapper;

/**
 * The test broker's principal builder: Kafka's own ({@code ssl.principal.mapping.rules}, so the
 * stack's ACLs apply unchanged), except that a client certificate on the CA's CRL ({@value #CRL},
 * read at every authentication) gets the principal {@code User:revoked-<serial>}, which no ACL
 * grants anything — the broker a CRL-checking deployment would run, and the one place a test can
 * see which certificate a client presented on each connection ({@link #SEEN}).
 */
public final class CrlCheckingPrincipalBuilder
    implements KafkaPrincipalBuilder, KafkaPrincipalSerde, Configurable {
  /** Broker property: the CA's CRL (PEM). */
  public static final String CRL = "strongroom.test.crl";

  /** One authenticated TLS connection: the presented serial (hex) and the principal it got. */
  public record Seen(long nanoTime, String serial, String principal) {}

  /** Every TLS client authentication of the broker in this JVM, in order. */
  public static final Queue<Seen> SEEN = new ConcurrentLinkedQueue<>();

  private DefaultKafkaPrincipalBuilder delegate;
  private Path crl;

  @Override
  public void configure(Map<String, ?> configs) {
    Object rules = configs.get("ssl.principal.mapping.rules");
    delegate =
        new DefaultKafkaPrincipalBuilder(
            null, SslPrincipalMapper.fromRules(rules == null ? "DEFAULT" : rules.toString()));
    crl = Path.of(String.valueOf(configs.get(CRL)));
  }

  @Override
  public KafkaPrincipal build(AuthenticationContext context) {
    if (context instanceof SslAuthenticationContext ssl) {
      X509Certificate leaf;
      try {
        leaf = (X509Certificate) ssl.session().getPeerCertificates()[0];
      } catch (SSLPeerUnverifiedException e) {
        return delegate.build(context);
      }
      String serial = leaf.getSerialNumber().toString(16);
      KafkaPrincipal p =
          crl().isRevoked(leaf)
              ? new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "revoked-" + serial)
              : delegate.build(context);
      SEEN.add(new Seen(System.nanoTime(), serial, p.getName()));
      return p;
    }
    return delegate.build(context);
  }

  private X509CRL crl() {
    try (InputStream in = Files.newInputStream(crl)) {
      return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot read the CRL " + crl + ": " + e, e);
    }
  }

  @Override
  public byte[] serialize(KafkaPrincipal principal) throws SerializationException {
    return delegate.serialize(principal);
  }

  @Override
  public KafkaPrincipal deserialize(byte[] bytes) throws SerializationException {
    return delegate.deserialize(bytes);
  }
}
