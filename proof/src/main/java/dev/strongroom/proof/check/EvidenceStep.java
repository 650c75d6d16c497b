package dev.strongroom.proof.check;

import java.time.Instant;
import java.util.Objects;

/**
 * One raw exchange with the target, kept verbatim in the bundle.
 *
 * @param actor who acted: a database identity ({@code app_user}), {@code installer}, {@code
 *     anonymous} (a probe with no credentials) or {@code host}
 * @param action the statement or the command line, exactly as sent
 * @param exitCode the client's exit code (0 on success), or -1 when not a process
 * @param response the target's answer: result rows or the error, verbatim
 */
public record EvidenceStep(
    String actor, String action, int exitCode, String response, Instant started, Instant finished) {
  public EvidenceStep {
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(response, "response");
    Objects.requireNonNull(started, "started");
    Objects.requireNonNull(finished, "finished");
  }
}
