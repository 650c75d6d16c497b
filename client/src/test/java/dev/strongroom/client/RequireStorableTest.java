package dev.strongroom.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strongroom.contracts.records.StoreRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What {@link StrongroomClient#put} refuses before sealing: a field over the limit the
 * crypto-service refuses with {@code SR-FIELD-TOO-LARGE}, named with its length and the limit, and
 * an unknown field.
 */
class RequireStorableTest {
  @Test
  void fieldOneByteOverTheLimit_isRefusedBeforeSealing_namingFieldLengthAndLimit() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("name", "Ada");
    fields.put("email", "x".repeat(StoreRequest.MAX_FIELD_BYTES + 1));
    FieldTooLargeException e =
        assertThrows(FieldTooLargeException.class, () -> StrongroomClient.requireStorable(fields));
    assertEquals("email", e.field());
    assertEquals(65_487, e.bytes());
    assertEquals(65_486, e.limit());
    assertEquals("SR-FIELD-TOO-LARGE", e.code());
    assertEquals(
        "SR-FIELD-TOO-LARGE: field email is 65487 bytes of UTF-8; each field is at most 65486"
            + " bytes",
        e.getMessage());
  }

  @Test
  void fieldOfExactlyTheLimit_passes() {
    StrongroomClient.requireStorable(
        Map.of("name", "x".repeat(StoreRequest.MAX_FIELD_BYTES), "role", "nurse"));
  }

  @Test
  void unknownField_isRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> StrongroomClient.requireStorable(Map.of("name", "Ada", "ssn", "1")));
    assertEquals("unknown field ssn; fields are [name, role, email, phone]", e.getMessage());
  }
}
