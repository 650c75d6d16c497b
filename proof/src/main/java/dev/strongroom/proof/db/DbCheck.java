package dev.strongroom.proof.db;

import dev.strongroom.proof.check.Check;
import dev.strongroom.proof.check.Control;
import dev.strongroom.proof.check.Evidence;
import dev.strongroom.proof.check.Outcome;
import dev.strongroom.proof.run.ProofContext;

/**
 * A check against the target database. Without a database in the target it is NOT_APPLICABLE; with
 * {@code needsInstaller} and no installer socket it is NOT_APPLICABLE with that reason.
 */
public record DbCheck(Control control, boolean needsInstaller, Body body) implements Check {
  /** The attack or measurement itself. */
  @FunctionalInterface
  public interface Body {
    Outcome run(DbProbe probe) throws Exception;
  }

  @Override
  public Outcome run(ProofContext context, Evidence evidence) throws Exception {
    if (context.db().isEmpty()) {
      return Outcome.notApplicable("the target has no database");
    }
    DbProbe probe = new DbProbe(context, context.db().get(), evidence);
    if (needsInstaller && probe.installer().isEmpty()) {
      return Outcome.notApplicable(
          "needs the installer's local socket (db.socket), which this prover was not given");
    }
    return body.run(probe);
  }
}
