package dev.strongroom.provisioner.db;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An error as the stock {@code mariadb} client prints it: {@code ERROR 1045 (28000): Access denied
 * …} or, inside a script, {@code ERROR 1005 (HY000) at line 1: Can't create table …}.
 *
 * @param code the server or client error number (1045, 2026, …)
 * @param sqlState the five-character SQLSTATE
 * @param message the text after the colon
 */
public record ServerError(int code, String sqlState, String message) {
  private static final Pattern LINE =
      Pattern.compile(
          "^ERROR (\\d+) \\(([0-9A-Z]{5})\\)(?: at line \\d+)?: (.*)$", Pattern.MULTILINE);

  /** The first error line in {@code clientOutput}, if any. */
  public static Optional<ServerError> parse(String clientOutput) {
    Matcher m = LINE.matcher(clientOutput);
    if (!m.find()) {
      return Optional.empty();
    }
    return Optional.of(
        new ServerError(Integer.parseInt(m.group(1)), m.group(2), m.group(3).strip()));
  }

  /** {@code ERROR <code> (<state>): <message>} — the client's spelling, without "at line". */
  @Override
  public String toString() {
    return "ERROR " + code + " (" + sqlState + "): " + message;
  }
}
