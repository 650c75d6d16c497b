package dev.strongroom.kit.tls;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * The stack CA's certificate revocation list as the services apply it to their callers: the file
 * the provisioner publishes ({@code ca/crl.pem}, the one the database's {@code ssl_crl} names),
 * re-read whenever it changes.
 *
 * <p>Each {@link #check} costs one {@code stat} of the file (modification time, size and file key —
 * the provisioner replaces the file, so a new inode is seen even within one timestamp tick); the
 * file is parsed and its signature verified against the CA certificate only when those change. The
 * check fails closed: a CRL that is missing, unreadable, not signed by the CA, or past its {@code
 * nextUpdate} makes every caller {@link Verdict.Status#UNAVAILABLE} until a good one is in place —
 * a revoked certificate must never pass because the list could not be read.
 *
 * <p>Plain Java (no Quarkus): {@link EndpointAccess} calls it before its allow-list.
 */
public final class RevocationList {
  /** Configuration key of the CRL file (PEM); set beside {@code strongroom.tls.ca}. */
  public static final String CONFIG_CRL = "strongroom.tls.crl";

  /** What {@link #check} found. */
  public record Verdict(Status status, String detail) {
    /** The three outcomes. */
    public enum Status {
      /** Not on the list: the caller goes on to the allow-list. */
      GOOD,
      /** On the list: refused. */
      REVOKED,
      /** No usable list: everyone is refused (fail closed). */
      UNAVAILABLE
    }
  }

  /** What was loaded, keyed by the file attributes it was loaded at. */
  private record Snapshot(
      Object fileKey,
      FileTime modified,
      long size,
      X500Principal issuer,
      Set<BigInteger> serials,
      Instant nextUpdate,
      String problem) {}

  private final Path crl;
  private final Path caCert;
  private final Clock clock;
  private volatile Snapshot snapshot;

  /**
   * @param crl the CA's CRL (PEM or DER)
   * @param caCert the CA certificate(s), PEM; the CRL must be signed by the one that issued it
   */
  public RevocationList(Path crl, Path caCert) {
    this(crl, caCert, Clock.systemUTC());
  }

  RevocationList(Path crl, Path caCert, Clock clock) {
    this.crl = Objects.requireNonNull(crl, "crl");
    this.caCert = Objects.requireNonNull(caCert, "caCert");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public Path file() {
    return crl;
  }

  /** Whether {@code certificate} is on the current list (or no list can be trusted). */
  public Verdict check(X509Certificate certificate) {
    Snapshot s = current();
    if (s.problem() != null) {
      return new Verdict(Verdict.Status.UNAVAILABLE, s.problem());
    }
    if (s.nextUpdate() != null && clock.instant().isAfter(s.nextUpdate())) {
      return new Verdict(
          Verdict.Status.UNAVAILABLE, "the CRL " + crl + " expired at " + s.nextUpdate());
    }
    if (s.issuer().equals(certificate.getIssuerX500Principal())
        && s.serials().contains(certificate.getSerialNumber())) {
      return new Verdict(
          Verdict.Status.REVOKED,
          "serial " + certificate.getSerialNumber().toString(16).toLowerCase(Locale.ROOT));
    }
    return new Verdict(Verdict.Status.GOOD, "");
  }

  private Snapshot current() {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(crl, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return failed(null, "no CRL at " + crl);
    } catch (IOException e) {
      return failed(null, "cannot read the CRL " + crl + ": " + e.getMessage());
    }
    Snapshot s = snapshot;
    if (s != null && unchanged(s, a)) {
      return s;
    }
    synchronized (this) {
      s = snapshot;
      if (s != null && unchanged(s, a)) {
        return s;
      }
      s = load(a);
      snapshot = s;
      return s;
    }
  }

  private static boolean unchanged(Snapshot s, BasicFileAttributes a) {
    return Objects.equals(s.fileKey(), a.fileKey())
        && s.modified().equals(a.lastModifiedTime())
        && s.size() == a.size();
  }

  private Snapshot failed(BasicFileAttributes a, String problem) {
    return new Snapshot(
        a == null ? null : a.fileKey(),
        a == null ? FileTime.fromMillis(0) : a.lastModifiedTime(),
        a == null ? -1 : a.size(),
        null,
        Set.of(),
        null,
        problem);
  }

  private Snapshot load(BasicFileAttributes a) {
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      X509CRL list;
      try (InputStream in = Files.newInputStream(crl)) {
        list = (X509CRL) cf.generateCRL(in);
      }
      X509Certificate issuer = null;
      try (InputStream in = Files.newInputStream(caCert)) {
        for (java.security.cert.Certificate c : cf.generateCertificates(in)) {
          if (c instanceof X509Certificate x
              && x.getSubjectX500Principal().equals(list.getIssuerX500Principal())) {
            issuer = x;
          }
        }
      }
      if (issuer == null) {
        return failed(a, "the CRL " + crl + " is not issued by the CA in " + caCert);
      }
      list.verify(issuer.getPublicKey());
      Set<BigInteger> serials = new HashSet<>();
      Set<? extends X509CRLEntry> entries = list.getRevokedCertificates();
      if (entries != null) {
        entries.forEach(e -> serials.add(e.getSerialNumber()));
      }
      return new Snapshot(
          a.fileKey(),
          a.lastModifiedTime(),
          a.size(),
          list.getIssuerX500Principal(),
          Set.copyOf(serials),
          list.getNextUpdate() == null ? null : list.getNextUpdate().toInstant(),
          null);
    } catch (IOException | GeneralSecurityException | ClassCastException e) {
      return failed(a, "the CRL " + crl + " is not usable: " + e.getMessage());
    }
  }
}
