package dev.strongroom.cloud.gcp.setup;

import java.util.List;
import java.util.Locale;

/**
 * The steps of a cloud setup as their read-only checks found them — what {@code --dry-run} prints
 * and what apply will do.
 */
public record CloudSetupPlan(CloudSetupSpec spec, List<CloudSetupStep> steps) {
  public CloudSetupPlan {
    steps = List.copyOf(steps);
  }

  /** True when every step is {@link StepStatus#UNCHANGED}. */
  public boolean changesNothing() {
    return steps.stream().allMatch(s -> s.status() == StepStatus.UNCHANGED);
  }

  /** True when some step is a {@link StepStatus#CONFLICT}: apply would refuse. */
  public boolean hasConflicts() {
    return steps.stream().anyMatch(s -> s.status() == StepStatus.CONFLICT);
  }

  /** The step with this id. */
  public CloudSetupStep step(String id) {
    return steps.stream()
        .filter(s -> s.id().equals(id))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no step " + id));
  }

  /** Human-readable, one block per step, a summary line last. */
  public String render() {
    StringBuilder out = new StringBuilder();
    out.append("Cloud setup plan for project ")
        .append(spec.project())
        .append(", service account ")
        .append(spec.serviceAccount())
        .append(":\n");
    for (CloudSetupStep s : steps) {
      s.renderTo(out, s.status().name().toLowerCase(Locale.ROOT));
    }
    out.append(summary()).append('\n');
    return out.toString();
  }

  /** {@code 6 steps: 2 to create, 1 to update, 3 unchanged, 0 conflicts}. */
  public String summary() {
    return String.format(
        Locale.ROOT,
        "%d steps: %d to create, %d to update, %d unchanged, %d conflicts",
        steps.size(),
        count(StepStatus.CREATE),
        count(StepStatus.UPDATE),
        count(StepStatus.UNCHANGED),
        count(StepStatus.CONFLICT));
  }

  private long count(StepStatus status) {
    return steps.stream().filter(s -> s.status() == status).count();
  }
}
