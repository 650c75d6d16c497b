package dev.strongroom.crypto.cache;

import dev.strongroom.crypto.aead.AesGcmHkdfFieldCipher;
import dev.strongroom.crypto.aead.FieldAlgorithm;
import java.time.Duration;
import java.util.Objects;

/**
 * When a cached tenant data key stops serving new records. A data key is retired for encryption as
 * soon as <em>any</em> bound is reached; a new one is then generated and wrapped (one KMS call).
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>bound</th><th>default</th><th>why</th></tr>
 *   <tr><td>{@link #maxAge()}</td><td>15 minutes</td><td>limits how long an unwrapped DEK lives in
 *       memory and how soon a KEK rotation takes effect for new records</td></tr>
 *   <tr><td>{@link #maxRecords()}</td><td>100,000</td><td>limits how many records one DEK (one
 *       {@code data_keys} row) covers: the blast radius of one leaked DEK</td></tr>
 *   <tr><td>{@link #maxBytes()}</td><td>1 GiB</td><td>the same, by plaintext volume</td></tr>
 *   <tr><td>{@link #fieldAlgorithm()}</td><td>0x02</td><td>the suite new fields are encrypted
 *       with ({@link AesGcmHkdfFieldCipher#DEFAULT_ALGORITHM})</td></tr>
 * </table>
 *
 * <h2>The GCM bound (suite 0x02)</h2>
 *
 * Suite {@link FieldAlgorithm#AES_256_GCM_IV12_TAG16_HKDF_SHA512_DEK_SUBKEY_COMMIT_KEY} encrypts
 * every field under one AES-GCM subkey per data key, with random 96-bit IVs. NIST SP 800-38D §8.3
 * allows at most 2^32 invocations per key with random IVs (IV-collision probability about q^2 /
 * 2^97 for q invocations). A record has at most {@link #FIELDS_PER_RECORD} encrypted fields (name,
 * role, email, phone), so for this suite {@link #maxRecords()} must not exceed {@link
 * #MAX_RECORDS_DEK_SUBKEY} = 2^28: at most 2^30 invocations, a quarter of the NIST limit, collision
 * probability about 2^-37. The default of 100,000 records (400,000 ≈ 2^18.6 invocations) gives
 * below 2^-59. The cipher additionally refuses more than 2^32 encryptions per subkey. The byte
 * bound also keeps GCM's confidentiality term (total blocks squared over 2^128) negligible: 1 GiB
 * is 2^26 blocks.
 *
 * <p>Suite 0x01 derives a fresh key per field from a 256-bit salt, so no (key, IV) bound applies to
 * it and only the blast-radius and exposure-time choices above limit a data key.
 */
public final class DataKeyCachePolicy {
  public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(15);
  public static final long DEFAULT_MAX_RECORDS = 100_000;
  public static final long DEFAULT_MAX_BYTES = 1L << 30;

  /** Encrypted fields per record counted against the GCM bound (name, role, email, phone). */
  public static final int FIELDS_PER_RECORD = 4;

  /**
   * The largest {@link #maxRecords()} allowed with suite 0x02: 2^28 records × {@value
   * #FIELDS_PER_RECORD} fields = 2^30 GCM invocations under one subkey, well under NIST's 2^32 for
   * random 96-bit IVs.
   */
  public static final long MAX_RECORDS_DEK_SUBKEY = 1L << 28;

  private final Duration maxAge;
  private final long maxRecords;
  private final long maxBytes;
  private final FieldAlgorithm fieldAlgorithm;

  private DataKeyCachePolicy(Builder b) {
    this.maxAge = Objects.requireNonNull(b.maxAge, "maxAge");
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("maxAge must be positive");
    }
    if (b.maxRecords < 1 || b.maxBytes < 1) {
      throw new IllegalArgumentException("maxRecords and maxBytes must be >= 1");
    }
    this.fieldAlgorithm = Objects.requireNonNull(b.fieldAlgorithm, "fieldAlgorithm");
    if (fieldAlgorithm == FieldAlgorithm.AES_256_GCM_IV12_TAG16_HKDF_SHA512_DEK_SUBKEY_COMMIT_KEY
        && b.maxRecords > MAX_RECORDS_DEK_SUBKEY) {
      throw new IllegalArgumentException(
          "maxRecords must be <= 2^28 ("
              + MAX_RECORDS_DEK_SUBKEY
              + ") with "
              + fieldAlgorithm
              + ": "
              + FIELDS_PER_RECORD
              + " GCM invocations per record under one subkey must stay"
              + " well under NIST SP 800-38D's 2^32 for random IVs");
    }
    this.maxRecords = b.maxRecords;
    this.maxBytes = b.maxBytes;
  }

  public static DataKeyCachePolicy defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** How long one data key serves new records after it was generated. */
  public Duration maxAge() {
    return maxAge;
  }

  /** How many records one data key serves (at most 2^28 with suite 0x02, see above). */
  public long maxRecords() {
    return maxRecords;
  }

  /** How many plaintext bytes one data key encrypts. */
  public long maxBytes() {
    return maxBytes;
  }

  /** The suite the cache's ciphers encrypt new fields with (they decrypt every suite). */
  public FieldAlgorithm fieldAlgorithm() {
    return fieldAlgorithm;
  }

  @Override
  public String toString() {
    return "DataKeyCachePolicy[maxAge="
        + maxAge
        + ", maxRecords="
        + maxRecords
        + ", maxBytes="
        + maxBytes
        + ", fieldAlgorithm="
        + fieldAlgorithm
        + "]";
  }

  public static final class Builder {
    private Duration maxAge = DEFAULT_MAX_AGE;
    private long maxRecords = DEFAULT_MAX_RECORDS;
    private long maxBytes = DEFAULT_MAX_BYTES;
    private FieldAlgorithm fieldAlgorithm = AesGcmHkdfFieldCipher.DEFAULT_ALGORITHM;

    private Builder() {}

    /** The suite for new fields; 0x02 (the default) caps {@link #maxRecords(long)} at 2^28. */
    public Builder fieldAlgorithm(FieldAlgorithm fieldAlgorithm) {
      this.fieldAlgorithm = fieldAlgorithm;
      return this;
    }

    public Builder maxAge(Duration maxAge) {
      this.maxAge = maxAge;
      return this;
    }

    public Builder maxRecords(long maxRecords) {
      this.maxRecords = maxRecords;
      return this;
    }

    public Builder maxBytes(long maxBytes) {
      this.maxBytes = maxBytes;
      return this;
    }

    public DataKeyCachePolicy build() {
      return new DataKeyCachePolicy(this);
    }
  }
}
