package dev.strongroom.provisioner.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strongroom.provisioner.pki.CertificateSubject;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Account and operational SQL per dialect, pinned by golden files ({@code
 * golden/<dialect>/accounts.sql}, {@code operations.sql}). MariaDB's are also executed by the ITs;
 * MySQL 8.4's are checked here until a MySQL server can run on this machine. Regenerate with {@code
 * -Dgolden.update=true} and review the diff.
 */
class DialectRenderingTest {
  private static final CertificateSubject CA =
      new CertificateSubject("Strongroom", "pki", "Strongroom Root CA");

  /** Every DB identity the stack provisions ({@link PkiSpec#DB_IDENTITIES}). */
  private static final List<DbAccount> IDENTITIES =
      PkiSpec.DB_IDENTITIES.stream()
          .map(n -> new DbAccount(n, new CertificateSubject("Strongroom", "db", n), CA))
          .toList();

  @Test
  void accountsAndOperations_matchTheGoldenFiles_forBothDialects() throws IOException {
    for (Dialect d : Dialect.values()) {
      List<String> accounts =
          new ArrayList<>(AccountProvisioner.statements(d, IDENTITIES, "root", 25));
      accounts.add(AccountProvisioner.strayAccountsQuery(d, IDENTITIES, "root"));
      golden(d.id() + "/accounts.sql", String.join(";\n", accounts) + ";\n");
      List<String> ops = new ArrayList<>();
      ops.add("-- reload TLS files without a restart");
      ops.add(DialectStatements.reloadTls(d) + ";");
      ops.add("-- rotate at-rest master keys");
      DialectStatements.rotateAtRestKeys(d).forEach(x -> ops.add(x + ";"));
      ops.add("-- once after initialising the data directory");
      DialectStatements.afterInitialise(d).forEach(x -> ops.add(x + ";"));
      golden(d.id() + "/operations.sql", String.join("\n", ops) + "\n");
    }
  }

  private static void golden(String name, String actual) throws IOException {
    if (Boolean.getBoolean("golden.update")) {
      Path p = Path.of("src/test/resources/golden").resolve(name);
      Files.createDirectories(p.getParent());
      Files.writeString(p, actual, StandardCharsets.UTF_8);
      return;
    }
    try (InputStream in = DialectRenderingTest.class.getResourceAsStream("/golden/" + name)) {
      if (in == null) {
        throw new AssertionError(
            "missing golden file golden/" + name + " (run with -Dgolden.update=true)");
      }
      assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), actual, "golden/" + name);
    }
  }
}
