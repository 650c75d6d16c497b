package dev.strongroom.provisioner.db;

import dev.strongroom.provisioner.pki.PkiDirectory;
import java.nio.file.Path;
import java.util.Objects;

/** The four TLS files a server needs: CA bundle, its certificate, its key, the CRL. */
public record TlsFiles(Path ca, Path cert, Path key, Path crl) {
  public TlsFiles {
    ca = abs(ca);
    cert = abs(cert);
    key = abs(key);
    crl = abs(crl);
  }

  private static Path abs(Path p) {
    return Objects.requireNonNull(p, "TLS file path").toAbsolutePath().normalize();
  }

  /** The server's files from a {@link PkiDirectory} ({@code ensure()} must have run). */
  public static TlsFiles of(PkiDirectory pki) {
    var server = pki.server();
    return new TlsFiles(pki.caCertPem(), server.certPem(), server.keyPem(), pki.crlPem());
  }
}
