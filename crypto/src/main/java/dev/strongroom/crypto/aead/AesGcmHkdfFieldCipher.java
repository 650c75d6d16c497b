package dev.strongroom.crypto.aead;

import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.InvalidCiphertextException;
import dev.strongroom.crypto.SecretKeyAccess;
import dev.strongroom.crypto.internal.AesGcm;
import dev.strongroom.crypto.internal.Hkdf;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * Field encryption with {@link FieldAlgorithm#AES_256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY}.
 *
 * <h2>Key schedule</h2>
 *
 * For every message a fresh 32-byte {@code salt} and 12-byte {@code iv} are drawn from a
 * {@link SecureRandom}; then (RFC 5869, HashLen = 64):
 *
 * <pre>
 * PRK        = HKDF-Extract(salt, DEK)                    = HMAC-SHA-512(salt, DEK)
 * OKM        = HKDF-Expand(PRK, algId || "SR-KEY+COMMIT", 64)  = HMAC-SHA-512(PRK, info || 0x01)
 * messageKey = OKM[0..32)     (AES-256-GCM key for this message only)
 * commitment = OKM[32..64)    (stored in the header)
 * </pre>
 *
 * where {@code algId} is the single wire-id byte (0x01). One 64-byte expansion split in two costs
 * one HMAC less than two labelled expansions; both halves are independent outputs of the PRF, so
 * the commitment reveals nothing about the message key. As in the AWS Encryption SDK's committing
 * suites, the commitment is stored in the header and, on decryption, recomputed and compared in
 * constant time <em>before</em> GCM runs: a ciphertext therefore opens under at most one data key
 * (finding two keys with equal commitments means a collision of truncated HMAC-SHA-512).
 *
 * <h2>Envelope ({@code <field>_ct}), format version 0x01</h2>
 *
 * <pre>
 * offset  length  content
 * 0       1       format version            0x01
 * 1       1       algorithm id              0x01 = AES_256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY
 * 2       32      salt                      random per message; HKDF salt
 * 34      32      key commitment            OKM[32..64), see above
 * 66      n       AES-256-GCM ciphertext    n = plaintext length
 * 66+n    16      GCM tag
 * </pre>
 *
 * Total {@code 82 + n} bytes. The 12-byte IV is <b>not</b> in the envelope: it is returned
 * separately and stored in {@code <field>_iv} (DESIGN §4 has that column). GCM authenticates it
 * implicitly (any other IV yields another tag). The GCM associated data is
 *
 * <pre>
 * header (bytes 0..65 above) || FieldContext.associatedData()
 * </pre>
 *
 * so version, algorithm, salt and commitment are authenticated too, and the context (tenant,
 * record, field, schema version, data key id; see {@link FieldContext}) is bound without being
 * stored. Every failure — length, version, algorithm, commitment, tag, context — raises the same
 * {@link InvalidCiphertextException}.
 */
public final class AesGcmHkdfFieldCipher implements FieldCipher {
  public static final int FORMAT_VERSION = 0x01;
  public static final int SALT_LENGTH = 32;
  public static final int COMMITMENT_LENGTH = 32;
  public static final int HEADER_LENGTH = 2 + SALT_LENGTH + COMMITMENT_LENGTH;
  public static final int IV_LENGTH = AesGcm.IV_LENGTH;
  public static final int TAG_LENGTH = AesGcm.TAG_LENGTH;
  /** The shortest valid envelope (empty plaintext). */
  public static final int MIN_CIPHERTEXT_LENGTH = HEADER_LENGTH + TAG_LENGTH;

  private static final FieldAlgorithm ALG = FieldAlgorithm.AES_256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
  private static final byte[] INFO = info("SR-KEY+COMMIT");

  private final DataKey dataKey;
  private final SecureRandom random;

  private AesGcmHkdfFieldCipher(DataKey dataKey, SecureRandom random) {
    this.dataKey = Objects.requireNonNull(dataKey, "dataKey");
    this.random = Objects.requireNonNull(random, "random");
  }

  /** A cipher under {@code dataKey}; the key stays owned by the caller (or the cache). */
  public static AesGcmHkdfFieldCipher create(DataKey dataKey, SecureRandom random) {
    return new AesGcmHkdfFieldCipher(dataKey, random);
  }

  public String dataKeyId() {
    return dataKey.id();
  }

  @Override
  public EncryptedField encrypt(byte[] plaintext, FieldContext context) {
    Objects.requireNonNull(plaintext, "plaintext");
    if (!dataKey.id().equals(context.dataKeyId())) {
      throw new IllegalArgumentException("context names data key " + context.dataKeyId()
          + " but this cipher holds " + dataKey.id());
    }
    byte[] out = new byte[HEADER_LENGTH + plaintext.length + TAG_LENGTH];
    // One draw for salt and IV (in that order: the golden vectors' "random" is salt || iv).
    byte[] saltAndIv = new byte[SALT_LENGTH + IV_LENGTH];
    random.nextBytes(saltAndIv);
    byte[] salt = Arrays.copyOfRange(saltAndIv, 0, SALT_LENGTH);
    byte[] iv = Arrays.copyOfRange(saltAndIv, SALT_LENGTH, SALT_LENGTH + IV_LENGTH);
    out[0] = (byte) FORMAT_VERSION;
    out[1] = (byte) ALG.wireId();
    System.arraycopy(salt, 0, out, 2, SALT_LENGTH);
    byte[] okm = derive(salt);
    byte[] messageKey = Arrays.copyOfRange(okm, 0, AesGcm.KEY_LENGTH);
    try {
      System.arraycopy(okm, AesGcm.KEY_LENGTH, out, 2 + SALT_LENGTH, COMMITMENT_LENGTH);
      byte[] aad = gcmAad(out, context);
      AesGcm.encrypt(messageKey, iv, aad, plaintext, 0, plaintext.length, out, HEADER_LENGTH);
    } finally {
      wipe(okm, messageKey);
    }
    return EncryptedField.adopt(out, iv);
  }

  @Override
  public byte[] decrypt(EncryptedField field, FieldContext context) {
    byte[] ct = field.ciphertextNoCopy();
    byte[] iv = field.ivNoCopy();
    if (ct.length < MIN_CIPHERTEXT_LENGTH
        || iv.length != IV_LENGTH
        || (ct[0] & 0xFF) != FORMAT_VERSION
        || (ct[1] & 0xFF) != ALG.wireId()
        || !dataKey.id().equals(context.dataKeyId())) {
      throw new InvalidCiphertextException();
    }
    byte[] salt = Arrays.copyOfRange(ct, 2, 2 + SALT_LENGTH);
    byte[] okm = derive(salt);
    byte[] commitment = Arrays.copyOfRange(okm, AesGcm.KEY_LENGTH, AesGcm.KEY_LENGTH + COMMITMENT_LENGTH);
    byte[] messageKey = null;
    try {
      byte[] stored = Arrays.copyOfRange(ct, 2 + SALT_LENGTH, HEADER_LENGTH);
      // Key commitment first, in constant time: a wrong data key never reaches GCM.
      if (!MessageDigest.isEqual(commitment, stored)) {
        throw new InvalidCiphertextException();
      }
      messageKey = Arrays.copyOfRange(okm, 0, AesGcm.KEY_LENGTH);
      byte[] aad = gcmAad(ct, context);
      return AesGcm.decrypt(messageKey, iv, aad, ct, HEADER_LENGTH, ct.length - HEADER_LENGTH);
    } finally {
      wipe(okm, messageKey, commitment);
    }
  }

  /** messageKey || commitment. */
  private byte[] derive(byte[] salt) {
    byte[] prk = dataKey.useKeyBytes(SecretKeyAccess.insecure(), dek -> Hkdf.SHA512.extract(salt, dek));
    try {
      return Hkdf.SHA512.expand(prk, INFO, AesGcm.KEY_LENGTH + COMMITMENT_LENGTH);
    } finally {
      wipe(prk);
    }
  }

  private static byte[] gcmAad(byte[] envelope, FieldContext context) {
    byte[] ctx = context.encodedNoCopy();
    byte[] aad = new byte[HEADER_LENGTH + ctx.length];
    System.arraycopy(envelope, 0, aad, 0, HEADER_LENGTH);
    System.arraycopy(ctx, 0, aad, HEADER_LENGTH, ctx.length);
    return aad;
  }

  private static byte[] info(String label) {
    byte[] l = label.getBytes(StandardCharsets.US_ASCII);
    byte[] info = new byte[1 + l.length];
    info[0] = (byte) ALG.wireId();
    System.arraycopy(l, 0, info, 1, l.length);
    return info;
  }

  private static void wipe(byte[]... arrays) {
    for (byte[] a : arrays) {
      if (a != null) {
        Arrays.fill(a, (byte) 0);
      }
    }
  }
}
