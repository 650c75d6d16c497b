package dev.strongroom.provisioner.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.errors.RefusalCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * contracts' {@link RefusalCode} table against every {@code SIGNAL} of the installed SQL: every
 * signalled code is in the table, and every code of the table but the Java-only {@code
 * SR-TOKEN-TENANT} and {@code SR-TOKEN-CNF} (the database does not see the caller's certificate)
 * and {@code SR-REQUEST-EXISTS} (the data-service's reading of a DUPLICATE for another record) is
 * signalled somewhere.
 */
class RefusalCodeTableTest {
  private static final Pattern SIGNAL =
      Pattern.compile("SIGNAL\\s+SQLSTATE\\s+'45000'\\s+SET\\s+MESSAGE_TEXT\\s*=\\s*'([^']*)'");

  @Test
  void everySignalInTheSql_isATypedRefusalCode_andBack() throws IOException {
    List<String> scripts =
        List.of(
            "01-tables.sql",
            "02-definer.sql",
            "03-routines.sql",
            "04-grants.sql",
            "05-audit.sql",
            "06-audit-grants.sql");
    Set<String> signalled = new TreeSet<>();
    int signals = 0;
    for (String script : scripts) {
      try (InputStream in =
          SchemaInstaller.class.getResourceAsStream(
              "/dev/strongroom/provisioner/schema/" + script)) {
        String sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        Matcher m = SIGNAL.matcher(sql);
        while (m.find()) {
          signals++;
          String message = m.group(1);
          assertTrue(
              RefusalCode.ofMessage(message).isPresent(),
              () -> script + ": SIGNAL '" + message + "' has no RefusalCode");
          signalled.add(RefusalCode.ofMessage(message).orElseThrow().code());
        }
      }
    }
    assertTrue(signals > 30, "found only " + signals + " SIGNALs; did the SQL move?");
    Set<String> table =
        Arrays.stream(RefusalCode.values())
            .map(RefusalCode::code)
            .filter(c -> !c.equals(RefusalCode.TOKEN_TENANT.code()))
            .filter(c -> !c.equals(RefusalCode.TOKEN_CNF.code()))
            .filter(c -> !c.equals(RefusalCode.REQUEST_EXISTS.code()))
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(table, signalled);
  }
}
