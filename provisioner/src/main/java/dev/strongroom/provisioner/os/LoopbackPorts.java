package dev.strongroom.provisioner.os;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Free TCP ports on the loopback address, for the processes the stack and the tests start (a
 * private MariaDB, the Kafka broker, a service's HTTP port). The one copy: every module asks here.
 *
 * <p>A port is free when the OS hands it out; it stays free only until someone else binds it, so
 * callers bind it soon. 3306 is never handed out (a host's own MySQL may want it back).
 */
public final class LoopbackPorts {
  private static final int MYSQL_DEFAULT = 3306;

  private LoopbackPorts() {}

  /** One free loopback port. */
  public static int free() {
    return free(1)[0];
  }

  /** {@code count} free loopback ports, distinct from each other (all held open while chosen). */
  public static int[] free(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      int i = 0;
      while (i < count) {
        ServerSocket socket = new ServerSocket();
        sockets.add(socket);
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0));
        if (socket.getLocalPort() != MYSQL_DEFAULT) {
          ports[i++] = socket.getLocalPort();
        }
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free loopback port", e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // nothing was accepted on it
        }
      }
    }
  }
}
