package dev.strongroom.bench;

import java.util.List;
import java.util.Objects;

/**
 * The arguments of one {@code app_create_user_encrypted} call (DESIGN §4), fields in the
 * procedure's order (name, role, email, phone); an absent field is {@code null}.
 */
public record StoreCall(
    String requestId,
    String recordId,
    String dekId,
    byte[] wrappedDek,
    String kmsKeyName,
    String kmsKeyVersion,
    byte[] pqWrappedDek,
    String pqAlg,
    List<Field> fields) {

  /** The procedure's field order. */
  public static final List<String> FIELD_ORDER = List.of("name", "role", "email", "phone");

  /** One encrypted field: ciphertext and its 12-byte IV. */
  public record Field(byte[] ciphertext, byte[] iv) {}

  public StoreCall {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(recordId, "recordId");
    Objects.requireNonNull(dekId, "dekId");
    Objects.requireNonNull(wrappedDek, "wrappedDek");
    fields = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(fields));
    if (fields.size() != FIELD_ORDER.size() || fields.get(0) == null) {
      throw new IllegalArgumentException("four fields in procedure order, name required");
    }
  }
}
