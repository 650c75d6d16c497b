package dev.strongroom.crypto.kms;

import dev.strongroom.crypto.DataKey;

/**
 * The key-wrapping SPI: a named key-encryption key (KEK) in a KMS or HSM that wraps and unwraps
 * data keys. Implementations: {@link Pkcs11KeyWrapper} (HSM through PKCS#11) and {@link
 * InsecureLocalKeyring} (development only). Thread-safe.
 *
 * <p>{@code associatedData} is authenticated with the wrapped key and must be presented again to
 * unwrap; the data-key cache passes {@link DataKeyWrapContext#encode} of the tenant and data key
 * id, so a {@code wrapped_dek} copied to another {@code data_keys} row or tenant does not unwrap.
 */
public interface KeyWrapper {

  /** The KEK's logical name ({@code data_keys.kms_key_name}). */
  String keyName();

  /** The KEK version new wraps use ({@code data_keys.kms_key_version}). */
  String primaryVersion();

  /**
   * Wraps a data key under the primary version of this KEK.
   *
   * @throws dev.strongroom.crypto.KmsException if the KMS cannot be used
   */
  WrappedKey wrap(DataKey dataKey, byte[] associatedData);

  /**
   * Unwraps a data key. The wrapped key's {@link WrappedKey#keyName()} must equal {@link
   * #keyName()}; a mismatch, an unknown version, a wrong KEK, tampered bytes or other associated
   * data all raise the same {@link dev.strongroom.crypto.InvalidCiphertextException}.
   *
   * @throws dev.strongroom.crypto.KmsException if the KMS cannot be used at all
   */
  DataKey unwrap(WrappedKey wrapped, String dataKeyId, byte[] associatedData);

  /**
   * KEK rotation: the data key {@code wrapped} holds, wrapped again under the primary version with
   * the same associated data. The data key itself does not change, so every ciphertext under it
   * stays as it is; the unwrapped key is destroyed before this returns. The old version must still
   * be known to this KEK ({@link #unwrap} refuses an unknown one as invalid ciphertext).
   *
   * @throws dev.strongroom.crypto.InvalidCiphertextException as {@link #unwrap}
   * @throws dev.strongroom.crypto.KmsException if the KMS cannot be used
   */
  default WrappedKey rewrap(WrappedKey wrapped, String dataKeyId, byte[] associatedData) {
    DataKey key = unwrap(wrapped, dataKeyId, associatedData);
    try {
      return wrap(key, associatedData);
    } finally {
      key.destroy();
    }
  }
}
