package dev.strongroom.proof.check;

/** How a check establishes its verdict. */
public enum Method {
  /** It tries to break the control and asserts the exact refusal. */
  ATTACK,
  /** It measures a fact of the target (a variable, a file, a grant) and compares it. */
  MEASURED_FACT;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
