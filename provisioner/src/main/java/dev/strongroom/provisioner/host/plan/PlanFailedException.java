package dev.strongroom.provisioner.host.plan;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.provisioner.ProvisionerException;
import java.util.List;

/**
 * A step's apply failed, or its check still differed after the apply. Carries the results of the
 * steps before it (they stay applied: every step is idempotent, so re-running resumes).
 */
public final class PlanFailedException extends ProvisionerException {
  private static final long serialVersionUID = 1L;
  private final String stepId;
  private final String detail;
  private final transient List<StepResult> done;

  public PlanFailedException(String stepId, String detail, List<StepResult> done) {
    super(ErrorCode.REFUSED, stepId + ": " + detail);
    this.stepId = stepId;
    this.detail = detail;
    this.done = List.copyOf(done);
  }

  public String stepId() {
    return stepId;
  }

  /** What failed, without the step id and code prefix. */
  public String detail() {
    return detail;
  }

  public List<StepResult> done() {
    return done;
  }
}
