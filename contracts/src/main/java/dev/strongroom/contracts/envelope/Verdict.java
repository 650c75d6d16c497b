package dev.strongroom.contracts.envelope;

/** The outcome of {@link EventVerifier#verify}. */
public sealed interface Verdict permits Verdict.Accepted, Verdict.Rejected {

  /**
   * The event passed every rule.
   *
   * @param redelivery true when this id was already accepted at these very coordinates (a rebalance
   *     or a crash before commit): process again, idempotently — this is not a replay
   */
  record Accepted(VerifiedEvent event, boolean redelivery) implements Verdict {}

  /** The event was refused. */
  record Rejected(Rejection rejection) implements Verdict {}
}
