package dev.strongroom.audit.chain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The audit chain's canonical JSON (docs/audit-chain.md) — <b>not RFC 8785 (JCS)</b>, hence the
 * name: the database's triggers build the payload with {@code JSON_QUOTE} and sorted keys, and this
 * class reproduces exactly that, independent of the database. The envelope's RFC 8785 class is
 * {@code dev.strongroom.contracts.envelope.CanonicalJson}; the two must not be confused.
 *
 * <p>It parses a JSON text and writes it back with object keys sorted (by UTF-16 code units; the
 * audit keys are ASCII column names), no whitespace, strings escaped as MariaDB's {@code
 * JSON_QUOTE} does ({@code \"}, {@code \\}, {@code \b \f \n \r \t}, other controls as {@code
 * \\u00XX} with upper-case hex, everything else literal), numbers and literals as written. Where
 * RFC 8785 differs: JCS escapes other controls with lower-case hex and re-serialises numbers in
 * ECMAScript form; this class keeps numbers byte for byte as written.
 */
public final class AuditJsonNotRfc8785 {
  private final String s;
  private int i;

  private AuditJsonNotRfc8785(String s) {
    this.s = s;
  }

  /**
   * The canonical form of {@code json}; throws {@link IllegalArgumentException} if it is not JSON.
   */
  public static String canonical(String json) {
    AuditJsonNotRfc8785 p = new AuditJsonNotRfc8785(json);
    p.ws();
    Object v = p.value();
    p.ws();
    if (p.i != json.length()) {
      throw new IllegalArgumentException("trailing characters at " + p.i);
    }
    StringBuilder out = new StringBuilder();
    write(v, out);
    return out.toString();
  }

  /**
   * True when {@code json} is already in canonical form: the same answer as {@code
   * canonical(json).equals(json)}, for far less work on the common case. One pass, no objects: a
   * text with no whitespace, no escape in any string, and the keys of every object strictly
   * increasing is canonical as it stands (a string without escapes is written back as it was read,
   * numbers and literals are kept as written); anything else goes the full way.
   *
   * @throws IllegalArgumentException if {@code json} is not JSON
   */
  public static boolean isCanonical(String json) {
    return new AuditJsonNotRfc8785(json).plainCanonical() || canonical(json).equals(json);
  }

  /** True when the text is a value with none of what {@link #isCanonical} sends the full way. */
  private boolean plainCanonical() {
    return plainValue() && i == s.length();
  }

  private boolean plainValue() {
    if (i >= s.length()) {
      return false;
    }
    char c = s.charAt(i);
    if (c == '{') {
      i++;
      if (peek('}')) {
        i++;
        return true;
      }
      int prevStart = -1;
      int prevEnd = -1;
      while (true) {
        int start = i + 1;
        if (!plainString()) {
          return false;
        }
        int end = i - 1;
        if (prevStart >= 0 && compare(prevStart, prevEnd, start, end) >= 0) {
          return false; // not strictly increasing: reordered or a duplicate
        }
        prevStart = start;
        prevEnd = end;
        if (!peek(':')) {
          return false;
        }
        i++;
        if (!plainValue()) {
          return false;
        }
        if (peek(',')) {
          i++;
        } else if (peek('}')) {
          i++;
          return true;
        } else {
          return false;
        }
      }
    }
    if (c == '[') {
      i++;
      if (peek(']')) {
        i++;
        return true;
      }
      while (true) {
        if (!plainValue()) {
          return false;
        }
        if (peek(',')) {
          i++;
        } else if (peek(']')) {
          i++;
          return true;
        } else {
          return false;
        }
      }
    }
    if (c == '"') {
      return plainString();
    }
    for (String lit : LITERALS) {
      if (s.startsWith(lit, i)) {
        i += lit.length();
        return true;
      }
    }
    int start = i;
    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
    return start != i;
  }

  /** A string without escapes or control characters (read as written, written as read). */
  private boolean plainString() {
    if (!peek('"')) {
      return false;
    }
    i++;
    while (i < s.length()) {
      char c = s.charAt(i++);
      if (c == '"') {
        return true;
      }
      if (c == '\\' || c < 0x20) {
        return false;
      }
    }
    return false;
  }

  /** {@code s[a0,a1)} against {@code s[b0,b1)} as {@link String#compareTo} orders them. */
  private int compare(int a0, int a1, int b0, int b1) {
    int n = Math.min(a1 - a0, b1 - b0);
    for (int k = 0; k < n; k++) {
      char x = s.charAt(a0 + k);
      char y = s.charAt(b0 + k);
      if (x != y) {
        return x - y;
      }
    }
    return (a1 - a0) - (b1 - b0);
  }

  private static final String[] LITERALS = {"null", "true", "false"};

  /** A JSON string literal for {@code value}, or {@code null}. */
  public static String quote(String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(value.length() + 2);
    writeString(value, out);
    return out.toString();
  }

  private record Raw(String text) {}

  private static void write(Object v, StringBuilder out) {
    if (v instanceof String str) {
      writeString(str, out);
    } else if (v instanceof Raw r) {
      out.append(r.text());
    } else if (v instanceof Map<?, ?> m) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        writeString((String) e.getKey(), out);
        out.append(':');
        write(e.getValue(), out);
      }
      out.append('}');
    } else if (v instanceof List<?> l) {
      out.append('[');
      for (int k = 0; k < l.size(); k++) {
        if (k > 0) {
          out.append(',');
        }
        write(l.get(k), out);
      }
      out.append(']');
    }
  }

  private static void writeString(String v, StringBuilder out) {
    out.append('"');
    for (int k = 0; k < v.length(); k++) {
      char c = v.charAt(k);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04X", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private void ws() {
    while (i < s.length()
        && (s.charAt(i) == ' '
            || s.charAt(i) == '\t'
            || s.charAt(i) == '\n'
            || s.charAt(i) == '\r')) {
      i++;
    }
  }

  private IllegalArgumentException err(String what) {
    return new IllegalArgumentException(what + " at " + i);
  }

  private Object value() {
    if (i >= s.length()) {
      throw err("unexpected end");
    }
    char c = s.charAt(i);
    if (c == '{') {
      i++;
      Map<String, Object> m = new TreeMap<>();
      ws();
      if (peek('}')) {
        i++;
        return m;
      }
      while (true) {
        ws();
        if (!peek('"')) {
          throw err("expected a key");
        }
        String k = string();
        ws();
        expect(':');
        ws();
        if (m.put(k, value()) != null) {
          throw err("duplicate key " + k);
        }
        ws();
        if (peek(',')) {
          i++;
        } else {
          expect('}');
          return m;
        }
      }
    }
    if (c == '[') {
      i++;
      List<Object> l = new ArrayList<>();
      ws();
      if (peek(']')) {
        i++;
        return l;
      }
      while (true) {
        ws();
        l.add(value());
        ws();
        if (peek(',')) {
          i++;
        } else {
          expect(']');
          return l;
        }
      }
    }
    if (c == '"') {
      return string();
    }
    for (String lit : new String[] {"null", "true", "false"}) {
      if (s.startsWith(lit, i)) {
        i += lit.length();
        return new Raw(lit);
      }
    }
    int start = i;
    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
    if (start == i) {
      throw err("unexpected character");
    }
    return new Raw(s.substring(start, i));
  }

  private boolean peek(char c) {
    return i < s.length() && s.charAt(i) == c;
  }

  private void expect(char c) {
    if (!peek(c)) {
      throw err("expected '" + c + "'");
    }
    i++;
  }

  private String string() {
    expect('"');
    StringBuilder b = new StringBuilder();
    while (true) {
      if (i >= s.length()) {
        throw err("unterminated string");
      }
      char c = s.charAt(i++);
      if (c == '"') {
        return b.toString();
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (i >= s.length()) {
        throw err("unterminated escape");
      }
      char e = s.charAt(i++);
      switch (e) {
        case '"' -> b.append('"');
        case '\\' -> b.append('\\');
        case '/' -> b.append('/');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          if (i + 4 > s.length()) {
            throw err("short u-escape");
          }
          b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
          i += 4;
        }
        default -> throw err("bad escape");
      }
    }
  }
}
