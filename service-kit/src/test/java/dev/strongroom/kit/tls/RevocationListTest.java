package dev.strongroom.kit.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import dev.strongroom.provisioner.pki.RevocationReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The services' CRL check against a real PKI: a certificate revoked after the list was first read
 * is refused at the next check (the file changed, so it is read again), the others pass, and a list
 * that cannot be trusted refuses everyone.
 */
class RevocationListTest {
  @TempDir Path dir;
  private PkiDirectory pki;
  private X509Certificate demoApp;
  private X509Certificate operator;

  @BeforeEach
  void pki() {
    pki = PkiDirectory.open(dir.resolve("pki"), PkiSpec.strongroom(List.of()));
    pki.ensure();
    demoApp = pki.client(PkiSpec.DEMO_APP).certificate();
    operator = pki.client("operator").certificate();
  }

  @Test
  void certificateRevokedAfterTheFirstRead_isRevokedAtTheNextCheck() {
    RevocationList crl = new RevocationList(pki.crlPem(), pki.caCertPem());
    assertEquals(RevocationList.Verdict.Status.GOOD, crl.check(demoApp).status());

    pki.revokeClient(PkiSpec.DEMO_APP, RevocationReason.KEY_COMPROMISE);

    RevocationList.Verdict v = crl.check(demoApp);
    assertEquals(RevocationList.Verdict.Status.REVOKED, v.status());
    assertEquals("serial " + demoApp.getSerialNumber().toString(16), v.detail());
    assertEquals(RevocationList.Verdict.Status.GOOD, crl.check(operator).status());
  }

  @Test
  void missingList_refusesEveryone() throws Exception {
    Files.delete(pki.crlPem());
    RevocationList.Verdict v = new RevocationList(pki.crlPem(), pki.caCertPem()).check(operator);
    assertEquals(RevocationList.Verdict.Status.UNAVAILABLE, v.status());
    assertEquals("no CRL at " + pki.crlPem(), v.detail());
  }

  @Test
  void listOfAnotherCa_refusesEveryone() {
    PkiDirectory other = PkiDirectory.open(dir.resolve("other"), PkiSpec.strongroom(List.of()));
    other.ensure();
    RevocationList.Verdict v = new RevocationList(other.crlPem(), pki.caCertPem()).check(operator);
    assertEquals(RevocationList.Verdict.Status.UNAVAILABLE, v.status());
    assertEquals(
        "the CRL " + other.crlPem() + " is not usable: Signature does not match.", v.detail());
  }

  @Test
  void expiredList_refusesEveryone() {
    Clock later = Clock.fixed(Instant.now().plus(Duration.ofDays(31)), ZoneOffset.UTC);
    RevocationList.Verdict v =
        new RevocationList(pki.crlPem(), pki.caCertPem(), later).check(operator);
    assertEquals(RevocationList.Verdict.Status.UNAVAILABLE, v.status());
    assertEquals(
        "the CRL " + pki.crlPem() + " expired at " + pki.crl().getNextUpdate().toInstant(),
        v.detail());
  }
}
