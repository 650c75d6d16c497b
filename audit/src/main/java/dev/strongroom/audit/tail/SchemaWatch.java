package dev.strongroom.audit.tail;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the database's own drift and row-count views (docs/audit-chain.md, "Drift"): what differs
 * from the installer's baseline ({@code audit_schema_drift}) and which audited table holds fewer or
 * more rows than its events account for ({@code audit_row_reconciliation}, read in one consistent
 * snapshot). A view that no longer resolves (a table dropped) is drift too.
 */
public final class SchemaWatch {
  private SchemaWatch() {}

  /** One difference from the baseline: {@code change} is {@code missing} or {@code unexpected}. */
  public record Drift(String change, String kind, String object, String detail) {
    @Override
    public String toString() {
      return change + " " + kind + " " + object;
    }
  }

  /** An audited table whose row count disagrees with its INSERT and DELETE events. */
  public record RowMismatch(String table, long rows, long expected) {
    @Override
    public String toString() {
      return table + " holds " + rows + " rows, its events account for " + expected;
    }
  }

  /** Every difference from the baseline, ordered by kind and object; empty when none. */
  public static List<Drift> drift(Connection c) {
    List<Drift> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT change_kind, kind, object, detail FROM strongroom_audit.audit_schema_drift"
                    + " ORDER BY kind, object, change_kind")) {
      while (rs.next()) {
        out.add(new Drift(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
      }
    } catch (SQLException e) {
      if (e.getErrorCode() == 1356) { // view references invalid table(s): something was dropped
        out.add(
            new Drift(
                "unresolvable", "view", "strongroom_audit.audit_schema_drift", e.getMessage()));
        return out;
      }
      throw new TailException("cannot read the drift view: " + e.getMessage(), e);
    }
    return out;
  }

  /** The audited tables whose rows and events disagree, read in one consistent snapshot. */
  public static List<RowMismatch> rowMismatches(Connection c) throws DriftException {
    List<RowMismatch> out = new ArrayList<>();
    try (Statement s = c.createStatement()) {
      s.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
      s.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
      try (ResultSet rs =
          s.executeQuery(
              "SELECT table_name, row_count, expected FROM strongroom_audit.audit_row_reconciliation"
                  + " WHERE row_count <> expected ORDER BY table_name")) {
        while (rs.next()) {
          out.add(new RowMismatch(rs.getString(1), rs.getLong(2), rs.getLong(3)));
        }
      } finally {
        s.execute("COMMIT");
        s.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
      }
    } catch (SQLException e) {
      if (e.getErrorCode() == 1356) {
        throw new DriftException("the row-count view no longer resolves: " + e.getMessage());
      }
      throw new TailException("cannot read the row counts: " + e.getMessage(), e);
    }
    return out;
  }

  /** The views themselves no longer resolve: an audited table is gone. */
  public static final class DriftException extends Exception {
    private static final long serialVersionUID = 1L;

    public DriftException(String message) {
      super(message);
    }
  }
}
