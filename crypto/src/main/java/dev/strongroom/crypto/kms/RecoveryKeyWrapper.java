package dev.strongroom.crypto.kms;

import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.InvalidCiphertextException;
import java.util.List;
import java.util.Objects;

/**
 * Wraps every data key under two KEKs — the primary (normally the HSM) and a recovery KEK (e.g. one
 * held offline or in another KMS) — so that either can unwrap it. The two KEKs must have different
 * names. Storing the second wrap needs a column beside {@code data_keys.wrapped_dek} (see
 * docs/crypto.md).
 */
public final class RecoveryKeyWrapper {
  private final KeyWrapper primary;
  private final KeyWrapper recovery;

  public RecoveryKeyWrapper(KeyWrapper primary, KeyWrapper recovery) {
    this.primary = Objects.requireNonNull(primary, "primary");
    this.recovery = Objects.requireNonNull(recovery, "recovery");
    if (primary.keyName().equals(recovery.keyName())) {
      throw new IllegalArgumentException("primary and recovery KEKs need different names");
    }
  }

  /** Returns the primary wrap first, then the recovery wrap. */
  public List<WrappedKey> wrap(DataKey dataKey, byte[] associatedData) {
    return List.of(primary.wrap(dataKey, associatedData), recovery.wrap(dataKey, associatedData));
  }

  /**
   * Unwraps with whichever KEK a wrap names; tries the primary's wrap first.
   *
   * @throws InvalidCiphertextException if no wrap opens
   */
  public DataKey unwrap(List<WrappedKey> wrapped, String dataKeyId, byte[] associatedData) {
    for (KeyWrapper w : List.of(primary, recovery)) {
      for (WrappedKey k : wrapped) {
        if (k.keyName().equals(w.keyName())) {
          try {
            return w.unwrap(k, dataKeyId, associatedData);
          } catch (InvalidCiphertextException e) {
            // try the other KEK
          }
        }
      }
    }
    throw new InvalidCiphertextException();
  }
}
