package dev.strongroom.provisioner.pki;

import java.util.Objects;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * The three-part distinguished name every Strongroom certificate carries: organisation, unit,
 * common name.
 *
 * <p>Encoding order (the DER {@code RDNSequence}) is O, then OU, then CN — most significant first,
 * as X.500 intends. The same name therefore has three spellings, all produced here and all tested:
 *
 * <ul>
 *   <li>{@link #rfc4514()}: {@code CN=app_user,OU=db,O=Strongroom} (RFC 4514 lists the RDNs in
 *       reverse; Java's {@code X500Principal.getName()} prints exactly this);
 *   <li>{@link #mariaDbForm()}: {@code /O=Strongroom/OU=db/CN=app_user} — OpenSSL's {@code
 *       X509_NAME_oneline()} in encoding order, which is the string MariaDB and MySQL compare byte
 *       for byte against {@code REQUIRE SUBJECT} / {@code ISSUER};
 *   <li>{@link #x500Name()}: the Bouncy Castle object used to build certificates.
 * </ul>
 *
 * <p>Components are limited to letters, digits, space, {@code _ . -}: nothing that OpenSSL would
 * escape, so the MariaDB form is exact and contains no SQL quote.
 */
public record CertificateSubject(String organization, String unit, String commonName) {
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 _.\\-]{0,62}");

  public CertificateSubject {
    check("organization", organization);
    check("unit", unit);
    check("commonName", commonName);
  }

  private static void check(String what, String value) {
    Objects.requireNonNull(value, what);
    if (!SAFE.matcher(value).matches() || value.endsWith(" ")) {
      throw new IllegalArgumentException(
          what
              + " must be 1-63 characters of [A-Za-z0-9 _.-], starting with a letter or digit: '"
              + value
              + "'");
    }
  }

  /** The Bouncy Castle name, RDNs encoded in the order O, OU, CN. */
  public X500Name x500Name() {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, organization)
        .addRDN(BCStyle.OU, unit)
        .addRDN(BCStyle.CN, commonName)
        .build();
  }

  /** RFC 4514 string: {@code CN=<cn>,OU=<unit>,O=<org>}. */
  public String rfc4514() {
    return "CN=" + commonName + ",OU=" + unit + ",O=" + organization;
  }

  /** The {@code X509_NAME_oneline} form MariaDB/MySQL compare in {@code REQUIRE SUBJECT/ISSUER}. */
  public String mariaDbForm() {
    return "/O=" + organization + "/OU=" + unit + "/CN=" + commonName;
  }

  @Override
  public String toString() {
    return rfc4514();
  }
}
