package dev.strongroom.auditanchor.syslog;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Syslog over UDP (RFC 5426): one message per datagram, no framing. A message longer than {@code
 * maxSize} octets is refused rather than truncated (RFC 5426 §3.2 allows truncation, but a cut
 * checkpoint note no longer verifies); receivers must take 480 octets over IPv4, should take 2048,
 * and the default here is 2048. UDP gives no delivery guarantee: use TCP or TLS where a lost
 * message matters (the WORM store and the Kafka topic carry every checkpoint regardless).
 */
public final class UdpSyslogTransport implements SyslogTransport {
  /** The default largest datagram (RFC 5426 §3.2's SHOULD). */
  public static final int DEFAULT_MAX_SIZE = 2048;

  private final InetSocketAddress collector;
  private final String host;
  private final int maxSize;
  private DatagramSocket socket;

  public UdpSyslogTransport(String host, int port, int maxSize) {
    this.host = Objects.requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("syslog port out of range: " + port);
    }
    if (maxSize < 480 || maxSize > 65_507) {
      throw new IllegalArgumentException("syslog UDP max size must be 480..65507: " + maxSize);
    }
    this.collector = new InetSocketAddress(host, port);
    this.maxSize = maxSize;
  }

  @Override
  public synchronized void send(byte[] message) throws IOException {
    if (message.length > maxSize) {
      throw new IOException(
          "syslog message of "
              + message.length
              + " octets exceeds the UDP maximum of "
              + maxSize
              + " (not truncated: a cut checkpoint does not verify)");
    }
    if (collector.isUnresolved()) {
      throw new IOException("cannot resolve the syslog collector " + host);
    }
    if (socket == null) {
      socket = new DatagramSocket();
    }
    socket.send(new DatagramPacket(message, message.length, collector));
  }

  @Override
  public String target() {
    return "udp://" + host + ":" + collector.getPort();
  }

  @Override
  public synchronized void close() {
    if (socket != null) {
      socket.close();
      socket = null;
    }
  }
}
