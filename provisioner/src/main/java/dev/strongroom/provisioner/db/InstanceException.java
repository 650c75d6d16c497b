package dev.strongroom.provisioner.db;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.provisioner.ProvisionerException;

/**
 * The instance could not be prepared, initialised, started or stopped. The message carries the tail
 * of the server's error log when there is one.
 */
public class InstanceException extends ProvisionerException {
  private static final long serialVersionUID = 1L;

  public InstanceException(String detail) {
    super(ErrorCode.UNAVAILABLE, detail);
  }

  public InstanceException(String detail, Throwable cause) {
    super(ErrorCode.UNAVAILABLE, detail, cause);
  }
}
