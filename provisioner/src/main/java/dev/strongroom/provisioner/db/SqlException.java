package dev.strongroom.provisioner.db;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.provisioner.ProvisionerException;
import java.util.Optional;

/** A statement run through the {@code mariadb} client failed; carries the parsed server error. */
public class SqlException extends ProvisionerException {
  private static final long serialVersionUID = 1L;
  private final transient ServerError error;

  public SqlException(String detail, ServerError error) {
    super(ErrorCode.INTERNAL, detail + (error == null ? "" : ": " + error));
    this.error = error;
  }

  /** The server's error, when the client printed one. */
  public Optional<ServerError> error() {
    return Optional.ofNullable(error);
  }
}
