package dev.strongroom.crypto.kms;

import dev.strongroom.crypto.InvalidCiphertextException;
import dev.strongroom.crypto.internal.LengthPrefixed;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The wrapped-key byte layout shared by the AES-GCM wrappers ({@code data_keys.wrapped_dek}):
 *
 * <pre>
 * offset  length  content
 * 0       1       format version 0x01
 * 1       1       wrap algorithm 0x01 = AES_256_GCM_IV12_TAG16 (under the KEK)
 * 2       12      IV (random)
 * 14      32      encrypted data key
 * 46      16      GCM tag
 * </pre>
 *
 * GCM associated data: {@code "SRWK1" || bytes[0..1] || lp(keyName) || lp(keyVersion) ||
 * lp(associatedData)}, so the KEK name and version recorded beside the bytes are authenticated.
 *
 * <p>The one encoder ({@link #encode}) and parser ({@link #parse}) of this layout: the dev keyring
 * and the PKCS#11 wrapper differ only in where the AES-GCM runs. Golden bytes: {@code
 * crypto/src/test/resources/testvectors/wrapped-dek/}.
 */
final class WrapFormat {
  static final int VERSION = 0x01;
  static final int ALG_AES_256_GCM_IV12_TAG16 = 0x01;
  static final int IV_OFFSET = 2;
  static final int IV_LENGTH = 12;
  static final int CT_OFFSET = IV_OFFSET + IV_LENGTH;
  static final int LENGTH = CT_OFFSET + 32 + 16;
  private static final byte[] DOMAIN = "SRWK1".getBytes(StandardCharsets.US_ASCII);

  private WrapFormat() {}

  static byte[] aad(String keyName, String keyVersion, byte[] associatedData) {
    return new LengthPrefixed()
        .raw(DOMAIN)
        .raw(new byte[] {(byte) VERSION, (byte) ALG_AES_256_GCM_IV12_TAG16})
        .utf8(keyName)
        .utf8(keyVersion)
        .bytes(associatedData == null ? new byte[0] : associatedData)
        .toByteArray();
  }

  /** The IV and the AES-GCM output (ciphertext then tag) of a parsed wrapped key. */
  record Parts(byte[] iv, byte[] ciphertextAndTag) {}

  /**
   * Lays out a wrapped key from the IV and the AES-GCM output (32-byte ciphertext, 16-byte tag).
   */
  static byte[] encode(byte[] iv, byte[] ciphertextAndTag) {
    if (iv.length != IV_LENGTH || ciphertextAndTag.length != LENGTH - CT_OFFSET) {
      throw new IllegalArgumentException("wrapped key parts have the wrong length");
    }
    byte[] out = new byte[LENGTH];
    out[0] = (byte) VERSION;
    out[1] = (byte) ALG_AES_256_GCM_IV12_TAG16;
    System.arraycopy(iv, 0, out, IV_OFFSET, IV_LENGTH);
    System.arraycopy(ciphertextAndTag, 0, out, CT_OFFSET, ciphertextAndTag.length);
    return out;
  }

  /**
   * Splits a wrapped key into its parts.
   *
   * @throws InvalidCiphertextException on a wrong length, version or algorithm
   */
  static Parts parse(byte[] wrapped) {
    checkHeader(wrapped);
    return new Parts(
        Arrays.copyOfRange(wrapped, IV_OFFSET, CT_OFFSET),
        Arrays.copyOfRange(wrapped, CT_OFFSET, LENGTH));
  }

  static void checkHeader(byte[] wrapped) {
    if (wrapped.length != LENGTH
        || (wrapped[0] & 0xFF) != VERSION
        || (wrapped[1] & 0xFF) != ALG_AES_256_GCM_IV12_TAG16) {
      throw new InvalidCiphertextException();
    }
  }
}
