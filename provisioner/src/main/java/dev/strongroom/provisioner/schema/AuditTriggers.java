package dev.strongroom.provisioner.schema;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The audited data tables as one column specification, and the AFTER INSERT / UPDATE / DELETE
 * triggers generated from it (docs/audit-chain.md, "Objects"). Nothing is pasted by hand: the
 * installer runs {@link #script()}, golden files pin its text ({@code golden/mariadb-10.11/schema/
 * 05-audit-triggers.sql} and the MySQL 8.4 rendering), and {@code AuditTriggersIT} checks that what
 * the server holds is exactly this text and that every column of every audited table is in it.
 *
 * <p>Each image is built in canonical form directly (keys in code-point order, no whitespace): text
 * through {@code JSON_QUOTE}, binary as lowercase hex, {@code DATETIME(6)} as {@code YYYY-MM-DD
 * HH:MM:SS.ffffff}, integers as decimal strings, SQL NULL as {@code null} (nullable columns only,
 * through {@code IFNULL}). An UPDATE with equal images is not recorded; an UPDATE that moves a row
 * to another tenant is recorded twice, once under each tenant (the old one first), so a filter by
 * either tenant finds it.
 */
public final class AuditTriggers {
  /** The name under which the generated script is applied and pinned by its golden file. */
  public static final String SCRIPT_NAME = "05-audit-triggers.sql";

  /** How a column's value is written into an image. */
  public enum Kind {
    /** A character column: {@code JSON_QUOTE(x)}. */
    TEXT,
    /** A binary column: {@code "<lowercase hex>"}. */
    BINARY,
    /** A {@code DATETIME(6)} column: {@code "YYYY-MM-DD HH:MM:SS.ffffff"}. */
    DATETIME,
    /** An integer column: its decimal digits as a JSON string. */
    INTEGER
  }

  /** One column of an audited table. */
  public record Column(String name, Kind kind, boolean nullable) {
    public Column {
      Objects.requireNonNull(kind);
      if (!name.matches("[a-z][a-z0-9_]{0,63}")) {
        throw new IllegalArgumentException("bad column name " + name);
      }
    }
  }

  /**
   * One audited table of schema {@code strongroom}: its primary-key column (one column), whether
   * the event's {@code request_id} is the row's own {@code request_id} column, and every column.
   * The tenant is the row's {@code tenant_id} column, which every audited table has.
   */
  public record Table(
      String name, String primaryKey, boolean requestIdColumn, List<Column> columns) {
    public Table {
      columns =
          columns.stream().sorted(Comparator.comparing(Column::name)).toList(); // canonical order
      if (columns.stream().map(Column::name).distinct().count() != columns.size()) {
        throw new IllegalArgumentException("duplicate column in " + name);
      }
      if (column(columns, primaryKey) == null || column(columns, "tenant_id") == null) {
        throw new IllegalArgumentException(name + " needs its primary key and tenant_id");
      }
      if (requestIdColumn && column(columns, "request_id") == null) {
        throw new IllegalArgumentException(name + " has no request_id column");
      }
    }

    private static Column column(List<Column> columns, String name) {
      return columns.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }

    /** The column named {@code name}. */
    public Column column(String name) {
      Column c = column(columns, name);
      if (c == null) {
        throw new IllegalArgumentException("no column " + name + " in " + this.name);
      }
      return c;
    }
  }

  private static Column text(String name) {
    return new Column(name, Kind.TEXT, false);
  }

  private static Column textNull(String name) {
    return new Column(name, Kind.TEXT, true);
  }

  private static Column bin(String name) {
    return new Column(name, Kind.BINARY, false);
  }

  private static Column binNull(String name) {
    return new Column(name, Kind.BINARY, true);
  }

  private static Column datetime(String name) {
    return new Column(name, Kind.DATETIME, false);
  }

  /** The audited tables of {@code strongroom} (01-tables.sql), in the order they are installed. */
  public static final List<Table> TABLES =
      List.of(
          new Table(
              "tenants", "tenant_id", false, List.of(text("tenant_id"), datetime("created_at"))),
          new Table(
              "data_keys",
              "dek_id",
              false,
              List.of(
                  text("dek_id"),
                  text("tenant_id"),
                  bin("wrapped_dek"),
                  text("kms_key_name"),
                  text("kms_key_version"),
                  binNull("pq_wrapped_dek"),
                  textNull("pq_alg"),
                  datetime("created_at"))),
          new Table(
              "users",
              "record_id",
              true,
              List.of(
                  text("record_id"),
                  text("tenant_id"),
                  text("dek_id"),
                  text("request_id"),
                  bin("name_ct"),
                  bin("name_iv"),
                  binNull("role_ct"),
                  binNull("role_iv"),
                  binNull("email_ct"),
                  binNull("email_iv"),
                  binNull("phone_ct"),
                  binNull("phone_iv"),
                  datetime("created_at"))),
          new Table(
              "record_decrypts",
              "decrypt_id",
              false,
              List.of(
                  new Column("decrypt_id", Kind.INTEGER, false),
                  text("tenant_id"),
                  text("record_id"),
                  text("reader"),
                  datetime("decrypted_at"))));

  private AuditTriggers() {}

  /** The names of the audited tables. */
  public static List<String> tableNames() {
    return TABLES.stream().map(Table::name).toList();
  }

  /** The three trigger names of {@code table}: insert, update, delete. */
  public static List<String> triggerNames(Table table) {
    return List.of(
        table.name() + "_audit_insert",
        table.name() + "_audit_update",
        table.name() + "_audit_delete");
  }

  /** The MariaDB 10.11 script that (re)creates every data-table trigger, in {@code $$} blocks. */
  public static String script() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "-- Strongroom schema, part 5b: the data-table audit triggers, GENERATED by AuditTriggers from its column\n"
            + "-- specification (do not edit; docs/audit-chain.md). Images are canonical JSON built inline; an UPDATE with\n"
            + "-- equal images is not recorded; an UPDATE that moves a row to another tenant is recorded under both tenants.\n\n"
            + "DELIMITER $$\n");
    for (Table t : TABLES) {
      sb.append('\n').append(insertTrigger(t));
      sb.append('\n').append(updateTrigger(t));
      sb.append('\n').append(deleteTrigger(t));
    }
    sb.append("\nDELIMITER ;\n\n");
    sb.append(rowCountViews());
    return sb.toString();
  }

  /**
   * The row counts of the audited tables next to their INSERT and DELETE events (all of them,
   * sealed or not: an event commits with its row), and their reconciliation with the install-time
   * baseline: {@code expected = base rows + new inserts - new deletes}. A TRUNCATE (which fires no
   * trigger) leaves {@code row_count < expected}. Read in one consistent snapshot.
   */
  static String rowCountViews() {
    StringBuilder sb =
        new StringBuilder(
            "-- Row counts of the audited tables beside their INSERT and DELETE events (a TRUNCATE fires no trigger).\n"
                + "CREATE OR REPLACE ALGORITHM = TEMPTABLE DEFINER = 'audit_definer'@'localhost' SQL SECURITY DEFINER VIEW"
                + " strongroom_audit.audit_row_counts (table_name, row_count, inserted, deleted) AS\n");
    boolean first = true;
    for (Table t : TABLES) {
      if (!first) {
        sb.append("  UNION ALL\n");
      }
      first = false;
      sb.append("  SELECT '")
          .append(t.name())
          .append("', (SELECT COUNT(*) FROM strongroom.")
          .append(t.name())
          .append("),\n")
          .append(
              "    (SELECT COUNT(*) FROM strongroom_audit.audit_events e WHERE e.table_name = '")
          .append(t.name())
          .append("' AND e.operation = 'INSERT'),\n")
          .append(
              "    (SELECT COUNT(*) FROM strongroom_audit.audit_events e WHERE e.table_name = '")
          .append(t.name())
          .append("' AND e.operation = 'DELETE')\n");
    }
    sb.setLength(sb.length() - 1);
    sb.append(";\n\n");
    sb.append(
        "-- expected = rows at install + INSERT events since - DELETE events since; a difference is an unaudited change.\n"
            + "CREATE OR REPLACE ALGORITHM = TEMPTABLE DEFINER = 'audit_definer'@'localhost' SQL SECURITY DEFINER VIEW"
            + " strongroom_audit.audit_row_reconciliation (table_name, row_count, expected) AS\n"
            + "  SELECT c.table_name, c.row_count, b.row_count + (c.inserted - b.inserted) - (c.deleted - b.deleted)\n"
            + "    FROM strongroom_audit.audit_row_counts c\n"
            + "    JOIN strongroom_audit.audit_row_baseline b ON b.table_name = c.table_name;\n");
    return sb.toString();
  }

  /** The body of each generated trigger as the server reports it ({@code ACTION_STATEMENT}). */
  public static List<String[]> triggerBodies() {
    List<String[]> out = new ArrayList<>();
    for (Table t : TABLES) {
      List<String> names = triggerNames(t);
      out.add(new String[] {t.name(), names.get(0), "INSERT", body(insertTrigger(t))});
      out.add(new String[] {t.name(), names.get(1), "UPDATE", body(updateTrigger(t))});
      out.add(new String[] {t.name(), names.get(2), "DELETE", body(deleteTrigger(t))});
    }
    return out;
  }

  private static String body(String trigger) {
    int at = trigger.indexOf("FOR EACH ROW\n");
    String b = trigger.substring(at + "FOR EACH ROW\n".length());
    b = b.substring(0, b.lastIndexOf("$$"));
    return b.strip();
  }

  static String value(Column c, String row) {
    String ref = row + "." + c.name();
    return switch (c.kind()) {
      case TEXT ->
          c.nullable() ? "IFNULL(JSON_QUOTE(" + ref + "), 'null')" : "JSON_QUOTE(" + ref + ")";
      case BINARY ->
          c.nullable()
              ? "IFNULL(CONCAT('\"', LOWER(HEX(" + ref + ")), '\"'), 'null')"
              : "CONCAT('\"', LOWER(HEX(" + ref + ")), '\"')";
      case DATETIME ->
          c.nullable()
              ? "IFNULL(CONCAT('\"', DATE_FORMAT("
                  + ref
                  + ", '%Y-%m-%d %H:%i:%s.%f'), '\"'), 'null')"
              : "CONCAT('\"', DATE_FORMAT(" + ref + ", '%Y-%m-%d %H:%i:%s.%f'), '\"')";
      case INTEGER ->
          c.nullable()
              ? "IFNULL(CONCAT('\"', " + ref + ", '\"'), 'null')"
              : "CONCAT('\"', " + ref + ", '\"')";
    };
  }

  /**
   * The canonical image of {@code row} (OLD or NEW), continuation lines indented by {@code ind}.
   */
  static String image(Table t, String row, String ind) {
    StringBuilder sb = new StringBuilder("CONCAT(");
    boolean first = true;
    for (Column c : t.columns()) {
      if (first) {
        sb.append("'{\"").append(c.name()).append("\":', ").append(value(c, row));
        first = false;
      } else {
        sb.append(",\n").append(ind).append("',\"").append(c.name()).append("\":', ");
        sb.append(value(c, row));
      }
    }
    return sb.append(", '}')").toString();
  }

  private static String primaryKey(Table t, String row) {
    Column pk = t.column(t.primaryKey());
    return "CONCAT('{\"" + pk.name() + "\":', " + value(pk, row) + ", '}')";
  }

  private static String requestId(Table t, String row) {
    return t.requestIdColumn() ? row + ".request_id" : "NULL";
  }

  private static final String HEAD =
      "INSERT INTO strongroom_audit.audit_events (event_time, db_user, current_usr, tenant_id, operation, table_name,\n";

  private static String header(Table t, String op) {
    return "CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom."
        + t.name()
        + "_audit_"
        + op.toLowerCase(java.util.Locale.ROOT)
        + "\n  AFTER "
        + op
        + " ON strongroom."
        + t.name()
        + " FOR EACH ROW\n";
  }

  static String insertTrigger(Table t) {
    return header(t, "INSERT")
        + "  "
        + HEAD
        + "                                             primary_key, before_image, after_image, request_id)\n"
        + "  VALUES (UTC_TIMESTAMP(6), USER(), CURRENT_USER(), NEW.tenant_id, 'INSERT', '"
        + t.name()
        + "', "
        + primaryKey(t, "NEW")
        + ",\n    NULL,\n    "
        + image(t, "NEW", "      ")
        + ",\n    "
        + requestId(t, "NEW")
        + ")$$\n";
  }

  static String deleteTrigger(Table t) {
    return header(t, "DELETE")
        + "  "
        + HEAD
        + "                                             primary_key, before_image, after_image, request_id)\n"
        + "  VALUES (UTC_TIMESTAMP(6), USER(), CURRENT_USER(), OLD.tenant_id, 'DELETE', '"
        + t.name()
        + "', "
        + primaryKey(t, "OLD")
        + ",\n    "
        + image(t, "OLD", "      ")
        + ",\n    NULL,\n    "
        + requestId(t, "OLD")
        + ")$$\n";
  }

  private static String updateInsert(Table t, String tenantRow, String ind) {
    return ind
        + HEAD
        + ind
        + "                                           primary_key, before_image, after_image, request_id)\n"
        + ind
        + "VALUES (UTC_TIMESTAMP(6), USER(), CURRENT_USER(), "
        + tenantRow
        + ".tenant_id, 'UPDATE', '"
        + t.name()
        + "', "
        + primaryKey(t, "NEW")
        + ",\n"
        + ind
        + "  v_before,\n"
        + ind
        + "  v_after,\n"
        + ind
        + "  "
        + requestId(t, "NEW")
        + ");\n";
  }

  static String updateTrigger(Table t) {
    return header(t, "UPDATE")
        + "BEGIN\n"
        + "  DECLARE v_before LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT\n    "
        + image(t, "OLD", "      ")
        + ";\n"
        + "  DECLARE v_after LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT\n    "
        + image(t, "NEW", "      ")
        + ";\n"
        + "  IF NOT (v_before <=> v_after) THEN\n"
        + "    IF NOT (OLD.tenant_id <=> NEW.tenant_id) THEN\n"
        + updateInsert(t, "OLD", "      ")
        + "    END IF;\n"
        + updateInsert(t, "NEW", "    ")
        + "  END IF;\n"
        + "END$$\n";
  }
}
