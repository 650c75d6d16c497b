package dev.strongroom.proof.waiver;

import java.time.Instant;
import java.util.Objects;

/**
 * One waiver: the control it covers, why, until when, and who approved it. A waiver turns a {@code
 * fail} or {@code error} of its control into {@code waived} until {@code expires}; from then on the
 * control fails again, and the detail says the waiver expired.
 */
public record Waiver(String control, String reason, Instant expires, String approver) {
  public Waiver {
    Objects.requireNonNull(control, "control");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(expires, "expires");
    Objects.requireNonNull(approver, "approver");
    if (reason.isBlank() || approver.isBlank()) {
      throw new WaiverException("a waiver needs a reason and an approver: " + control);
    }
  }

  /** True while {@code now} is before the expiry. */
  public boolean activeAt(Instant now) {
    return now.isBefore(expires);
  }
}
