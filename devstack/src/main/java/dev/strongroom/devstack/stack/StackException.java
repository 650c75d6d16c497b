package dev.strongroom.devstack.stack;

/** The environment or the stack is not usable (exit code 3 of the command). */
public class StackException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StackException(String message) {
    super(message);
  }

  public StackException(String message, Throwable cause) {
    super(message, cause);
  }
}
