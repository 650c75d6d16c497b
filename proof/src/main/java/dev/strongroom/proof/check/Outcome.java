package dev.strongroom.proof.check;

import java.util.Objects;

/**
 * What a check concluded: PASS, FAIL or NOT_APPLICABLE with a one-line detail (the exact refusal
 * seen, the value measured, or why the control cannot apply). ERROR is the runner's, never a
 * check's: a check that cannot reach a verdict throws.
 */
public record Outcome(Status status, String detail) {
  public Outcome {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(detail, "detail");
    if (status == Status.ERROR) {
      throw new IllegalArgumentException("a check throws instead of returning ERROR");
    }
    if (status == Status.WAIVED) {
      throw new IllegalArgumentException("only a signed waiver waives a control, never a check");
    }
    if (status == Status.NOT_APPLICABLE && detail.isBlank()) {
      throw new IllegalArgumentException("not-applicable needs its reason");
    }
  }

  public static Outcome pass(String detail) {
    return new Outcome(Status.PASS, detail);
  }

  public static Outcome fail(String detail) {
    return new Outcome(Status.FAIL, detail);
  }

  public static Outcome notApplicable(String reason) {
    return new Outcome(Status.NOT_APPLICABLE, reason);
  }

  /** PASS with {@code passDetail} when {@code holds}, else FAIL with {@code failDetail}. */
  public static Outcome of(boolean holds, String passDetail, String failDetail) {
    return holds ? pass(passDetail) : fail(failDetail);
  }
}
