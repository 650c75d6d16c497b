package dev.strongroom.cloud.gcp.setup;

import java.util.List;

/**
 * What apply did, step by step: each step's {@link StepStatus} before apply (UNCHANGED, CREATE or
 * UPDATE, never CONFLICT: a conflict stops apply) and the changes it made.
 */
public record CloudSetupResult(List<CloudSetupStep> steps) {
  public CloudSetupResult {
    steps = List.copyOf(steps);
  }

  /** True when apply found everything as specified and made no mutating call. */
  public boolean changedNothing() {
    return steps.stream().allMatch(s -> s.status() == StepStatus.UNCHANGED);
  }

  /** Human-readable: one line per step and its changes. */
  public String render() {
    StringBuilder out = new StringBuilder("Cloud setup applied:\n");
    for (CloudSetupStep s : steps) {
      String done =
          switch (s.status()) {
            case UNCHANGED -> "unchanged";
            case CREATE -> "created";
            case UPDATE -> "updated";
            case CONFLICT -> "conflict";
          };
      s.renderTo(out, done);
    }
    out.append(changedNothing() ? "Nothing changed.\n" : "Done.\n");
    return out.toString();
  }
}
