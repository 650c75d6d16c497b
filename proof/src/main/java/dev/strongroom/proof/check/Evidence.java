package dev.strongroom.proof.check;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The raw evidence a check collects while it runs, in order. Not thread-safe: one per check. */
public final class Evidence {
  private final Clock clock;
  private final List<EvidenceStep> steps = new ArrayList<>();

  public Evidence(Clock clock) {
    this.clock = clock;
  }

  /** The clock's current instant (a step's start). */
  public Instant now() {
    return clock.instant();
  }

  /** Keeps one exchange that started at {@code started} and ended now. */
  public void add(String actor, String action, Instant started, int exitCode, String response) {
    steps.add(new EvidenceStep(actor, action, exitCode, response, started, clock.instant()));
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
