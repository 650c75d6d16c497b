package dev.strongroom.proof.run;

import com.github.f4b6a3.uuid.UuidCreator;
import dev.strongroom.proof.check.Check;
import dev.strongroom.proof.check.CheckResult;
import dev.strongroom.proof.check.Evidence;
import dev.strongroom.proof.check.Outcome;
import dev.strongroom.proof.check.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs every check of a catalogue in order, one at a time (checks change the target briefly, e.g. a
 * probe account, and must not see each other's changes). A check that throws is ERROR with the
 * exception's class and message; its evidence so far is kept.
 */
public final class ProofRunner {
  private final Catalogue catalogue;

  public ProofRunner(Catalogue catalogue) {
    this.catalogue = catalogue;
  }

  public ProofReport run(ProofContext context) {
    String runId = UuidCreator.getTimeOrderedEpoch().toString();
    Instant started = context.clock().instant();
    List<CheckResult> results = new ArrayList<>();
    for (Check check : catalogue.checks()) {
      results.add(runOne(check, context));
    }
    return new ProofReport(
        runId,
        ToolVersion.VERSION,
        catalogue.version(),
        context.targetName(),
        started,
        context.clock().instant(),
        results);
  }

  private static CheckResult runOne(Check check, ProofContext context) {
    Evidence evidence = new Evidence(context.clock());
    Instant t0 = context.clock().instant();
    Status status;
    String detail;
    try {
      Outcome o = check.run(context, evidence);
      status = o.status();
      detail = o.detail();
    } catch (Exception | AssertionError e) {
      status = Status.ERROR;
      detail = e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    return new CheckResult(
        check.control(), status, detail, t0, context.clock().instant(), evidence.steps());
  }
}
