package dev.strongroom.devstack.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strongroom.devstack.keys.DevKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log grep itself, against logs that do hold what must never be there. */
class LogSecretsTest {
  @TempDir static Path dir;
  private static DevKeys keys;

  @BeforeAll
  static void keys() throws Exception {
    keys = DevKeys.generate(dir.resolve("keys"), DevKeys.STANDARD, Duration.ofHours(1));
  }

  private static Path log(String... lines) throws Exception {
    Path log = Files.createTempFile(dir, "service", ".log");
    Files.writeString(log, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return log;
  }

  private static String record(String message) {
    return "{\"timestamp\":\"2026-12-05T00:00:00Z\",\"level\":\"WARN\",\"message\":\""
        + message
        + "\"}";
  }

  @Test
  void aCleanJsonLog_holdsNothing() throws Exception {
    assertEquals(
        List.of(),
        LogSecrets.find(
            log(record("decrypt refused for tenant acme\\\\u000aX record r: SR-TOKEN-CNF")),
            keys,
            List.of("Alice Example")));
  }

  @Test
  void aForgedTextLine_isNamedByNumber() throws Exception {
    assertEquals(
        List.of(
            "line 2 is not one JSON object: 2026-12-04 10:00:00,000 INFO  [audit] granted root"),
        LogSecrets.find(
            log(record("ok"), "2026-12-04 10:00:00,000 INFO  [audit] granted root", record("ok")),
            keys,
            List.of()));
  }

  @Test
  void aTokenAPlaintextAndAPrivateKeyLine_areFound_evenJsonEscaped() throws Exception {
    String token =
        keys.tenantTokens(Clock.systemUTC())
            .issue("acme", "a@acme", Duration.ofMinutes(5), "A".repeat(43));
    String pemLine =
        Files.readAllLines(keys.keyFile("crypto-service"), StandardCharsets.US_ASCII).get(1);
    assertEquals(
        List.of(
            "a tenant token on line 1",
            "plaintext Alice Example on line 2",
            "a line of keys/crypto-service.key.pem on line 3"),
        LogSecrets.find(
            log(
                record("bearer " + token),
                record("name \\u0041lice Example"),
                record(pemLine.replace("/", "\\/"))),
            keys,
            List.of("Alice Example")));
  }
}
