package dev.strongroom.provisioner.pki;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

/**
 * The X.509 mechanics behind {@link PkiDirectory}: ECDSA P-256 keys, certificates signed with
 * SHA256withECDSA, v2 CRLs, PEM and PKCS#12 encodings. Keys and signatures come from the JDK's
 * providers; Bouncy Castle builds and parses the ASN.1 (no provider is registered globally).
 */
final class X509Toolkit {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String SIG_ALG = "SHA256withECDSA";

  private X509Toolkit() {}

  static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new PkiException("cannot generate an EC P-256 key pair", e);
    }
  }

  /** A positive 127-bit random serial (RFC 5280 §4.1.2.2: at most 20 octets, positive). */
  static BigInteger newSerial() {
    return new BigInteger(127, RANDOM).setBit(126);
  }

  static X509Certificate selfSignedCa(
      CertificateSubject subject, KeyPair keys, Instant notBefore, Instant notAfter) {
    X500Name name = subject.x500Name();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              name, newSerial(), Date.from(notBefore), Date.from(notAfter), name, keys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      return sign(b, keys.getPrivate());
    } catch (GeneralSecurityException | IOException e) {
      throw new PkiException("cannot build the CA certificate " + subject, e);
    }
  }

  /**
   * Issues an end-entity certificate. A server certificate gets {@code serverAuth} and the SANs; a
   * client certificate gets {@code clientAuth} only and no SAN.
   */
  static X509Certificate issueLeaf(
      X509Certificate ca,
      PrivateKey caKey,
      CertificateSubject subject,
      PublicKey subjectKey,
      Instant notBefore,
      Instant notAfter,
      boolean server,
      List<String> sans) {
    return issueLeaf(ca, caKey, subject, subjectKey, notBefore, notAfter, server, !server, sans);
  }

  /**
   * Issues a leaf with the extended key usages asked for; SANs are written when {@code serverAuth}.
   */
  static X509Certificate issueLeaf(
      X509Certificate ca,
      PrivateKey caKey,
      CertificateSubject subject,
      PublicKey subjectKey,
      Instant notBefore,
      Instant notAfter,
      boolean serverAuth,
      boolean clientAuth,
      List<String> sans) {
    boolean server = serverAuth;
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              ca,
              newSerial(),
              Date.from(notBefore),
              Date.from(notAfter),
              subject.x500Name(),
              subjectKey);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
      b.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(purposes(serverAuth, clientAuth)));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKey));
      b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
      if (server) {
        List<GeneralName> names = new ArrayList<>();
        for (String s : sans) {
          boolean ip = IPAddress.isValidIPv4(s) || IPAddress.isValidIPv6(s);
          names.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, s));
        }
        b.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(names.toArray(GeneralName[]::new)));
      }
      return sign(b, caKey);
    } catch (GeneralSecurityException | IOException e) {
      throw new PkiException("cannot issue a certificate for " + subject, e);
    }
  }

  private static KeyPurposeId[] purposes(boolean serverAuth, boolean clientAuth) {
    List<KeyPurposeId> out = new ArrayList<>();
    if (serverAuth) {
      out.add(KeyPurposeId.id_kp_serverAuth);
    }
    if (clientAuth) {
      out.add(KeyPurposeId.id_kp_clientAuth);
    }
    return out.toArray(KeyPurposeId[]::new);
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
      throws GeneralSecurityException {
    try {
      ContentSigner signer = new JcaContentSignerBuilder(SIG_ALG).build(key);
      return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  /** One revoked certificate: serial, revocation time, RFC 5280 reason code. */
  record Revocation(BigInteger serial, Instant when, int reason) {}

  static X509CRL crl(
      X509Certificate ca,
      PrivateKey caKey,
      List<Revocation> revoked,
      Instant thisUpdate,
      Instant nextUpdate,
      BigInteger number) {
    try {
      // The CA certificate's own encoding of its name, so the CRL issuer matches byte for byte.
      X509v2CRLBuilder b =
          new X509v2CRLBuilder(
              X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
              Date.from(thisUpdate));
      b.setNextUpdate(Date.from(nextUpdate));
      for (Revocation r : revoked) {
        b.addCRLEntry(r.serial(), Date.from(r.when()), r.reason());
      }
      b.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
      b.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca));
      ContentSigner signer = new JcaContentSignerBuilder(SIG_ALG).build(caKey);
      X509CRLHolder holder = b.build(signer);
      return new JcaX509CRLConverter().getCRL(holder);
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new PkiException("cannot sign the CRL", e);
    }
  }

  /** The CRL number extension, or zero when absent. */
  static BigInteger crlNumber(X509CRL crl) {
    byte[] ext = crl.getExtensionValue(Extension.cRLNumber.getId());
    if (ext == null) {
      return BigInteger.ZERO;
    }
    try {
      byte[] inner = org.bouncycastle.asn1.ASN1OctetString.getInstance(ext).getOctets();
      return ASN1Integer.getInstance(inner).getValue();
    } catch (RuntimeException e) {
      throw new PkiException("CRL number extension is malformed", e);
    }
  }

  /** The reason code of a CRL entry, {@link CRLReason#unspecified} when absent. */
  // java.security.cert.CRLReason is declared in RFC 5280 code order (its ordinal is the code).
  @SuppressWarnings("EnumOrdinal")
  static int reasonOf(java.security.cert.X509CRLEntry entry) {
    return entry.getRevocationReason() == null
        ? CRLReason.unspecified
        : entry.getRevocationReason().ordinal();
  }

  static String toPem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      if (object instanceof PrivateKey key) {
        w.writeObject(new JcaPKCS8Generator(key, null));
      } else {
        w.writeObject(object);
      }
    } catch (IOException e) {
      throw new PkiException("cannot PEM-encode " + object.getClass().getSimpleName(), e);
    }
    return out.toString();
  }

  static X509Certificate readCertificate(String pem) {
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      return (X509Certificate)
          cf.generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new PkiException("not a PEM X.509 certificate", e);
    }
  }

  static X509CRL readCrl(String pem) {
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      return (X509CRL)
          cf.generateCRL(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new PkiException("not a PEM X.509 CRL", e);
    }
  }

  static PrivateKey readPrivateKey(String pem) {
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      Object o = p.readObject();
      if (!(o instanceof PrivateKeyInfo info)) {
        throw new PkiException("not a PKCS#8 PEM private key");
      }
      return new JcaPEMKeyConverter().getPrivateKey(info);
    } catch (IOException e) {
      throw new PkiException("cannot read the private key", e);
    }
  }

  static byte[] pkcs12(
      String alias, PrivateKey key, X509Certificate leaf, X509Certificate ca, char[] password) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(alias, key, password, new Certificate[] {leaf, ca});
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ks.store(out, password);
      return out.toByteArray();
    } catch (GeneralSecurityException | IOException e) {
      throw new PkiException("cannot build the PKCS#12 file for " + alias, e);
    }
  }

  /** The SAN values (DNS names and IP literals, IPs in their canonical textual form). */
  static List<String> subjectAltNames(X509Certificate cert) {
    try {
      List<String> out = new ArrayList<>();
      var sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          out.add(String.valueOf(san.get(1)));
        }
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new PkiException("cannot read subjectAltName", e);
    }
  }
}
