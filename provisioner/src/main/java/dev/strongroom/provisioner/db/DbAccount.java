package dev.strongroom.provisioner.db;

import dev.strongroom.provisioner.pki.CertificateSubject;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A database identity that authenticates by client certificate: the account {@code
 * name@'127.0.0.1'} with {@code REQUIRE SUBJECT '<subject>' AND ISSUER '<issuer>'} (DESIGN §4).
 * Both strings are in the {@link CertificateSubject#mariaDbForm() X509_NAME_oneline form} the
 * server compares byte for byte.
 */
public record DbAccount(String name, CertificateSubject subject, CertificateSubject issuer) {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,31}");

  public DbAccount {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("account name must match " + NAME.pattern() + ": " + name);
    }
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(issuer, "issuer");
  }

  /** The DB identity {@code name} as issued by {@code pki}. */
  public static DbAccount fromPki(PkiDirectory pki, String name) {
    var spec = pki.spec();
    return new DbAccount(name, spec.clientSubject(spec.client(name)), spec.caSubject());
  }

  /** Every name of {@link PkiSpec#DB_IDENTITIES} from {@code pki}. */
  public static List<DbAccount> strongroomIdentities(PkiDirectory pki) {
    return PkiSpec.DB_IDENTITIES.stream().map(n -> fromPki(pki, n)).toList();
  }
}
