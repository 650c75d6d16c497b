package dev.strongroom.kit.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.tls.LiveTlsIdentity;
import dev.strongroom.contracts.tls.TlsFileWatch;
import dev.strongroom.contracts.tls.TlsIdentity;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One SSL context, built once over a {@link LiveTlsIdentity}, serves real TLS 1.3 handshakes before
 * and after its files are rotated: the new certificate on the next handshake, nothing swapped; a
 * half-written rotation or a certificate of another CA is not taken, and handshakes go on with the
 * old pair.
 */
class LiveTlsIdentityTest {
  /** An identity whose certificate may serve TLS (a service's). */
  private static final String SERVER = "crypto-service";

  private final ExecutorService executor = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  @Test
  void rotatedFiles_areServedOnTheNextHandshake_byTheSameContext(@TempDir Path tmp)
      throws Exception {
    PkiDirectory pki = PkiDirectory.open(tmp, PkiSpec.strongroom(List.of()));
    pki.ensure();
    LiveTlsIdentity live = LiveTlsIdentity.open(pki.identity(SERVER));
    BigInteger first = live.certificate().getSerialNumber();
    try (SSLServerSocket server = server(live.newSslContext())) {
      assertEquals(first, servedSerial(server, pki.identity("operator")));

      X509Certificate rotated = pki.rotateClient(SERVER, false).certificate();
      assertEquals(first, servedSerial(server, pki.identity("operator")), "not looked at yet");
      TlsFileWatch.Check c = live.refresh();
      assertEquals(TlsFileWatch.Check.Status.CHANGED, c.status(), c.detail());
      assertEquals(2, live.generation());
      assertEquals(rotated.getSerialNumber(), servedSerial(server, pki.identity("operator")));
      assertEquals(TlsFileWatch.Check.Status.UNCHANGED, live.refresh().status());
    }
  }

  @Test
  void certificateWithoutItsKey_isNotTaken_andHandshakesGoOnWithTheOldPair(@TempDir Path tmp)
      throws Exception {
    PkiDirectory pki = PkiDirectory.open(tmp.resolve("pki"), PkiSpec.strongroom(List.of()));
    pki.ensure();
    TlsIdentity files = copy(pki.identity(SERVER), tmp.resolve("live"));
    LiveTlsIdentity live = LiveTlsIdentity.open(files);
    BigInteger first = live.certificate().getSerialNumber();
    var next = pki.issueAnother(SERVER, Files.createDirectories(tmp.resolve("next")));
    Files.copy(next.certPem(), files.cert(), StandardCopyOption.REPLACE_EXISTING); // key not yet

    try (SSLServerSocket server = server(live.newSslContext())) {
      TlsFileWatch.Check half = live.refresh();
      assertEquals(TlsFileWatch.Check.Status.INCONSISTENT, half.status());
      assertTrue(half.detail().contains("does not belong to the certificate"), half.detail());
      assertEquals(first, servedSerial(server, pki.identity("operator")));

      Files.copy(next.keyPem(), files.key(), StandardCopyOption.REPLACE_EXISTING);
      assertEquals(TlsFileWatch.Check.Status.CHANGED, live.refresh().status());
      assertEquals(
          next.certificate().getSerialNumber(), servedSerial(server, pki.identity("operator")));
    }
  }

  @Test
  void pairOfAnotherCa_isNotTaken(@TempDir Path tmp) throws Exception {
    PkiDirectory pki = PkiDirectory.open(tmp.resolve("pki"), PkiSpec.strongroom(List.of()));
    pki.ensure();
    PkiDirectory stranger = PkiDirectory.open(tmp.resolve("other"), PkiSpec.strongroom(List.of()));
    stranger.ensure();
    TlsIdentity files = copy(pki.identity(SERVER), tmp.resolve("live"));
    LiveTlsIdentity live = LiveTlsIdentity.open(files);
    BigInteger first = live.certificate().getSerialNumber();
    Files.copy(stranger.identity(SERVER).key(), files.key(), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(stranger.identity(SERVER).cert(), files.cert(), StandardCopyOption.REPLACE_EXISTING);

    TlsFileWatch.Check c = live.refresh();
    assertEquals(TlsFileWatch.Check.Status.INCONSISTENT, c.status());
    assertTrue(c.detail().contains(") is not issued by a CA of " + files.caCert()), c.detail());
    assertEquals(first, live.certificate().getSerialNumber());
  }

  /**
   * A client of an outside server (the audit plane's syslog collector, whose certificate a SIEM's
   * CA issued): its own certificate is still checked against its own CA file, and the server is
   * trusted by the other CA file alone — as the identity's own CA, that server is refused.
   */
  @Test
  void peerOfAnotherCa_isTrustedByItsOwnCaFile_andOnlyByIt(@TempDir Path tmp) throws Exception {
    PkiDirectory pki = PkiDirectory.open(tmp.resolve("pki"), PkiSpec.strongroom(List.of()));
    pki.ensure();
    PkiDirectory siem = PkiDirectory.open(tmp.resolve("siem"), PkiSpec.strongroom(List.of()));
    siem.ensure();
    TlsIdentity client = pki.identity("audit-anchor-service");
    Path siemCa = siem.identity(SERVER).caCert();
    LiveTlsIdentity collector = LiveTlsIdentity.open(siem.identity(SERVER), client.caCert());
    try (SSLServerSocket server = server(collector.newSslContext())) {
      LiveTlsIdentity toSiem = LiveTlsIdentity.open(client, siemCa);
      assertEquals(
          siem.identity(SERVER).certificate().getSerialNumber(),
          handshake(server, toSiem.clientContext()));

      LiveTlsIdentity ownCaOnly = LiveTlsIdentity.open(client);
      javax.net.ssl.SSLHandshakeException refused =
          org.junit.jupiter.api.Assertions.assertThrows(
              javax.net.ssl.SSLHandshakeException.class,
              () -> handshake(server, ownCaOnly.clientContext()));
      assertTrue(
          refused.getMessage().contains("PKIX path validation failed"), refused.getMessage());
    }
    // its own certificate must still be one its own CA issued
    IllegalStateException foreign =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalStateException.class,
            () ->
                LiveTlsIdentity.open(
                    new TlsIdentity(
                        "audit-anchor-service",
                        client.caCert(),
                        siem.identity(SERVER).cert(),
                        siem.identity(SERVER).key()),
                    siemCa));
    assertTrue(foreign.getMessage().contains("is not issued by a CA of"), foreign.getMessage());
  }

  /** A full handshake with {@code context}: the serial the server presented. */
  private BigInteger handshake(SSLServerSocket server, SSLContext context) throws Exception {
    Future<?> accepted =
        executor.submit(
            () -> {
              try (SSLSocket s = (SSLSocket) server.accept()) {
                s.setSoTimeout(10_000);
                s.startHandshake();
                s.getOutputStream().write(1);
                s.getOutputStream().flush();
              } catch (java.io.IOException refusedByTheClient) {
                // the client side's failure is what the caller asserts
              }
              return null;
            });
    try (SSLSocket s =
        (SSLSocket)
            context
                .getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
      s.setSoTimeout(10_000);
      s.startHandshake();
      assertEquals(1, s.getInputStream().read());
      return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    } finally {
      accepted.get();
    }
  }

  private static TlsIdentity copy(TlsIdentity from, Path dir) throws Exception {
    Files.createDirectories(dir);
    return new TlsIdentity(
        from.name(),
        Files.copy(from.caCert(), dir.resolve("ca.pem")),
        Files.copy(from.cert(), dir.resolve("id.pem")),
        Files.copy(from.key(), dir.resolve("id.key")));
  }

  private static SSLServerSocket server(SSLContext context) throws Exception {
    SSLServerSocket s =
        (SSLServerSocket)
            context
                .getServerSocketFactory()
                .createServerSocket(0, 5, InetAddress.getLoopbackAddress());
    s.setEnabledProtocols(new String[] {TlsIdentity.TLS_VERSION});
    s.setNeedClientAuth(true);
    return s;
  }

  /** A full handshake with a fresh client context: the serial the server presented. */
  private BigInteger servedSerial(SSLServerSocket server, TlsIdentity client) throws Exception {
    Future<?> accepted =
        executor.submit(
            () -> {
              try (SSLSocket s = (SSLSocket) server.accept()) {
                s.startHandshake();
                s.getOutputStream().write(1);
                s.getOutputStream().flush();
              }
              return null;
            });
    try (SSLSocket s =
        (SSLSocket)
            client
                .sslContext()
                .getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
      s.setSoTimeout(10_000);
      s.startHandshake();
      assertEquals(1, s.getInputStream().read());
      accepted.get();
      return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }
}
