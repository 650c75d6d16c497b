package dev.strongroom.crypto.aead;

import java.util.Optional;

/**
 * Field-encryption algorithm suites. Each name spells the whole construction and carries its wire
 * id (the byte at offset 1 of the envelope), in the manner of the AWS Encryption SDK's
 * {@code ALG_AES_256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY(0x0478)}. Wire ids are never reused.
 */
public enum FieldAlgorithm {
  /**
   * AES-256-GCM with a 96-bit random IV and a 128-bit tag, under a per-message key derived by
   * HKDF-SHA-512 from the data key and a random 256-bit salt; a 256-bit key commitment derived by
   * HKDF-SHA-512 from the same data key and salt is stored in the header and checked (in constant
   * time) before GCM runs.
   */
  AES_256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY(0x01);

  private final int wireId;

  FieldAlgorithm(int wireId) {
    this.wireId = wireId;
  }

  /** The algorithm id byte in the envelope. */
  public int wireId() {
    return wireId;
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
