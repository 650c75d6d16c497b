package dev.strongroom.provisioner.schema;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.provisioner.ProvisionerException;

/**
 * A schema script holds a construct the target dialect's rendering has no exact rewrite for (for
 * MySQL 8.4: a MariaDB-only construct, or one whose semantics differ and that nobody has reviewed).
 * The message names the script, the line and the construct. Raised while rendering, never at
 * install time, so a later change to the shared SQL cannot silently produce broken MySQL SQL.
 */
public class SchemaDialectException extends ProvisionerException {
  private static final long serialVersionUID = 1L;

  public SchemaDialectException(String detail) {
    super(ErrorCode.INTERNAL, detail);
  }
}
