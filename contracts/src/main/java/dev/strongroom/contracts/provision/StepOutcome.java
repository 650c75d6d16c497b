package dev.strongroom.contracts.provision;

/** A plan step's state, as the provisioning events report it. */
public enum StepOutcome {
  /** The step's check (and, on apply, its apply) is about to run; progress events only. */
  STARTED,
  /** The target already matches; nothing was (or would be) done. */
  UNCHANGED,
  /** The check found a difference; a plan only reports it. */
  WOULD_CHANGE,
  /** The check found a difference, the apply fixed it and the check then passed. */
  CHANGED,
  /** Not applicable to this target (e.g. activation under a path prefix). */
  SKIPPED,
  /** The apply failed, or the check still differed after it; the run stops here. */
  FAILED
}
