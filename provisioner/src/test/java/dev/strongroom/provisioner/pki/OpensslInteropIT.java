package dev.strongroom.provisioner.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.provisioner.atrest.FileKeyManagementKeyring;
import dev.strongroom.provisioner.atrest.MariaDbKeyFile;
import dev.strongroom.provisioner.os.Processes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our PKI and key-file output as the OpenSSL 3 command line sees it: {@code openssl verify
 * -crl_check} agrees with our CRL (revoked fails, error 23), subjects print in the form MariaDB
 * compares, PKCS#12 files open with their password, keys are PKCS#8, and MariaDB's key file
 * decrypts with the exact command MariaDB documents.
 */
class OpensslInteropIT {
  @TempDir Path dir;

  private static Processes.Result openssl(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    return Processes.run(cmd, null, Duration.ofSeconds(20));
  }

  @Test
  void opensslVerify_withCrlCheck_agrees_revokedFails() {
    PkiDirectory pki = PkiDirectory.open(dir, PkiSpec.strongroom(List.of("db.internal")));
    pki.ensure();
    String ca = pki.caCertPem().toString();
    String crl = pki.crlPem().toString();
    Processes.Result ok =
        openssl(
            "verify",
            "-CAfile",
            ca,
            "-crl_check",
            "-CRLfile",
            crl,
            "-purpose",
            "sslclient",
            pki.client("app_user").certPem().toString());
    assertEquals(0, ok.exitCode(), ok.output());
    assertEquals(pki.client("app_user").certPem() + ": OK\n", ok.stdout());
    Processes.Result server =
        openssl(
            "verify",
            "-CAfile",
            ca,
            "-crl_check",
            "-CRLfile",
            crl,
            "-purpose",
            "sslserver",
            "-verify_ip",
            "127.0.0.1",
            pki.server().certPem().toString());
    assertEquals(0, server.exitCode(), server.output());

    Path revoked = pki.client("auditor").certPem();
    pki.revokeClient("auditor", RevocationReason.KEY_COMPROMISE);
    Processes.Result bad =
        openssl("verify", "-CAfile", ca, "-crl_check", "-CRLfile", crl, revoked.toString());
    assertNotEquals(0, bad.exitCode());
    assertTrue(
        bad.output().contains("error 23 at 0 depth lookup: certificate revoked"), bad.output());

    // a client certificate is no server certificate
    Processes.Result purpose =
        openssl(
            "verify",
            "-CAfile",
            ca,
            "-purpose",
            "sslserver",
            pki.client("app_user").certPem().toString());
    assertNotEquals(0, purpose.exitCode());
    assertTrue(
        purpose.output().contains("error 26 at 0 depth lookup: unsuitable certificate purpose"),
        purpose.output());

    Processes.Result crlText = openssl("crl", "-in", crl, "-noout", "-text");
    String text = crlText.stdout().replaceAll("\\s+", " ");
    assertTrue(text.contains("X509v3 CRL Number: 2 "), crlText.output());
    assertTrue(text.contains("X509v3 CRL Reason Code: Key Compromise"), crlText.output());
  }

  @Test
  void subjects_printInTheFormMariaDbCompares_andKeysArePkcs8_p12Opens() throws Exception {
    PkiDirectory pki = PkiDirectory.open(dir, PkiSpec.strongroom(List.of()));
    pki.ensure();
    Credential app = pki.client("app_user");
    Processes.Result subj =
        openssl(
            "x509",
            "-in",
            app.certPem().toString(),
            "-noout",
            "-subject",
            "-issuer",
            "-nameopt",
            "compat");
    assertEquals(
        "subject="
            + app.subject().mariaDbForm()
            + "\nissuer="
            + pki.spec().caSubject().mariaDbForm()
            + "\n",
        subj.stdout());
    assertEquals(
        "subject=/O=Strongroom/OU=db/CN=app_user\nissuer=/O=Strongroom/OU=pki/CN=Strongroom Root CA\n",
        subj.stdout());

    Processes.Result key = openssl("pkey", "-in", app.keyPem().toString(), "-noout", "-text");
    assertEquals(0, key.exitCode(), key.output());
    assertTrue(key.stdout().contains("ASN1 OID: prime256v1"), key.stdout());

    Processes.Result p12 =
        openssl(
            "pkcs12",
            "-in",
            app.pkcs12().toString(),
            "-passin",
            "file:" + app.pkcs12Password(),
            "-nokeys",
            "-clcerts");
    assertEquals(0, p12.exitCode(), p12.output());
    assertTrue(
        p12.stdout().contains("subject=O = Strongroom, OU = db, CN = app_user"), p12.stdout());
  }

  @Test
  void mariaDbKeyFile_decryptsWithTheDocumentedOpensslCommand() throws Exception {
    FileKeyManagementKeyring k = FileKeyManagementKeyring.at(dir.resolve("keyring"));
    k.ensure();
    Path out = dir.resolve("keys.txt");
    Processes.Result r =
        openssl(
            "enc",
            "-d",
            "-aes-256-cbc",
            "-md",
            "sha1",
            "-pass",
            "file:" + k.fileKey(),
            "-in",
            k.keyFile().toString(),
            "-out",
            out.toString());
    assertEquals(0, r.exitCode(), r.output());
    assertEquals(
        MariaDbKeyFile.plaintext(k.keys()), Files.readString(out, StandardCharsets.US_ASCII));
    assertTrue(Files.readString(out).matches("1;[0-9a-f]{64}\n2;[0-9a-f]{64}\n"));
  }
}
