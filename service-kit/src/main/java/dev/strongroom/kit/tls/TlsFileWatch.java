package dev.strongroom.kit.tls;

import dev.strongroom.contracts.tls.TlsIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Watches the PEM files of one TLS identity (its certificate and key, and the CA it trusts) for a
 * rotation: each {@link #check} costs one {@code stat} per file (file key, modification time and
 * size — the provisioner renames new files into place, so a new inode is seen even within one
 * timestamp tick), and reports {@link Check.Status#CHANGED} once per change, with the certificate
 * now on disk.
 *
 * <p>A change is reported only when the new pair is whole: the key must sign what the certificate's
 * public key verifies. Until then (a certificate renamed into place before its key, a file missing)
 * the check says {@link Check.Status#INCONSISTENT} and the caller keeps serving what it has; the
 * next check looks again. Plain Java: the service kit's {@link ServiceCertificateReloader} and the
 * data-service's database pool use it.
 */
public final class TlsFileWatch {
  /** What {@link #check} found. */
  public record Check(Status status, X509Certificate certificate, String detail) {
    /** The three outcomes. */
    public enum Status {
      /** The files are as at the last change (or at start). */
      UNCHANGED,
      /** The files changed and hold a whole identity: reload it. */
      CHANGED,
      /** The files changed but do not (yet) hold a usable pair: keep the old one. */
      INCONSISTENT
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
      return new Check(Check.Status.UNCHANGED, null, "");
    }
    try {
      X509Certificate cert = identity.certificate();
      PrivateKey key = identity.privateKey();
      if (!matches(cert, key)) {
        return new Check(
            Check.Status.INCONSISTENT,
            null,
            "the key " + identity.key() + " does not belong to the certificate " + identity.cert());
      }
      seen = now;
      return new Check(Check.Status.CHANGED, cert, "serial " + serial(cert));
    } catch (RuntimeException e) {
      return new Check(
          Check.Status.INCONSISTENT, null, "cannot load " + identity + ": " + e.getMessage());
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

  private static boolean matches(X509Certificate cert, PrivateKey key) {
    String alg =
        switch (key.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          default -> key.getAlgorithm(); // Ed25519, Ed448
        };
    try {
      byte[] probe = "strongroom tls reload".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
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
