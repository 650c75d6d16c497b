package dev.strongroom.proof.check;

/**
 * The status of one control in one run. {@link #NOT_APPLICABLE} always carries its reason (a host
 * control off a hardened VM, a capability that has not landed); it is never counted as a pass.
 */
public enum Status {
  /** The attack was refused, or the measured fact holds. */
  PASS,
  /** The attack succeeded, or the measured fact does not hold. */
  FAIL,
  /** The check itself could not run to a verdict (target unreachable, tool missing, bug). */
  ERROR,
  /** The control cannot apply to this target; the result says why. */
  NOT_APPLICABLE,
  /**
   * A fail or error that a signed, unexpired waiver accepts for now (the detail keeps what was
   * seen). Set only by {@code Waivers.apply}, never by a check; it does not fail the run.
   */
  WAIVED;

  /** The lower-case name used in results JSON and OSCAL ({@code not-applicable}). */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  public static Status fromWireName(String wire) {
    for (Status s : values()) {
      if (s.wireName().equals(wire)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown status: " + wire);
  }
}
