package dev.strongroom.provisioner.pki;

import java.nio.file.Path;
import java.security.cert.X509Certificate;

/**
 * A certificate and where its files are.
 *
 * @param name the client name, {@code server} or {@code ca}
 * @param subject the certificate's subject
 * @param certificate the parsed certificate
 * @param certPem PEM certificate (0644)
 * @param keyPem unencrypted PKCS#8 PEM private key ({@code BEGIN PRIVATE KEY}, mode 0600); {@code
 *     null} for nothing
 * @param pkcs12 PKCS#12 file holding key, certificate and CA certificate (0600); {@code null} for
 *     the CA
 * @param pkcs12Password file holding the PKCS#12 password, one line without newline (0600)
 */
public record Credential(
    String name,
    CertificateSubject subject,
    X509Certificate certificate,
    Path certPem,
    Path keyPem,
    Path pkcs12,
    Path pkcs12Password) {

  /**
   * The certificate's serial number in lower-case hex (as {@code openssl x509 -serial} prints it,
   * case aside).
   */
  public String serialHex() {
    return certificate.getSerialNumber().toString(16);
  }
}
