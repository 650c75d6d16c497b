package dev.strongroom.crypto.aead;

/**
 * Encrypts and decrypts one PII field under one data key, bound to its {@link FieldContext}.
 * Thread-safe.
 */
public interface FieldCipher {

  /**
   * Encrypts {@code plaintext} for {@code context} with this cipher's suite (by default {@link
   * FieldAlgorithm#AES_256_GCM_IV12_TAG16_HKDF_SHA512_DEK_SUBKEY_COMMIT_KEY}).
   *
   * @throws IllegalArgumentException if the context names another data key than this cipher's
   */
  EncryptedField encrypt(byte[] plaintext, FieldContext context);

  /**
   * Decrypts a stored field, checking it against the context the reader rebuilt. Every {@link
   * FieldAlgorithm} is accepted (the envelope's algorithm byte decides), whichever suite this
   * cipher encrypts with.
   *
   * @throws dev.strongroom.crypto.InvalidCiphertextException for every kind of failure
   */
  byte[] decrypt(EncryptedField field, FieldContext context);
}
