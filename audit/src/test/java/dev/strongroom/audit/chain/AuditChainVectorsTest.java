package dev.strongroom.audit.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The audit payload and its hash, pinned (issue 9) by a vector made outside Java ({@code
 * testvectors/audit-chain/README.md}): the stored payloads are canonical, hash to the stored {@code
 * curr_hash} and name the row's columns (decode); the columns build exactly the stored payload
 * (re-encode); one changed character anywhere is a break the verifier names.
 */
class AuditChainVectorsTest {
  private static final JsonNode V = load();

  private static JsonNode load() {
    try (InputStream in =
        AuditChainVectorsTest.class.getResourceAsStream("/testvectors/audit-chain/v1.json")) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String text(JsonNode row, String field) {
    JsonNode n = row.get(field);
    return n == null || n.isNull() ? null : n.asText();
  }

  private static AuditEvent event(JsonNode r) {
    return new AuditEvent(
        r.get("eventId").asLong(),
        text(r, "time"),
        text(r, "dbUser"),
        text(r, "currentUser"),
        text(r, "tenant"),
        text(r, "operation"),
        text(r, "table"),
        text(r, "primaryKey"),
        text(r, "before"),
        text(r, "after"),
        text(r, "requestId"));
  }

  private static List<ChainRow> rows() {
    List<ChainRow> out = new ArrayList<>();
    for (JsonNode r : V.get("rows")) {
      out.add(
          new ChainRow(
              r.get("seq").asLong(),
              r.get("eventId").asLong(),
              text(r, "prevHash"),
              text(r, "currHash"),
              event(r)));
    }
    return out;
  }

  @Test
  void storedPayloads_areCanonical_hashToTheStoredHash_andNameTheColumns() throws Exception {
    String prev = ChainHash.GENESIS;
    for (JsonNode r : V.get("rows")) {
      String payload = r.get("payload").asText();
      assertEquals(payload, AuditJsonNotRfc8785.canonical(payload), "stored canonical");
      assertEquals(prev, r.get("prevHash").asText(), "chained");
      assertEquals(r.get("currHash").asText(), ChainHash.hash(prev, payload));
      JsonNode p = new ObjectMapper().readTree(payload);
      assertEquals(r.get("eventId").asLong(), p.get("event_id").asLong());
      assertEquals(r.get("requestId").asText(), p.get("request_id").asText());
      assertEquals(r.get("tenant").asText(), p.get("tenant").asText());
      assertEquals(new ObjectMapper().readTree(r.get("after").asText()), p.get("after"));
      prev = r.get("currHash").asText();
    }
  }

  @Test
  void columns_reencodeToTheStoredPayload() {
    for (JsonNode r : V.get("rows")) {
      AuditEvent e = event(r);
      assertEquals(r.get("payload").asText(), e.payload());
      assertEquals(r.get("payload").asText(), e.payloadIfStoredCanonical().orElseThrow());
    }
    HashChainVerifier.Result ok = HashChainVerifier.fromGenesis().verify(rows().iterator());
    assertTrue(ok.ok(), ok.toString());
    assertEquals(V.get("rows").size(), ok.verified());
  }

  @Test
  void oneChangedCharacter_isABreakAtThatRow() {
    List<ChainRow> rows = rows();
    ChainRow second = rows.get(1);
    AuditEvent e = second.event();
    AuditEvent rewritten =
        new AuditEvent(
            e.eventId(),
            e.time(),
            e.dbUser(),
            e.currentUser(),
            "globex", // the tenant a rogue DBA would like this row to name
            e.operation(),
            e.table(),
            e.primaryKey(),
            e.before(),
            e.after(),
            e.requestId());
    rows.set(
        1,
        new ChainRow(
            second.seq(), second.eventId(), second.prevHash(), second.currHash(), rewritten));
    HashChainVerifier.Result r = HashChainVerifier.fromGenesis().verify(rows.iterator());
    assertFalse(r.ok());
    assertEquals(2L, r.firstBadSeq());
  }
}
