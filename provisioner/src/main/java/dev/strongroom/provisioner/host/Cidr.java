package dev.strongroom.provisioner.host;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in CIDR notation, parsed strictly: an explicit prefix length is required
 * ({@code 192.0.2.7/32}, not {@code 192.0.2.7}); IPv4 is four decimal octets without leading zeros;
 * IPv6 is hexadecimal groups and colons only (no zone, no embedded IPv4, so nothing is ever looked
 * up); the host bits must be zero ({@code 10.0.0.1/8} is refused with the network it probably
 * meant). Anything else is an {@link InvalidHostOptionException} naming the input. {@link
 * #toString()} is the canonical form that every renderer writes.
 */
public final class Cidr {
  private static final Pattern V4 =
      Pattern.compile(
          "(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})");
  private static final Pattern V6 = Pattern.compile("[0-9A-Fa-f:]{2,39}");
  private static final Pattern PREFIX = Pattern.compile("0|[1-9][0-9]{0,2}");

  private final byte[] network;
  private final int prefix;

  private Cidr(byte[] network, int prefix) {
    this.network = network;
    this.prefix = prefix;
  }

  /** Parses {@code text}; see the class comment for what is refused. */
  public static Cidr parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new InvalidHostOptionException("empty CIDR");
    }
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new InvalidHostOptionException(
          "CIDR '" + text + "' has no prefix length (write e.g. " + text + "/32 for one host)");
    }
    String addr = text.substring(0, slash);
    String len = text.substring(slash + 1);
    if (!PREFIX.matcher(len).matches()) {
      throw new InvalidHostOptionException("CIDR '" + text + "': bad prefix length '" + len + "'");
    }
    byte[] bytes;
    if (V4.matcher(addr).matches()) {
      String[] parts = addr.split("\\.", -1);
      bytes = new byte[4];
      for (int i = 0; i < 4; i++) {
        int v = Integer.parseInt(parts[i]);
        if (v > 255) {
          throw new InvalidHostOptionException("CIDR '" + text + "': octet " + v + " exceeds 255");
        }
        bytes[i] = (byte) v;
      }
    } else if (addr.indexOf(':') >= 0 && V6.matcher(addr).matches()) {
      bytes = parseV6(text, addr);
    } else {
      throw new InvalidHostOptionException("CIDR '" + text + "': not an IPv4 or IPv6 address");
    }
    int prefix = Integer.parseInt(len);
    int max = bytes.length * 8;
    if (prefix > max) {
      throw new InvalidHostOptionException(
          "CIDR '" + text + "': prefix length " + prefix + " exceeds " + max);
    }
    byte[] masked = mask(bytes, prefix);
    if (!Arrays.equals(masked, bytes)) {
      throw new InvalidHostOptionException(
          "CIDR '" + text + "' has host bits set (did you mean " + new Cidr(masked, prefix) + "?)");
    }
    return new Cidr(bytes, prefix);
  }

  private static byte[] parseV6(String text, String addr) {
    // Syntax checks InetAddress would forgive or that hide ambiguity.
    int doubleColon = addr.indexOf("::");
    if (doubleColon >= 0 && addr.indexOf("::", doubleColon + 1) >= 0 || addr.contains(":::")) {
      throw new InvalidHostOptionException("CIDR '" + text + "': more than one '::'");
    }
    for (String group : addr.split(":", -1)) {
      if (group.length() > 4) {
        throw new InvalidHostOptionException("CIDR '" + text + "': group '" + group + "' too long");
      }
    }
    try {
      // Only hex digits and colons reach here: a literal, never a name lookup.
      byte[] b = InetAddress.getByName(addr).getAddress();
      if (b.length != 16) {
        throw new InvalidHostOptionException(
            "CIDR '" + text + "': an IPv4-mapped form; write the IPv4 network instead");
      }
      return b;
    } catch (UnknownHostException e) {
      throw new InvalidHostOptionException("CIDR '" + text + "': not an IPv6 address");
    }
  }

  private static byte[] mask(byte[] bytes, int prefix) {
    byte[] out = bytes.clone();
    for (int i = 0; i < out.length; i++) {
      int bits = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] = (byte) (out[i] & (0xff << (8 - bits)));
    }
    return out;
  }

  public boolean isIpv6() {
    return network.length == 16;
  }

  public int prefixLength() {
    return prefix;
  }

  /** Canonical text: dotted quad, or RFC 5952 IPv6 (lowercase, longest zero run as {@code ::}). */
  @Override
  public String toString() {
    return (isIpv6() ? rfc5952(network) : v4(network)) + "/" + prefix;
  }

  private static String v4(byte[] b) {
    return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
  }

  private static String rfc5952(byte[] b) {
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    if (bestLen < 2) {
      bestStart = -1;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(network) + prefix;
  }
}
