package dev.strongroom.contracts.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.schema.EventCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The anchored-checkpoint event round-trips; its schema refuses what an anchor never says. */
class AuditEventsTest {
  private static final EventCatalog CATALOG = EventCatalog.standard();

  private static ObjectNode golden() throws Exception {
    return (ObjectNode)
        CanonicalJson.parse(
                Files.readAllBytes(
                    Path.of(
                        "src/test/resources/golden/"
                            + EventCatalog.AUDIT_ANCHORED.type()
                            + "/v1-anchored.json")))
            .get("data")
            .deepCopy();
  }

  private static List<String> violations(JsonNode data) {
    return CATALOG.validate(EventCatalog.AUDIT_ANCHORED, data);
  }

  @Test
  void anchored_roundTrips() throws Exception {
    ObjectNode data = golden();
    CheckpointAnchored a = CheckpointAnchored.fromData(data);
    assertEquals(15, a.anchorNo());
    assertEquals(15, a.size());
    assertEquals("strongroom.local/db1", a.origin());
    assertTrue(a.checkpoint().startsWith("strongroom.local/db1\n15\n"));
    assertEquals(CanonicalJson.canonicalString(data), CanonicalJson.canonicalString(a.toData()));
    assertEquals(a, CheckpointAnchored.fromData(a.toData()));
    assertEquals(List.of(), violations(a.toData()));
    assertEquals(
        EventCatalog.AUDIT_ANCHORED,
        CATALOG.find("dev.strongroom.audit.anchored.v1").orElseThrow());
  }

  @Test
  void aRootThatIsNotHex_violatesTheSchema() throws Exception {
    ObjectNode d = golden();
    d.put("rootHash", "FA9TBLDP");
    assertEquals(
        List.of("/rootHash: does not match the regex pattern ^[0-9a-f]{64}$"), violations(d));
  }

  @Test
  void anUnsignedCheckpoint_violatesTheSchema() throws Exception {
    ObjectNode d = golden();
    String note = d.get("checkpoint").asText();
    d.put("checkpoint", note.substring(0, note.indexOf("\n\n") + 1));
    assertEquals(1, violations(d).size());
    assertTrue(
        violations(d).get(0).startsWith("/checkpoint: does not match"), violations(d).get(0));
  }

  @Test
  void aCheckpointWithAnExtensionLine_violatesTheSchema() throws Exception {
    ObjectNode d = golden();
    String note = d.get("checkpoint").asText();
    int blank = note.indexOf("\n\n");
    d.put("checkpoint", note.substring(0, blank + 1) + "ext\n" + note.substring(blank + 1));
    assertTrue(
        violations(d).get(0).startsWith("/checkpoint: does not match"), violations(d).get(0));
  }

  @Test
  void aWormObjectOutsideCheckpoints_orAnUnknownMember_violatesTheSchema() throws Exception {
    ObjectNode escape = golden();
    escape.put("wormObject", "checkpoints/../backups/x-15.note");
    assertTrue(violations(escape).get(0).startsWith("/wormObject: does not match"));
    ObjectNode extra = golden();
    extra.put("witnessed", true);
    assertEquals(
        List.of(
            ": property 'witnessed' is not defined in the schema and the schema does not allow additional properties"),
        violations(extra));
    ObjectNode zero = golden();
    zero.put("anchorNo", 0);
    assertEquals(List.of("/anchorNo: must have a minimum value of 1"), violations(zero));
  }
}
