package dev.strongroom.provisioner.pki;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.provisioner.ProvisionerException;

/** The PKI could not issue, read, revoke or publish material; never retriable without a change. */
public class PkiException extends ProvisionerException {
  private static final long serialVersionUID = 1L;

  public PkiException(String detail) {
    super(ErrorCode.INTERNAL, detail);
  }

  public PkiException(String detail, Throwable cause) {
    super(ErrorCode.INTERNAL, detail, cause);
  }
}
