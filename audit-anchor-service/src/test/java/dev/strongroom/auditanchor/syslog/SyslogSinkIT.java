package dev.strongroom.auditanchor.syslog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.auditanchor.anchor.AnchorFanout;
import dev.strongroom.contracts.alert.AlertKind;
import dev.strongroom.contracts.alert.SecurityAlert;
import dev.strongroom.contracts.audit.CheckpointAnchored;
import dev.strongroom.contracts.tls.TlsIdentity;
import dev.strongroom.provisioner.os.LoopbackPorts;
import dev.strongroom.provisioner.pki.Credential;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The syslog sink against loopback collectors of our own: the exact RFC 5424 bytes, RFC 5425
 * octet-counting frames over TLS 1.3 with mutual TLS from the stack's PKI (and over plain TCP), one
 * RFC 5426 datagram per message; by attack, a collector with a certificate from another CA and one
 * at an address its certificate does not name are refused in the handshake, and nothing reaches
 * them; a collector that is down is ANCHOR_GAP and gets every checkpoint, in order, from the sink's
 * cursor once it is back; one that went away between two sends makes the second fail instead of
 * vanishing into the closed connection. (The cursor in the database across a kill -9 and a
 * takeover: {@code AnchorTakeoverIT}.)
 */
class SyslogSinkIT {
  private static final Instant AT = Instant.parse("2026-12-04T09:00:00.123Z");
  private static final Clock CLOCK = Clock.fixed(AT, ZoneOffset.UTC);
  private static final String NOTE =
      "strongroom.local/db1\n15\nfa9TBldpnKB9R6vclSRSdzxfC4/JnlmFR2GgWHoQ1jA=\n\n"
          + "\u2014 strongroom.local/db1 IdTM8rHYE9ZTMcORVtabGx4Ibb1ZFqLd9KTtl/I5TQSzkYrKiLs7JPJGaktpYpmWbB2LTbaxjqesoQvBmql1nTlNjwc=\n";

  private static Path dir;
  private static PkiDirectory pki;
  private static PkiDirectory otherPki;

  @BeforeAll
  static void pki() throws IOException {
    dir = Files.createTempDirectory("syslog-it-");
    pki = PkiDirectory.open(dir.resolve("pki"), PkiSpec.strongroom(List.of()));
    pki.ensure();
    otherPki = PkiDirectory.open(dir.resolve("other-pki"), PkiSpec.strongroom(List.of()));
    otherPki.ensure();
  }

  @AfterAll
  static void clean() throws IOException {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static CheckpointAnchored anchor(long no, long size) {
    return new CheckpointAnchored(
        no,
        "strongroom.local/db1",
        size,
        "7daf530657699ca07d47abdc952452773c5f0b8fc99e59854761a0587a10d630",
        "765b85ae9f4803d243d7672c0a49c526fa5a856d7b19a9e20c70707c68b929b4",
        NOTE,
        "checkpoints/strongroom.local_db1/20261204T090000.000Z-" + size + ".note");
  }

  private static SyslogAnchorSink sink(SyslogTransport t) {
    return new SyslogAnchorSink(t, "db-host", 4242, CLOCK);
  }

  @Test
  void message_isExactlyRfc5424() {
    byte[] m = SyslogMessage.format(anchor(7, 15), AT, "db-host", 4242);
    String expected =
        "<109>1 2026-12-04T09:00:00.123Z db-host strongroom-audit-anchor 4242 checkpoint"
            + " [checkpoint@32473 anchorNo=\"7\" origin=\"strongroom.local/db1\" size=\"15\""
            + " root=\"7daf530657699ca07d47abdc952452773c5f0b8fc99e59854761a0587a10d630\""
            + " head=\"765b85ae9f4803d243d7672c0a49c526fa5a856d7b19a9e20c70707c68b929b4\""
            + " object=\"checkpoints/strongroom.local_db1/20261204T090000.000Z-15.note\"] \uFEFF"
            + NOTE;
    assertEquals(expected, new String(m, StandardCharsets.UTF_8));
    // the BOM's three octets sit right before the note, which follows byte for byte
    byte[] note = NOTE.getBytes(StandardCharsets.UTF_8);
    int at = m.length - note.length;
    assertArrayEquals(
        new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
        java.util.Arrays.copyOfRange(m, at - 3, at));
  }

  @Test
  void paramValues_areEscaped_soAValueCannotCloseTheElement() {
    CheckpointAnchored hostile =
        new CheckpointAnchored(
            1, "evil\"] [x@1 y=\"z\\", 0, "0".repeat(64), "0".repeat(64), NOTE, "o");
    String m = new String(SyslogMessage.format(hostile, AT, "h", 1), StandardCharsets.UTF_8);
    assertTrue(
        m.contains(" origin=\"evil\\\"\\] [x@1 y=\\\"z\\\\\" size=\"0\""), m.substring(0, 160));
    assertEquals(
        "syslog hostname must be printable US-ASCII without spaces: db host",
        assertThrows(
                IllegalArgumentException.class,
                () -> SyslogMessage.format(anchor(1, 1), AT, "db host", 1))
            .getMessage());
  }

  @Test
  void tls_sendsOctetCountedFrames_withMutualTls13() throws Exception {
    try (SSLServerSocket server = tlsCollector(pki, "127.0.0.1")) {
      CompletableFuture<Received> got = acceptFrames(server, 2);
      TcpSyslogTransport t =
          new TcpSyslogTransport(
              "127.0.0.1", server.getLocalPort(), identity(pki, "audit-anchor-service"));
      try (t) {
        SyslogAnchorSink s = sink(t);
        assertEquals("syslog:tls://127.0.0.1:" + server.getLocalPort(), s.name());
        s.send(anchor(1, 14));
        s.send(anchor(2, 15));
      }
      Received r = got.get(20, TimeUnit.SECONDS);
      assertEquals("TLSv1.3", r.protocol());
      assertTrue(
          r.peer().startsWith("CN=audit-anchor-service,"), "client certificate: " + r.peer());
      byte[] m1 = SyslogMessage.format(anchor(1, 14), AT, "db-host", 4242);
      byte[] m2 = SyslogMessage.format(anchor(2, 15), AT, "db-host", 4242);
      assertEquals(List.of(m1.length, m2.length), r.lengths());
      ByteArrayOutputStream wire = new ByteArrayOutputStream();
      wire.writeBytes((m1.length + " ").getBytes(StandardCharsets.US_ASCII));
      wire.writeBytes(m1);
      wire.writeBytes((m2.length + " ").getBytes(StandardCharsets.US_ASCII));
      wire.writeBytes(m2);
      assertArrayEquals(wire.toByteArray(), r.bytes(), "exactly two frames, nothing else");
    }
  }

  /**
   * Issue 15: the service's certificate is rotated while the TLS transport runs; the collector
   * closes the first connection, and the next one — the same transport object, no restart —
   * presents the new certificate (the context comes from {@link
   * dev.strongroom.contracts.tls.LiveTlsIdentity#clientContext()} at each connection).
   */
  @Test
  void tls_aRotatedClientCertificate_isPresentedOnTheNextConnection_withoutARestart()
      throws Exception {
    PkiDirectory own =
        PkiDirectory.open(dir.resolve("rotating-pki"), PkiSpec.strongroom(List.of()));
    own.ensure();
    String name = "audit-anchor-service";
    java.math.BigInteger before = own.identity(name).certificate().getSerialNumber();
    dev.strongroom.contracts.tls.LiveTlsIdentity live =
        dev.strongroom.contracts.tls.LiveTlsIdentity.open(own.identity(name));
    try (SSLServerSocket server = tlsCollector(own, "127.0.0.1");
        TcpSyslogTransport t =
            TcpSyslogTransport.withTls("127.0.0.1", server.getLocalPort(), live::clientContext)) {
      SyslogAnchorSink s = sink(t);
      CompletableFuture<java.math.BigInteger> first = peerSerialOfOneFrame(server);
      s.send(anchor(1, 1));
      assertEquals(before, first.get(20, TimeUnit.SECONDS));

      java.math.BigInteger after = own.rotateClient(name, false).certificate().getSerialNumber();
      CompletableFuture<java.math.BigInteger> second = peerSerialOfOneFrame(server);
      s.send(anchor(2, 2)); // the collector closed the first connection: a new one
      assertEquals(after, second.get(20, TimeUnit.SECONDS));
    }
  }

  /** Accepts one TLS connection, reads one frame, closes it: the client certificate's serial. */
  private static CompletableFuture<java.math.BigInteger> peerSerialOfOneFrame(
      SSLServerSocket server) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (SSLSocket c = (SSLSocket) server.accept()) {
            c.setSoTimeout(15_000);
            c.startHandshake();
            java.math.BigInteger serial =
                ((java.security.cert.X509Certificate) c.getSession().getPeerCertificates()[0])
                    .getSerialNumber();
            InputStream in = c.getInputStream();
            StringBuilder len = new StringBuilder();
            int b;
            while ((b = in.read()) != ' ') {
              if (b < 0) {
                throw new IOException("no frame");
              }
              len.append((char) b);
            }
            int n = Integer.parseInt(len.toString());
            assertEquals(n, in.readNBytes(n).length, "a whole frame");
            return serial;
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
  }

  @Test
  void tls_aCollectorWithAnotherCasCertificate_isRefused_andGetsNothing() throws Exception {
    try (SSLServerSocket server = tlsCollector(otherPki, "127.0.0.1")) {
      CompletableFuture<Received> got = acceptFrames(server, 1);
      try (TcpSyslogTransport t =
          new TcpSyslogTransport(
              "127.0.0.1", server.getLocalPort(), identity(pki, "audit-anchor-service"))) {
        SSLHandshakeException e =
            assertThrows(SSLHandshakeException.class, () -> sink(t).send(anchor(1, 1)));
        // both CAs carry the same name: the path is built, and fails at the trust anchor
        assertEquals(
            "PKIX path validation failed: java.security.cert.CertPathValidatorException: Path"
                + " does not chain with any of the trust anchors",
            e.getMessage());
      }
      assertEquals(
          0, got.handle((r, x) -> r == null ? 0 : r.bytes().length).get(20, TimeUnit.SECONDS));
    }
  }

  @Test
  void tls_aCollectorAtAnAddressItsCertificateDoesNotName_isRefused() throws Exception {
    try (SSLServerSocket server = tlsCollector(pki, "127.0.0.2")) {
      CompletableFuture<Received> got = acceptFrames(server, 1);
      try (TcpSyslogTransport t =
          new TcpSyslogTransport(
              "127.0.0.2", server.getLocalPort(), identity(pki, "audit-anchor-service"))) {
        SSLHandshakeException e =
            assertThrows(SSLHandshakeException.class, () -> sink(t).send(anchor(1, 1)));
        assertEquals(
            "No subject alternative names matching IP address 127.0.0.2 found", e.getMessage());
      }
      assertEquals(
          0, got.handle((r, x) -> r == null ? 0 : r.bytes().length).get(20, TimeUnit.SECONDS));
    }
  }

  @Test
  void tcp_sendsOctetCountedFrames() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Received> got = acceptFrames(server, 1);
      try (TcpSyslogTransport t =
          new TcpSyslogTransport("127.0.0.1", server.getLocalPort(), null)) {
        sink(t).send(anchor(3, 16));
      }
      byte[] m = SyslogMessage.format(anchor(3, 16), AT, "db-host", 4242);
      assertArrayEquals(TcpSyslogTransport.frame(m), got.get(20, TimeUnit.SECONDS).bytes());
      assertArrayEquals(
          (m.length + " ").getBytes(StandardCharsets.US_ASCII),
          java.util.Arrays.copyOf(TcpSyslogTransport.frame(m), (m.length + " ").length()));
    }
  }

  @Test
  void udp_sendsOneDatagramPerMessage_andRefusesToTruncate() throws Exception {
    try (DatagramSocket collector =
        new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      collector.setSoTimeout(10_000);
      try (UdpSyslogTransport t =
          new UdpSyslogTransport(
              "127.0.0.1", collector.getLocalPort(), UdpSyslogTransport.DEFAULT_MAX_SIZE)) {
        assertEquals("syslog:udp://127.0.0.1:" + collector.getLocalPort(), sink(t).name());
        sink(t).send(anchor(4, 17));
        sink(t).send(anchor(5, 18));
      }
      for (long no = 4; no <= 5; no++) {
        DatagramPacket p = new DatagramPacket(new byte[65_536], 65_536);
        collector.receive(p);
        assertArrayEquals(
            SyslogMessage.format(anchor(no, no + 13), AT, "db-host", 4242),
            java.util.Arrays.copyOf(p.getData(), p.getLength()),
            "one datagram = one message, no framing");
      }
      byte[] m = SyslogMessage.format(anchor(6, 19), AT, "db-host", 4242);
      try (UdpSyslogTransport small =
          new UdpSyslogTransport("127.0.0.1", collector.getLocalPort(), 480)) {
        IOException e = assertThrows(IOException.class, () -> sink(small).send(anchor(6, 19)));
        assertEquals(
            "syslog message of "
                + m.length
                + " octets exceeds the UDP maximum of 480 (not truncated: a cut checkpoint does"
                + " not verify)",
            e.getMessage());
      }
    }
  }

  /** The backlog and cursors of the fanout, as the database and WORM store would keep them. */
  private static final class Written implements AnchorFanout.Backlog, AnchorFanout.Cursors {
    final List<CheckpointAnchored> written = new ArrayList<>();
    final Map<String, Long> cursors = new HashMap<>();
    final List<String> records = new ArrayList<>();

    @Override
    public long through() {
      return written.isEmpty() ? 0 : written.get(written.size() - 1).anchorNo();
    }

    @Override
    public List<CheckpointAnchored> after(long anchorNo, int max) {
      return written.stream().filter(a -> a.anchorNo() > anchorNo).limit(max).toList();
    }

    @Override
    public OptionalLong get(String sink) {
      Long c = cursors.get(sink);
      return c == null ? OptionalLong.empty() : OptionalLong.of(c);
    }

    @Override
    public void record(String sink, long anchorNo, boolean start) {
      cursors.merge(sink, anchorNo, Math::max);
      records.add((start ? "start " : "sent ") + anchorNo);
    }
  }

  @Test
  void aCollectorThatIsDown_isAnchorGap_andGetsEveryCheckpointInOrderOnceBack() throws Exception {
    int port = LoopbackPorts.free();
    String name = "syslog:tcp://127.0.0.1:" + port;
    List<SecurityAlert> alerts = new ArrayList<>();
    Written w = new Written();
    Duration budget = Duration.ofSeconds(30);
    try (TcpSyslogTransport t = new TcpSyslogTransport("127.0.0.1", port, null)) {
      AnchorFanout fanout = new AnchorFanout(List.of(sink(t)), alerts::add);
      w.written.addAll(List.of(anchor(1, 10), anchor(2, 11)));
      List<SecurityAlert> raised = fanout.deliver(w, w, 1, budget);
      assertEquals(1, raised.size());
      SecurityAlert gap = raised.get(0);
      assertEquals(AlertKind.ANCHOR_GAP, gap.kind());
      assertEquals(name, gap.related().get("sink"));
      assertEquals(1L, gap.related().get("anchorNo"));
      assertEquals(0L, gap.related().get("cursor"));
      assertEquals(2L, gap.related().get("pending"));
      assertTrue(
          gap.detail()
              .startsWith(
                  "checkpoint checkpoints/strongroom.local_db1/20261204T090000.000Z-10.note could"
                      + " not be sent to "
                      + name
                      + " (2 behind; retried every interval from its cursor, never skipped): "),
          gap.detail());
      assertEquals(raised, alerts);
      assertEquals(List.of("start 0"), w.records, "a new sink's start, before its first send");
      // the next interval, still down: one more alert; then the collector is back
      w.written.add(anchor(3, 12));
      assertEquals(1, fanout.deliver(w, w, 3, budget).size());
      assertEquals(3, fanout.behind(name));
      try (ServerSocket server = new ServerSocket(port, 5, InetAddress.getLoopbackAddress())) {
        CompletableFuture<Received> got = acceptFrames(server, 4);
        w.written.add(anchor(4, 13));
        assertEquals(List.of(), fanout.deliver(w, w, 4, budget));
        assertEquals(0, fanout.behind(name));
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (long no = 1; no <= 4; no++) {
          wire.writeBytes(
              TcpSyslogTransport.frame(
                  SyslogMessage.format(anchor(no, no + 9), AT, "db-host", 4242)));
        }
        assertArrayEquals(wire.toByteArray(), got.get(20, TimeUnit.SECONDS).bytes());
      }
      assertEquals(List.of("start 0", "sent 1", "sent 2", "sent 3", "sent 4"), w.records);
    }
  }

  /**
   * By attack: the collector takes one message, then goes away (its connection closed, nothing
   * listening). TCP would accept the next write into the local buffer and lose it; the transport
   * sees the closed connection first, so the send fails (and is retried), it does not "succeed".
   */
  @Test
  void aCollectorThatWentAway_failsTheNextSend_itIsNotWrittenIntoTheDeadConnection()
      throws Exception {
    int port = LoopbackPorts.free();
    try (TcpSyslogTransport t = new TcpSyslogTransport("127.0.0.1", port, null)) {
      try (ServerSocket server = new ServerSocket(port, 5, InetAddress.getLoopbackAddress())) {
        CompletableFuture<Received> got = acceptFrames(server, 1);
        sink(t).send(anchor(1, 10));
        assertEquals(1, got.get(20, TimeUnit.SECONDS).lengths().size());
      }
      Thread.sleep(200); // the collector's FIN reaches us
      assertThrows(java.net.ConnectException.class, () -> sink(t).send(anchor(2, 11)));
    }
  }

  // --- the loopback collector ---

  private record Received(byte[] bytes, List<Integer> lengths, String protocol, String peer) {}

  private static javax.net.ssl.SSLContext identity(PkiDirectory p, String name) {
    return p.identity(name).sslContext();
  }

  private static SSLServerSocket tlsCollector(PkiDirectory p, String address) throws IOException {
    Credential server = p.server();
    TlsIdentity id = new TlsIdentity("collector", p.caCertPem(), server.certPem(), server.keyPem());
    SSLServerSocket s =
        (SSLServerSocket)
            id.sslContext()
                .getServerSocketFactory()
                .createServerSocket(0, 5, InetAddress.getByName(address));
    s.setNeedClientAuth(true);
    s.setEnabledProtocols(new String[] {"TLSv1.3"});
    return s;
  }

  /**
   * Accepts one connection and reads {@code frames} octet-counted frames (or until the peer
   * closes), returning every byte read, the frames' lengths, and for TLS the protocol and the
   * client certificate's subject.
   */
  private static CompletableFuture<Received> acceptFrames(ServerSocket server, int frames) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Socket c = server.accept()) {
            c.setSoTimeout(15_000);
            String protocol = "";
            String peer = "";
            if (c instanceof SSLSocket tls) {
              try {
                tls.startHandshake();
              } catch (IOException refused) {
                return new Received(new byte[0], List.of(), "", "");
              }
              protocol = tls.getSession().getProtocol();
              peer =
                  ((java.security.cert.X509Certificate) tls.getSession().getPeerCertificates()[0])
                      .getSubjectX500Principal()
                      .getName();
            }
            InputStream in = c.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            List<Integer> lengths = new ArrayList<>();
            for (int i = 0; i < frames; i++) {
              StringBuilder len = new StringBuilder();
              int b;
              while ((b = in.read()) != ' ') {
                if (b < 0) {
                  return new Received(all.toByteArray(), lengths, protocol, peer);
                }
                all.write(b);
                len.append((char) b);
              }
              all.write(' ');
              int n = Integer.parseInt(len.toString());
              assertTrue(len.charAt(0) != '0', "MSG-LEN has no leading zero");
              byte[] msg = in.readNBytes(n);
              assertEquals(n, msg.length, "a whole frame");
              all.writeBytes(msg);
              lengths.add(n);
            }
            return new Received(all.toByteArray(), lengths, protocol, peer);
          } catch (IOException e) {
            return new Received(new byte[0], List.of(), "", e.toString());
          }
        });
  }
}
