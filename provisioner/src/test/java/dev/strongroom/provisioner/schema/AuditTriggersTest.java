package dev.strongroom.provisioner.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The generated audit triggers: pinned by a golden file ({@code
 * golden/mariadb-10.11/schema/05-audit-triggers.sql}; regenerate with {@code -Dgolden.update=true}
 * and review the diff), and the column specification checked against the tables' DDL.
 */
class AuditTriggersTest {
  @Test
  void generatedScript_matchesTheGoldenFile() throws IOException {
    String path = "mariadb-10.11/schema/" + AuditTriggers.SCRIPT_NAME;
    String actual = AuditTriggers.script();
    if (Boolean.getBoolean("golden.update")) {
      Path p = Path.of("src/test/resources/golden").resolve(path);
      Files.createDirectories(p.getParent());
      Files.writeString(p, actual, StandardCharsets.UTF_8);
      return;
    }
    try (InputStream in = AuditTriggersTest.class.getResourceAsStream("/golden/" + path)) {
      if (in == null) {
        throw new AssertionError("missing golden/" + path + " (run with -Dgolden.update=true)");
      }
      assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), actual);
    }
  }

  @Test
  void specification_namesEveryColumnOfEveryAuditedTable_inTheTablesDdl() {
    String ddl = SchemaInstaller.resource("01-tables.sql");
    for (AuditTriggers.Table t : AuditTriggers.TABLES) {
      Matcher m =
          Pattern.compile(
                  "CREATE TABLE IF NOT EXISTS strongroom\\." + t.name() + " \\((.*?)\\n\\) ENGINE",
                  Pattern.DOTALL)
              .matcher(ddl);
      assertTrue(m.find(), t.name());
      List<String> columns = new ArrayList<>();
      for (String line : m.group(1).split("\n")) {
        Matcher c = Pattern.compile("^  ([a-z_]+) +([A-Z]+)").matcher(line);
        if (c.find() && !List.of("PRIMARY", "UNIQUE", "KEY", "CONSTRAINT").contains(c.group(1))) {
          columns.add(c.group(1));
          AuditTriggers.Column spec = t.column(c.group(1));
          String type = c.group(2);
          AuditTriggers.Kind expected =
              switch (type) {
                case "VARCHAR", "CHAR" -> AuditTriggers.Kind.TEXT;
                case "VARBINARY", "MEDIUMBLOB" -> AuditTriggers.Kind.BINARY;
                case "DATETIME" -> AuditTriggers.Kind.DATETIME;
                case "BIGINT" -> AuditTriggers.Kind.INTEGER;
                default -> throw new AssertionError("unknown type " + type);
              };
          assertEquals(expected, spec.kind(), t.name() + "." + c.group(1));
          assertEquals(!line.contains("NOT NULL"), spec.nullable(), line);
        }
      }
      assertEquals(
          t.columns().stream().map(AuditTriggers.Column::name).sorted().toList(),
          columns.stream().sorted().toList(),
          t.name());
    }
  }

  @Test
  void aTenantMove_writesTwoEvents_oldTenantFirst() {
    String update = AuditTriggers.updateTrigger(AuditTriggers.TABLES.get(2));
    int moved = update.indexOf("IF NOT (OLD.tenant_id <=> NEW.tenant_id) THEN");
    assertTrue(moved > 0);
    assertTrue(update.indexOf("OLD.tenant_id, 'UPDATE'") > moved);
    assertTrue(
        update.indexOf("NEW.tenant_id, 'UPDATE'") > update.indexOf("OLD.tenant_id, 'UPDATE'"));
  }

  @Test
  void aBadSpecification_isRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new AuditTriggers.Table(
                "x",
                "id",
                false,
                List.of(new AuditTriggers.Column("id", AuditTriggers.Kind.TEXT, false))));
    assertThrows(
        IllegalArgumentException.class,
        () -> new AuditTriggers.Column("Bad Name", AuditTriggers.Kind.TEXT, false));
  }
}
