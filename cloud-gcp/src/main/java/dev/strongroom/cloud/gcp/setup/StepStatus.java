package dev.strongroom.cloud.gcp.setup;

/** What a step's read-only check found. */
public enum StepStatus {
  /** The resource is as the spec asks: apply does nothing. */
  UNCHANGED,
  /** The resource does not exist: apply creates it. */
  CREATE,
  /** The resource exists but differs (drift): apply changes it. */
  UPDATE,
  /**
   * The resource differs in a way no call can fix (an immutable setting, e.g. a key's protection
   * level or a bucket's location): apply refuses; an operator must decide.
   */
  CONFLICT
}
