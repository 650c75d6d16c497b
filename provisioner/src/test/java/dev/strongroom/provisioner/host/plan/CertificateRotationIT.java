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
      StepResult reload = installed.get(installed.size() - 1);
      assertEquals("reload tls", reload.id());
      assertEquals(StepStatus.SKIPPED, reload.status(), reload.toString());
      assertEquals(
          installed.size() - 2,
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
              .filter(r -> r.status() != StepStatus.UNCHANGED)
              .map(r -> r.id())
              .toList(),
          settled.toString());

      // rotate everything issued before now, with a client connecting throughout
      Thread.sleep(1_100); // the instant is whole seconds: after the first issue's second
      Instant cutoff = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      CertificatePlan rotation = new CertificatePlan(pki, options, root, cutoff);
      String caFile = "file /etc/strongroom/pki/ca/ca.pem"; // the CA is kept
      List<StepResult> planned = rotation.plan(sh, PlanListener.NONE);
      assertTrue(
          planned.stream()
              .allMatch(
                  r ->
                      r.status()
                          == (r.id().equals(caFile)
                              ? StepStatus.UNCHANGED
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
                          == (r.id().equals(caFile) ? StepStatus.UNCHANGED : StepStatus.CHANGED)),
          rotated.toString());
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
          again.stream().allMatch(r -> r.status() == StepStatus.UNCHANGED), again.toString());
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
