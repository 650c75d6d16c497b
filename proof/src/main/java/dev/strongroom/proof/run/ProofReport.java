package dev.strongroom.proof.run;

import dev.strongroom.proof.check.CheckResult;
import dev.strongroom.proof.check.Status;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One run: what ran against what, when, with which tool and catalogue, and every control's result.
 */
public record ProofReport(
    String runId,
    String toolVersion,
    String catalogueVersion,
    String target,
    Instant started,
    Instant finished,
    List<CheckResult> results) {
  public ProofReport {
    results = List.copyOf(results);
  }

  public Map<Status, Integer> counts() {
    Map<Status, Integer> out = new EnumMap<>(Status.class);
    for (Status s : Status.values()) {
      out.put(s, 0);
    }
    results.forEach(r -> out.merge(r.status(), 1, Integer::sum));
    return out;
  }

  /** True when no control failed or errored (NOT_APPLICABLE is neither a pass nor a failure). */
  public boolean passed() {
    return results.stream().noneMatch(r -> r.status() == Status.FAIL || r.status() == Status.ERROR);
  }
}
