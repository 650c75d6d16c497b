package dev.strongroom.contracts.provision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Typed {@code data} of {@code dev.strongroom.provision.completed.v1}: the outcome of one run.
 *
 * <pre>{"requestId","runId","target","mode","outcome","started","finished","bundleSha256",
 *  "steps":[{"id","status","detail"},…],
 *  "error"?:{"code","step"?,"detail"}}</pre>
 *
 * {@code outcome}: {@link Outcome#CHANGED} (an apply changed at least one step), {@link
 * Outcome#WOULD_CHANGE} (a plan found at least one difference), {@link Outcome#NO_CHANGE} (the
 * target already matched: a re-run on a provisioned target says so), {@link Outcome#FAILED} (the
 * target could not be reached, or a step failed; {@code error} says which and why, with a stable
 * {@code ErrorCode}). {@code bundleSha256} is the SHA-256 of the host bundle's {@code MANIFEST.tsv}
 * (the same bytes {@code ./strongroom provision --render} writes for those options), so a reviewed
 * rendering can be matched to what was applied. Record key = the target.
 */
public record ProvisionCompleted(
    String requestId,
    String runId,
    String target,
    ProvisionMode mode,
    Outcome outcome,
    Instant started,
    Instant finished,
    String bundleSha256,
    List<Step> steps,
    Failure error) {

  /** The longest {@code detail} the schemas allow, in UTF-16 units (never more code points). */
  public static final int MAX_DETAIL = 1000;

  /**
   * {@code detail} cut to {@link #MAX_DETAIL} (ending in "…" when cut, never splitting a surrogate
   * pair): a remote command's error output can be longer than an event should carry.
   */
  public static String clip(String detail) {
    if (detail.length() <= MAX_DETAIL) {
      return detail;
    }
    int end = MAX_DETAIL - 1;
    if (Character.isHighSurrogate(detail.charAt(end - 1))) {
      end--;
    }
    return detail.substring(0, end) + "\u2026";
  }

  /** What the run came to. */
  public enum Outcome {
    CHANGED,
    WOULD_CHANGE,
    NO_CHANGE,
    FAILED
  }

  /** One step's final state ({@link StepOutcome#STARTED} never appears here). */
  public record Step(String id, StepOutcome status, String detail) {
    public Step {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(detail, "detail");
      detail = clip(detail);
      if (status == StepOutcome.STARTED) {
        throw new IllegalArgumentException("a completed step is never STARTED");
      }
    }
  }

  /** Why a run failed: a stable error code, the failed step if any, a line of detail. */
  public record Failure(String code, String step, String detail) {
    public Failure {
      Objects.requireNonNull(code, "code");
      detail = clip(Objects.requireNonNull(detail, "detail"));
    }

    public Optional<String> stepIfAny() {
      return Optional.ofNullable(step);
    }
  }

  public ProvisionCompleted {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(started, "started");
    Objects.requireNonNull(finished, "finished");
    Objects.requireNonNull(bundleSha256, "bundleSha256");
    steps = List.copyOf(steps);
    if ((outcome == Outcome.FAILED) != (error != null)) {
      throw new IllegalArgumentException("error is present exactly when the outcome is FAILED");
    }
    if (outcome == Outcome.CHANGED && mode != ProvisionMode.APPLY
        || outcome == Outcome.WOULD_CHANGE && mode != ProvisionMode.PLAN) {
      throw new IllegalArgumentException(outcome + " is not an outcome of a " + mode);
    }
  }

  public Optional<Failure> errorIfFailed() {
    return Optional.ofNullable(error);
  }

  /** The number of steps with {@code status}. */
  public long count(StepOutcome status) {
    return steps.stream().filter(s -> s.status() == status).count();
  }

  public ObjectNode toData() {
    ObjectNode d = CanonicalJson.mapper().createObjectNode();
    d.put("requestId", requestId);
    d.put("runId", runId);
    d.put("target", target);
    d.put("mode", mode.name());
    d.put("outcome", outcome.name());
    d.put("started", started.toString());
    d.put("finished", finished.toString());
    d.put("bundleSha256", bundleSha256);
    ArrayNode a = d.putArray("steps");
    for (Step s : steps) {
      a.addObject().put("id", s.id()).put("status", s.status().name()).put("detail", s.detail());
    }
    if (error != null) {
      ObjectNode e = d.putObject("error");
      e.put("code", error.code());
      if (error.step() != null) {
        e.put("step", error.step());
      }
      e.put("detail", error.detail());
    }
    return d;
  }

  /** Reads schema-valid {@code data}. */
  public static ProvisionCompleted fromData(JsonNode d) {
    List<Step> steps = new ArrayList<>();
    d.get("steps")
        .forEach(
            s ->
                steps.add(
                    new Step(
                        s.get("id").asText(),
                        StepOutcome.valueOf(s.get("status").asText()),
                        s.get("detail").asText())));
    JsonNode e = d.get("error");
    return new ProvisionCompleted(
        d.get("requestId").asText(),
        d.get("runId").asText(),
        d.get("target").asText(),
        ProvisionMode.valueOf(d.get("mode").asText()),
        Outcome.valueOf(d.get("outcome").asText()),
        Instant.parse(d.get("started").asText()),
        Instant.parse(d.get("finished").asText()),
        d.get("bundleSha256").asText(),
        steps,
        e == null
            ? null
            : new Failure(
                e.get("code").asText(),
                e.has("step") ? e.get("step").asText() : null,
                e.get("detail").asText()));
  }
}
