package dev.strongroom.provisioner.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.provisioner.pki.CertificateSubject;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AccountProvisionerTest {
  private static final CertificateSubject CA =
      new CertificateSubject("Strongroom", "pki", "Strongroom Root CA");

  @Test
  void identity_isPinnedBySubjectAndIssuer_atLoopbackOnly() {
    DbAccount app =
        new DbAccount("app_user", new CertificateSubject("Strongroom", "db", "app_user"), CA);
    List<String> s = AccountProvisioner.statements(List.of(app), "root", 25);
    assertTrue(
        s.contains(
            "CREATE USER IF NOT EXISTS 'app_user'@'127.0.0.1' REQUIRE SUBJECT '/O=Strongroom/OU=db/CN=app_user'"
                + " AND ISSUER '/O=Strongroom/OU=pki/CN=Strongroom Root CA' WITH MAX_USER_CONNECTIONS 25"),
        s.toString());
    assertTrue(s.contains("ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket"));
    assertTrue(s.contains("DROP DATABASE IF EXISTS test"));
    assertTrue(s.stream().noneMatch(x -> x.contains("'%'") && x.startsWith("CREATE")));
  }

  @Test
  void strayQuery_coversAnonymousWildcardAndForeignHosts() {
    DbAccount app =
        new DbAccount("app_user", new CertificateSubject("Strongroom", "db", "app_user"), CA);
    assertEquals(
        "SELECT CONCAT(QUOTE(User), '@', QUOTE(Host)) FROM mysql.global_priv WHERE User = '' OR Host = '%'"
            + " OR (User = 'root' AND Host <> 'localhost') OR (User IN ('app_user') AND Host <> '127.0.0.1')"
            + " ORDER BY 1",
        AccountProvisioner.strayAccountsQuery(List.of(app), "root"));
  }

  @Test
  void quote_refusesQuotes() {
    assertThrows(IllegalArgumentException.class, () -> AccountProvisioner.quote("a'b"));
  }

  @Test
  void serverError_parsesBothClientSpellings() {
    assertEquals(
        Optional.of(
            new ServerError(
                1045,
                "28000",
                "Access denied for user 'app_user'@'127.0.0.1' (using password: NO)")),
        ServerError.parse(
            "ERROR 1045 (28000): Access denied for user 'app_user'@'127.0.0.1' (using password: NO)\n"));
    assertEquals(
        Optional.of(
            new ServerError(
                1005, "HY000", "Can't create table `s`.`b` (errno: 140 \"Wrong create options\")")),
        ServerError.parse(
            "--------------\ncreate table\n--------------\n\nERROR 1005 (HY000) at line 1: Can't create table `s`.`b` (errno: 140 \"Wrong create options\")\n"));
    assertEquals(Optional.empty(), ServerError.parse("1\n"));
  }
}
