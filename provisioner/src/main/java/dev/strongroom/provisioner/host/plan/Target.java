package dev.strongroom.provisioner.host.plan;

import dev.strongroom.provisioner.host.InvalidHostOptionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a plan runs: {@code local} (this machine, through {@code sh}) or {@code
 * ssh://user@host[:port]} (host a DNS name, an IPv4 literal or a bracketed IPv6 literal; port 22 by
 * default). Parsed strictly; anything else is an {@link InvalidHostOptionException}. The text form
 * is the provisioning events' record key (DESIGN §3).
 */
public record Target(boolean local, String user, String host, int port) {
  private static final Pattern SSH =
      Pattern.compile(
          "ssh://([a-z_][a-z0-9_-]{0,31})@(\\[[0-9A-Fa-f:]{2,39}\\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(?::([1-9][0-9]{0,4}))?");

  public static final Target LOCAL = new Target(true, null, null, 0);

  public static Target parse(String text) {
    if ("local".equals(text)) {
      return LOCAL;
    }
    Matcher m = text == null ? null : SSH.matcher(text);
    if (m == null || !m.matches()) {
      throw new InvalidHostOptionException(
          "target '" + text + "' is neither 'local' nor ssh://user@host[:port]");
    }
    int port = m.group(3) == null ? 22 : Integer.parseInt(m.group(3));
    if (port > 65535) {
      throw new InvalidHostOptionException(
          "target '" + text + "': port " + port + " exceeds 65535");
    }
    String host = m.group(2);
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    return new Target(false, m.group(1), host, port);
  }

  @Override
  public String toString() {
    if (local) {
      return "local";
    }
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return "ssh://" + user + "@" + h + (port == 22 ? "" : ":" + port);
  }
}
