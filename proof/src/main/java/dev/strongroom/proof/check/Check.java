package dev.strongroom.proof.check;

import dev.strongroom.proof.run.ProofContext;

/**
 * The SPI: one check for one control. A check tries to break its control (or measures the fact it
 * rests on), records every exchange in {@link Evidence}, and returns an {@link Outcome}. It throws
 * when it cannot reach a verdict; the runner records that as ERROR with the exception's message. A
 * check whose control cannot apply to the target (a host control off a hardened VM) returns
 * NOT_APPLICABLE with the reason; it never returns PASS for what it could not try.
 */
public interface Check {
  Control control();

  Outcome run(ProofContext context, Evidence evidence) throws Exception;
}
