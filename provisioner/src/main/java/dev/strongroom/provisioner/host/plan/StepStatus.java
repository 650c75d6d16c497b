package dev.strongroom.provisioner.host.plan;

/** What a step found or did. */
public enum StepStatus {
  /** The target already matches; nothing was (or would be) done. */
  UNCHANGED,
  /** The check found a difference; a plan run only reports it. */
  WOULD_CHANGE,
  /** The check found a difference and the apply fixed it (the check then passed). */
  CHANGED,
  /** Not applicable to this target (e.g. activating units under a path prefix). */
  SKIPPED
}
