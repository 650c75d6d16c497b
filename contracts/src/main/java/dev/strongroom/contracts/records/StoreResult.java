package dev.strongroom.contracts.records;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import java.util.Objects;
import java.util.Optional;

/** Typed {@code data} of {@code dev.strongroom.store.completed.v1}. */
public record StoreResult(String requestId, String recordId, Status status, String errorCode) {
  /** STORED the first time, DUPLICATE for a repeat of the same request id, REJECTED with a code. */
  public enum Status {
    STORED,
    DUPLICATE,
    REJECTED
  }

  public StoreResult {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(recordId, "recordId");
    Objects.requireNonNull(status, "status");
    if ((status == Status.REJECTED) != (errorCode != null)) {
      throw new IllegalArgumentException("errorCode is present exactly when status is REJECTED");
    }
  }

  public Optional<String> errorCodeIfRejected() {
    return Optional.ofNullable(errorCode);
  }

  public ObjectNode toData() {
    ObjectNode d = CanonicalJson.mapper().createObjectNode();
    d.put("requestId", requestId);
    d.put("recordId", recordId);
    d.put("status", status.name());
    if (errorCode != null) {
      d.put("errorCode", errorCode);
    }
    return d;
  }

  public static StoreResult fromData(JsonNode d) {
    return new StoreResult(
        d.get("requestId").asText(),
        d.get("recordId").asText(),
        Status.valueOf(d.get("status").asText()),
        d.has("errorCode") ? d.get("errorCode").asText() : null);
  }
}
