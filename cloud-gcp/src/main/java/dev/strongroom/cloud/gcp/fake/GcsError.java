package dev.strongroom.cloud.gcp.fake;

/**
 * An error the fake answers with, in Cloud Storage's JSON shape: {@code {"error": {"code": 412,
 * "message": "…", "errors": [{"message": "…", "domain": "global", "reason": "conditionNotMet"}]}}}.
 */
final class GcsError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final int status;
  final String reason;

  GcsError(int status, String reason, String message) {
    super(message, null, false, false);
    this.status = status;
    this.reason = reason;
  }

  static GcsError notFound(String what) {
    return new GcsError(404, "notFound", "No such object: " + what);
  }

  static GcsError bucketNotFound(String bucket) {
    return new GcsError(404, "notFound", "The specified bucket does not exist.");
  }

  static GcsError badRequest(String message) {
    return new GcsError(400, "invalid", message);
  }

  static GcsError preconditionFailed() {
    return new GcsError(
        412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.");
  }
}
