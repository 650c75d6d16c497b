package dev.strongroom.kit.tls;

import dev.strongroom.contracts.token.TenantTokens;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The client certificate a caller presented on its mutual-TLS connection, as a tenant token's
 * {@code cnf} names it: the RFC 8705 {@code x5t#S256} thumbprint of the leaf certificate's DER
 * bytes ({@link TenantTokens#thumbprint}).
 */
public final class PeerCertificate {
  private PeerCertificate() {}

  /** The leaf certificate the peer presented, if the connection is TLS with one. */
  public static Optional<X509Certificate> leaf(SSLSession session) {
    if (session == null) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
        return Optional.empty();
      }
      return Optional.of(leaf);
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  /** The {@code x5t#S256} of the peer's leaf certificate, if it presented one. */
  public static Optional<String> thumbprint(SSLSession session) {
    return leaf(session).map(TenantTokens::thumbprint);
  }
}
