package dev.strongroom.provisioner.host.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.provisioner.db.ClientConnection;
import dev.strongroom.provisioner.db.ClientResult;
import dev.strongroom.provisioner.db.DbAccount;
import dev.strongroom.provisioner.db.Dialect;
import dev.strongroom.provisioner.db.InstanceLayout;
import dev.strongroom.provisioner.db.MariaDbBinaries;
import dev.strongroom.provisioner.db.MariaDbInstance;
import dev.strongroom.provisioner.db.ServerSettings;
import dev.strongroom.provisioner.db.TestInstances;
import dev.strongroom.provisioner.db.TlsFiles;
import dev.strongroom.provisioner.host.HostBundleRenderer;
import dev.strongroom.provisioner.host.HostOptions;
import dev.strongroom.provisioner.os.LoopbackPorts;
import dev.strongroom.provisioner.pki.PkiDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Certificate rotation as a plan, over SSH into a throwaway root on a real OpenSSH server ({@link
 * TestSshd}), with a real MariaDB server running on that root's files: the host plan first (users
 * and directories), then the certificates issued and installed (no server yet: reload skipped), the
 * server started on them; then a rotation of everything issued before now while a client connects
 * again and again with the app_user files it reads from the target each time — no connection is
 * refused; afterwards the server presents the new certificate (same process: reloaded, not
 * restarted), the old app_user certificate is refused as revoked, and the same rotation re-applied
 * changes nothing.
 */
class CertificateRotationIT {

  private static final Duration T = Duration.ofSeconds(30);
  private Path base;
  private TestSshd sshd;
  private MariaDbInstance db;

  @AfterEach
  void tearDown() {
    try {
      if (db != null) {
        db.stop();
      }
    } finally {
      if (sshd != null) {
        sshd.close();
      }
      TestInstances.deleteTree(base);
    }
  }

  private static final String SERVICES = "services present the new certificates";

  @Test
  void rotation_installsAndReloads_withNoRefusedConnection_thenReappliesWithNoChange()
      throws Exception {
    base = TestInstances.tempBase("sr-rot-");
    sshd = new TestSshd(base);
    TestSshd.keygen(base, "client");
    sshd.authorize(base.resolve("client.pub"));
    int sshPort = sshd.startKeyOnly();
    Path root = Files.createDirectories(base.resolve("root"));
    int dbPort = LoopbackPorts.free();
    HostOptions options = HostOptions.builder().dbPort(dbPort).build();
    PkiDirectory pki =
        PkiDirectory.open(base.resolve("provisioner-pki"), CertificatePlan.spec("127.0.0.1"));
    Path etcPki = root.resolve("etc/strongroom/pki");

    try (SshShell sh =
        SshShell.connect(
            Target.parse("ssh://root@127.0.0.1:" + sshPort),
            base.resolve("client"),
            SshShell.publicKey(Files.readString(sshd.hostPublicKey())),
            T)) {
      CertificatePlan first = new CertificatePlan(pki, options, root, null);
      // before the host plan: the PKI is issued, but there is nowhere to put the files
      PlanFailedException noDirs =
          org.junit.jupiter.api.Assertions.assertThrows(
              PlanFailedException.class, () -> first.apply(sh, PlanListener.NONE));
      assertTrue(noDirs.detail().contains("apply the host plan first"), noDirs.detail());
      assertEquals(List.of(), pki.due(), "the pki step ran before the failing file step");

      new HostPlan(HostBundleRenderer.render(options), root).apply(sh);
      List<StepResult> installed = first.apply(sh, PlanListener.NONE);
      assertEquals(StepStatus.UNCHANGED, installed.get(0).status(), installed.toString());
      StepResult reload = installed.get(installed.size() - 3);
      assertEquals("reload tls", reload.id());
      assertEquals(StepStatus.SKIPPED, reload.status(), reload.toString());
      assertEquals(SERVICES, installed.get(installed.size() - 2).id());
      assertEquals(StepStatus.SKIPPED, installed.get(installed.size() - 2).status());
      assertEquals("revoke superseded", installed.get(installed.size() - 1).id());
      assertEquals(StepStatus.UNCHANGED, installed.get(installed.size() - 1).status());
      assertEquals(
          installed.size() - 4,
          installed.stream().filter(r -> r.status() == StepStatus.CHANGED).count(),
          installed.toString());
      assertOwnerAndMode(root, etcPki.resolve("server/server.key"), "rw-r-----", "strongroom-db");
      assertOwnerAndMode(root, etcPki.resolve("clients/app_user.key"), "rw-r-----", "strongroom");
      assertOwnerAndMode(root, etcPki.resolve("ca/crl.pem"), "rw-r--r--", "root");

      // the database server on the target's files (its socket where the plan looks for it)
      ServerSettings settings =
          ServerSettings.builder(
                  Dialect.MARIADB_10_11,
                  new InstanceLayout(Path.of(root + options.dbLayout().base().toString())),
                  new TlsFiles(
                      etcPki.resolve("ca/ca.pem"),
                      etcPki.resolve("server/server.pem"),
                      etcPki.resolve("server/server.key"),
                      etcPki.resolve("ca/crl.pem")))
              .port(dbPort)
              .bufferPoolMb(32)
              .redoLogMb(16)
              .maxConnections(30)
              .maxUserConnections(10)
              .build();
      db = MariaDbInstance.prepare(settings, MariaDbBinaries.debian());
      db.start();
      db.applyAccounts(DbAccount.strongroomIdentities(pki));
      long pid = db.pid();
      String oldServed = TlsLoginProbe.servedCertificate(dbPort);
      assertEquals(
          TlsLoginProbe.pem(Files.readString(etcPki.resolve("server/server.pem"))), oldServed);
      Path oldCert = Files.copy(etcPki.resolve("clients/app_user.pem"), base.resolve("old.pem"));
      Path oldKey = Files.copy(etcPki.resolve("clients/app_user.key"), base.resolve("old.key"));

      // once installed, a plan without a rotation instant finds nothing to do but a reload
      // (no reload recorded yet for this CRL)
      List<StepResult> settled = first.apply(sh, PlanListener.NONE);
      assertEquals(
          List.of("reload tls"),
          settled.stream()
              .filter(r -> r.status() != StepStatus.UNCHANGED && r.status() != StepStatus.SKIPPED)
              .map(r -> r.id())
              .toList(),
          settled.toString());

      // rotate everything issued before now, with a client connecting throughout
      Thread.sleep(1_100); // the instant is whole seconds: after the first issue's second
      Instant cutoff = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      CertificatePlan rotation = new CertificatePlan(pki, options, root, cutoff);
      String caFile = "file /etc/strongroom/pki/ca/ca.pem"; // the CA is kept
      // the CRL is not touched until the last step revokes the superseded certificates
      String crlFile = "file /etc/strongroom/pki/ca/crl.pem";
      List<StepResult> planned = rotation.plan(sh, PlanListener.NONE);
      assertTrue(
          planned.stream()
              .allMatch(
                  r ->
                      r.status()
                          == (r.id().equals(caFile) || r.id().equals(crlFile)
                              ? StepStatus.UNCHANGED
                              : r.id().equals(SERVICES)
                                  ? StepStatus.SKIPPED
                                  : StepStatus.WOULD_CHANGE)),
          planned.toString());
      assertEquals(
          TlsLoginProbe.pem(Files.readString(etcPki.resolve("server/server.pem"))),
          TlsLoginProbe.servedCertificate(dbPort));

      TlsLoginProbe probe = new TlsLoginProbe(db.client(), etcPki, dbPort, base);
      List<StepResult> rotated;
      long rotateMs;
      int during;
      try (probe) {
        probe.awaitMoreLogins(3);
        int atStart = probe.logins();
        long t0 = System.nanoTime();
        rotated = rotation.apply(sh, PlanListener.NONE);
        rotateMs = (System.nanoTime() - t0) / 1_000_000;
        during = probe.logins() - atStart;
        probe.awaitMoreLogins(3);
      }
      assertTrue(
          rotated.stream()
              .allMatch(
                  r ->
                      r.status()
                          == (r.id().equals(caFile) || r.id().equals(crlFile)
                              ? StepStatus.UNCHANGED
                              : r.id().equals(SERVICES) ? StepStatus.SKIPPED : StepStatus.CHANGED)),
          rotated.toString());
      // the old certificates are revoked last, after the reload
      StepResult revokeStep = rotated.get(rotated.size() - 1);
      assertEquals("revoke superseded", revokeStep.id());
      String oldSerial =
          ((java.security.cert.X509Certificate)
                  java.security.cert.CertificateFactory.getInstance("X.509")
                      .generateCertificate(Files.newInputStream(oldCert)))
              .getSerialNumber()
              .toString(16);
      assertTrue(revokeStep.detail().contains("serial " + oldSerial), revokeStep.detail());
      assertTrue(
          rotated.get(0).detail().startsWith("rotate server, app_user, auditor, migration,"),
          rotated.get(0).detail());
      assertEquals(List.of(), probe.refusals(), "logins refused during the rotation");

      String newServed = TlsLoginProbe.servedCertificate(dbPort);
      assertNotEquals(oldServed, newServed);
      assertEquals(TlsLoginProbe.pem(Files.readString(pki.server().certPem())), newServed);
      assertEquals(pid, db.pid(), "the server was restarted");
      ClientResult revoked =
          db.client()
              .execute(
                  ClientConnection.tcp(dbPort, "app_user")
                      .tls(etcPki.resolve("ca/ca.pem"), oldCert, oldKey),
                  "SELECT 1");
      assertTrue(TlsLoginProbe.REVOKED.contains(revoked.error().orElse(null)), revoked.toString());
      assertOwnerAndMode(root, etcPki.resolve("server/server.key"), "rw-r-----", "strongroom-db");

      List<StepResult> again = rotation.apply(sh, PlanListener.NONE);
      assertTrue(
          again.stream()
              .allMatch(
                  r ->
                      r.status()
                          == (r.id().equals(SERVICES) ? StepStatus.SKIPPED : StepStatus.UNCHANGED)),
          again.toString());
      System.out.printf(
          "certificate rotation over SSH, %d steps: %d ms; app_user logins: %d during it, %d in"
              + " all, %d refused, %d file pairs read mid-install (read again); old app_user: %s%n",
          rotated.size(),
          rotateMs,
          during,
          probe.logins(),
          probe.refusals().size(),
          probe.torn(),
          revoked.error().orElseThrow());
    }
  }

  /**
   * The services check before the revocation: a "service" on the target that does not reload its
   * files — {@code openssl s_server} on proof-service's installed certificate and key, found
   * through {@code /etc/strongroom/proof-service.env} — still presents the old certificate after
   * the rotation, so step {@code services} fails the plan with both serials and nothing is revoked
   * (the CRL has no entry). Restarted on its new files (the runbook's remedy), the same rotation
   * applied again finds it serving the new certificate and only then revokes every superseded one;
   * once more, nothing changes.
   */
  @Test
  void aServiceStillPresentingItsOldCertificate_failsThePlanBeforeAnythingIsRevoked()
      throws Exception {
    base = TestInstances.tempBase("sr-rot-svc-");
    sshd = new TestSshd(base);
    TestSshd.keygen(base, "client");
    sshd.authorize(base.resolve("client.pub"));
    int sshPort = sshd.startKeyOnly();
    Path root = Files.createDirectories(base.resolve("root"));
    HostOptions options = HostOptions.builder().dbPort(LoopbackPorts.free()).build();
    PkiDirectory pki =
        PkiDirectory.open(base.resolve("provisioner-pki"), CertificatePlan.spec("127.0.0.1"));
    Path etcPki = root.resolve("etc/strongroom/pki");
    int port = LoopbackPorts.free();
    Process server = null;
    try (SshShell sh =
        SshShell.connect(
            Target.parse("ssh://root@127.0.0.1:" + sshPort),
            base.resolve("client"),
            SshShell.publicKey(Files.readString(sshd.hostPublicKey())),
            T)) {
      new HostPlan(HostBundleRenderer.render(options), root).apply(sh);
      new CertificatePlan(pki, options, root, null).apply(sh, PlanListener.NONE);
      Files.writeString(
          root.resolve("etc/strongroom/proof-service.env"), "QUARKUS_HTTP_SSL_PORT=" + port + "\n");
      // copies: the plan renames new files over the installed ones, s_server keeps what it read
      Path oldCert = Files.copy(etcPki.resolve("clients/proof-service.pem"), base.resolve("o.pem"));
      Path oldKey = Files.copy(etcPki.resolve("clients/proof-service.key"), base.resolve("o.key"));
      server = tlsServer(oldCert, oldKey, port);
      java.math.BigInteger oldSerial = pki.client("proof-service").certificate().getSerialNumber();

      Thread.sleep(1_100);
      Instant cutoff = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      PlanFailedException failed =
          org.junit.jupiter.api.Assertions.assertThrows(
              PlanFailedException.class,
              () ->
                  new CertificatePlan(pki, options, root, cutoff)
                      .serviceWait(Duration.ofSeconds(3))
                      .apply(sh, PlanListener.NONE));
      java.math.BigInteger newSerial = pki.client("proof-service").certificate().getSerialNumber();
      assertEquals(SERVICES, failed.stepId(), failed.toString());
      assertEquals(
          "proof-service presents serial "
              + oldSerial.toString(16)
              + ", not "
              + newSerial.toString(16)
              + " after 3 s: nothing revoked yet; restart it (systemctl restart"
              + " strongroom-<service>) and apply again",
          failed.detail());
      assertEquals(
          null, pki.crl().getRevokedCertificates(), "nothing revoked before the services serve");

      server.destroy();
      server.waitFor();
      server =
          tlsServer(
              etcPki.resolve("clients/proof-service.pem"),
              etcPki.resolve("clients/proof-service.key"),
              port);
      List<StepResult> resumed =
          new CertificatePlan(pki, options, root, cutoff)
              .serviceWait(Duration.ofSeconds(3))
              .apply(sh, PlanListener.NONE);
      assertEquals(
          List.of("revoke superseded"),
          resumed.stream()
              .filter(r -> r.status() == StepStatus.CHANGED)
              .map(StepResult::id)
              .toList(),
          resumed.toString());
      assertEquals(
          StepStatus.UNCHANGED,
          resumed.stream().filter(r -> r.id().equals(SERVICES)).findFirst().orElseThrow().status());
      assertTrue(
          pki.crl().getRevokedCertificate(oldSerial) != null, "the old certificate is revoked");
      assertEquals(
          Files.readString(pki.crlPem()),
          Files.readString(etcPki.resolve("ca/crl.pem")),
          "the CRL with the revocations is installed");
      List<StepResult> again =
          new CertificatePlan(pki, options, root, cutoff).apply(sh, PlanListener.NONE);
      assertTrue(
          again.stream()
              .allMatch(
                  r -> r.status() == StepStatus.UNCHANGED || r.status() == StepStatus.SKIPPED),
          again.toString());
      assertEquals(
          StepStatus.UNCHANGED,
          again.stream().filter(r -> r.id().equals(SERVICES)).findFirst().orElseThrow().status());
    } finally {
      if (server != null) {
        server.destroy();
      }
    }
  }

  /**
   * Step {@code services} does not take silence for "not running": with no {@code openssl} on the
   * target (a PATH without it) the step fails saying so, and with a port that accepts TCP but
   * presents no certificate (a plain socket, not TLS) it fails naming the service and port; in both
   * cases nothing is revoked (the CRL has no entry).
   */
  @Test
  void noOpensslOnTheTarget_orAPortPresentingNoCertificate_failsBeforeAnythingIsRevoked()
      throws Exception {
    base = TestInstances.tempBase("sr-rot-blind-");
    sshd = new TestSshd(base);
    TestSshd.keygen(base, "client");
    sshd.authorize(base.resolve("client.pub"));
    int sshPort = sshd.startKeyOnly();
    Path root = Files.createDirectories(base.resolve("root"));
    HostOptions options = HostOptions.builder().dbPort(LoopbackPorts.free()).build();
    PkiDirectory pki =
        PkiDirectory.open(base.resolve("provisioner-pki"), CertificatePlan.spec("127.0.0.1"));
    Path etcPki = root.resolve("etc/strongroom/pki");
    int port = LoopbackPorts.free();
    Path noOpenssl = Files.createDirectories(base.resolve("no-openssl-bin"));
    for (String d : List.of("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
      Path dir = Path.of(d);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Path link = noOpenssl.resolve(f.getFileName().toString());
          if (!f.getFileName().toString().equals("openssl") && !Files.exists(link)) {
            Files.createSymbolicLink(link, f);
          }
        }
      }
    }
    Process server = null;
    try (SshShell sh =
        SshShell.connect(
            Target.parse("ssh://root@127.0.0.1:" + sshPort),
            base.resolve("client"),
            SshShell.publicKey(Files.readString(sshd.hostPublicKey())),
            T)) {
      new HostPlan(HostBundleRenderer.render(options), root).apply(sh);
      new CertificatePlan(pki, options, root, null).apply(sh, PlanListener.NONE);
      Files.writeString(
          root.resolve("etc/strongroom/proof-service.env"), "QUARKUS_HTTP_SSL_PORT=" + port + "\n");
      Path oldCert = Files.copy(etcPki.resolve("clients/proof-service.pem"), base.resolve("o.pem"));
      Path oldKey = Files.copy(etcPki.resolve("clients/proof-service.key"), base.resolve("o.key"));
      server = tlsServer(oldCert, oldKey, port);
      HostShell withoutOpenssl =
          new HostShell() {
            @Override
            public Result exec(String command, byte[] stdin) {
              return sh.exec("PATH='" + noOpenssl + "'; export PATH; " + command, stdin);
            }

            @Override
            public void close() {}
          };

      Thread.sleep(1_100);
      Instant cutoff = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      PlanFailedException noTool =
          org.junit.jupiter.api.Assertions.assertThrows(
              PlanFailedException.class,
              () ->
                  new CertificatePlan(pki, options, root, cutoff)
                      .serviceWait(Duration.ofSeconds(2))
                      .apply(withoutOpenssl, PlanListener.NONE));
      assertEquals(SERVICES, noTool.stepId(), noTool.toString());
      assertEquals(
          "cannot check the services: no working openssl on the target: nothing revoked;"
              + " install it and apply again",
          noTool.detail());
      assertEquals(null, pki.crl().getRevokedCertificates(), "nothing revoked without openssl");

      server.destroy();
      server.waitFor();
      server = null;
      try (java.net.ServerSocket plain =
          new java.net.ServerSocket(port, 50, java.net.InetAddress.getLoopbackAddress())) {
        Thread acceptor =
            new Thread(
                () -> {
                  while (!plain.isClosed()) {
                    try (java.net.Socket s = plain.accept()) {
                      s.getOutputStream()
                          .write(
                              "not tls\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    } catch (java.io.IOException closed) {
                      // the test closed the socket
                    }
                  }
                });
        acceptor.setDaemon(true);
        acceptor.start();
        PlanFailedException silent =
            org.junit.jupiter.api.Assertions.assertThrows(
                PlanFailedException.class,
                () ->
                    new CertificatePlan(pki, options, root, cutoff)
                        .serviceWait(Duration.ofSeconds(2))
                        .apply(sh, PlanListener.NONE));
        assertEquals(SERVICES, silent.stepId(), silent.toString());
        assertTrue(
            silent
                .detail()
                .startsWith(
                    "proof-service answers on 127.0.0.1:"
                        + port
                        + " but openssl s_client read no certificate there"),
            silent.detail());
        assertEquals(
            null, pki.crl().getRevokedCertificates(), "nothing revoked while a port is silent");
      }
    } finally {
      if (server != null) {
        server.destroy();
      }
    }
  }

  /** A TLS 1.3 server on 127.0.0.1:port presenting {@code cert}, ready when it accepts. */
  private static Process tlsServer(Path cert, Path key, int port) throws Exception {
    Process p =
        new ProcessBuilder(
                "openssl",
                "s_server",
                "-quiet",
                "-tls1_3",
                "-accept",
                "127.0.0.1:" + port,
                "-cert",
                cert.toString(),
                "-key",
                key.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 1_000);
        return p;
      } catch (java.io.IOException notYet) {
        Thread.sleep(50);
      }
    }
    p.destroy();
    throw new AssertionError("openssl s_server did not listen on " + port);
  }

  private static void assertOwnerAndMode(Path root, Path file, String mode, String group)
      throws Exception {
    PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class);
    assertEquals(mode, PosixFilePermissions.toString(a.permissions()), file.toString());
    String gid = "0";
    for (String l : Files.readAllLines(root.resolve("etc/group"))) {
      if (l.startsWith(group + ":")) {
        gid = l.split(":")[2];
      }
    }
    assertEquals(
        Integer.parseInt(gid), (Integer) Files.getAttribute(file, "unix:gid"), file + " group");
    assertEquals(0, (Integer) Files.getAttribute(file, "unix:uid"), file + " owner");
  }
}
