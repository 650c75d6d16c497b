package dev.strongroom.contracts.records;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.envelope.CanonicalJson;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Typed {@code data} of {@code dev.strongroom.store.requested.v1} (schema: {@code
 * schemas/dev.strongroom.store.requested.v1.schema.json}). Only ciphertext, IVs and the wrapped
 * data key — never plaintext PII, never an unwrapped key.
 *
 * @param encryptEventId the id of the {@code encrypt.requested.v1} event this store request was
 *     made from: set by the crypto-service, absent from a store request an application wrote
 *     itself. The data-service's answer names it ({@link StoreResult#requestEventId}), so the
 *     application believes the answer only for the event it published (docs/data-plane.md, "Who
 *     answers what"); the data-service dead-letters an application's store request that carries
 *     one.
 */
public record StoreRequest(
    String requestId,
    String tenantToken,
    String recordId,
    int schemaVersion,
    DataKeyRef dataKey,
    Map<String, FieldCiphertext> fields,
    String encryptEventId) {

  /** The seed's four PII fields, in column order; {@code name} is required. */
  public static final List<String> FIELDS = List.of("name", "role", "email", "phone");

  /**
   * The longest field ciphertext envelope that is stored: 65,536 bytes (a field of 65,486 bytes of
   * UTF-8 under the default suite, docs/crypto.md). A longer one is refused {@code
   * SR-FIELD-TOO-LARGE} by the data-service before the database is asked, and by {@code
   * app_create_user_encrypted} (the same number in 03-routines.sql; SchemaAttackIT stores exactly
   * this many bytes and is refused one more). The event schema admits longer ones on purpose: any
   * field the crypto-service can encrypt reaches the data-service and gets a REJECTED result with
   * the code, rather than a dead letter without a result.
   */
  public static final int MAX_FIELD_CIPHERTEXT_BYTES = 65_536;

  /**
   * Bytes a field's ciphertext envelope adds to its value under the field suite the crypto-service
   * encrypts with (0x02: a 34-byte header and the 16-byte GCM tag, docs/crypto.md). The
   * crypto-service's {@code FieldSizeLimitTest} pins it against the crypto library.
   */
  public static final int FIELD_ENVELOPE_OVERHEAD = 50;

  /**
   * The longest field value, in UTF-8 bytes, that can be stored: 65,486, the value whose envelope
   * is exactly {@link #MAX_FIELD_CIPHERTEXT_BYTES}. One limit for every party: the client library
   * refuses a longer field before sealing it, the crypto-service refuses one it opens with {@code
   * SR-FIELD-TOO-LARGE} (a REJECTED result) before any data key is touched, and the data-service
   * and the procedure refuse the ciphertext of one with the same code.
   */
  public static final int MAX_FIELD_BYTES = MAX_FIELD_CIPHERTEXT_BYTES - FIELD_ENVELOPE_OVERHEAD;

  /** A field over a size limit: its name and length in bytes. */
  public record Oversized(String field, int bytes) {
    /** {@code "name: 70000 bytes"}, the form the refusal details use. */
    @Override
    public String toString() {
      return field + ": " + bytes + " bytes";
    }
  }

  /**
   * The first field of {@code values} whose UTF-8 encoding is longer than {@link #MAX_FIELD_BYTES};
   * empty when every field fits.
   */
  public static Optional<Oversized> oversizedValue(Map<String, String> values) {
    for (Map.Entry<String, String> f : values.entrySet()) {
      int length = f.getValue().getBytes(StandardCharsets.UTF_8).length;
      if (length > MAX_FIELD_BYTES) {
        return Optional.of(new Oversized(f.getKey(), length));
      }
    }
    return Optional.empty();
  }

  /** A {@code data_keys} row: id, wrapped key, KEK name and version, optional PQ wrap. */
  public record DataKeyRef(
      String dekId,
      byte[] wrappedDek,
      String kmsKeyName,
      String kmsKeyVersion,
      byte[] pqWrappedDek,
      String pqAlg) {
    public DataKeyRef {
      Objects.requireNonNull(dekId, "dekId");
      wrappedDek = wrappedDek.clone();
      Objects.requireNonNull(kmsKeyName, "kmsKeyName");
      Objects.requireNonNull(kmsKeyVersion, "kmsKeyVersion");
      if ((pqWrappedDek == null) != (pqAlg == null)) {
        throw new IllegalArgumentException("pqWrappedDek and pqAlg go together");
      }
      pqWrappedDek = pqWrappedDek == null ? null : pqWrappedDek.clone();
    }

    @Override
    public byte[] wrappedDek() {
      return wrappedDek.clone();
    }

    public Optional<byte[]> pqWrappedDekIfAny() {
      return Optional.ofNullable(pqWrappedDek).map(byte[]::clone);
    }
  }

  /** One field: the ciphertext envelope and its 12-byte IV. */
  public record FieldCiphertext(byte[] ct, byte[] iv) {
    public FieldCiphertext {
      ct = ct.clone();
      iv = iv.clone();
      if (iv.length != 12) {
        throw new IllegalArgumentException("a GCM IV is 12 bytes");
      }
    }

    @Override
    public byte[] ct() {
      return ct.clone();
    }

    @Override
    public byte[] iv() {
      return iv.clone();
    }
  }

  public StoreRequest {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(tenantToken, "tenantToken");
    Objects.requireNonNull(recordId, "recordId");
    Objects.requireNonNull(dataKey, "dataKey");
    if (!fields.containsKey("name")) {
      throw new IllegalArgumentException("the name field is required");
    }
    for (String f : fields.keySet()) {
      if (!FIELDS.contains(f)) {
        throw new IllegalArgumentException("unknown field " + f + "; fields are " + FIELDS);
      }
    }
    Map<String, FieldCiphertext> ordered = new LinkedHashMap<>();
    for (String f : FIELDS) {
      if (fields.containsKey(f)) {
        ordered.put(f, fields.get(f));
      }
    }
    fields = java.util.Collections.unmodifiableMap(ordered);
  }

  /** A store request an application writes itself (no encrypt request event). */
  public StoreRequest(
      String requestId,
      String tenantToken,
      String recordId,
      int schemaVersion,
      DataKeyRef dataKey,
      Map<String, FieldCiphertext> fields) {
    this(requestId, tenantToken, recordId, schemaVersion, dataKey, fields, null);
  }

  /** This request with {@code encryptEventId} set: what the crypto-service publishes. */
  public StoreRequest madeFrom(String encryptEventId) {
    return new StoreRequest(
        requestId,
        tenantToken,
        recordId,
        schemaVersion,
        dataKey,
        fields,
        Objects.requireNonNull(encryptEventId, "encryptEventId"));
  }

  /** The encrypt request event the crypto-service made this from; empty for an application's. */
  public Optional<String> encryptEventIdIfAny() {
    return Optional.ofNullable(encryptEventId);
  }

  /**
   * The first field whose ciphertext is longer than {@link #MAX_FIELD_CIPHERTEXT_BYTES}, with its
   * length, as {@code "name: 70000 bytes"}; empty when every field fits.
   */
  public Optional<String> oversizedField() {
    for (Map.Entry<String, FieldCiphertext> f : fields.entrySet()) {
      int length = f.getValue().ct.length;
      if (length > MAX_FIELD_CIPHERTEXT_BYTES) {
        return Optional.of(f.getKey() + ": " + length + " bytes");
      }
    }
    return Optional.empty();
  }

  public ObjectNode toData() {
    ObjectNode d = CanonicalJson.mapper().createObjectNode();
    d.put("requestId", requestId);
    d.put("tenantToken", tenantToken);
    d.put("recordId", recordId);
    d.put("schemaVersion", schemaVersion);
    ObjectNode k = d.putObject("dataKey");
    k.put("dekId", dataKey.dekId());
    k.put("wrappedDek", Base64Url.encode(dataKey.wrappedDek()));
    k.put("kmsKeyName", dataKey.kmsKeyName());
    k.put("kmsKeyVersion", dataKey.kmsKeyVersion());
    dataKey
        .pqWrappedDekIfAny()
        .ifPresent(
            pq -> {
              k.put("pqWrappedDek", Base64Url.encode(pq));
              k.put("pqAlg", dataKey.pqAlg());
            });
    ObjectNode f = d.putObject("fields");
    fields.forEach(
        (name, c) ->
            f.putObject(name)
                .put("ct", Base64Url.encode(c.ct()))
                .put("iv", Base64Url.encode(c.iv())));
    if (encryptEventId != null) {
      d.put("encryptEventId", encryptEventId);
    }
    return d;
  }

  /** Reads schema-valid {@code data}. */
  public static StoreRequest fromData(JsonNode d) {
    return new StoreRequest(
        d.get("requestId").asText(),
        d.get("tenantToken").asText(),
        d.get("recordId").asText(),
        d.get("schemaVersion").asInt(),
        dataKeyFromJson(d.get("dataKey")),
        fieldsFromJson(d.get("fields")),
        d.has("encryptEventId") ? d.get("encryptEventId").asText() : null);
  }

  /** Reads a {@code dataKey} object (the shape is shared with the decrypt API). */
  public static DataKeyRef dataKeyFromJson(JsonNode k) {
    return new DataKeyRef(
        k.get("dekId").asText(),
        Base64Url.decode(k.get("wrappedDek").asText()),
        k.get("kmsKeyName").asText(),
        k.get("kmsKeyVersion").asText(),
        k.has("pqWrappedDek") ? Base64Url.decode(k.get("pqWrappedDek").asText()) : null,
        k.has("pqAlg") ? k.get("pqAlg").asText() : null);
  }

  /** Reads a {@code fields} object (the shape is shared with the decrypt API). */
  public static Map<String, FieldCiphertext> fieldsFromJson(JsonNode f) {
    Map<String, FieldCiphertext> fields = new LinkedHashMap<>();
    f.properties()
        .forEach(
            e ->
                fields.put(
                    e.getKey(),
                    new FieldCiphertext(
                        Base64Url.decode(e.getValue().get("ct").asText()),
                        Base64Url.decode(e.getValue().get("iv").asText()))));
    return fields;
  }
}
