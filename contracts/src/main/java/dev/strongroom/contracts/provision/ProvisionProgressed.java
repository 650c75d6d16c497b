package dev.strongroom.contracts.provision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import java.util.Objects;

/**
 * Typed {@code data} of {@code dev.strongroom.provision.progressed.v1}: one step of one run
 * started, or what it found or did.
 *
 * <pre>{"requestId","runId","target","mode","seq","step","status","detail"}</pre>
 *
 * {@code seq} counts the run's progress events from 0, so a watcher can tell a gap from a quiet
 * step; {@code detail} is what differed, what was skipped and why, or why the step failed (empty
 * otherwise). Record key = the target.
 */
public record ProvisionProgressed(
    String requestId,
    String runId,
    String target,
    ProvisionMode mode,
    int seq,
    String step,
    StepOutcome status,
    String detail) {
  public ProvisionProgressed {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(status, "status");
    detail = ProvisionCompleted.clip(Objects.requireNonNull(detail, "detail"));
    if (seq < 0) {
      throw new IllegalArgumentException("seq must not be negative");
    }
  }

  public ObjectNode toData() {
    ObjectNode d = CanonicalJson.mapper().createObjectNode();
    d.put("requestId", requestId);
    d.put("runId", runId);
    d.put("target", target);
    d.put("mode", mode.name());
    d.put("seq", seq);
    d.put("step", step);
    d.put("status", status.name());
    d.put("detail", detail);
    return d;
  }

  /** Reads schema-valid {@code data}. */
  public static ProvisionProgressed fromData(JsonNode d) {
    return new ProvisionProgressed(
        d.get("requestId").asText(),
        d.get("runId").asText(),
        d.get("target").asText(),
        ProvisionMode.valueOf(d.get("mode").asText()),
        d.get("seq").intValue(),
        d.get("step").asText(),
        StepOutcome.valueOf(d.get("status").asText()),
        d.get("detail").asText());
  }
}
