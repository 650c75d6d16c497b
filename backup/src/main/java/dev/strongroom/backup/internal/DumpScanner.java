package dev.strongroom.backup.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the lines of a {@code mariadb-dump --skip-extended-insert --master-data=2} stream as they
 * pass to the encrypted part and counts what the snapshot holds: rows per table (one {@code INSERT}
 * line per row), the binary-log coordinates of the snapshot, and the audit chain's rows ({@code
 * seq}, {@code curr_hash}) — so the manifest describes exactly the bytes in the dump, not a later
 * state of the server.
 */
public final class DumpScanner {
  private static final Pattern USE = Pattern.compile("^USE `([^`]+)`;$");
  private static final Pattern CREATE = Pattern.compile("^CREATE TABLE `([^`]+)` \\($");
  private static final Pattern INSERT = Pattern.compile("^INSERT INTO `([^`]+)` VALUES \\(");
  private static final Pattern MASTER =
      Pattern.compile("^-- CHANGE MASTER TO MASTER_LOG_FILE='([^']+)', MASTER_LOG_POS=(\\d+);$");
  private static final Pattern CHAIN_ROW =
      Pattern.compile(
          "^INSERT INTO `audit_chain` VALUES \\((\\d+),\\d+,'[0-9a-f]{64}','([0-9a-f]{64})'\\);$");

  private final String auditSchema;
  private String db = "";
  private final Map<String, Long> rows = new LinkedHashMap<>();
  private final TreeMap<Long, String> chain = new TreeMap<>();
  private String binlogFile;
  private long binlogPosition = -1;

  public DumpScanner(String auditSchema) {
    this.auditSchema = auditSchema;
  }

  /** One line of the dump, without its line terminator (ISO-8859-1 decoded: bytes preserved). */
  public void line(String line) {
    if (line.isEmpty()) {
      return;
    }
    char c = line.charAt(0);
    if (c == 'I') {
      Matcher m = INSERT.matcher(line);
      if (m.find()) {
        rows.merge(db + "." + m.group(1), 1L, Long::sum);
        if (db.equals(auditSchema) && m.group(1).equals("audit_chain")) {
          Matcher r = CHAIN_ROW.matcher(line);
          if (!r.matches()) {
            throw new IllegalStateException("unexpected audit_chain row shape in the dump");
          }
          chain.put(Long.parseLong(r.group(1)), r.group(2));
        }
      }
    } else if (c == 'U') {
      Matcher m = USE.matcher(line);
      if (m.matches()) {
        db = m.group(1);
      }
    } else if (c == 'C') {
      Matcher m = CREATE.matcher(line);
      if (m.matches()) {
        rows.putIfAbsent(db + "." + m.group(1), 0L);
      }
    } else if (c == '-' && binlogFile == null) {
      Matcher m = MASTER.matcher(line);
      if (m.matches()) {
        binlogFile = m.group(1);
        binlogPosition = Long.parseLong(m.group(2));
      }
    }
  }

  /** Rows per {@code schema.table}, in dump order. */
  public Map<String, Long> rows() {
    return rows;
  }

  public String binlogFile() {
    return binlogFile;
  }

  public long binlogPosition() {
    return binlogPosition;
  }

  /** The chain's {@code curr_hash} by {@code seq}. */
  public NavigableMap<Long, String> chain() {
    return chain;
  }
}
