package dev.strongroom.cloud.gcp.setup;

import dev.strongroom.cloud.gcp.CloudGcpException;

/**
 * The cloud setup could not complete a step: a conflict no call can fix, a step that still differs
 * after its apply, or Google refusing or failing a call (retriable when Google was unreachable or
 * throttling).
 */
public final class CloudSetupException extends CloudGcpException {
  private static final long serialVersionUID = 1L;

  private final String stepId;

  public CloudSetupException(String stepId, String message, boolean retriable, Throwable cause) {
    super(stepId + ": " + message, retriable, cause);
    this.stepId = stepId;
  }

  /** The step that failed. */
  public String stepId() {
    return stepId;
  }
}
