package dev.strongroom.contracts.records;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.schema.EventCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Typed records round-trip through their schemas; the schemas refuse what must never travel. */
class RecordsTest {
  private static final EventCatalog CATALOG = EventCatalog.standard();

  private static JsonNode goldenData(String type, String file) throws Exception {
    return CanonicalJson.parse(
            Files.readAllBytes(Path.of("src/test/resources/golden/" + type + "/" + file)))
        .get("data");
  }

  private static List<String> violations(
      dev.strongroom.contracts.schema.EventType type, JsonNode data) {
    return CATALOG.validate(type, data);
  }

  @Test
  void storeRequest_roundTrips_andKeepsFieldOrder() throws Exception {
    JsonNode data = goldenData(EventCatalog.STORE_REQUESTED.type(), "v1-store.json");
    StoreRequest r = StoreRequest.fromData(data);
    assertEquals(List.of("name", "email"), List.copyOf(r.fields().keySet()));
    assertEquals(12, r.fields().get("name").iv().length);
    assertEquals(data, r.toData());
    assertTrue(violations(EventCatalog.STORE_REQUESTED, r.toData()).isEmpty());
  }

  @Test
  void storeRequest_withAPlaintextColumnOrAnUnknownField_violatesTheSchema() throws Exception {
    ObjectNode data =
        (ObjectNode) goldenData(EventCatalog.STORE_REQUESTED.type(), "v1-store.json").deepCopy();
    ((ObjectNode) data.get("fields"))
        .putObject("ssn")
        .put("ct", "AAAA")
        .put("iv", "AAAAAAAAAAAAAAAA");
    assertFalse(violations(EventCatalog.STORE_REQUESTED, data).isEmpty());

    ObjectNode plain =
        (ObjectNode) goldenData(EventCatalog.STORE_REQUESTED.type(), "v1-store.json").deepCopy();
    ((ObjectNode) plain.get("fields").get("name")).put("plaintext", "Alice");
    assertFalse(violations(EventCatalog.STORE_REQUESTED, plain).isEmpty());

    ObjectNode noName =
        (ObjectNode) goldenData(EventCatalog.STORE_REQUESTED.type(), "v1-store.json").deepCopy();
    ((ObjectNode) noName.get("fields")).remove("name");
    assertFalse(violations(EventCatalog.STORE_REQUESTED, noName).isEmpty());

    ObjectNode pqHalf =
        (ObjectNode) goldenData(EventCatalog.STORE_REQUESTED.type(), "v1-store.json").deepCopy();
    ((ObjectNode) pqHalf.get("dataKey")).put("pqAlg", "X-Wing");
    assertFalse(
        violations(EventCatalog.STORE_REQUESTED, pqHalf).isEmpty(), "pqAlg without pqWrappedDek");
  }

  /**
   * The store request's field bound is derived from the encrypt request's: the longest one-field
   * record that can be sealed into a valid {@code encrypt.requested} (262,119 bytes) still makes a
   * valid {@code store.requested} once encrypted (82 + n bytes under suite 0x01, the larger
   * overhead), so the data-service can answer it REJECTED {@code SR-FIELD-TOO-LARGE}; one byte more
   * does not fit the sealed bound, and one envelope byte more does not fit the store bound.
   */
  @Test
  void storeRequestFieldBound_admitsAnyFieldAValidEncryptRequestCanCarry() throws Exception {
    SealingKey key = SealingKey.generate();
    String record = "0190a5d0-ac96-774b-bcce-b302099a8057";
    int longest = 262_119;
    EncryptRequest.Sealed fits =
        FieldSealer.seal(key.publicKey(), "acme", record, "r", Map.of("name", "x".repeat(longest)));
    assertTrue(
        violations(
                EventCatalog.ENCRYPT_REQUESTED,
                new EncryptRequest("r", "a.b", record, fits).toData())
            .isEmpty());
    EncryptRequest.Sealed tooLong =
        FieldSealer.seal(
            key.publicKey(), "acme", record, "r", Map.of("name", "x".repeat(longest + 1)));
    assertFalse(
        violations(
                EventCatalog.ENCRYPT_REQUESTED,
                new EncryptRequest("r", "a.b", record, tooLong).toData())
            .isEmpty());

    ObjectNode store =
        (ObjectNode) goldenData(EventCatalog.STORE_REQUESTED.type(), "v1-store.json").deepCopy();
    ObjectNode name = (ObjectNode) store.get("fields").get("name");
    name.put("ct", dev.strongroom.contracts.encoding.Base64Url.encode(new byte[82 + longest]));
    assertTrue(violations(EventCatalog.STORE_REQUESTED, store).isEmpty());
    assertTrue(
        StoreRequest.fromData(store).oversizedField().orElseThrow().startsWith("name: 262201"));
    name.put("ct", dev.strongroom.contracts.encoding.Base64Url.encode(new byte[83 + longest]));
    assertFalse(violations(EventCatalog.STORE_REQUESTED, store).isEmpty());

    name.put(
        "ct",
        dev.strongroom.contracts.encoding.Base64Url.encode(
            new byte[StoreRequest.MAX_FIELD_CIPHERTEXT_BYTES]));
    assertTrue(StoreRequest.fromData(store).oversizedField().isEmpty(), "the limit itself fits");
  }

  /**
   * The value limit everyone shares (client before sealing, crypto-service after opening): exactly
   * {@link StoreRequest#MAX_FIELD_BYTES} of UTF-8 fits, one byte more is named with its length, and
   * the length is counted in UTF-8 bytes, not characters.
   */
  @Test
  void fieldValueLimit_isInUtf8Bytes_andTheLimitItselfFits() {
    assertEquals(65_486, StoreRequest.MAX_FIELD_BYTES);
    String limit = "a".repeat(StoreRequest.MAX_FIELD_BYTES);
    assertTrue(StoreRequest.oversizedValue(Map.of("name", limit, "role", "x")).isEmpty());
    Map<String, String> over = new LinkedHashMap<>();
    over.put("name", "Ada");
    over.put("email", limit + "a");
    assertEquals(
        new StoreRequest.Oversized("email", 65_487),
        StoreRequest.oversizedValue(over).orElseThrow());
    assertEquals("email: 65487 bytes", StoreRequest.oversizedValue(over).orElseThrow().toString());
    // 32,744 two-byte characters are 65,488 bytes: over, though far fewer characters than the limit
    assertEquals(
        new StoreRequest.Oversized("name", 65_488),
        StoreRequest.oversizedValue(Map.of("name", "é".repeat(32_744))).orElseThrow());
  }

  @Test
  void storeRequest_refusesUnknownFieldsInJava() {
    StoreRequest.FieldCiphertext c = new StoreRequest.FieldCiphertext(new byte[] {1}, new byte[12]);
    StoreRequest.DataKeyRef k =
        new StoreRequest.DataKeyRef("d", new byte[] {1}, "k", "k/1", null, null);
    assertThrows(
        IllegalArgumentException.class,
        () -> new StoreRequest("r", "a.b", "id", 1, k, Map.of("email", c)));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new StoreRequest(
                "r", "a.b", "id", 1, k, new LinkedHashMap<>(Map.of("name", c, "ssn", c))));
  }

  @Test
  void storeResult_isBelievedFromTheDataService_andOnlyRejectedFromTheCryptoService()
      throws Exception {
    String event = "019ab0c0-1e00-7000-8000-0000000000e1";
    StoreResult stored = new StoreResult("r", "id", StoreResult.Status.STORED, null, event);
    StoreResult duplicate = new StoreResult("r", "id", StoreResult.Status.DUPLICATE, null, event);
    StoreResult rejected =
        new StoreResult("r", "id", StoreResult.Status.REJECTED, "SR-TOKEN-EXPIRED", event);
    for (StoreResult r : List.of(stored, duplicate, rejected)) {
      assertTrue(r.mayComeFrom("/strongroom/data-service"), r.toString());
      assertFalse(r.mayComeFrom("/strongroom/audit-anchor-service"), r.toString());
      assertFalse(r.mayComeFrom("/apps/demo"), r.toString());
      assertTrue(r.answers(event), r.toString());
      assertFalse(r.answers("019ab0c0-1e00-7000-8000-0000000000e9"), r.toString());
      assertFalse(r.answers(null), r.toString());
    }
    assertTrue(rejected.mayComeFrom("/strongroom/crypto-service"));
    assertFalse(stored.mayComeFrom("/strongroom/crypto-service"), "only a row makes STORED");
    assertFalse(duplicate.mayComeFrom("/strongroom/crypto-service"), "only a row makes DUPLICATE");
    for (StoreResult.Status status : StoreResult.Status.values()) {
      StoreResult namesNoEvent =
          new StoreResult(
              "r", "id", status, status == StoreResult.Status.REJECTED ? "SR-TOKEN-CNF" : null);
      for (String source : List.of("/strongroom/data-service", "/strongroom/crypto-service")) {
        assertFalse(
            namesNoEvent.mayComeFrom(source),
            "an answer that names no event is believed from nobody: " + status + " " + source);
      }
      assertFalse(namesNoEvent.answers(event));
    }
    assertEquals(
        new StoreResult(
            "req-0003",
            "019ab0c0-1e00-7000-8000-0000000000a1",
            StoreResult.Status.REJECTED,
            "SR-TOKEN-EXPIRED",
            event),
        StoreResult.fromData(
            goldenData(EventCatalog.STORE_COMPLETED.type(), "v1-rejected-by-crypto-service.json")),
        "the golden answer of the crypto-service (GoldenEventsTest verifies its signature)");
    StoreResult goldenStored =
        StoreResult.fromData(
            goldenData(
                EventCatalog.STORE_COMPLETED.type(), "v1-stored-names-encrypt-request.json"));
    assertTrue(goldenStored.mayComeFrom("/strongroom/data-service"));
    assertTrue(goldenStored.answers(event), "names v1-encrypt.json's event");
    StoreResult goldenOwn =
        StoreResult.fromData(
            goldenData(
                EventCatalog.STORE_COMPLETED.type(), "v1-rejected-names-own-store-request.json"));
    assertEquals("SR-TOKEN-CNF", goldenOwn.errorCodeIfRejected().orElseThrow());
    assertTrue(goldenOwn.answers("019ab0c0-1e00-7000-8000-0000000000e9"));
    assertFalse(
        StoreResult.fromData(goldenData(EventCatalog.STORE_COMPLETED.type(), "v1-stored.json"))
            .mayComeFrom("/strongroom/data-service"),
        "the older golden result still parses, but names no event and is not believed");
  }

  @Test
  void storeRequest_madeFromAnEncryptRequest_roundTripsItsEventId() throws Exception {
    JsonNode data =
        goldenData(EventCatalog.STORE_REQUESTED.type(), "v1-store-made-from-encrypt-request.json");
    StoreRequest r = StoreRequest.fromData(data);
    assertEquals("019ab0c0-1e00-7000-8000-0000000000e1", r.encryptEventIdIfAny().orElseThrow());
    assertEquals(data, r.toData());
    assertTrue(violations(EventCatalog.STORE_REQUESTED, data).isEmpty());
    StoreRequest own =
        StoreRequest.fromData(goldenData(EventCatalog.STORE_REQUESTED.type(), "v1-store.json"));
    assertTrue(own.encryptEventIdIfAny().isEmpty(), "an application's own has none");
    assertFalse(own.toData().has("encryptEventId"));
    ObjectNode notAnEventId = (ObjectNode) data.deepCopy();
    notAnEventId.put("encryptEventId", "req-0001");
    assertFalse(violations(EventCatalog.STORE_REQUESTED, notAnEventId).isEmpty());
  }

  @Test
  void storeResult_errorCodeExactlyWhenRejected() throws Exception {
    StoreResult rejected =
        StoreResult.fromData(goldenData(EventCatalog.STORE_COMPLETED.type(), "v1-rejected.json"));
    assertEquals("SR-NO-TENANT", rejected.errorCodeIfRejected().orElseThrow());
    ObjectNode storedWithCode =
        StoreResult.fromData(goldenData(EventCatalog.STORE_COMPLETED.type(), "v1-stored.json"))
            .toData();
    storedWithCode.put("errorCode", "X");
    assertFalse(violations(EventCatalog.STORE_COMPLETED, storedWithCode).isEmpty());
    ObjectNode rejectedWithout = rejected.toData();
    rejectedWithout.remove("errorCode");
    assertFalse(violations(EventCatalog.STORE_COMPLETED, rejectedWithout).isEmpty());
    assertThrows(
        IllegalArgumentException.class,
        () -> new StoreResult("r", "id", StoreResult.Status.STORED, "X"));
  }

  @Test
  void encryptRequest_roundTrips_andInfoBindsTenantRecordAndRequest() throws Exception {
    JsonNode data = goldenData(EventCatalog.ENCRYPT_REQUESTED.type(), "v1-encrypt.json");
    EncryptRequest r = EncryptRequest.fromData(data);
    assertEquals(data, r.toData());
    assertEquals(32, r.sealed().enc().length);
    byte[] info = EncryptRequest.hpkeInfo("acme", r.recordId(), r.requestId());
    assertArrayEquals(info, EncryptRequest.hpkeInfo("acme", r.recordId(), r.requestId()));
    assertFalse(
        java.util.Arrays.equals(
            info, EncryptRequest.hpkeInfo("globex", r.recordId(), r.requestId())));
    assertFalse(
        java.util.Arrays.equals(
            EncryptRequest.hpkeInfo("ab", "c", "d"), EncryptRequest.hpkeInfo("a", "bc", "d")),
        "length-prefixed");
    ObjectNode otherSuite = (ObjectNode) data.deepCopy();
    ((ObjectNode) otherSuite.get("sealed")).put("suite", "DHKEM_P256");
    assertFalse(violations(EventCatalog.ENCRYPT_REQUESTED, otherSuite).isEmpty());
  }
}
