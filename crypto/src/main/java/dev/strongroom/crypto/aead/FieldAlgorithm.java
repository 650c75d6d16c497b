package dev.strongroom.crypto.aead;

import java.util.Optional;

/**
 * Field-encryption algorithm suites. Each name spells the whole construction and carries its wire
 * id (the byte at offset 1 of the envelope), in the manner of the AWS Encryption SDK's {@code
 * ALG_AES_256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY(0x0478)}. Wire ids are never reused, and every
 * suite stays decryptable forever; {@link AesGcmHkdfFieldCipher} decrypts all of them with one
 * cipher per data key. The byte layouts are in {@link AesGcmHkdfFieldCipher} and docs/crypto.md.
 */
public enum FieldAlgorithm {
  /**
   * 0x01: AES-256-GCM with a 96-bit random IV and a 128-bit tag, under a <em>per-message</em> key
   * derived by HKDF-SHA-512 from the data key and a random 256-bit salt; a 256-bit key commitment
   * derived by HKDF-SHA-512 from the same data key and salt is stored in the header and checked (in
   * constant time) before GCM runs. Header 66 bytes. Superseded for new encryptions by {@link
   * #AES_256_GCM_IV12_TAG16_HKDF_SHA512_DEK_SUBKEY_COMMIT_KEY} (it pays an HKDF and a fresh GCM key
   * setup per field); decrypted forever.
   */
  AES_256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY(0x01, 2 + 32 + 32),

  /**
   * 0x02, the default for new encryptions: AES-256-GCM with a 96-bit random IV and a 128-bit tag,
   * under a <em>per-data-key</em> subkey derived once by HKDF-SHA-512 from the data key and its id;
   * the 256-bit key commitment comes from the same derivation, is stored in the header and is
   * checked (in constant time) before GCM runs. Header 34 bytes. Safe because the data-key cache
   * keeps the number of GCM invocations under one subkey far below the 2^32 that NIST SP 800-38D
   * allows with random IVs (see {@link dev.strongroom.crypto.cache.DataKeyCachePolicy}).
   */
  AES_256_GCM_IV12_TAG16_HKDF_SHA512_DEK_SUBKEY_COMMIT_KEY(0x02, 2 + 32);

  private final int wireId;
  private final int headerLength;

  FieldAlgorithm(int wireId, int headerLength) {
    this.wireId = wireId;
    this.headerLength = headerLength;
  }

  /** The algorithm id byte in the envelope. */
  public int wireId() {
    return wireId;
  }

  /**
   * Envelope bytes before the GCM ciphertext (version, algorithm id and the suite's header fields);
   * they are also the first part of the GCM associated data. The envelope is {@code headerLength()
   * + n + 16} bytes for an n-byte plaintext.
   */
  public int headerLength() {
    return headerLength;
  }

  public static Optional<FieldAlgorithm> fromWireId(int id) {
    for (FieldAlgorithm a : values()) {
      if (a.wireId == id) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}
