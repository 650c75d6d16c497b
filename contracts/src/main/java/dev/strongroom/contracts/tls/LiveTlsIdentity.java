package dev.strongroom.contracts.tls;

import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A TLS identity served from its files as they are now: one {@link #keyManager() key manager} and
 * one {@link #trustManager() trust manager} that never change, answering every handshake with the
 * <em>current</em> validated material, so an {@link SSLContext} (a server's, a Kafka client's) is
 * built once and a rotation swaps nothing — no handshake can fall into a gap between an old and a
 * new context.
 *
 * <p>{@link #refresh()} looks at the files ({@link TlsFileWatch}: a {@code stat} each) and takes a
 * new generation only once the files hold whole material — the key signs what the certificate
 * verifies, the certificate is issued by a CA of the CA file; until then the old generation goes on
 * being served. Who calls {@link #refresh()} decides when a rotation is seen: the service kit every
 * 2 s, the Kafka engine factory before each new broker connection.
 *
 * <p>Consistency within a handshake: the key manager's alias names the generation ({@code
 * strongroom-<n>}), and the certificate chain and private key are looked up by that alias among the
 * last {@value #KEPT} generations, so a handshake that chose its alias just before a rotation gets
 * that generation's chain and key together, never the old certificate with the new key.
 *
 * <p>The trust manager delegates to the JDK's PKIX trust manager over the current CA file's
 * certificates (host name verification, when the engine's parameters ask for it, included).
 */
public final class LiveTlsIdentity {
  /** Generations whose alias still resolves (a handshake in flight across a rotation). */
  static final int KEPT = 4;

  private static final String ALIAS_PREFIX = "strongroom-";

  /** One validated reading of the files. */
  private record Generation(
      long number, String alias, TlsFileWatch.Material material, X509ExtendedTrustManager trust) {}

  private final TlsIdentity identity;
  private final TlsFileWatch watch;
  private final Map<String, Generation> recent = new LinkedHashMap<>();
  private final KeyManagerImpl keyManager = new KeyManagerImpl();
  private final TrustManagerImpl trustManager = new TrustManagerImpl();
  private volatile Generation current;
  private SSLContext clientContext;
  private long clientContextGeneration;

  /** The CA file trusted for the peer when it is not the identity's own ({@code null}: its own). */
  private final Path peerCa;

  private LiveTlsIdentity(TlsIdentity identity, Path peerCa) {
    this.identity = identity;
    this.peerCa = peerCa;
    this.watch = new TlsFileWatch(identity); // stamps first: a change while reading is seen next
    install(TlsFileWatch.read(identity));
  }

  /**
   * Opens {@code identity}'s files as they are now; the peer is trusted by the identity's own CA
   * file.
   *
   * @throws IllegalStateException if they do not hold whole material
   */
  public static LiveTlsIdentity open(TlsIdentity identity) {
    return new LiveTlsIdentity(Objects.requireNonNull(identity, "identity"), null);
  }

  /**
   * Opens {@code identity}'s files as they are now — its certificate checked against its own CA
   * file, as {@link #open(TlsIdentity)} does — and trusts the peer by another CA file: a client of
   * an outside server (a SIEM's syslog collector) whose certificate another CA issued. The peer CA
   * file is read again with each generation taken.
   *
   * @throws IllegalStateException if the files do not hold whole material or {@code peerCa} holds
   *     no certificate
   */
  public static LiveTlsIdentity open(TlsIdentity identity, Path peerCa) {
    return new LiveTlsIdentity(
        Objects.requireNonNull(identity, "identity"), Objects.requireNonNull(peerCa, "peerCa"));
  }

  public TlsIdentity identity() {
    return identity;
  }

  /**
   * Looks at the files and, when they changed and hold whole material, serves it from now on.
   * Returns what the watch found ({@link TlsFileWatch.Check.Status#CHANGED} once per rotation
   * taken); on {@link TlsFileWatch.Check.Status#INCONSISTENT} the old material stays.
   */
  public synchronized TlsFileWatch.Check refresh() {
    TlsFileWatch.Check c = watch.check();
    if (c.status() == TlsFileWatch.Check.Status.CHANGED) {
      try {
        install(c.material());
      } catch (IllegalStateException e) {
        watch.again();
        return new TlsFileWatch.Check(
            TlsFileWatch.Check.Status.INCONSISTENT, null, e.getMessage(), null);
      }
    }
    return c;
  }

  /** The leaf certificate served now. */
  public X509Certificate certificate() {
    return current.material().certificate();
  }

  /** The number of the generation served now: 1 at start, one more per rotation taken. */
  public long generation() {
    return current.number();
  }

  /** The key manager that always presents the current certificate (server and client side). */
  public X509ExtendedKeyManager keyManager() {
    return keyManager;
  }

  /** The trust manager that always trusts the current CA file's certificates (PKIX). */
  public X509ExtendedTrustManager trustManager() {
    return trustManager;
  }

  /**
   * A new TLS 1.3 context over {@link #keyManager()} and {@link #trustManager()}. A server builds
   * one and keeps it; a client that must not resume a session made with an older certificate builds
   * one per {@link #generation()}.
   *
   * @throws IllegalStateException if the JDK offers no TLS 1.3 context
   */
  public SSLContext newSslContext() {
    try {
      SSLContext context = SSLContext.getInstance(TlsIdentity.TLS_VERSION);
      context.init(new KeyManager[] {keyManager}, new TrustManager[] {trustManager}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a TLS context for " + identity + ": " + e, e);
    }
  }

  /**
   * For a client: looks at the files ({@link #refresh()}) and returns the TLS 1.3 context of the
   * current generation — the same object until a rotation is taken, a new one after it, so a
   * connection made after a rotation starts a full handshake and cannot resume a session made with
   * the old certificate (on a resumption the server would see the old session's certificate).
   */
  public synchronized SSLContext clientContext() {
    refresh();
    if (clientContext == null || clientContextGeneration != current.number()) {
      clientContext = newSslContext();
      clientContextGeneration = current.number();
    }
    return clientContext;
  }

  private synchronized void install(TlsFileWatch.Material material) {
    long number = current == null ? 1 : current.number() + 1;
    Generation g =
        new Generation(
            number,
            ALIAS_PREFIX + number,
            material,
            pkix(
                peerCa == null
                    ? material.authorities()
                    : TlsFileWatch.certificates(peerCa, identity)));
    recent.put(g.alias(), g);
    while (recent.size() > KEPT) {
      recent.remove(recent.keySet().iterator().next());
    }
    current = g;
  }

  private synchronized Generation byAlias(String alias) {
    return alias == null ? null : recent.get(alias);
  }

  private X509ExtendedTrustManager pkix(List<X509Certificate> authorities) {
    try {
      KeyStore anchors = KeyStore.getInstance("PKCS12");
      anchors.load(null, null);
      for (int i = 0; i < authorities.size(); i++) {
        anchors.setCertificateEntry("ca-" + i, authorities.get(i));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(anchors);
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509ExtendedTrustManager x) {
          return x;
        }
      }
      throw new IllegalStateException("the JDK's PKIX trust manager factory made no X.509 one");
    } catch (java.io.IOException | GeneralSecurityException e) {
      throw new IllegalStateException(
          "cannot trust the CA file " + (peerCa == null ? identity.caCert() : peerCa) + ": " + e,
          e);
    }
  }

  /** Whether the current key can serve {@code keyType} (as JSSE names it). */
  private static boolean serves(Generation g, String keyType) {
    String alg = g.material().key().getAlgorithm();
    return alg.equals(keyType)
        || ("EdDSA".equals(keyType) && (alg.equals("Ed25519") || alg.equals("Ed448")));
  }

  private String alias(String[] keyTypes) {
    Generation g = current;
    if (keyTypes != null) {
      for (String t : keyTypes) {
        if (serves(g, t)) {
          return g.alias();
        }
      }
    }
    return null;
  }

  private final class KeyManagerImpl extends X509ExtendedKeyManager {
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      String a = alias(new String[] {keyType});
      return a == null ? null : new String[] {a};
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return alias(keyType);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      return alias(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return alias(new String[] {keyType});
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return alias(new String[] {keyType});
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      Generation g = byAlias(alias);
      return g == null ? null : g.material().chain().toArray(new X509Certificate[0]);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      Generation g = byAlias(alias);
      return g == null ? null : g.material().key();
    }
  }

  private final class TrustManagerImpl extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      current.trust().checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      current.trust().checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      current.trust().checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      current.trust().checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      current.trust().checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      current.trust().checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return current.trust().getAcceptedIssuers();
    }
  }
}
