package dev.strongroom.proof.check;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** The raw evidence a check collects while it runs, in order. Not thread-safe: one per check. */
public final class Evidence {
  /** What one recorded exchange returned. */
  public record Reply(int exitCode, String response) {}

  private final Clock clock;
  private final List<EvidenceStep> steps = new ArrayList<>();

  public Evidence(Clock clock) {
    this.clock = clock;
  }

  /** Runs {@code exchange}, timing it, and keeps actor, action and the reply as one step. */
  public <R extends Reply> R record(String actor, String action, Supplier<R> exchange) {
    Instant started = clock.instant();
    R reply = exchange.get();
    steps.add(
        new EvidenceStep(
            actor, action, reply.exitCode(), reply.response(), started, clock.instant()));
    return reply;
  }

  /** Keeps an observation that needed no exchange (a file read, a computed fact). */
  public void note(String actor, String action, String observation) {
    Instant now = clock.instant();
    steps.add(new EvidenceStep(actor, action, -1, observation, now, now));
  }

  public List<EvidenceStep> steps() {
    return List.copyOf(steps);
  }
}
