package dev.strongroom.contracts.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Refusal codes are a wire contract: this table may grow, never change. */
class RefusalCodeTest {
  @Test
  void codesAndTheirActionsArePinned() {
    String table =
        Arrays.stream(RefusalCode.values())
            .map(c -> c.code() + ":" + c.errorCode().code())
            .collect(Collectors.joining(","));
    assertEquals(
        "SR-NO-TENANT:UNAUTHORIZED,SR-TOKEN-MALFORMED:UNAUTHORIZED,SR-TOKEN-SIGNATURE:UNAUTHORIZED,"
            + "SR-TOKEN-LIFETIME:UNAUTHORIZED,SR-TOKEN-FUTURE:UNAUTHORIZED,SR-TOKEN-EXPIRED:UNAUTHORIZED,SR-TOKEN-KEY:UNAUTHORIZED,"
            + "SR-TOKEN-AUDIENCE:UNAUTHORIZED,SR-TOKEN-CNF:UNAUTHORIZED,"
            + "SR-TOKEN-SUBJECT:UNAUTHORIZED,SR-TOKEN-TENANT:UNAUTHORIZED,SR-CROSS-TENANT:REFUSED,"
            + "SR-NOT-FOUND:REFUSED,SR-RECORD-EXISTS:REFUSED,SR-CONFLICT:REFUSED,"
            + "SR-INVALID-ARGUMENT:REFUSED,SR-FIELD-TOO-LARGE:REFUSED,SR-INTERNAL:UNAVAILABLE,SR-AUDIT-BUSY:UNAVAILABLE,"
            + "SR-AUDIT-IMMUTABLE:REFUSED,SR-AUDIT-LOCK-MISSING:UNAVAILABLE,"
            + "SR-AUDIT-NOT-LEASEHOLDER:REFUSED,SR-AUDIT-BAD-ANCHOR:REFUSED,"
            + "SR-AUDIT-BAD-EVIDENCE:REFUSED,SR-REQUEST-EXISTS:REFUSED",
        table);
  }

  @Test
  void messageHead_namesItsCode() {
    assertEquals(
        Optional.of(RefusalCode.NO_TENANT),
        RefusalCode.ofMessage("SR-NO-TENANT: no tenant bound to this session"));
    assertEquals(Optional.of(RefusalCode.TOKEN_EXPIRED), RefusalCode.ofMessage("SR-TOKEN-EXPIRED"));
  }

  @Test
  void prefixOfAnotherCode_isNoCode() {
    assertEquals(Optional.empty(), RefusalCode.ofMessage("SR-TOKEN: x"));
    assertEquals(Optional.empty(), RefusalCode.ofMessage("Deadlock found"));
    assertEquals(Optional.empty(), RefusalCode.ofMessage(null));
  }
}
