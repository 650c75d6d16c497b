package dev.strongroom.provisioner;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.errors.StrongroomException;

/**
 * Root of every failure raised by the provisioner library (PKI, dialect rendering, the database
 * instance). Subclasses say which part failed; the {@link ErrorCode} says whether a retry may help.
 */
public class ProvisionerException extends StrongroomException {
  private static final long serialVersionUID = 1L;

  public ProvisionerException(ErrorCode code, String detail) {
    super(code, detail);
  }

  public ProvisionerException(ErrorCode code, String detail, Throwable cause) {
    super(code, detail, cause);
  }
}
