package dev.strongroom.contracts.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Typed {@code data} of {@code dev.strongroom.audit.anchored.v1} (DESIGN §3, §5): one checkpoint of
 * the audit log, as the audit-anchor-service wrote it create-only to its WORM store.
 *
 * <pre>{"anchorNo":7,"origin":"strongroom.local/db1","size":15,
 *  "rootHash":"&lt;64 lowercase hex&gt;","chainHead":"&lt;64 lowercase hex&gt;",
 *  "checkpoint":"strongroom.local/db1\n15\n&lt;base64 root&gt;\n\n— strongroom.local/db1 …\n",
 *  "wormObject":"checkpoints/strongroom.local_db1/20261204T090000.000Z-15.note"}</pre>
 *
 * <ul>
 *   <li>{@code checkpoint}: the C2SP signed note, exactly the bytes of the WORM object (UTF-8); a
 *       SIEM verifies it with the log key ({@code stack.json audit.verifierKey}), not by trusting
 *       the other members, which repeat what it says for indexing.
 *   <li>{@code rootHash}: the note's root as lowercase hex (the database's {@code
 *       audit_anchors.root_hash}); {@code chainHead}: the chain's {@code curr_hash} at {@code seq =
 *       size}, the last entry ({@code size = 0}: 64 zeros, the chain's genesis).
 *   <li>Record key: the origin (DESIGN §3), so one log's checkpoints stay in order on one
 *       partition; {@code anchorNo} counts them from 1 without gaps.
 * </ul>
 */
public record CheckpointAnchored(
    long anchorNo,
    String origin,
    long size,
    String rootHash,
    String chainHead,
    String checkpoint,
    String wormObject) {
  public CheckpointAnchored {
    if (anchorNo < 1) {
      throw new IllegalArgumentException("anchorNo starts at 1: " + anchorNo);
    }
    Objects.requireNonNull(origin, "origin");
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative: " + size);
    }
    Objects.requireNonNull(rootHash, "rootHash");
    Objects.requireNonNull(chainHead, "chainHead");
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(wormObject, "wormObject");
  }

  /** The checkpoint note's bytes (UTF-8), as stored in the WORM object. */
  public byte[] checkpointBytes() {
    return checkpoint.getBytes(StandardCharsets.UTF_8);
  }

  public ObjectNode toData() {
    ObjectNode d = CanonicalJson.mapper().createObjectNode();
    d.put("anchorNo", anchorNo);
    d.put("origin", origin);
    d.put("size", size);
    d.put("rootHash", rootHash);
    d.put("chainHead", chainHead);
    d.put("checkpoint", checkpoint);
    d.put("wormObject", wormObject);
    return d;
  }

  /** Reads schema-valid {@code data}. */
  public static CheckpointAnchored fromData(JsonNode d) {
    return new CheckpointAnchored(
        d.get("anchorNo").asLong(),
        d.get("origin").asText(),
        d.get("size").asLong(),
        d.get("rootHash").asText(),
        d.get("chainHead").asText(),
        d.get("checkpoint").asText(),
        d.get("wormObject").asText());
  }
}
