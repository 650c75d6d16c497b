package dev.strongroom.provisioner.host.plan;

/**
 * Told of each step as {@link HostPlan#plan} or {@link HostPlan#apply} runs it, in order: {@link
 * #started} before the step's check, then {@link #finished} with its result, or {@link #failed}
 * when its apply failed or its check still differed (the run stops there). A listener that throws
 * stops the run.
 */
public interface PlanListener {
  /** Hears nothing. */
  PlanListener NONE = new PlanListener() {};

  /** Step {@code stepId} is about to be checked (and applied, if it differs). */
  default void started(String stepId) {}

  /** Step {@code result.id()} came to {@code result}. */
  default void finished(StepResult result) {}

  /**
   * Step {@code stepId}, still running, reports how far it got (a long wait, e.g. the at-rest
   * re-encryption); any number of times between {@link #started} and {@link #finished}.
   */
  default void progressed(String stepId, String detail) {}

  /** Step {@code stepId} failed with {@code detail}; no further step runs. */
  default void failed(String stepId, String detail) {}
}
