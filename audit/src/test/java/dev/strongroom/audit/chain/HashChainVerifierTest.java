package dev.strongroom.audit.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HashChainVerifierTest {
  private static AuditEvent event(long id, String after) {
    return new AuditEvent(
        id,
        "2026-12-04 09:00:00.000000",
        "app_user@127.0.0.1",
        "audit_definer@localhost",
        "t",
        "INSERT",
        "users",
        "{\"id\":" + id + "}",
        null,
        after,
        "req-" + id);
  }

  /** A well-formed chain of {@code n} rows, hashed by the library. */
  private static List<ChainRow> chain(int n) {
    List<ChainRow> rows = new ArrayList<>();
    String prev = ChainHash.GENESIS;
    for (int k = 1; k <= n; k++) {
      AuditEvent e = event(k, "{\"id\":" + k + ",\"name\":\"n" + k + "\"}");
      String h = ChainHash.hash(prev, e.payload());
      rows.add(new ChainRow(k, k, prev, h, e));
      prev = h;
    }
    return rows;
  }

  @Test
  void payloadAndHash_matchAnIndependentComputation() {
    // Expected bytes and hash computed with Python's json-free string building and hashlib.
    AuditEvent e = event(1, "{ \"name\" : \"a\\\"b\", \"id\": 1 }");
    String payload =
        "{\"after\":{\"id\":1,\"name\":\"a\\\"b\"},\"before\":null,"
            + "\"current_user\":\"audit_definer@localhost\",\"db_user\":\"app_user@127.0.0.1\","
            + "\"event_id\":1,\"operation\":\"INSERT\",\"primary_key\":{\"id\":1},"
            + "\"request_id\":\"req-1\",\"table\":\"users\",\"tenant\":\"t\","
            + "\"time\":\"2026-12-04 09:00:00.000000\"}";
    assertEquals(payload, e.payload());
    assertEquals(
        "5b582a85af51c71e8cee979353b70ed1d21370d24f7cd390bc7338a4c3aa47f9",
        ChainHash.hash(ChainHash.GENESIS, payload));
    assertFalse(e.storedCanonical(), "the spaced image is not stored canonical");
  }

  @Test
  void wellFormedChain_verifiesFromGenesis_andResumes() {
    List<ChainRow> rows = chain(10);
    HashChainVerifier.Result r = HashChainVerifier.fromGenesis().verify(rows.iterator());
    assertTrue(r.ok(), r.toString());
    assertEquals(10, r.verified());
    assertEquals(rows.get(9).currHash(), r.headHash());

    HashChainVerifier resumed = HashChainVerifier.resumeAfter(6, rows.get(5).currHash());
    HashChainVerifier.Result r2 = resumed.verify(rows.subList(6, 10).iterator());
    assertTrue(r2.ok(), r2.toString());
    assertEquals(10, r2.verified());
  }

  @Test
  void resumeWithWrongHead_divergesAtTheNextSeq() {
    List<ChainRow> rows = chain(5);
    HashChainVerifier v = HashChainVerifier.resumeAfter(3, rows.get(1).currHash());
    HashChainVerifier.Result r = v.verify(rows.subList(3, 5).iterator());
    assertEquals(4L, r.firstBadSeq());
    assertEquals(3, r.verified());
  }

  @Test
  void removedRow_isNamedBySeq() {
    List<ChainRow> rows = chain(6);
    rows.remove(3);
    HashChainVerifier.Result r = HashChainVerifier.fromGenesis().verify(rows.iterator());
    assertEquals(4L, r.firstBadSeq());
    assertEquals("seq 4 is missing (next chain row is seq 5): a chain row was removed", r.reason());
    assertEquals(3, r.verified());
  }

  @Test
  void editedEvent_isNamedBySeq_andTheVerifierStaysDiverged() {
    List<ChainRow> rows = chain(6);
    ChainRow r3 = rows.get(2);
    rows.set(
        2,
        new ChainRow(
            3, 3, r3.prevHash(), r3.currHash(), event(3, "{\"id\":3,\"name\":\"edited\"}")));
    HashChainVerifier v = HashChainVerifier.fromGenesis();
    HashChainVerifier.Result r = v.verify(rows.iterator());
    assertEquals(3L, r.firstBadSeq());
    assertEquals(
        "curr_hash does not match event 3 recomputed: the event or the chain row was edited",
        r.reason());
    assertFalse(v.accept(rows.get(3)), "a diverged verifier accepts nothing more");
    assertEquals(3L, v.result().firstBadSeq());
  }

  @Test
  void rechainedPrefix_isNamedWherePrevHashBreaks() {
    List<ChainRow> rows = chain(4);
    ChainRow r2 = rows.get(1);
    rows.set(1, new ChainRow(2, 2, "f".repeat(64), r2.currHash(), r2.event()));
    HashChainVerifier.Result r = HashChainVerifier.fromGenesis().verify(rows.iterator());
    assertEquals(2L, r.firstBadSeq());
    assertTrue(r.reason().startsWith("prev_hash does not equal curr_hash of seq 1"), r.reason());
  }

  @Test
  void missingEvent_doubleSeal_nonCanonical_malformed_areEachNamed() {
    List<ChainRow> rows = chain(3);
    ChainRow r2 = rows.get(1);
    List<ChainRow> missing = new ArrayList<>(rows);
    missing.set(1, new ChainRow(2, 2, r2.prevHash(), r2.currHash(), null));
    assertEquals(
        "event 2 is missing from audit_events: removed",
        HashChainVerifier.fromGenesis().verify(missing.iterator()).reason());

    List<ChainRow> twice = new ArrayList<>(rows);
    twice.set(1, new ChainRow(2, 1, r2.prevHash(), r2.currHash(), rows.get(0).event()));
    assertEquals(
        "event 1 is sealed twice",
        HashChainVerifier.fromGenesis().verify(twice.iterator()).reason());

    List<ChainRow> spaced = new ArrayList<>(rows);
    spaced.set(
        1,
        new ChainRow(2, 2, r2.prevHash(), r2.currHash(), event(2, "{\"id\": 2,\"name\":\"n2\"}")));
    assertEquals(
        "event 2 holds non-canonical JSON: edited",
        HashChainVerifier.fromGenesis().verify(spaced.iterator()).reason());

    List<ChainRow> broken = new ArrayList<>(rows);
    broken.set(1, new ChainRow(2, 2, r2.prevHash(), r2.currHash(), event(2, "{\"id\":2")));
    String reason = HashChainVerifier.fromGenesis().verify(broken.iterator()).reason();
    assertTrue(reason.startsWith("event 2 is not well-formed ("), reason);
  }

  @Test
  void entry_isTheRawCurrHash_andRefusesOtherText() {
    assertEquals(32, ChainHash.entry("ab".repeat(32)).length);
    assertThrows(IllegalArgumentException.class, () -> ChainHash.entry("AB".repeat(32)));
    assertThrows(IllegalArgumentException.class, () -> ChainHash.entry("ab"));
    assertThrows(
        IllegalArgumentException.class, () -> HashChainVerifier.resumeAfter(0, "a".repeat(64)));
  }

  @Test
  void jsonQuote_usesUpperCaseHex_unlikeRfc8785() {
    assertEquals("\"\\u001F\\n\\\"/é\"", AuditJsonNotRfc8785.quote("\u001f\n\"/é"));
    assertEquals(
        "{\"a\":1.50,\"b\":[true,null]}",
        AuditJsonNotRfc8785.canonical("{\"b\":[true,null],\"a\":1.50}"));
  }
}
