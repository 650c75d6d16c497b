package dev.strongroom.contracts.envelope;

import dev.strongroom.contracts.errors.ErrorCode;
import java.util.Objects;
import java.util.Optional;

/**
 * Why an event was refused: a stable code and a one-line detail that quotes envelope attributes
 * only, never {@code data} (which may be sensitive) and never raw input.
 *
 * @param eventId the {@code id} attribute when it could be read
 * @param source the {@code source} attribute when it could be read
 * @param sigkid the {@code sigkid} attribute when it could be read
 */
public record Rejection(
    ErrorCode code, String detail, String eventId, String source, String sigkid) {
  /** Details are cut to this many characters. */
  public static final int MAX_DETAIL = 500;

  public Rejection {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(detail, "detail");
    if (detail.length() > MAX_DETAIL) {
      detail = detail.substring(0, MAX_DETAIL - 1) + "…";
    }
  }

  public Optional<String> eventIdIfKnown() {
    return Optional.ofNullable(eventId);
  }

  @Override
  public String toString() {
    return code.code() + ": " + detail;
  }
}
