package dev.strongroom.audit.tail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

/**
 * Opens JDBC connections to the audit schema as one X.509 identity ({@code auditor} for assessors
 * and the commands, {@code anchor_writer} for the audit-anchor-service) the way the server demands
 * (docs/database-instance.md): TLS 1.3 only, the server's certificate checked against the stack CA
 * and its name ({@code sslMode=VERIFY_IDENTITY}), the client certificate from PEM. Connector/J
 * reads keys only from key stores, so the PEM files are turned into two PKCS#12 files with a random
 * password in a private ({@code 0700}) directory that {@link #close} deletes.
 *
 * <p>Driver: MySQL Connector/J 9.6.0 ({@code com.mysql:mysql-connector-j}), a runtime dependency of
 * the embedder; this class only uses {@code java.sql}.
 */
public final class AuditorJdbc implements AutoCloseable {
  /** Where and as whom to connect; PEM files (the key unencrypted PKCS#8). */
  public record Config(
      String host, int port, String user, Path caCertPem, Path certPem, Path keyPem) {
    public Config {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(caCertPem, "caCertPem");
      Objects.requireNonNull(certPem, "certPem");
      Objects.requireNonNull(keyPem, "keyPem");
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("bad port " + port);
      }
    }
  }

  private final Config config;
  private final Path dir;
  private final String password;

  public AuditorJdbc(Config config) {
    this.config = config;
    byte[] pw = new byte[18];
    new SecureRandom().nextBytes(pw);
    this.password = HexFormat.of().formatHex(pw);
    try {
      dir =
          Files.createTempDirectory(
              "sr-jdbc-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int i = 0;
      for (Certificate c : certificates(Files.readString(config.caCertPem()))) {
        trust.setCertificateEntry("ca" + i++, c);
      }
      write(trust, dir.resolve("trust.p12"));
      KeyStore client = KeyStore.getInstance("PKCS12");
      client.load(null, null);
      List<Certificate> chain = certificates(Files.readString(config.certPem()));
      client.setKeyEntry(
          "client",
          privateKey(Files.readString(config.keyPem()), chain.get(0).getPublicKey().getAlgorithm()),
          password.toCharArray(),
          chain.toArray(Certificate[]::new));
      write(client, dir.resolve("client.p12"));
    } catch (IOException | GeneralSecurityException e) {
      throw new TailException("cannot prepare the TLS key stores for " + config.user(), e);
    }
  }

  /** The JDBC URL (database {@code strongroom_audit}). */
  public String url() {
    return "jdbc:mysql://" + config.host() + ":" + config.port() + "/strongroom_audit";
  }

  /** The driver properties: TLS 1.3, identity verified, client certificate, UTF-8, no password. */
  public Properties properties() {
    Properties p = new Properties();
    p.setProperty("user", config.user());
    p.setProperty("sslMode", "VERIFY_IDENTITY");
    p.setProperty("tlsVersions", "TLSv1.3");
    p.setProperty("trustCertificateKeyStoreUrl", dir.resolve("trust.p12").toUri().toString());
    p.setProperty("trustCertificateKeyStoreType", "PKCS12");
    p.setProperty("trustCertificateKeyStorePassword", password);
    p.setProperty("clientCertificateKeyStoreUrl", dir.resolve("client.p12").toUri().toString());
    p.setProperty("clientCertificateKeyStoreType", "PKCS12");
    p.setProperty("clientCertificateKeyStorePassword", password);
    p.setProperty("allowPublicKeyRetrieval", "false");
    p.setProperty("characterEncoding", "UTF-8");
    p.setProperty("connectTimeout", "5000");
    p.setProperty("socketTimeout", "60000");
    p.setProperty("useCursorFetch", "false");
    return p;
  }

  /** A new connection; the caller closes it. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url(), properties());
  }

  @Override
  public void close() {
    try {
      Files.deleteIfExists(dir.resolve("trust.p12"));
      Files.deleteIfExists(dir.resolve("client.p12"));
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      throw new TailException("cannot remove " + dir, e);
    }
  }

  private void write(KeyStore ks, Path file) throws IOException, GeneralSecurityException {
    try (OutputStream out = Files.newOutputStream(file)) {
      ks.store(out, password.toCharArray());
    }
  }

  private static List<Certificate> certificates(String pem) throws GeneralSecurityException {
    CertificateFactory f = CertificateFactory.getInstance("X.509");
    List<Certificate> out = new ArrayList<>();
    for (byte[] der : blocks(pem, "CERTIFICATE")) {
      out.add(f.generateCertificate(new ByteArrayInputStream(der)));
    }
    if (out.isEmpty()) {
      throw new GeneralSecurityException("no certificate in PEM");
    }
    return out;
  }

  private static PrivateKey privateKey(String pem, String algorithm)
      throws GeneralSecurityException {
    List<byte[]> der = blocks(pem, "PRIVATE KEY");
    if (der.size() != 1) {
      throw new GeneralSecurityException("expected one PKCS#8 PRIVATE KEY block");
    }
    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der.get(0)));
  }

  private static List<byte[]> blocks(String pem, String type) {
    List<byte[]> out = new ArrayList<>();
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int at = 0;
    while ((at = pem.indexOf(begin, at)) >= 0) {
      int stop = pem.indexOf(end, at);
      if (stop < 0) {
        break;
      }
      String body = pem.substring(at + begin.length(), stop).replaceAll("\\s", "");
      out.add(Base64.getDecoder().decode(body.getBytes(StandardCharsets.US_ASCII)));
      at = stop + end.length();
    }
    return out;
  }
}
