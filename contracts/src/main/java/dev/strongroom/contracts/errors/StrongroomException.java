package dev.strongroom.contracts.errors;

/** Root of every Strongroom exception; carries a stable {@link ErrorCode}. */
public class StrongroomException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;

  public StrongroomException(ErrorCode code, String detail) {
    super(code.code() + ": " + detail);
    this.code = code;
  }

  public StrongroomException(ErrorCode code, String detail, Throwable cause) {
    super(code.code() + ": " + detail, cause);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  public boolean retriable() {
    return code.retriable();
  }
}
