package dev.strongroom.contracts.errors;

/**
 * A key file, key registry or setting is missing or invalid; the service must not start with it.
 */
public class InvalidConfigurationException extends StrongroomException {
  private static final long serialVersionUID = 1L;

  public InvalidConfigurationException(String detail) {
    super(ErrorCode.INTERNAL, detail);
  }

  public InvalidConfigurationException(String detail, Throwable cause) {
    super(ErrorCode.INTERNAL, detail, cause);
  }
}
