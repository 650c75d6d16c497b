package dev.strongroom.cloud.gcp.fake;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses a {@code multipart/related} body (RFC 2387) as the JSON API's multipart upload sends it:
 * the object's JSON metadata, then its bytes.
 */
final class Multipart {
  private Multipart() {}

  /** One part: its headers (lower-case names) and body. */
  static final class Part {
    private final Map<String, String> headers;
    private final byte[] body;

    Part(Map<String, String> headers, byte[] body) {
      this.headers = Map.copyOf(headers);
      this.body = body.clone();
    }

    Map<String, String> headers() {
      return headers;
    }

    byte[] body() {
      return body.clone();
    }
  }

  static String boundary(String contentType) {
    for (String param : contentType.split(";", -1)) {
      String p = param.trim();
      if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
        String b = p.substring("boundary=".length());
        if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) {
          b = b.substring(1, b.length() - 1);
        }
        return b;
      }
    }
    throw GcsError.badRequest("multipart upload without a boundary");
  }

  static List<Part> parse(byte[] body, String boundary) {
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    List<Part> parts = new ArrayList<>();
    int at = indexOf(body, delimiter, 0);
    if (at < 0) {
      throw GcsError.badRequest("multipart body without its boundary");
    }
    while (true) {
      int afterDelimiter = at + delimiter.length;
      if (startsWith(body, afterDelimiter, "--")) {
        return parts; // close delimiter
      }
      int headersStart = skipLineBreak(body, afterDelimiter);
      int headersEnd =
          indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), headersStart);
      if (headersEnd < 0) {
        throw GcsError.badRequest("multipart part without a header end");
      }
      Map<String, String> headers = new LinkedHashMap<>();
      String headerText =
          new String(body, headersStart, headersEnd - headersStart, StandardCharsets.ISO_8859_1);
      for (String line : headerText.split("\r\n", -1)) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          headers.put(
              line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
              line.substring(colon + 1).trim());
        }
      }
      int bodyStart = headersEnd + 4;
      int next =
          indexOf(body, ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1), bodyStart);
      if (next < 0) {
        throw GcsError.badRequest("multipart part without a closing boundary");
      }
      parts.add(new Part(headers, Arrays.copyOfRange(body, bodyStart, next)));
      at = next + 2;
    }
  }

  private static int skipLineBreak(byte[] b, int i) {
    if (startsWith(b, i, "\r\n")) {
      return i + 2;
    }
    return startsWith(b, i, "\n") ? i + 1 : i;
  }

  private static boolean startsWith(byte[] b, int i, String s) {
    byte[] p = s.getBytes(StandardCharsets.ISO_8859_1);
    if (i + p.length > b.length) {
      return false;
    }
    for (int k = 0; k < p.length; k++) {
      if (b[i + k] != p[k]) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = from; i <= haystack.length - needle.length; i++) {
      for (int k = 0; k < needle.length; k++) {
        if (haystack[i + k] != needle[k]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
