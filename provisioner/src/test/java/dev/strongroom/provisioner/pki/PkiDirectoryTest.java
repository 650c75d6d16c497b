package dev.strongroom.provisioner.pki;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.testing.Fixture;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PkiDirectoryTest {
  @TempDir Path dir;

  private final Fixture.MutableClock clock =
      new Fixture.MutableClock(Instant.parse("2026-11-23T12:00:00Z"));

  private PkiDirectory pki() {
    return PkiDirectory.open(
        dir, PkiSpec.strongroom(List.of("db.strongroom.internal", "10.0.0.7")), clock);
  }

  @Test
  void ensure_onEmptyDir_issuesEverything_withModesAndSubjects() throws Exception {
    PkiDirectory pki = pki();
    PkiReport r = pki.ensure();
    assertEquals(PkiReport.Action.ISSUED, r.action("ca"));
    assertEquals(PkiReport.Action.ISSUED, r.action("crl"));
    assertEquals(PkiReport.Action.ISSUED, r.action("server"));
    for (String n : List.of("app_user", "auditor", "migration", "crypto-service", "operator")) {
      assertEquals(PkiReport.Action.ISSUED, r.action(n), n);
    }

    Credential app = pki.client("app_user");
    assertEquals(
        "CN=app_user,OU=db,O=Strongroom", app.certificate().getSubjectX500Principal().getName());
    assertEquals("/O=Strongroom/OU=db/CN=app_user", app.subject().mariaDbForm());
    assertEquals(
        "CN=Strongroom Root CA,OU=pki,O=Strongroom",
        app.certificate().getIssuerX500Principal().getName());
    assertEquals(List.of("1.3.6.1.5.5.7.3.2"), app.certificate().getExtendedKeyUsage());
    assertEquals(-1, app.certificate().getBasicConstraints());
    assertEquals(
        "CN=operator,OU=ops,O=Strongroom",
        pki.client("operator").certificate().getSubjectX500Principal().getName());
    assertEquals(
        "CN=data-service,OU=service,O=Strongroom",
        pki.client("data-service").certificate().getSubjectX500Principal().getName());

    assertEquals("rw-------", mode(app.keyPem()));
    assertEquals("rw-------", mode(app.pkcs12()));
    assertEquals("rw-------", mode(app.pkcs12Password()));
    assertEquals("rw-r--r--", mode(app.certPem()));
    assertEquals("rw-------", mode(dir.resolve("ca/ca.key")));
    assertEquals("rwx------", mode(dir.resolve("ca")));
    assertTrue(Files.readString(app.keyPem()).startsWith("-----BEGIN PRIVATE KEY-----"));

    X509Certificate server = pki.server().certificate();
    assertEquals(List.of("1.3.6.1.5.5.7.3.1"), server.getExtendedKeyUsage());
    Set<String> sans =
        server.getSubjectAlternativeNames().stream()
            .map(l -> String.valueOf(l.get(1)))
            .collect(Collectors.toSet());
    assertEquals(
        Set.of("127.0.0.1", "0:0:0:0:0:0:0:1", "localhost", "db.strongroom.internal", "10.0.0.7"),
        sans);

    X509Certificate ca = pki.ca().certificate();
    assertEquals(0, ca.getBasicConstraints());
    server.verify(ca.getPublicKey());
    app.certificate().verify(ca.getPublicKey());
  }

  @Test
  void pkcs12_opensWithItsPassword_andCarriesChain() throws Exception {
    PkiDirectory pki = pki();
    pki.ensure();
    Credential app = pki.client("app_user");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(app.pkcs12())) {
      ks.load(in, Files.readString(app.pkcs12Password()).toCharArray());
    }
    assertNotNull(ks.getKey("app_user", Files.readString(app.pkcs12Password()).toCharArray()));
    assertEquals(2, ks.getCertificateChain("app_user").length);
    assertEquals(app.certificate(), ks.getCertificateChain("app_user")[0]);
  }

  @Test
  void ensure_secondRun_keepsEverything_byteForByte() throws Exception {
    PkiDirectory pki = pki();
    pki.ensure();
    byte[] key = Files.readAllBytes(pki.client("auditor").keyPem());
    byte[] crl = Files.readAllBytes(pki.crlPem());
    clock.advance(Duration.ofDays(10));
    PkiReport again = pki().ensure();
    assertEquals(List.of(), again.issued());
    assertArrayEquals(key, Files.readAllBytes(pki.client("auditor").keyPem()));
    assertArrayEquals(crl, Files.readAllBytes(pki.crlPem()));
  }

  @Test
  void ensure_withinRenewWindow_reissuesLeavesAndCrl_keepsCa() {
    PkiDirectory pki = pki();
    pki.ensure();
    BigInteger before = pki.client("app_user").certificate().getSerialNumber();
    clock.advance(Duration.ofDays(61));
    PkiReport r = pki.ensure();
    assertEquals(PkiReport.Action.KEPT, r.action("ca"));
    assertEquals(PkiReport.Action.ISSUED, r.action("crl"));
    assertEquals(PkiReport.Action.ISSUED, r.action("app_user"));
    assertEquals(PkiReport.Action.ISSUED, r.action("server"));
    assertNotEquals(before, pki.client("app_user").certificate().getSerialNumber());
  }

  /**
   * {@code due()} is {@code ensure()}'s check: it names what ensure would issue, writing nothing.
   */
  @Test
  void due_namesWhatEnsureWouldIssue_withoutWritingAnything() throws Exception {
    PkiDirectory pki = pki();
    List<String> all = pki.due();
    assertEquals(List.of("ca", "crl", "server", "app_user"), all.subList(0, 4));
    assertEquals(3 + pki.spec().clients().size(), all.size());
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count(), "due() wrote something");
    }
    pki.ensure();
    assertEquals(List.of(), pki.due());
    pki.revokeClient("auditor", RevocationReason.KEY_COMPROMISE);
    assertEquals(List.of("auditor"), pki.due());
    pki.ensure();
    clock.advance(Duration.ofDays(61));
    List<String> renew = pki.due();
    assertEquals(List.of("crl", "server"), renew.subList(0, 2));
    assertTrue(renew.contains("app_user"), renew.toString());
  }

  /** issuedAt undoes the back-dating of notBefore: the issuing instant to the second. */
  @Test
  void issuedAt_isTheIssuingSecond() {
    PkiDirectory pki = pki();
    clock.advance(Duration.ofMillis(1_700));
    pki.ensure();
    assertEquals(
        Instant.parse("2026-11-23T12:00:01Z"), PkiDirectory.issuedAt(pki.server().certificate()));
  }

  @Test
  void revokedClient_isInCrl_andReissuedByEnsure_othersKept() {
    PkiDirectory pki = pki();
    pki.ensure();
    X509Certificate auditor = pki.client("auditor").certificate();
    BigInteger n1 = crlNumber(pki.crl());
    X509CRL crl = pki.revokeClient("auditor", RevocationReason.KEY_COMPROMISE);
    assertTrue(crl.isRevoked(auditor));
    assertEquals(n1.add(BigInteger.ONE), crlNumber(crl));
    // revoking twice changes nothing
    assertEquals(crlNumber(crl), crlNumber(pki.revoke(auditor, RevocationReason.KEY_COMPROMISE)));

    PkiReport r = pki.ensure();
    assertEquals(List.of("auditor"), r.issued());
    assertFalse(pki.crl().isRevoked(pki.client("auditor").certificate()));
    assertTrue(pki.crl().isRevoked(auditor), "revocation survives re-issue and CRL refresh");
  }

  @Test
  void issueAnother_isASecondValidCertificateOfTheName_theCurrentOneUntouched(
      @TempDir Path elsewhere) throws Exception {
    PkiDirectory pki = pki();
    pki.ensure();
    Credential current = pki.client("demo-app");
    byte[] currentPem = Files.readAllBytes(current.certPem());
    Credential other = pki.issueAnother("demo-app", elsewhere);
    assertEquals(elsewhere.resolve("demo-app.pem"), other.certPem());
    assertEquals(
        current.certificate().getSubjectX500Principal(),
        other.certificate().getSubjectX500Principal());
    assertNotEquals(current.certificate().getSerialNumber(), other.certificate().getSerialNumber());
    assertNotEquals(current.certificate().getPublicKey(), other.certificate().getPublicKey());
    other.certificate().verify(pki.ca().certificate().getPublicKey());
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(other.keyPem())));
    assertArrayEquals(currentPem, Files.readAllBytes(pki.client("demo-app").certPem()));
    assertFalse(pki.crl().isRevoked(current.certificate()));
    assertEquals(List.of(), pki.ensure().issued());
    PkiException inside =
        assertThrows(
            PkiException.class, () -> pki.issueAnother("demo-app", dir.resolve("clients")));
    assertEquals(
        "INTERNAL: another certificate goes outside the PKI's root, not in "
            + dir.resolve("clients"),
        inside.getMessage());
  }

  @Test
  void rotateClient_revokingOld_issuesNewKey_andRevokesOldAsSuperseded() throws Exception {
    PkiDirectory pki = pki();
    pki.ensure();
    Credential old = pki.client("migration");
    byte[] oldKey = Files.readAllBytes(old.keyPem());
    Credential fresh = pki.rotateClient("migration", true);
    assertNotEquals(old.certificate().getSerialNumber(), fresh.certificate().getSerialNumber());
    assertFalse(java.util.Arrays.equals(oldKey, Files.readAllBytes(fresh.keyPem())));
    X509CRL crl = pki.crl();
    assertTrue(crl.isRevoked(old.certificate()));
    assertEquals(
        java.security.cert.CRLReason.SUPERSEDED,
        crl.getRevokedCertificate(old.certificate()).getRevocationReason());
    assertEquals(List.of(), pki.ensure().issued());
  }

  @Test
  void ensure_keyReplacedByForeignKey_reissues() throws Exception {
    PkiDirectory pki = pki();
    pki.ensure();
    Path otherDir = dir.resolve("other");
    PkiDirectory other = PkiDirectory.open(otherDir, PkiSpec.strongroom(List.of()), clock);
    other.ensure();
    Files.copy(
        other.client("app_user").keyPem(),
        pki.client("app_user").keyPem(),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertEquals(List.of("app_user"), pki.ensure().issued());
  }

  @Test
  void ensure_caFromAnotherPki_replacedEverythingReissued() throws Exception {
    PkiDirectory pki = pki();
    pki.ensure();
    Files.delete(dir.resolve("ca/ca.key"));
    PkiReport r = pki.ensure();
    assertEquals(PkiReport.Action.ISSUED, r.action("ca"));
    assertEquals(PkiReport.Action.ISSUED, r.action("app_user"));
    pki.client("app_user").certificate().verify(pki.ca().certificate().getPublicKey());
  }

  @Test
  void revoke_certificateFromAnotherCa_isRefused() {
    PkiDirectory pki = pki();
    pki.ensure();
    PkiDirectory other =
        PkiDirectory.open(dir.resolve("other"), PkiSpec.strongroom(List.of()), clock);
    other.ensure();
    PkiException e =
        assertThrows(
            PkiException.class,
            () ->
                pki.revoke(
                    other.client("app_user").certificate(), RevocationReason.KEY_COMPROMISE));
    assertTrue(e.getMessage().contains("was not issued by this CA"), e.getMessage());
  }

  @Test
  void client_unknownName_isClearError() {
    PkiDirectory pki = pki();
    pki.ensure();
    PkiException e = assertThrows(PkiException.class, () -> pki.client("root"));
    assertEquals("INTERNAL: no client named 'root' in this PKI spec", e.getMessage());
  }

  @Test
  void subject_rejectsCharactersOpensslWouldEscape() {
    assertThrows(IllegalArgumentException.class, () -> new CertificateSubject("O", "db", "a'b"));
    assertThrows(IllegalArgumentException.class, () -> new CertificateSubject("O", "db", "a/b"));
    assertThrows(IllegalArgumentException.class, () -> new CertificateSubject("O", "db", "a,b"));
    assertThrows(IllegalArgumentException.class, () -> new ClientSpec("App", ClientKind.SERVICE));
  }

  private static BigInteger crlNumber(X509CRL crl) {
    return X509Toolkit.crlNumber(crl);
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
