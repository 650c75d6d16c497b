package dev.strongroom.contracts.proof;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import java.util.Objects;
import java.util.Optional;

/**
 * Typed {@code data} of {@code dev.strongroom.proof.requested.v1}: {@code {"requestId",
 * "reason"?}}. The request id is the requester's, stable across its retries: a repeat gets the
 * first run's result again.
 */
public record ProofRequest(String requestId, String reason) {
  public ProofRequest {
    Objects.requireNonNull(requestId, "requestId");
  }

  public Optional<String> reasonIfGiven() {
    return Optional.ofNullable(reason);
  }

  public ObjectNode toData() {
    ObjectNode d = CanonicalJson.mapper().createObjectNode();
    d.put("requestId", requestId);
    if (reason != null) {
      d.put("reason", reason);
    }
    return d;
  }

  /** Reads schema-valid {@code data}. */
  public static ProofRequest fromData(JsonNode d) {
    return new ProofRequest(
        d.get("requestId").asText(), d.has("reason") ? d.get("reason").asText() : null);
  }
}
