package dev.strongroom.devstack.testing;

import dev.strongroom.contracts.tls.TlsIdentity;
import dev.strongroom.provisioner.pki.Credential;
import dev.strongroom.provisioner.pki.PkiDirectory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A loopback syslog collector for tests: TLS 1.3 on {@code 127.0.0.1} with the PKI's server
 * certificate, client certificates required and chained to the PKI's CA, RFC 5425 octet-counted
 * frames parsed strictly (a malformed length ends the connection). Keeps every message with the
 * subject of the client certificate that sent it. {@link #stop} takes it down (listener and live
 * connections closed, as a collector that dies), {@link #restart} brings it back on the same port.
 */
public final class TlsSyslogCollector implements AutoCloseable {
  /** One message as received. */
  public record Message(String clientSubject, byte[] bytes) {
    public String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private final TlsIdentity id;
  private final int port;
  private final List<Message> messages = new CopyOnWriteArrayList<>();
  private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
  private volatile SSLServerSocket server;

  private TlsSyslogCollector(TlsIdentity id, SSLServerSocket server) {
    this.id = id;
    this.port = server.getLocalPort();
    listen(server);
  }

  /** Starts a collector on a free loopback port. */
  public static TlsSyslogCollector start(PkiDirectory pki) throws IOException {
    Credential c = pki.server();
    TlsIdentity id = new TlsIdentity("syslog-collector", pki.caCertPem(), c.certPem(), c.keyPem());
    return new TlsSyslogCollector(id, bind(id, 0));
  }

  private static SSLServerSocket bind(TlsIdentity id, int port) throws IOException {
    SSLServerSocket s =
        (SSLServerSocket) id.sslContext().getServerSocketFactory().createServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port), 16);
    s.setNeedClientAuth(true);
    s.setEnabledProtocols(new String[] {TlsIdentity.TLS_VERSION});
    return s;
  }

  private void listen(SSLServerSocket s) {
    server = s;
    Thread acceptor = new Thread(() -> acceptLoop(s), "syslog-collector");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return port;
  }

  /** Takes the collector down as if it died: no listener, every connection closed. */
  public synchronized void stop() {
    close();
    for (Socket c : connections) {
      try {
        c.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }

  /** Brings a stopped collector back on its port; it keeps the messages it had. */
  public synchronized void restart() throws IOException {
    if (!server.isClosed()) {
      return;
    }
    listen(bind(id, port));
  }

  /** Every message received so far, in arrival order. */
  public List<Message> messages() {
    return List.copyOf(messages);
  }

  private void acceptLoop(SSLServerSocket s) {
    while (!s.isClosed()) {
      try {
        Socket c = s.accept();
        connections.add(c);
        Thread t = new Thread(() -> read((SSLSocket) c), "syslog-collector-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void read(SSLSocket c) {
    try (c) {
      c.startHandshake();
      String subject =
          ((java.security.cert.X509Certificate) c.getSession().getPeerCertificates()[0])
              .getSubjectX500Principal()
              .getName();
      InputStream in = c.getInputStream();
      while (true) {
        ByteArrayOutputStream len = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != ' ') {
          if (b < 0) {
            return;
          }
          if (b < '0' || b > '9' || (len.size() == 0 && b == '0') || len.size() > 9) {
            return; // not an octet count
          }
          len.write(b);
        }
        int n = Integer.parseInt(len.toString(StandardCharsets.US_ASCII));
        byte[] msg = in.readNBytes(n);
        if (msg.length != n) {
          return;
        }
        messages.add(new Message(subject, msg));
      }
    } catch (IOException e) {
      // a refused handshake or a dropped connection: nothing more from this peer
    } finally {
      connections.remove(c);
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
