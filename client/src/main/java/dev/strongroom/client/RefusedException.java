package dev.strongroom.client;

/**
 * A service refused a read: {@link #code()} is the refusal's stable code ({@code SR-CROSS-TENANT},
 * {@code SR-TOKEN-SIGNATURE}, {@code SR-NOT-FOUND}, {@code UNAUTHORIZED}, {@code INTEGRITY}, …) and
 * {@link #status()} the HTTP status it came with.
 */
public final class RefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String service;
  private final int status;
  private final String code;
  private final String detail;

  public RefusedException(String service, int status, String code, String detail) {
    super(
        service
            + " refused (HTTP "
            + status
            + "): "
            + code
            + (detail.isEmpty() ? "" : ": " + detail));
    this.service = service;
    this.status = status;
    this.code = code;
    this.detail = detail;
  }

  /** Which service refused ({@code data-service} or {@code crypto-service}). */
  public String service() {
    return service;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String detail() {
    return detail;
  }
}
