package dev.strongroom.contracts.proof;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Typed {@code data} of {@code dev.strongroom.proof.completed.v1}: what one proof run found, per
 * control, and the digest of the signed bundle that holds the evidence:
 *
 * <pre>{"runId","trigger":"REQUEST"|"SCHEDULE","requestId"?,"passed","toolVersion",
 *  "catalogueVersion","target","started","finished",
 *  "counts":{"pass","fail","error","not-applicable","waived"?},
 *  "controls":{"SR-DB-TLS-01":"pass",…},
 *  "bundle":{"manifestSha256","file"}}</pre>
 *
 * Statuses are the bundle's wire names ({@code pass}, {@code fail}, {@code error}, {@code
 * not-applicable}, {@code waived}).
 */
public record ProofCompleted(
    String runId,
    Trigger trigger,
    String requestId,
    boolean passed,
    String toolVersion,
    String catalogueVersion,
    String target,
    Instant started,
    Instant finished,
    Map<String, Integer> counts,
    Map<String, String> controls,
    String manifestSha256,
    String bundleFile) {
  /** What started the run. */
  public enum Trigger {
    /** A {@code dev.strongroom.proof.requested.v1}; {@code requestId} is its request id. */
    REQUEST,
    /** The proof-service's own schedule; no request id. */
    SCHEDULE
  }

  public ProofCompleted {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(trigger, "trigger");
    if ((trigger == Trigger.REQUEST) != (requestId != null)) {
      throw new IllegalArgumentException("requestId is present exactly when trigger is REQUEST");
    }
    Objects.requireNonNull(toolVersion, "toolVersion");
    Objects.requireNonNull(catalogueVersion, "catalogueVersion");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(started, "started");
    Objects.requireNonNull(finished, "finished");
    counts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    controls = java.util.Collections.unmodifiableMap(new TreeMap<>(controls));
    Objects.requireNonNull(manifestSha256, "manifestSha256");
    Objects.requireNonNull(bundleFile, "bundleFile");
  }

  public Optional<String> requestIdIfRequested() {
    return Optional.ofNullable(requestId);
  }

  /** The ids of the controls with {@code status}, sorted. */
  public java.util.List<String> controlsWith(String status) {
    return controls.entrySet().stream()
        .filter(e -> e.getValue().equals(status))
        .map(Map.Entry::getKey)
        .toList();
  }

  public ObjectNode toData() {
    ObjectNode d = CanonicalJson.mapper().createObjectNode();
    d.put("runId", runId);
    d.put("trigger", trigger.name());
    if (requestId != null) {
      d.put("requestId", requestId);
    }
    d.put("passed", passed);
    d.put("toolVersion", toolVersion);
    d.put("catalogueVersion", catalogueVersion);
    d.put("target", target);
    d.put("started", started.toString());
    d.put("finished", finished.toString());
    ObjectNode c = d.putObject("counts");
    counts.forEach(c::put);
    ObjectNode ctl = d.putObject("controls");
    controls.forEach(ctl::put);
    d.putObject("bundle").put("manifestSha256", manifestSha256).put("file", bundleFile);
    return d;
  }

  /** Reads schema-valid {@code data}. */
  public static ProofCompleted fromData(JsonNode d) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    d.get("counts").properties().forEach(e -> counts.put(e.getKey(), e.getValue().intValue()));
    Map<String, String> controls = new TreeMap<>();
    d.get("controls").properties().forEach(e -> controls.put(e.getKey(), e.getValue().asText()));
    return new ProofCompleted(
        d.get("runId").asText(),
        Trigger.valueOf(d.get("trigger").asText()),
        d.has("requestId") ? d.get("requestId").asText() : null,
        d.get("passed").asBoolean(),
        d.get("toolVersion").asText(),
        d.get("catalogueVersion").asText(),
        d.get("target").asText(),
        Instant.parse(d.get("started").asText()),
        Instant.parse(d.get("finished").asText()),
        counts,
        controls,
        d.get("bundle").get("manifestSha256").asText(),
        d.get("bundle").get("file").asText());
  }
}
