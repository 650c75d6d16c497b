package dev.strongroom.provisioner.host.plan;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.provisioner.ProvisionerException;

/**
 * The SSH target refused us or could not be reached: host key not the pinned one, our key not
 * accepted (password authentication is never attempted), connection or command failure. {@link
 * ErrorCode#REFUSED} for refusals (a retry cannot help), {@link ErrorCode#UNAVAILABLE} when the
 * host did not answer.
 */
public final class SshException extends ProvisionerException {
  private static final long serialVersionUID = 1L;

  public SshException(ErrorCode code, String detail, Throwable cause) {
    super(code, detail, cause);
  }
}
