package dev.strongroom.crypto.cache;

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
 * </table>
 *
 * Per-message keys are derived from a fresh 256-bit salt, so no GCM (key, IV) usage bound forces a
 * lower limit: these are blast-radius and exposure-time choices.
 */
public final class DataKeyCachePolicy {
  public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(15);
  public static final long DEFAULT_MAX_RECORDS = 100_000;
  public static final long DEFAULT_MAX_BYTES = 1L << 30;

  private final Duration maxAge;
  private final long maxRecords;
  private final long maxBytes;

  private DataKeyCachePolicy(Builder b) {
    this.maxAge = Objects.requireNonNull(b.maxAge, "maxAge");
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("maxAge must be positive");
    }
    if (b.maxRecords < 1 || b.maxBytes < 1) {
      throw new IllegalArgumentException("maxRecords and maxBytes must be >= 1");
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

  /** How many records one data key serves. */
  public long maxRecords() {
    return maxRecords;
  }

  /** How many plaintext bytes one data key encrypts. */
  public long maxBytes() {
    return maxBytes;
  }

  @Override
  public String toString() {
    return "DataKeyCachePolicy[maxAge=" + maxAge + ", maxRecords=" + maxRecords + ", maxBytes=" + maxBytes + "]";
  }

  public static final class Builder {
    private Duration maxAge = DEFAULT_MAX_AGE;
    private long maxRecords = DEFAULT_MAX_RECORDS;
    private long maxBytes = DEFAULT_MAX_BYTES;

    private Builder() {}

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
