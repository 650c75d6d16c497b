package dev.strongroom.proof.check;

import java.time.Instant;
import java.util.List;

/** One control's result in one run, with its raw evidence. */
public record CheckResult(
    Control control,
    Status status,
    String detail,
    Instant started,
    Instant finished,
    List<EvidenceStep> evidence) {
  public CheckResult {
    evidence = List.copyOf(evidence);
  }
}
