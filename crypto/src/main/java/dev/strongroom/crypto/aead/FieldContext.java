package dev.strongroom.crypto.aead;

import dev.strongroom.crypto.internal.LengthPrefixed;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Where a field ciphertext belongs: tenant, record, field, schema version and data key. Immutable;
 * built with {@link #builder()}. Its {@linkplain #associatedData() canonical encoding} is the
 * context part of the GCM associated data. A reader rebuilds it from the row it reads and the
 * tenant it is bound to; it is never read from storage. A ciphertext moved to another tenant,
 * record or field, or claimed for another schema version or data key, therefore fails to decrypt.
 *
 * <h2>Canonical encoding (version 1)</h2>
 *
 * <pre>
 * offset  length  content
 * 0       4       ASCII "SRF1" (domain separation: Strongroom field AAD, version 1)
 * 4       4       u32 big-endian n1 = byte length of the tenant id
 * 8       n1      tenant id, UTF-8
 * 8+n1    16      record id: the UUID's 128 bits, most significant byte first
 * 24+n1   4       u32 n2 = byte length of the field name
 * 28+n1   n2      field name, ASCII ([a-z][a-z0-9_]{0,63})
 * 28+n1+n2 4      u32 schema version
 * 32+n1+n2 4      u32 n3 = byte length of the data key id
 * 36+n1+n2 n3     data key id, UTF-8
 * </pre>
 *
 * Every variable-length item is length-prefixed, so no two different contexts share an encoding.
 */
public final class FieldContext {
  static final byte[] DOMAIN = "SRF1".getBytes(StandardCharsets.US_ASCII);
  private static final Pattern FIELD_NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  private final String tenantId;
  private final UUID recordId;
  private final String fieldName;
  private final int schemaVersion;
  private final String dataKeyId;
  private final byte[] encoded;

  private FieldContext(Builder b) {
    this.tenantId = requireText(b.tenantId, "tenantId", 256);
    this.recordId = Objects.requireNonNull(b.recordId, "recordId");
    this.fieldName = Objects.requireNonNull(b.fieldName, "fieldName");
    if (!FIELD_NAME.matcher(fieldName).matches()) {
      throw new IllegalArgumentException("fieldName must match " + FIELD_NAME.pattern());
    }
    if (b.schemaVersion == null || b.schemaVersion < 0) {
      throw new IllegalArgumentException("schemaVersion is required and must be >= 0");
    }
    this.schemaVersion = b.schemaVersion;
    this.dataKeyId = requireText(b.dataKeyId, "dataKeyId", 128);
    this.encoded =
        new LengthPrefixed()
            .raw(DOMAIN)
            .utf8(tenantId)
            .u64(recordId.getMostSignificantBits())
            .u64(recordId.getLeastSignificantBits())
            .utf8(fieldName)
            .u32(schemaVersion)
            .utf8(dataKeyId)
            .toByteArray();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder preset with this context's values (e.g. to change only the field name). */
  public Builder toBuilder() {
    return new Builder()
        .tenantId(tenantId)
        .recordId(recordId)
        .fieldName(fieldName)
        .schemaVersion(schemaVersion)
        .dataKeyId(dataKeyId);
  }

  public String tenantId() {
    return tenantId;
  }

  public UUID recordId() {
    return recordId;
  }

  public String fieldName() {
    return fieldName;
  }

  public int schemaVersion() {
    return schemaVersion;
  }

  public String dataKeyId() {
    return dataKeyId;
  }

  /** The canonical encoding (a copy). */
  public byte[] associatedData() {
    return encoded.clone();
  }

  /** The canonical encoding without a copy, for the cipher in this package. */
  byte[] encodedNoCopy() {
    return encoded;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FieldContext
        && java.util.Arrays.equals(encoded, ((FieldContext) o).encoded);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "FieldContext[tenant="
        + tenantId
        + ", record="
        + recordId
        + ", field="
        + fieldName
        + ", schema="
        + schemaVersion
        + ", dek="
        + dataKeyId
        + "]";
  }

  private static String requireText(String s, String name, int max) {
    Objects.requireNonNull(s, name);
    if (s.isEmpty() || s.getBytes(StandardCharsets.UTF_8).length > max) {
      throw new IllegalArgumentException(name + " must be 1.." + max + " UTF-8 bytes");
    }
    return s;
  }

  /** Builder; every property is required. */
  public static final class Builder {
    private String tenantId;
    private UUID recordId;
    private String fieldName;
    private Integer schemaVersion;
    private String dataKeyId;

    private Builder() {}

    public Builder tenantId(String tenantId) {
      this.tenantId = tenantId;
      return this;
    }

    public Builder recordId(UUID recordId) {
      this.recordId = recordId;
      return this;
    }

    /** Parses the textual UUID form (case-insensitive); the AAD holds the 16 raw bytes. */
    public Builder recordId(String recordId) {
      this.recordId = UUID.fromString(Objects.requireNonNull(recordId, "recordId"));
      return this;
    }

    public Builder fieldName(String fieldName) {
      this.fieldName = fieldName;
      return this;
    }

    public Builder schemaVersion(int schemaVersion) {
      this.schemaVersion = schemaVersion;
      return this;
    }

    public Builder dataKeyId(String dataKeyId) {
      this.dataKeyId = dataKeyId;
      return this;
    }

    public FieldContext build() {
      return new FieldContext(this);
    }
  }
}
