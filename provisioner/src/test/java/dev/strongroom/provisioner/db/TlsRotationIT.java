package dev.strongroom.provisioner.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.provisioner.os.Processes;
import dev.strongroom.provisioner.pki.Credential;
import dev.strongroom.provisioner.pki.PkiDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Certificate rotation without restart, as the rotation runbook does it: rotate the server and a
 * client certificate (revoking the old ones), then {@code FLUSH SSL}. Until the flush the server
 * keeps its old certificate and CRL; after it, new connections get the new server certificate, the
 * old client certificate is refused as revoked, the new one works — same process throughout.
 */
class TlsRotationIT {
  private Path base;
  private MariaDbInstance db;

  @AfterEach
  void cleanup() {
    try {
      if (db != null) {
        db.stop();
      }
    } finally {
      TestInstances.deleteTree(base);
    }
  }

  @Test
  void rotateServerAndClient_thenFlushSsl_takesEffectWithoutRestart() throws Exception {
    base = TestInstances.tempBase("sr-rotate-");
    PkiDirectory pki = TestInstances.pki(base);
    db = MariaDbInstance.prepare(TestInstances.settings(base, pki), MariaDbBinaries.debian());
    db.start();
    db.applyAccounts(DbAccount.strongroomIdentities(pki));
    long pid = db.pid();

    String oldServerPem = pem(Files.readString(pki.server().certPem()));
    assertEquals(oldServerPem, servedCertificate());
    Credential oldApp = pki.client("app_user");
    Path oldCert = Files.copy(oldApp.certPem(), base.resolve("old-app.pem"));
    Path oldKey =
        Files.copy(
            oldApp.keyPem(), base.resolve("old-app.key"), StandardCopyOption.COPY_ATTRIBUTES);

    Credential newServer = pki.rotateServer(true);
    Credential newApp = pki.rotateClient("app_user", true);
    assertNotEquals(oldApp.certificate().getSerialNumber(), newApp.certificate().getSerialNumber());

    // Before FLUSH SSL: the server still serves the old certificate and still accepts the old
    // client cert.
    assertEquals(oldServerPem, servedCertificate());
    assertEquals("1", select1("app_user", pki, oldCert, oldKey).stdout().strip());

    db.reloadTls();

    assertEquals(pem(Files.readString(newServer.certPem())), servedCertificate());
    ClientResult refused = select1("app_user", pki, oldCert, oldKey);
    ServerError e = refused.error().orElseThrow(() -> new AssertionError(refused.stdout()));
    assertTrue(
        Set.of(
                new ServerError(
                    2013,
                    "HY000",
                    "Lost connection to server at 'sending authentication information', system error: 104"),
                new ServerError(2026, "HY000", "TLS/SSL error: sslv3 alert certificate revoked"))
            .contains(e),
        e.toString());
    assertEquals("1", select1("app_user", pki, newApp.certPem(), newApp.keyPem()).stdout().strip());
    assertEquals(pid, db.pid(), "the server was restarted");
  }

  private ClientResult select1(String user, PkiDirectory pki, Path cert, Path key) {
    return db.client()
        .execute(ClientConnection.tcp(db.port(), user).tls(pki.caCertPem(), cert, key), "SELECT 1");
  }

  private String servedCertificate() {
    Processes.Result r = TestInstances.sClient(db.port());
    return pem(r.stdout());
  }

  private static String pem(String text) {
    Matcher m =
        Pattern.compile("-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----").matcher(text);
    if (!m.find()) {
      throw new AssertionError("no certificate in: " + text);
    }
    return m.group().replaceAll("\\s+", "");
  }
}
