package dev.strongroom.provisioner.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {
  @Test
  void ports_areDistinct_bindableOnLoopback_andNever3306() throws Exception {
    int[] ports = LoopbackPorts.free(5);
    assertEquals(5, Arrays.stream(ports).distinct().count());
    for (int port : ports) {
      assertNotEquals(3306, port);
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port));
        assertEquals(port, s.getLocalPort());
      }
    }
  }
}
