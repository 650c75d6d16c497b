package dev.strongroom.proof.bundle;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bundle's {@code MANIFEST}: one line per file, {@code <64 lowercase hex> <two spaces> <path>
 * LF}, sorted by path (byte order), exactly what GNU {@code sha256sum} prints and {@code sha256sum
 * --strict -c} reads. Paths are relative, {@code /}-separated, without {@code .} or {@code ..}
 * segments. The manifest covers every file of the bundle except itself and {@code MANIFEST.sig}.
 */
public final class Manifest {
  public static final String FILE = "MANIFEST";
  public static final String SIGNATURE_FILE = "MANIFEST.sig";

  private static final Pattern LINE = Pattern.compile("([0-9a-f]{64})  ([A-Za-z0-9._/-]+)");
  private static final Pattern SAFE_PATH =
      Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*");

  private final Map<String, String> digests;

  private Manifest(Map<String, String> digests) {
    this.digests = Collections.unmodifiableMap(new TreeMap<>(digests));
  }

  /** The manifest of {@code files} (path → content). */
  public static Manifest of(Map<String, byte[]> files) {
    Map<String, String> d = new TreeMap<>();
    files.forEach(
        (path, bytes) -> {
          requireSafe(path);
          d.put(path, sha256Hex(bytes));
        });
    return new Manifest(d);
  }

  /** Parses manifest bytes strictly; any malformed line is a {@link BundleException}. */
  public static Manifest parse(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new BundleException("MANIFEST does not end with a newline");
    }
    Map<String, String> d = new TreeMap<>();
    String prev = null;
    for (String line : text.split("\n", -1)) {
      if (line.isEmpty()) {
        continue;
      }
      Matcher m = LINE.matcher(line);
      if (!m.matches() || !SAFE_PATH.matcher(m.group(2)).matches()) {
        throw new BundleException("MANIFEST has a malformed line: " + line);
      }
      if (prev != null && prev.compareTo(m.group(2)) >= 0) {
        throw new BundleException("MANIFEST is not sorted or repeats " + m.group(2));
      }
      prev = m.group(2);
      d.put(m.group(2), m.group(1));
    }
    return new Manifest(d);
  }

  /** path → lowercase hex SHA-256. */
  public Map<String, String> digests() {
    return digests;
  }

  public byte[] toBytes() {
    StringBuilder sb = new StringBuilder();
    digests.forEach((p, h) -> sb.append(h).append("  ").append(p).append('\n'));
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  static void requireSafe(String path) {
    if (!SAFE_PATH.matcher(path).matches()) {
      throw new BundleException("unsafe bundle path: " + path);
    }
  }

  static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(sha256(bytes));
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
