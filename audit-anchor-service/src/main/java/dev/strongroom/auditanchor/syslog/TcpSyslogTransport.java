package dev.strongroom.auditanchor.syslog;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Syslog over one TCP connection with octet counting: each frame is {@code MSG-LEN SP SYSLOG-MSG},
 * {@code MSG-LEN} the message's length in octets, in decimal without leading zeros (RFC 5425 §4.3;
 * over plain TCP the same framing is RFC 6587 §3.4.1). With an {@link SSLContext} the connection is
 * TLS 1.3 (RFC 5425 over TLS), the collector's certificate must chain to the context's CA and name
 * the host (endpoint identification {@code HTTPS}), and the context's own certificate is presented
 * for mutual TLS. The connection is opened on the first send and again after a failure; a failed
 * send is thrown (the fanout keeps its cursor and retries from there next interval — the collector
 * may then see a message twice, never a gap).
 *
 * <p>Syslog over TCP has no acknowledgement: a write succeeds once the bytes are in the local
 * kernel's buffer, so the first write after the collector went away would "succeed" into a dead
 * connection and be lost. Before each send on a connection it already holds, the transport
 * therefore reads it for one millisecond (a collector sends nothing): end of stream or an error
 * means the collector closed or reset it, and the message goes over a new connection — or fails,
 * and is retried. What remains is a collector that dies within the same instant as the write; only
 * an acknowledging transport (the {@code strongroom.audit.anchors} topic) closes that.
 */
public final class TcpSyslogTransport implements SyslogTransport {
  private static final int CONNECT_TIMEOUT_MS = 5000;
  private static final int WRITE_TIMEOUT_MS = 10_000;

  private final String host;
  private final int port;
  private final Supplier<SSLContext> tls;
  private Socket socket;

  /** {@code tls} null: plain TCP. */
  public TcpSyslogTransport(String host, int port, SSLContext tls) {
    this(tls == null ? null : () -> tls, host, port);
  }

  /**
   * TLS with the context {@code tls} gives at each new connection (a {@link
   * dev.strongroom.contracts.tls.LiveTlsIdentity#clientContext()}: a rotated client certificate is
   * presented from the next connection on, without a restart).
   */
  public static TcpSyslogTransport withTls(String host, int port, Supplier<SSLContext> tls) {
    return new TcpSyslogTransport(Objects.requireNonNull(tls, "tls"), host, port);
  }

  private TcpSyslogTransport(Supplier<SSLContext> tls, String host, int port) {
    this.host = Objects.requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("syslog port out of range: " + port);
    }
    this.port = port;
    this.tls = tls;
  }

  /** One frame: the octet count, a space, the message. */
  public static byte[] frame(byte[] message) {
    if (message.length == 0) {
      throw new IllegalArgumentException("an empty syslog message");
    }
    byte[] len = (message.length + " ").getBytes(StandardCharsets.US_ASCII);
    byte[] f = new byte[len.length + message.length];
    System.arraycopy(len, 0, f, 0, len.length);
    System.arraycopy(message, 0, f, len.length, message.length);
    return f;
  }

  @Override
  public synchronized void send(byte[] message) throws IOException {
    byte[] f = frame(message);
    try {
      OutputStream out = connect().getOutputStream();
      out.write(f);
      out.flush();
    } catch (IOException e) {
      close();
      throw e;
    }
  }

  private Socket connect() throws IOException {
    if (socket != null && !socket.isClosed()) {
      if (!peerGone(socket)) {
        return socket;
      }
      close();
    }
    Socket s = new Socket();
    try {
      s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
      s.setSoTimeout(WRITE_TIMEOUT_MS);
      s.setKeepAlive(true);
      if (tls != null) {
        SSLSocket t = (SSLSocket) tls.get().getSocketFactory().createSocket(s, host, port, true);
        SSLParameters p = t.getSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3"});
        p.setEndpointIdentificationAlgorithm("HTTPS");
        t.setSSLParameters(p);
        t.startHandshake();
        s = t;
      }
    } catch (IOException e) {
      s.close();
      throw e;
    }
    socket = s;
    return s;
  }

  /** True when the collector closed or reset {@code s} (it never sends anything itself). */
  private static boolean peerGone(Socket s) {
    try {
      s.setSoTimeout(1);
      try {
        return s.getInputStream().read() < 0;
      } finally {
        s.setSoTimeout(WRITE_TIMEOUT_MS);
      }
    } catch (java.net.SocketTimeoutException alive) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public String target() {
    return (tls == null ? "tcp://" : "tls://") + host + ":" + port;
  }

  @Override
  public synchronized void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // the connection is gone either way
      }
      socket = null;
    }
  }
}
