package dev.strongroom.client;

import dev.strongroom.contracts.errors.RefusalCode;
import dev.strongroom.contracts.records.StoreRequest;

/**
 * A field value is longer than {@link StoreRequest#MAX_FIELD_BYTES} bytes of UTF-8, the limit the
 * crypto-service refuses with {@code SR-FIELD-TOO-LARGE}: the client refuses it before sealing, so
 * nothing is published. Names the field, its length and the limit.
 */
public final class FieldTooLargeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String field;
  private final int bytes;

  public FieldTooLargeException(String field, int bytes) {
    super(
        RefusalCode.FIELD_TOO_LARGE.code()
            + ": field "
            + field
            + " is "
            + bytes
            + " bytes of UTF-8; each field is at most "
            + StoreRequest.MAX_FIELD_BYTES
            + " bytes");
    this.field = field;
    this.bytes = bytes;
  }

  /** The field's name ({@code name}, {@code role}, {@code email} or {@code phone}). */
  public String field() {
    return field;
  }

  /** The field's length in UTF-8 bytes. */
  public int bytes() {
    return bytes;
  }

  /** The limit, {@link StoreRequest#MAX_FIELD_BYTES}. */
  public int limit() {
    return StoreRequest.MAX_FIELD_BYTES;
  }

  /** The refusal code, {@code SR-FIELD-TOO-LARGE}. */
  public String code() {
    return RefusalCode.FIELD_TOO_LARGE.code();
  }
}
