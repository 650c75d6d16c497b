package dev.strongroom.crypto.kms;

import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.KmsException;
import java.time.Duration;
import java.util.Objects;

/**
 * A {@link KeyWrapper} that waits a fixed time before each call to the KMS it wraps, so a local
 * keyring or HSM behaves like a KMS across a network (Cloud KMS answers in about 30 ms at the low
 * end of its published latency). Development stacks and benchmarks use it so that the cost of a KMS
 * round trip per record is visible where it would be in production; it changes no byte of the
 * wrapped keys. Production configurations do not use it.
 */
public final class AddedLatencyKeyWrapper implements KeyWrapper {

  /** Waits; replaceable so the wrapper can be tested without a clock. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final KeyWrapper delegate;
  private final Duration latency;
  private final Sleeper sleeper;

  private AddedLatencyKeyWrapper(KeyWrapper delegate, Duration latency, Sleeper sleeper) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.latency = Objects.requireNonNull(latency, "latency");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    if (latency.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative: " + latency);
    }
  }

  /** {@code delegate} itself when {@code latency} is zero, else a wrapper that waits. */
  public static KeyWrapper of(KeyWrapper delegate, Duration latency) {
    return of(delegate, latency, d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000));
  }

  /** As {@link #of(KeyWrapper, Duration)} with a given way to wait. */
  public static KeyWrapper of(KeyWrapper delegate, Duration latency, Sleeper sleeper) {
    if (latency.isZero()) {
      return Objects.requireNonNull(delegate, "delegate");
    }
    return new AddedLatencyKeyWrapper(delegate, latency, sleeper);
  }

  /** The wait before each call. */
  public Duration latency() {
    return latency;
  }

  @Override
  public String keyName() {
    return delegate.keyName();
  }

  @Override
  public String primaryVersion() {
    return delegate.primaryVersion();
  }

  @Override
  public WrappedKey wrap(DataKey dataKey, byte[] associatedData) {
    roundTrip();
    return delegate.wrap(dataKey, associatedData);
  }

  @Override
  public DataKey unwrap(WrappedKey wrapped, String dataKeyId, byte[] associatedData) {
    roundTrip();
    return delegate.unwrap(wrapped, dataKeyId, associatedData);
  }

  private void roundTrip() {
    try {
      sleeper.sleep(latency);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KmsException("interrupted while waiting for the KMS", false, e);
    }
  }
}
