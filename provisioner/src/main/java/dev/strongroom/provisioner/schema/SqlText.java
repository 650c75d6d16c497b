package dev.strongroom.provisioner.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lexical view of a client script (the {@code mariadb} / {@code mysql} command-line client's
 * dialect) that the dialect rendering needs: where string literals and comments are, and where a
 * statement ends under the current {@code DELIMITER}.
 *
 * <p>{@link #mask} returns a string of the same length in which the inside of every {@code '…'} and
 * {@code "…"} literal is {@link #MASK} (the quotes stay, newlines stay) and every comment ({@code
 * -- }, {@code #}, {@code /* … *}{@code /}) is blanks (newlines stay). Patterns are matched on the
 * mask and the matched positions are cut from the original, so nothing inside a literal or a
 * comment can match or be rewritten. A MariaDB/MySQL executable comment ({@code /*!}, {@code /*M!})
 * is not masked: the rendering refuses it.
 */
final class SqlText {
  /** Replaces every character inside a string literal in {@link #mask}. */
  static final char MASK = '\u0001';

  private static final Pattern DELIMITER_LINE =
      Pattern.compile("\\s*DELIMITER\\s+(\\S+)\\s*", Pattern.CASE_INSENSITIVE);

  private SqlText() {}

  enum Kind {
    /** A statement: its text (leading comments and blanks included) without the delimiter. */
    STATEMENT,
    /** A {@code DELIMITER x} line of the client, with its newline. */
    DIRECTIVE,
    /** Blanks and comments after the last statement, or before a {@code DELIMITER} line. */
    GAP
  }

  /** One piece of a script; {@code offset} is where {@code text} starts in the script. */
  record Segment(Kind kind, String text, String delimiter, int offset) {}

  static String mask(String sql) {
    int n = sql.length();
    StringBuilder m = new StringBuilder(n);
    int i = 0;
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\'' || c == '"') {
        m.append(c);
        i++;
        while (i < n) {
          char d = sql.charAt(i);
          if (d == '\\' && i + 1 < n) {
            m.append(MASK).append(sql.charAt(i + 1) == '\n' ? '\n' : MASK);
            i += 2;
          } else if (d == c && i + 1 < n && sql.charAt(i + 1) == c) {
            m.append(MASK).append(MASK);
            i += 2;
          } else if (d == c) {
            m.append(c);
            i++;
            break;
          } else {
            m.append(d == '\n' ? '\n' : MASK);
            i++;
          }
        }
      } else if ((c == '-'
              && i + 1 < n
              && sql.charAt(i + 1) == '-'
              && (i + 2 == n || Character.isWhitespace(sql.charAt(i + 2))))
          || c == '#') {
        while (i < n && sql.charAt(i) != '\n') {
          m.append(' ');
          i++;
        }
      } else if (c == '/'
          && i + 1 < n
          && sql.charAt(i + 1) == '*'
          && !sql.startsWith("/*!", i)
          && !sql.startsWith("/*M!", i)) {
        int end = sql.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        for (; i < end; i++) {
          m.append(sql.charAt(i) == '\n' ? '\n' : ' ');
        }
      } else {
        m.append(c);
        i++;
      }
    }
    return m.toString();
  }

  /** Splits a client script into statements, {@code DELIMITER} lines and gaps, losslessly. */
  static List<Segment> split(String script) {
    String m = mask(script);
    int n = script.length();
    List<Segment> out = new ArrayList<>();
    String delimiter = ";";
    int start = 0;
    int i = 0;
    while (i < n) {
      if ((i == 0 || m.charAt(i - 1) == '\n') && m.substring(start, i).isBlank()) {
        int eol = m.indexOf('\n', i);
        int lineEnd = eol < 0 ? n : eol;
        Matcher d = DELIMITER_LINE.matcher(m.substring(i, lineEnd));
        if (d.matches()) {
          if (start < i) {
            out.add(new Segment(Kind.GAP, script.substring(start, i), "", start));
          }
          int next = eol < 0 ? n : eol + 1;
          out.add(new Segment(Kind.DIRECTIVE, script.substring(i, next), "", i));
          delimiter = d.group(1);
          i = next;
          start = next;
          continue;
        }
      }
      if (m.startsWith(delimiter, i)) {
        out.add(new Segment(Kind.STATEMENT, script.substring(start, i), delimiter, start));
        i += delimiter.length();
        start = i;
        continue;
      }
      i++;
    }
    if (start < n) {
      boolean blank = m.substring(start).isBlank();
      out.add(new Segment(blank ? Kind.GAP : Kind.STATEMENT, script.substring(start), "", start));
    }
    return out;
  }

  /** 1-based line of {@code offset} in {@code text}. */
  static int line(String text, int offset) {
    int line = 1;
    for (int k = 0; k < offset && k < text.length(); k++) {
      if (text.charAt(k) == '\n') {
        line++;
      }
    }
    return line;
  }
}
