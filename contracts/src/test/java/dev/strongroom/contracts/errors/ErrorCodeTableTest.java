package dev.strongroom.contracts.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Codes are a wire contract: this table may grow, never change. */
class ErrorCodeTableTest {
  @Test
  void codesAndRetriabilityArePinned() {
    String table =
        Arrays.stream(ErrorCode.values())
            .map(
                c ->
                    c.code()
                        + ":"
                        + (c.retriable() ? "retriable" : "fatal")
                        + (c.raisesAlert() ? ":alert" : ""))
            .collect(Collectors.joining(","));
    assertEquals(
        "MALFORMED:fatal,SCHEMA:fatal,SIGNATURE_INVALID:fatal:alert,STALE:fatal:alert,REPLAY:fatal:alert,UNAUTHORIZED:fatal,INTEGRITY:fatal,REFUSED:fatal,"
            + "UNAVAILABLE:retriable,INTERNAL:fatal",
        table);
  }
}
