package dev.strongroom.crypto.aead;

/**
 * Encrypts and decrypts one PII field under one data key, bound to its {@link FieldContext}.
 * Thread-safe.
 */
public interface FieldCipher {

  /**
   * Encrypts {@code plaintext} for {@code context}.
   *
   * @throws IllegalArgumentException if the context names another data key than this cipher's
   */
  EncryptedField encrypt(byte[] plaintext, FieldContext context);

  /**
   * Decrypts a stored field, checking it against the context the reader rebuilt.
   *
   * @throws dev.strongroom.crypto.InvalidCiphertextException for every kind of failure
   */
  byte[] decrypt(EncryptedField field, FieldContext context);
}
