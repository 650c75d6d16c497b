package dev.strongroom.contracts.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Watches the PEM files of one TLS identity (its certificate and key, and the CA it trusts) for a
 * rotation: each {@link #check} costs one {@code stat} per file (file key, modification time and
 * size — the provisioner renames new files into place, so a new inode is seen even within one
 * timestamp tick), and reports {@link Check.Status#CHANGED} once per change, with the material now
 * on disk.
 *
 * <p>A change is reported only when the new material is whole: the key must sign what the
 * certificate's public key verifies, and the certificate must be signed by a certificate of the CA
 * file. Until then (a certificate renamed into place before its key, a file missing, a CA file that
 * does not vouch for the certificate) the check says {@link Check.Status#INCONSISTENT} and the
 * caller keeps what it has; the next check looks again. Plain Java: {@link LiveTlsIdentity} (the
 * services' HTTPS server and Kafka clients) and the data-service's database pool use it.
 */
public final class TlsFileWatch {
  /**
   * What {@link #check} found.
   *
   * @param status the outcome
   * @param certificate the new leaf certificate ({@link Status#CHANGED} only, else null)
   * @param detail why the files are not usable, or the new serial
   * @param material the whole new material ({@link Status#CHANGED} only, else null)
   */
  public record Check(
      Status status, X509Certificate certificate, String detail, Material material) {
    /** The three outcomes. */
    public enum Status {
      /** The files are as at the last change (or at start). */
      UNCHANGED,
      /** The files changed and hold a whole identity: reload it. */
      CHANGED,
      /** The files changed but do not (yet) hold a usable pair: keep the old one. */
      INCONSISTENT
    }

    @Override
    public String toString() {
      return "Check[" + status + ", " + detail + "]"; // never the key
    }
  }

  /**
   * One whole, validated reading of the files: the certificate chain (leaf first, as in the
   * certificate file), its private key, and the CA file's certificates.
   */
  public record Material(
      List<X509Certificate> chain, PrivateKey key, List<X509Certificate> authorities) {
    public Material {
      chain = List.copyOf(chain);
      authorities = List.copyOf(authorities);
      Objects.requireNonNull(key, "key");
      if (chain.isEmpty() || authorities.isEmpty()) {
        throw new IllegalArgumentException("a chain and at least one authority are needed");
      }
    }

    /** The leaf certificate. */
    public X509Certificate certificate() {
      return chain.get(0);
    }

    @Override
    public String toString() {
      return "Material[serial " + serial(certificate()) + "]"; // never the key
    }
  }

  private record Stamp(Object fileKey, FileTime modified, long size) {}

  private final TlsIdentity identity;
  private List<Stamp> seen;

  /** Starts from the files as they are now: the first change after this is reported. */
  public TlsFileWatch(TlsIdentity identity) {
    this.identity = Objects.requireNonNull(identity, "identity");
    this.seen = stamps();
  }

  public TlsIdentity identity() {
    return identity;
  }

  /** Whether the files changed since the last reported change, and to what. */
  public synchronized Check check() {
    List<Stamp> now = stamps();
    if (now.equals(seen)) {
      return new Check(Check.Status.UNCHANGED, null, "", null);
    }
    try {
      Material m = read(identity);
      seen = now;
      return new Check(Check.Status.CHANGED, m.certificate(), "serial " + serial(m), m);
    } catch (IllegalStateException e) {
      return new Check(Check.Status.INCONSISTENT, null, e.getMessage(), null);
    }
  }

  /** Reports the files as changed at the next {@link #check} again (a reload that failed). */
  public synchronized void again() {
    seen = List.of();
  }

  /** The certificate's serial in lower-case hex, as the CRL and {@code openssl} print it. */
  public static String serial(X509Certificate cert) {
    return cert.getSerialNumber().toString(16).toLowerCase(Locale.ROOT);
  }

  private static String serial(Material m) {
    return serial(m.certificate());
  }

  /**
   * Reads and validates {@code identity}'s files as they are now.
   *
   * @throws IllegalStateException naming what is wrong when they do not hold whole material
   */
  public static Material read(TlsIdentity identity) {
    List<X509Certificate> chain = certificates(identity.cert(), identity);
    List<X509Certificate> authorities = certificates(identity.caCert(), identity);
    PrivateKey key;
    try {
      key = identity.privateKey();
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot load " + identity + ": " + e.getMessage(), e);
    }
    if (!keyMatches(key, chain.get(0))) {
      throw new IllegalStateException(
          "the key " + identity.key() + " does not belong to the certificate " + identity.cert());
    }
    if (authorities.stream().noneMatch(ca -> issued(ca, chain.get(chain.size() - 1)))) {
      throw new IllegalStateException(
          "the certificate "
              + identity.cert()
              + " (serial "
              + serial(chain.get(0))
              + ") is not issued by a CA of "
              + identity.caCert());
    }
    return new Material(chain, key, authorities);
  }

  /** The certificates of a PEM file, at least one. */
  static List<X509Certificate> certificates(Path file, TlsIdentity identity) {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new IllegalStateException("no certificate in " + file);
      }
      return out;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot load " + identity + ": " + file + ": " + e, e);
    }
  }

  private static boolean issued(X509Certificate ca, X509Certificate cert) {
    if (!ca.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
      return false;
    }
    try {
      cert.verify(ca.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private List<Stamp> stamps() {
    List<Stamp> out = new ArrayList<>();
    for (Path p : List.of(identity.cert(), identity.key(), identity.caCert())) {
      try {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        out.add(new Stamp(a.fileKey(), a.lastModifiedTime(), a.size()));
      } catch (NoSuchFileException e) {
        out.add(new Stamp(null, FileTime.fromMillis(0), -1));
      } catch (IOException e) {
        out.add(new Stamp(e.getClass().getName(), FileTime.fromMillis(0), -2));
      }
    }
    return List.copyOf(out);
  }

  /**
   * True when {@code key} is the private half of {@code cert}'s public key: it signs a probe the
   * certificate's key verifies (EC, RSA, Ed25519, Ed448); false for any other key or an algorithm
   * the JDK does not offer.
   */
  public static boolean keyMatches(PrivateKey key, X509Certificate cert) {
    String alg =
        switch (key.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          default -> key.getAlgorithm(); // Ed25519, Ed448
        };
    try {
      byte[] probe = "strongroom tls reload".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(cert.getPublicKey());
      v.update(probe);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
