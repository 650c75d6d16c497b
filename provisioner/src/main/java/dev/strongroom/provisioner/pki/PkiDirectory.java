package dev.strongroom.provisioner.pki;

import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.tls.TlsFileWatch;
import dev.strongroom.contracts.tls.TlsIdentity;
import dev.strongroom.provisioner.os.SecureFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A file-backed certificate authority for one Strongroom installation: the CA, the database server
 * certificate, one client certificate per {@link ClientSpec}, and the CRL.
 *
 * <p>Layout under the root directory (directories 0700; keys, PKCS#12 files and their passwords
 * 0600; certificates and the CRL 0644):
 *
 * <pre>
 * ca/ca.pem  ca/ca.key  ca/crl.pem
 * server/server.pem  server/server.key  server/server.p12  server/server.p12.password
 * clients/&lt;name&gt;.pem  clients/&lt;name&gt;.key  clients/&lt;name&gt;.p12  clients/&lt;name&gt;.p12.password
 * </pre>
 *
 * <p>{@link #ensure()} is idempotent: material that exists and is still valid (parses, key matches,
 * signed by the current CA, subject and SANs as specified, not revoked, more than {@link
 * PkiSpec#renewBefore()} of life left) is kept; anything else is issued anew. The CRL is re-signed
 * when it is missing or within {@link PkiSpec#crlRefreshBefore()} of its {@code nextUpdate} — a
 * server that checks CRLs refuses every client once its CRL has expired, so ensure must run more
 * often than that. {@link #rotateClient} and {@link #rotateServer} issue a new key and certificate
 * unconditionally, optionally revoking the old one; {@link #revoke} adds a certificate to the CRL.
 *
 * <p>Not thread-safe across processes; one process at a time owns a directory. Methods are
 * synchronized within the JVM.
 */
public final class PkiDirectory {
  private static final Duration BACKDATE = Duration.ofMinutes(5);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path root;
  private final PkiSpec spec;
  private final Clock clock;

  private PkiDirectory(Path root, PkiSpec spec, Clock clock) {
    this.root = root.toAbsolutePath().normalize();
    this.spec = Objects.requireNonNull(spec, "spec");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Opens (without touching the disk) the PKI rooted at {@code root}. */
  public static PkiDirectory open(Path root, PkiSpec spec) {
    return new PkiDirectory(root, spec, Clock.systemUTC());
  }

  /** As {@link #open(Path, PkiSpec)} with an explicit clock (tests move time forward). */
  public static PkiDirectory open(Path root, PkiSpec spec, Clock clock) {
    return new PkiDirectory(root, spec, clock);
  }

  public Path root() {
    return root;
  }

  public PkiSpec spec() {
    return spec;
  }

  public Path caCertPem() {
    return root.resolve("ca/ca.pem");
  }

  public Path crlPem() {
    return root.resolve("ca/crl.pem");
  }

  private Path caKeyPem() {
    return root.resolve("ca/ca.key");
  }

  // ---------------------------------------------------------------- ensure

  /** Creates or repairs every piece of material the spec names; keeps what is still valid. */
  public synchronized PkiReport ensure() {
    Map<String, PkiReport.Action> actions = new LinkedHashMap<>();
    SecureFiles.privateDir(root);
    Instant now = clock.instant();

    boolean caIssued = false;
    if (!caValid(now)) {
      issueCa(now);
      caIssued = true;
    }
    actions.put("ca", caIssued ? PkiReport.Action.ISSUED : PkiReport.Action.KEPT);
    X509Certificate ca = readCert(caCertPem());
    PrivateKey caKey = readKey(caKeyPem());

    X509CRL crl = caIssued ? null : readValidCrl(ca);
    if (crl == null
        || crl.getNextUpdate() == null
        || Duration.between(now, crl.getNextUpdate().toInstant()).compareTo(spec.crlRefreshBefore())
            < 0) {
      List<X509Toolkit.Revocation> carried = crl == null ? List.of() : entries(crl);
      BigInteger next =
          crl == null ? BigInteger.ONE : X509Toolkit.crlNumber(crl).add(BigInteger.ONE);
      crl = publishCrl(ca, caKey, carried, next, now);
      actions.put("crl", PkiReport.Action.ISSUED);
    } else {
      actions.put("crl", PkiReport.Action.KEPT);
    }
    Set<BigInteger> revoked = serials(crl);

    boolean serverOk =
        leafValid(serverDir(), "server", spec.serverSubject(), ca, revoked, now, expectedSans());
    if (!serverOk) {
      issueLeaf(serverDir(), "server", spec.serverSubject(), ca, caKey, true, false, now);
    }
    actions.put("server", serverOk ? PkiReport.Action.KEPT : PkiReport.Action.ISSUED);

    for (ClientSpec c : spec.clients()) {
      CertificateSubject s = spec.clientSubject(c);
      boolean serves = c.kind().servesTls();
      boolean ok =
          leafValid(clientsDir(), c.name(), s, ca, revoked, now, serves ? expectedSans() : null);
      if (!ok) {
        issueLeaf(clientsDir(), c.name(), s, ca, caKey, serves, true, now);
      }
      actions.put(c.name(), ok ? PkiReport.Action.KEPT : PkiReport.Action.ISSUED);
    }
    return new PkiReport(actions);
  }

  /**
   * What {@link #ensure()} would issue now, in its order ({@code ca}, {@code crl}, {@code server},
   * then client names), without writing anything: a provisioning plan's check. Empty when every
   * piece is present and valid and the CRL is not due for re-signing.
   */
  public synchronized List<String> due() {
    Instant now = clock.instant();
    List<String> out = new ArrayList<>();
    if (!caValid(now)) {
      out.add("ca");
      out.add("crl");
      out.add("server");
      spec.clients().forEach(c -> out.add(c.name()));
      return out;
    }
    X509Certificate ca = readCert(caCertPem());
    X509CRL crl = readValidCrl(ca);
    if (crl == null
        || crl.getNextUpdate() == null
        || Duration.between(now, crl.getNextUpdate().toInstant()).compareTo(spec.crlRefreshBefore())
            < 0) {
      out.add("crl");
    }
    Set<BigInteger> revoked = crl == null ? Set.of() : serials(crl);
    if (!leafValid(serverDir(), "server", spec.serverSubject(), ca, revoked, now, expectedSans())) {
      out.add("server");
    }
    for (ClientSpec c : spec.clients()) {
      if (!leafValid(
          clientsDir(),
          c.name(),
          spec.clientSubject(c),
          ca,
          revoked,
          now,
          c.kind().servesTls() ? expectedSans() : null)) {
        out.add(c.name());
      }
    }
    return out;
  }

  /**
   * When this directory issued {@code certificate}, to the second: its {@code notBefore} is
   * back-dated by five minutes (clock skew between hosts) and X.509 times have whole seconds, so
   * this is the issuing instant truncated to the second. A rotation "of every certificate issued
   * before T" compares this with T.
   */
  public static Instant issuedAt(X509Certificate certificate) {
    return certificate.getNotBefore().toInstant().plus(BACKDATE);
  }

  // ---------------------------------------------------------------- accessors

  /** The CA certificate (no key path is exposed: the CA key never leaves this class). */
  public synchronized Credential ca() {
    return new Credential(
        "ca", spec.caSubject(), readCert(caCertPem()), caCertPem(), null, null, null);
  }

  public synchronized Credential server() {
    return credential(serverDir(), "server", spec.serverSubject());
  }

  public synchronized Credential client(String name) {
    ClientSpec c = spec.client(name);
    return credential(clientsDir(), c.name(), spec.clientSubject(c));
  }

  /**
   * The mutual-TLS identity of client {@code name} (its certificate, key and this CA), from which
   * {@link TlsIdentity} builds Kafka and service TLS configuration.
   */
  public synchronized TlsIdentity identity(String name) {
    Credential c = client(name);
    return new TlsIdentity(c.name(), caCertPem(), c.certPem(), c.keyPem());
  }

  /** The CRL currently published, signature checked against the CA. */
  public synchronized X509CRL crl() {
    X509CRL crl = readValidCrl(readCert(caCertPem()));
    if (crl == null) {
      throw new PkiException("no valid CRL at " + crlPem() + "; run ensure()");
    }
    return crl;
  }

  // ---------------------------------------------------------------- rotation and revocation

  /** Issues a new key and certificate for client {@code name}; the old one is revoked if asked. */
  public synchronized Credential rotateClient(String name, boolean revokeOld) {
    ClientSpec c = spec.client(name);
    return rotate(
        clientsDir(), c.name(), spec.clientSubject(c), c.kind().servesTls(), true, revokeOld);
  }

  /**
   * Issues another key and certificate for client {@code name} into {@code dir} ({@code
   * <name>.pem}, {@code .key}, {@code .p12}, {@code .p12.password}), leaving its current one in
   * place and valid: a second instance of an identity with a key of its own, or "another valid
   * certificate of the same name" for an attack. Nothing under this PKI's root changes.
   *
   * @throws PkiException if {@code dir} is where the current certificates are kept
   */
  public synchronized Credential issueAnother(String name, Path dir) {
    if (dir.toAbsolutePath().normalize().startsWith(root.toAbsolutePath().normalize())) {
      throw new PkiException("another certificate goes outside the PKI's root, not in " + dir);
    }
    ClientSpec c = spec.client(name);
    issueLeaf(
        dir,
        c.name(),
        spec.clientSubject(c),
        readCert(caCertPem()),
        readKey(caKeyPem()),
        c.kind().servesTls(),
        true,
        clock.instant());
    return credential(dir, c.name(), spec.clientSubject(c));
  }

  /** Issues a new server key and certificate; the old one is revoked if asked. */
  public synchronized Credential rotateServer(boolean revokeOld) {
    return rotate(serverDir(), "server", spec.serverSubject(), true, false, revokeOld);
  }

  /** Adds {@code certificate} to the CRL and re-signs it. Revoking twice is a no-op. */
  public synchronized X509CRL revoke(X509Certificate certificate, RevocationReason reason) {
    X509Certificate ca = readCert(caCertPem());
    if (!ca.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())
        || !signedBy(certificate, ca)) {
      throw new PkiException(
          "certificate " + certificate.getSubjectX500Principal() + " was not issued by this CA");
    }
    X509CRL crl = crl();
    List<X509Toolkit.Revocation> entries = new ArrayList<>(entries(crl));
    if (serials(crl).contains(certificate.getSerialNumber())) {
      return crl;
    }
    entries.add(
        new X509Toolkit.Revocation(certificate.getSerialNumber(), clock.instant(), reason.code()));
    return publishCrl(
        ca,
        readKey(caKeyPem()),
        entries,
        X509Toolkit.crlNumber(crl).add(BigInteger.ONE),
        clock.instant());
  }

  /** The CRL number (RFC 5280 §5.2.3) of {@code crl}, zero when it has none. */
  public static BigInteger crlNumber(X509CRL crl) {
    return X509Toolkit.crlNumber(crl);
  }

  /** Revokes the current certificate of client {@code name}. */
  public synchronized X509CRL revokeClient(String name, RevocationReason reason) {
    return revoke(client(name).certificate(), reason);
  }

  // ---------------------------------------------------------------- internals

  private Credential rotate(
      Path dir,
      String name,
      CertificateSubject subject,
      boolean serverAuth,
      boolean clientAuth,
      boolean revokeOld) {
    X509Certificate ca = readCert(caCertPem());
    PrivateKey caKey = readKey(caKeyPem());
    X509Certificate old =
        Files.exists(dir.resolve(name + ".pem")) ? readCert(dir.resolve(name + ".pem")) : null;
    issueLeaf(dir, name, subject, ca, caKey, serverAuth, clientAuth, clock.instant());
    if (revokeOld && old != null && signedBy(old, ca)) {
      revoke(old, RevocationReason.SUPERSEDED);
    }
    return credential(dir, name, subject);
  }

  private Path serverDir() {
    return root.resolve("server");
  }

  private Path clientsDir() {
    return root.resolve("clients");
  }

  private Credential credential(Path dir, String name, CertificateSubject subject) {
    Path cert = dir.resolve(name + ".pem");
    if (!Files.exists(cert)) {
      throw new PkiException("no certificate for '" + name + "' at " + cert + "; run ensure()");
    }
    return new Credential(
        name,
        subject,
        readCert(cert),
        cert,
        dir.resolve(name + ".key"),
        dir.resolve(name + ".p12"),
        dir.resolve(name + ".p12.password"));
  }

  private boolean caValid(Instant now) {
    if (!Files.exists(caCertPem()) || !Files.exists(caKeyPem())) {
      return false;
    }
    try {
      X509Certificate ca = readCert(caCertPem());
      PrivateKey key = readKey(caKeyPem());
      return TlsFileWatch.keyMatches(key, ca)
          && sameName(ca.getSubjectX500Principal().getEncoded(), spec.caSubject())
          && !now.isBefore(ca.getNotBefore().toInstant())
          && Duration.between(now, ca.getNotAfter().toInstant()).compareTo(spec.leafValidity()) > 0
          && signedBy(ca, ca);
    } catch (PkiException e) {
      return false;
    }
  }

  private void issueCa(Instant now) {
    SecureFiles.privateDir(root.resolve("ca"));
    KeyPair kp = X509Toolkit.newKeyPair();
    X509Certificate ca =
        X509Toolkit.selfSignedCa(
            spec.caSubject(), kp, now.minus(BACKDATE), now.plus(spec.caValidity()));
    SecureFiles.writeSecret(
        caKeyPem(), X509Toolkit.toPem(kp.getPrivate()).getBytes(StandardCharsets.US_ASCII));
    SecureFiles.writePublic(caCertPem(), X509Toolkit.toPem(ca).getBytes(StandardCharsets.US_ASCII));
  }

  private X509CRL readValidCrl(X509Certificate ca) {
    if (!Files.exists(crlPem())) {
      return null;
    }
    try {
      X509CRL crl = X509Toolkit.readCrl(Files.readString(crlPem(), StandardCharsets.US_ASCII));
      crl.verify(ca.getPublicKey());
      return crl.getIssuerX500Principal().equals(ca.getSubjectX500Principal()) ? crl : null;
    } catch (IOException | java.security.GeneralSecurityException | PkiException e) {
      return null;
    }
  }

  private X509CRL publishCrl(
      X509Certificate ca,
      PrivateKey caKey,
      List<X509Toolkit.Revocation> entries,
      BigInteger number,
      Instant now) {
    X509CRL crl =
        X509Toolkit.crl(
            ca, caKey, entries, now.minus(BACKDATE), now.plus(spec.crlValidity()), number);
    SecureFiles.writePublic(crlPem(), X509Toolkit.toPem(crl).getBytes(StandardCharsets.US_ASCII));
    return crl;
  }

  private static List<X509Toolkit.Revocation> entries(X509CRL crl) {
    List<X509Toolkit.Revocation> out = new ArrayList<>();
    Set<? extends X509CRLEntry> set = crl.getRevokedCertificates();
    if (set != null) {
      for (X509CRLEntry e : set) {
        out.add(
            new X509Toolkit.Revocation(
                e.getSerialNumber(), e.getRevocationDate().toInstant(), X509Toolkit.reasonOf(e)));
      }
    }
    out.sort((a, b) -> a.serial().compareTo(b.serial()));
    return out;
  }

  private static Set<BigInteger> serials(X509CRL crl) {
    Set<BigInteger> out = new HashSet<>();
    for (X509Toolkit.Revocation r : entries(crl)) {
      out.add(r.serial());
    }
    return out;
  }

  private boolean leafValid(
      Path dir,
      String name,
      CertificateSubject subject,
      X509Certificate ca,
      Set<BigInteger> revoked,
      Instant now,
      Set<String> sans) {
    Path cert = dir.resolve(name + ".pem");
    Path key = dir.resolve(name + ".key");
    if (!Files.exists(cert)
        || !Files.exists(key)
        || !Files.exists(dir.resolve(name + ".p12"))
        || !Files.exists(dir.resolve(name + ".p12.password"))) {
      return false;
    }
    try {
      X509Certificate c = readCert(cert);
      return signedBy(c, ca)
          && !revoked.contains(c.getSerialNumber())
          && sameName(c.getSubjectX500Principal().getEncoded(), subject)
          && !now.isBefore(c.getNotBefore().toInstant())
          && Duration.between(now, c.getNotAfter().toInstant()).compareTo(spec.renewBefore()) > 0
          && (sans == null || sans.equals(normalised(X509Toolkit.subjectAltNames(c))))
          && TlsFileWatch.keyMatches(readKey(key), c);
    } catch (PkiException e) {
      return false;
    }
  }

  private void issueLeaf(
      Path dir,
      String name,
      CertificateSubject subject,
      X509Certificate ca,
      PrivateKey caKey,
      boolean serverAuth,
      boolean clientAuth,
      Instant now) {
    SecureFiles.privateDir(dir);
    KeyPair kp = X509Toolkit.newKeyPair();
    Instant notAfter = now.plus(spec.leafValidity());
    if (notAfter.isAfter(ca.getNotAfter().toInstant())) {
      notAfter = ca.getNotAfter().toInstant();
    }
    X509Certificate cert =
        X509Toolkit.issueLeaf(
            ca,
            caKey,
            subject,
            kp.getPublic(),
            now.minus(BACKDATE),
            notAfter,
            serverAuth,
            clientAuth,
            serverAuth ? spec.serverNames() : List.of());
    byte[] pw = new byte[18];
    RANDOM.nextBytes(pw);
    String password = Base64Url.encode(pw);
    char[] pwChars = password.toCharArray();
    try {
      SecureFiles.writeSecret(
          dir.resolve(name + ".key"),
          X509Toolkit.toPem(kp.getPrivate()).getBytes(StandardCharsets.US_ASCII));
      SecureFiles.writePublic(
          dir.resolve(name + ".pem"), X509Toolkit.toPem(cert).getBytes(StandardCharsets.US_ASCII));
      SecureFiles.writeSecret(
          dir.resolve(name + ".p12"), X509Toolkit.pkcs12(name, kp.getPrivate(), cert, ca, pwChars));
      SecureFiles.writeSecret(
          dir.resolve(name + ".p12.password"), password.getBytes(StandardCharsets.US_ASCII));
    } finally {
      Arrays.fill(pwChars, '\0');
    }
  }

  private Set<String> expectedSans() {
    return normalised(spec.serverNames());
  }

  private static Set<String> normalised(List<String> names) {
    Set<String> out = new HashSet<>();
    for (String n : names) {
      if (n.contains(":") || n.matches("[0-9.]+")) {
        try {
          out.add(InetAddress.getByName(n).getHostAddress()); // a literal: no lookup happens
        } catch (UnknownHostException e) {
          out.add(n);
        }
      } else {
        out.add(n.toLowerCase(java.util.Locale.ROOT));
      }
    }
    return out;
  }

  private static boolean sameName(byte[] encoded, CertificateSubject subject) {
    try {
      return Arrays.equals(encoded, subject.x500Name().getEncoded());
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean signedBy(X509Certificate cert, X509Certificate ca) {
    try {
      cert.verify(ca.getPublicKey());
      return cert.getIssuerX500Principal().equals(ca.getSubjectX500Principal());
    } catch (java.security.GeneralSecurityException e) {
      return false;
    }
  }

  private static X509Certificate readCert(Path p) {
    try {
      return X509Toolkit.readCertificate(Files.readString(p, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new PkiException("cannot read " + p, e);
    }
  }

  private static PrivateKey readKey(Path p) {
    try {
      return X509Toolkit.readPrivateKey(Files.readString(p, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new PkiException("cannot read " + p, e);
    }
  }
}
