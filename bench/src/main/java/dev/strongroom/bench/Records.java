package dev.strongroom.bench;

import com.github.f4b6a3.uuid.UuidCreator;
import dev.strongroom.crypto.aead.EncryptedField;
import dev.strongroom.crypto.aead.FieldCipher;
import dev.strongroom.crypto.aead.FieldContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The record every phase stores: the seed's four fields with fixed plaintext sizes (a realistic
 * name, role, e-mail and phone number), random printable content, ids as the pipeline makes them.
 */
public final class Records {
  /** Plaintext bytes per field, in the procedure's order. */
  public static final Map<String, Integer> FIELD_BYTES = sizes();

  /** Field schema version bound into each field's associated data (as the crypto-service does). */
  static final int FIELD_SCHEMA_VERSION = 1;

  private static final String ALPHABET =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ";

  private Records() {}

  private static Map<String, Integer> sizes() {
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put("name", 24);
    m.put("role", 12);
    m.put("email", 32);
    m.put("phone", 16);
    return java.util.Collections.unmodifiableMap(m);
  }

  /** Total plaintext bytes of one record. */
  public static int plaintextBytes() {
    return FIELD_BYTES.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** The plaintext fields of record {@code seq} (deterministic per seq). */
  public static Map<String, String> plaintext(long seq) {
    SplittableRandom r = new SplittableRandom(seq * 0x9E3779B97F4A7C15L);
    Map<String, String> out = new LinkedHashMap<>();
    FIELD_BYTES.forEach(
        (k, n) -> {
          StringBuilder s = new StringBuilder(n);
          for (int i = 0; i < n; i++) {
            s.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
          }
          out.put(k, s.toString());
        });
    return out;
  }

  /** A new lowercase UUIDv7, as record ids are. */
  public static String recordId() {
    return UuidCreator.getTimeOrderedEpoch().toString();
  }

  /** Encrypts {@code plaintext} field by field with the crypto-service's field contexts. */
  static List<StoreCall.Field> encrypt(
      FieldCipher cipher, String tenant, String recordId, String dekId, Map<String, String> plain) {
    List<StoreCall.Field> out = new ArrayList<>();
    for (String name : StoreCall.FIELD_ORDER) {
      String v = plain.get(name);
      if (v == null) {
        out.add(null);
        continue;
      }
      FieldContext ctx =
          FieldContext.builder()
              .tenantId(tenant)
              .recordId(UUID.fromString(recordId))
              .fieldName(name)
              .schemaVersion(FIELD_SCHEMA_VERSION)
              .dataKeyId(dekId)
              .build();
      EncryptedField ef = cipher.encrypt(v.getBytes(StandardCharsets.UTF_8), ctx);
      out.add(new StoreCall.Field(ef.ciphertext(), ef.iv()));
    }
    return out;
  }
}
