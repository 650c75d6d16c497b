package dev.strongroom.auditanchor.syslog;

import java.io.IOException;

/** How a syslog message reaches the collector. */
public interface SyslogTransport extends AutoCloseable {
  /** Sends one RFC 5424 message; returns when it is handed to the network. */
  void send(byte[] message) throws IOException;

  /** Where messages go ({@code tls://host:port}, {@code tcp://…}, {@code udp://…}). */
  String target();

  @Override
  void close();
}
