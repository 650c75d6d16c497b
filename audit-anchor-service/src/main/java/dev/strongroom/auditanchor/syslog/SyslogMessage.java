package dev.strongroom.auditanchor.syslog;

import dev.strongroom.contracts.audit.CheckpointAnchored;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * One anchored checkpoint as an RFC 5424 syslog message:
 *
 * <pre>
 * &lt;109&gt;1 2026-12-04T09:00:00.000Z db-host strongroom-audit-anchor 4242 checkpoint
 *   [checkpoint@32473 anchorNo="7" origin="strongroom.local/db1" size="15" root="&lt;hex&gt;"
 *    head="&lt;hex&gt;" object="checkpoints/…-15.note"] BOM&lt;the signed note, UTF-8&gt;
 * </pre>
 *
 * (one line on the wire: single spaces, no line breaks before {@code MSG}).
 *
 * <ul>
 *   <li>PRI 109 = facility 13 ("log audit", RFC 5424 §6.2.1) × 8 + severity 5 (notice); VERSION 1.
 *   <li>TIMESTAMP: when the message is made, UTC, milliseconds, {@code Z}. HOSTNAME: the configured
 *       name (1–255 printable US-ASCII). APP-NAME {@code strongroom-audit-anchor}, PROCID the
 *       process id, MSGID {@code checkpoint}.
 *   <li>STRUCTURED-DATA: one element, SD-ID {@code checkpoint@32473} (32473 is the private
 *       enterprise number RFC 5612 reserves for documentation and examples; Strongroom has no PEN
 *       of its own), its parameters what the checkpoint says, PARAM-VALUEs escaped per §6.3.3
 *       ({@code "}, {@code \} and {@code ]} preceded by {@code \}).
 *   <li>MSG: the UTF-8 BOM and the signed checkpoint note byte for byte (it holds line feeds and a
 *       non-ASCII em dash; the collector keeps the bytes a verifier checks with the log key).
 * </ul>
 */
public final class SyslogMessage {
  /** Facility 13 (log audit) × 8 + severity 5 (notice). */
  public static final int PRI = 13 * 8 + 5;

  public static final String APP_NAME = "strongroom-audit-anchor";
  public static final String MSG_ID = "checkpoint";
  public static final String SD_ID = "checkpoint@32473";

  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private SyslogMessage() {}

  /** The message for {@code a}, made at {@code at} on {@code hostname} by process {@code pid}. */
  public static byte[] format(CheckpointAnchored a, Instant at, String hostname, long pid) {
    Objects.requireNonNull(a, "anchor");
    checkHeaderField("hostname", hostname, 255);
    StringBuilder h = new StringBuilder();
    h.append('<').append(PRI).append(">1 ");
    h.append(TIME.format(at)).append(' ');
    h.append(hostname).append(' ');
    h.append(APP_NAME).append(' ');
    h.append(pid).append(' ');
    h.append(MSG_ID).append(' ');
    h.append('[').append(SD_ID);
    param(h, "anchorNo", Long.toString(a.anchorNo()));
    param(h, "origin", a.origin());
    param(h, "size", Long.toString(a.size()));
    param(h, "root", a.rootHash());
    param(h, "head", a.chainHead());
    param(h, "object", a.wormObject());
    h.append("] ");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(h.toString().getBytes(StandardCharsets.UTF_8));
    out.writeBytes(BOM);
    out.writeBytes(a.checkpointBytes());
    return out.toByteArray();
  }

  /** RFC 5424 §6.3.3: {@code "}, {@code \} and {@code ]} are escaped with a backslash. */
  public static String escapeParamValue(String v) {
    StringBuilder b = new StringBuilder(v.length());
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '"' || c == '\\' || c == ']') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }

  private static void param(StringBuilder h, String name, String value) {
    h.append(' ').append(name).append("=\"").append(escapeParamValue(value)).append('"');
  }

  /** A header field: 1..max printable US-ASCII characters (33..126), RFC 5424 §6. */
  static void checkHeaderField(String what, String v, int max) {
    if (v == null || v.isEmpty() || v.length() > max) {
      throw new IllegalArgumentException(
          "syslog " + what + " must have 1.." + max + " characters: " + v);
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < 33 || c > 126) {
        throw new IllegalArgumentException(
            "syslog " + what + " must be printable US-ASCII without spaces: " + v);
      }
    }
  }
}
