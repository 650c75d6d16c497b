package dev.strongroom.dataservice.store;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.errors.RefusalCode;
import java.util.Map;

/**
 * Classifies a database error by its number, the way Debezium's error handlers do: a short
 * allow-list of transient conditions is retried with backoff, an {@code SR-} refusal keeps its
 * code, everything else is a refusal ({@link ErrorCode#REFUSED}) that will not change on retry.
 */
public final class SqlErrors {
  /** Server error numbers (MariaDB/MySQL) retried with backoff, with why. */
  public static final Map<Integer, String> RETRIED =
      Map.of(
          1213, "deadlock",
          1205, "lock wait timeout",
          1053, "server shutdown in progress",
          1927, "connection killed",
          2002, "cannot connect (socket)",
          2003, "cannot connect",
          2006, "server has gone away",
          2013, "lost connection during query",
          1040, "too many connections",
          1290, "server running in read-only mode");

  private SqlErrors() {}

  /**
   * @param errorNumber the server's error number
   * @param sqlState the SQLSTATE
   * @param message the server's message ({@code SR-…: …} for a procedure's refusal)
   */
  public static StoreFailure classify(
      int errorNumber, String sqlState, String message, Throwable cause) {
    if ("45000".equals(sqlState)) {
      RefusalCode refusal = RefusalCode.ofMessage(message).orElse(null);
      if (refusal != null) {
        return new StoreFailure(refusal.errorCode(), refusal, message, cause);
      }
      return new StoreFailure(ErrorCode.REFUSED, null, message, cause);
    }
    String why = RETRIED.get(errorNumber);
    if (why != null) {
      return new StoreFailure(
          ErrorCode.UNAVAILABLE, null, why + " (" + errorNumber + "): " + message, cause);
    }
    return new StoreFailure(
        ErrorCode.REFUSED,
        null,
        "database error " + errorNumber + " (" + sqlState + "): " + message,
        cause);
  }

  /** The database could not be reached or the connection broke: always retried. */
  public static StoreFailure unreachable(String detail, Throwable cause) {
    return new StoreFailure(ErrorCode.UNAVAILABLE, null, detail, cause);
  }
}
