package dev.strongroom.crypto.cache;

import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.kms.KeyWrapper;
import dev.strongroom.crypto.kms.WrappedKey;
import java.util.concurrent.atomic.AtomicInteger;

/** Test decorator: counts the KMS calls made through a real {@link KeyWrapper}. */
final class CountingKeyWrapper implements KeyWrapper {
  private final KeyWrapper delegate;
  final AtomicInteger wraps = new AtomicInteger();
  final AtomicInteger unwraps = new AtomicInteger();

  CountingKeyWrapper(KeyWrapper delegate) {
    this.delegate = delegate;
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
    wraps.incrementAndGet();
    return delegate.wrap(dataKey, associatedData);
  }

  @Override
  public DataKey unwrap(WrappedKey wrapped, String dataKeyId, byte[] associatedData) {
    unwraps.incrementAndGet();
    return delegate.unwrap(wrapped, dataKeyId, associatedData);
  }
}
