package dev.strongroom.audit.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link AuditJsonNotRfc8785#isCanonical}'s one-pass answer is exactly {@code
 * canonical(json).equals(json)} — on hand-picked texts (each way it must fall back: whitespace,
 * escapes, controls, unsorted or duplicate keys, trailing text) and on random mutations of a
 * trigger's after image — and a text that is not JSON is refused the same way.
 */
class AuditJsonNotRfc8785Test {
  private static final List<String> TEXTS =
      List.of(
          "{}",
          "[]",
          "null",
          "true",
          "1",
          "\"x\"",
          "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}",
          "{\"b\":1,\"a\":2}",
          "{\"a\":1,\"a\":2}",
          "{\"a\":1, \"b\":2}",
          " {\"a\":1}",
          "{\"a\":\"x\\\"y\"}",
          "{\"a\":\"x\\/y\"}",
          "{\"a\":\"\\u0001\"}",
          "{\"a\":\"\\u00e9\"}",
          "{\"a\":\"\u00e9\u2028\uD83D\uDE00\"}",
          "{\"a\":\"tab\there\"}",
          "{\"a\":1e5,\"b\":-0.0,\"c\":+1}",
          "{\"ab\":1,\"b\":2}",
          "{\"a\":1,\"ab\":2}",
          "{\"Z\":1,\"a\":2}",
          "{\"a\":[{\"y\":1,\"x\":2}]}",
          "{\"record_id\":\"0190a1b2-c3d4-7e5f-8a9b-000000000001\"}");

  private static boolean slow(String json) {
    return AuditJsonNotRfc8785.canonical(json).equals(json);
  }

  @Test
  void isCanonical_answersAsTheFullRoundTripDoes() {
    for (String t : TEXTS) {
      boolean expected;
      try {
        expected = slow(t);
      } catch (IllegalArgumentException notJson) {
        assertThrows(IllegalArgumentException.class, () -> AuditJsonNotRfc8785.isCanonical(t), t);
        continue;
      }
      assertEquals(expected, AuditJsonNotRfc8785.isCanonical(t), t);
    }
  }

  @Test
  void isCanonical_onRandomMutations_answersAsTheFullRoundTripDoes() {
    String base =
        "{\"created_at\":\"2026-12-04 09:00:00.000000\",\"dek_id\":7,\"email_ct\":\"3q2+7w==\","
            + "\"name_iv\":\"AAECAwQFBgcICQoL\",\"roles\":[1,2,{\"k\":null}],\"tenant_id\":\"t\"}";
    String alphabet = " \t\n\"\\{}[],:0123456789abcdefnrtu-+.eE\u0001\u00e9Z";
    Random r = new Random(12);
    int compared = 0;
    for (int n = 0; n < 20_000; n++) {
      StringBuilder b = new StringBuilder(base);
      for (int k = r.nextInt(3); k >= 0; k--) {
        int at = r.nextInt(b.length());
        switch (r.nextInt(3)) {
          case 0 -> b.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
          case 1 -> b.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
          default -> b.deleteCharAt(at);
        }
      }
      String t = b.toString();
      boolean expected;
      try {
        expected = slow(t);
      } catch (IllegalArgumentException notJson) {
        assertThrows(IllegalArgumentException.class, () -> AuditJsonNotRfc8785.isCanonical(t), t);
        continue;
      }
      assertEquals(expected, AuditJsonNotRfc8785.isCanonical(t), t);
      compared++;
    }
    assertEquals(true, compared > 1000, "enough mutations were JSON: " + compared);
  }
}
