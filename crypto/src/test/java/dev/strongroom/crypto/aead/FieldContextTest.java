package dev.strongroom.crypto.aead;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strongroom.crypto.Hex;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FieldContextTest {
  private static final UUID RECORD = UUID.fromString("01890a5d-ac96-774b-bcce-b302099a8057");

  private static FieldContext ctx(String tenant, String field, String dek) {
    return FieldContext.builder()
        .tenantId(tenant)
        .recordId(RECORD)
        .fieldName(field)
        .schemaVersion(1)
        .dataKeyId(dek)
        .build();
  }

  @Test
  void encoding_isByteForByteAsDocumented() {
    byte[] expected =
        Hex.decode(
            "53524631" // "SRF1"
                + "00000001"
                + "61" // tenant "a"
                + "01890a5dac96774bbcceb302099a8057" // record id
                + "00000005"
                + "656d61696c" // "email"
                + "00000001" // schema version 1
                + "00000002"
                + "6b31"); // dek id "k1"
    assertArrayEquals(expected, ctx("a", "email", "k1").associatedData());
  }

  /** Moving bytes between adjacent items cannot produce the same encoding (length prefixes). */
  @Test
  void shiftedBoundaries_encodeDifferently() {
    assertFalse(
        Arrays.equals(ctx("ab", "c", "k").associatedData(), ctx("a", "bc", "k").associatedData()));
    assertFalse(
        Arrays.equals(
            ctx("t", "name", "k1").associatedData(), ctx("t", "name", "k").associatedData()));
  }

  @Test
  void recordIdText_isCaseInsensitive() {
    FieldContext upper =
        FieldContext.builder()
            .tenantId("a")
            .recordId(RECORD.toString().toUpperCase(java.util.Locale.ROOT))
            .fieldName("email")
            .schemaVersion(1)
            .dataKeyId("k1")
            .build();
    assertEquals(ctx("a", "email", "k1"), upper);
  }

  @Test
  void missingOrInvalidProperty_isRefused() {
    assertThrows(
        NullPointerException.class,
        () ->
            FieldContext.builder()
                .recordId(RECORD)
                .fieldName("email")
                .schemaVersion(1)
                .dataKeyId("k")
                .build());
    assertThrows(IllegalArgumentException.class, () -> ctx("", "email", "k"));
    assertThrows(IllegalArgumentException.class, () -> ctx("t", "Email", "k"));
    assertThrows(IllegalArgumentException.class, () -> ctx("t", "e-mail", "k"));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            FieldContext.builder()
                .tenantId("t")
                .recordId(RECORD)
                .fieldName("email")
                .dataKeyId("k")
                .build());
  }
}
