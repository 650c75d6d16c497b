package dev.strongroom.kit.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class LogSafeTest {
  @Test
  void newlineInAValue_cannotStartANewLogLine() {
    String forged = "acme\n2026-12-04 10:00:00,000 INFO  [audit] operator granted root";
    String safe = LogSafe.text(forged);
    assertFalse(safe.contains("\n"), safe);
    assertEquals("acme\\u000a2026-12-04 10:00:00,000 INFO  [audit] operator granted root", safe);
  }

  @Test
  void everyControlCharacterAndTheBackslash_areEscaped() {
    assertEquals(
        "a\\u000db\\u0009c\\u005cd\\u007fe\\u0085f\\u2028",
        LogSafe.text("a\rb\tc\\d\u007fe\u0085f\u2028"));
  }

  @Test
  void longValues_areCut() {
    String s = LogSafe.text("x".repeat(1000));
    assertEquals(LogSafe.MAX + 1, s.length());
    assertEquals('…', s.charAt(s.length() - 1));
  }

  @Test
  void null_isWrittenAsNull() {
    assertEquals("null", LogSafe.text(null));
  }
}
