package dev.strongroom.provisioner.host;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.provisioner.ProvisionerException;

/**
 * A host option that cannot be rendered safely: a malformed or over-wide CIDR, an allowlist without
 * remote access (or the reverse), a port out of range, a path that is not absolute. Never retriable
 * ({@link ErrorCode#SCHEMA}: the request itself is wrong).
 */
public final class InvalidHostOptionException extends ProvisionerException {
  private static final long serialVersionUID = 1L;

  private final String detail;

  public InvalidHostOptionException(String detail) {
    super(ErrorCode.SCHEMA, detail);
    this.detail = detail;
  }

  /** What is wrong, without the code prefix (what the command prints after "provision: "). */
  public String detail() {
    return detail;
  }
}
