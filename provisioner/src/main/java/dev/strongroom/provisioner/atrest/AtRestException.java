package dev.strongroom.provisioner.atrest;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.provisioner.ProvisionerException;

/** The at-rest keyring cannot be created, read or decrypted. Never "fixed" by overwriting keys. */
public class AtRestException extends ProvisionerException {
  private static final long serialVersionUID = 1L;

  public AtRestException(String detail) {
    super(ErrorCode.INTERNAL, detail);
  }

  public AtRestException(String detail, Throwable cause) {
    super(ErrorCode.INTERNAL, detail, cause);
  }
}
