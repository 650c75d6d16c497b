package dev.strongroom.dataservice.store;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.errors.RefusalCode;
import dev.strongroom.contracts.errors.StrongroomException;
import java.util.Optional;

/**
 * A store, read or rewrap that did not succeed: either retriable (the database is unreachable, a
 * deadlock, the server went away — see {@link SqlErrors}) or a refusal that will not change on
 * retry (an {@code SR-} code, or any SQL error outside the retry allow-list).
 */
public final class StoreFailure extends StrongroomException {
  private static final long serialVersionUID = 1L;

  private final transient RefusalCode refusal;
  private final String detail;

  public StoreFailure(ErrorCode code, RefusalCode refusal, String detail, Throwable cause) {
    super(code, detail, cause);
    this.refusal = refusal;
    this.detail = detail;
  }

  /** The failure without the error-code prefix (for a refusal, the database's own message). */
  public String detail() {
    return detail;
  }

  /** The database's refusal code, when the database refused with one. */
  public Optional<RefusalCode> refusal() {
    return Optional.ofNullable(refusal);
  }

  /**
   * The code a store result carries: the {@code SR-} code when there is one, else the error code.
   */
  public String resultCode() {
    return refusal != null ? refusal.code() : code().code();
  }
}
