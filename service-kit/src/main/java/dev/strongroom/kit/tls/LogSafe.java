package dev.strongroom.kit.tls;

/**
 * Makes a request-derived value safe to put in a log line: control characters (CR, LF, tab, and the
 * rest of C0, DEL and C1) and backslashes are written as {@code \\uXXXX} escapes, and long values
 * are cut, so a value can neither forge a line nor flood the log.
 */
public final class LogSafe {
  /** Longest value written; longer ones are cut and marked with an ellipsis. */
  public static final int MAX = 200;

  private LogSafe() {}

  /** {@code value} escaped (and cut at {@link #MAX} characters); {@code null} as "null". */
  public static String text(String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(Math.min(value.length(), MAX) + 8);
    for (int i = 0; i < value.length() && i < MAX; i++) {
      char c = value.charAt(i);
      if (c < 0x20
          || c == 0x7f
          || (c >= 0x80 && c < 0xa0)
          || c == '\\'
          || c == 0x2028
          || c == 0x2029) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (value.length() > MAX) {
      out.append('…');
    }
    return out.toString();
  }
}
