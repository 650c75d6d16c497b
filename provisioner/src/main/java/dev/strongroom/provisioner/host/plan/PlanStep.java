package dev.strongroom.provisioner.host.plan;

/** One step of a plan: a read-only check, and an apply that makes the check pass. */
interface PlanStep {
  String id();

  /**
   * Why this step does not apply to the target at all (reported {@link StepStatus#SKIPPED}), or
   * null. Read-only.
   */
  default String skip(HostShell sh) {
    return null;
  }

  /** Null when the target matches; otherwise what differs. Read-only. */
  String check(HostShell sh);

  void apply(HostShell sh);
}
