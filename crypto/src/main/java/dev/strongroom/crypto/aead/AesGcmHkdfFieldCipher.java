package dev.strongroom.crypto.aead;

import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.InvalidCiphertextException;
import dev.strongroom.crypto.SecretKeyAccess;
import dev.strongroom.crypto.internal.AesGcm;
import dev.strongroom.crypto.internal.AesKey;
import dev.strongroom.crypto.internal.Hkdf;
import dev.strongroom.crypto.internal.LengthPrefixed;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Field encryption under one data key (DEK) with the committing AES-256-GCM suites of {@link
 * FieldAlgorithm}. New fields are encrypted with {@link #DEFAULT_ALGORITHM} (0x02) unless another
 * suite is asked for; {@link #decrypt} dispatches on the algorithm byte, so one cipher per DEK
 * opens both 0x01 and 0x02 envelopes. Thread-safe. Create one cipher per DEK and reuse it (the
 * cache does): creating it derives the 0x02 subkey.
 *
 * <p>Common to both suites: format version byte {@code 0x01} at offset 0 and the algorithm id at
 * offset 1 (the format version names this framing — {@code version | alg | header fields of the
 * suite | GCM ciphertext | tag}, AAD = header || {@link FieldContext} encoding v1 — and stays 0x01
 * while the suite byte selects the header); a fresh random 96-bit IV per field value, returned
 * separately for {@code <field>_iv} (DESIGN §4 has that column) and authenticated implicitly by GCM
 * (any other IV yields another tag); a 256-bit key commitment in the header, recomputed and
 * compared in constant time <em>before</em> GCM runs, so an envelope opens under at most one data
 * key; GCM associated data = the header bytes || {@link FieldContext#associatedData()}, so the
 * context (tenant, record, field, schema version, data key id) is bound without being stored. Every
 * failure — length, version, algorithm, commitment, tag, context — raises the same {@link
 * InvalidCiphertextException}.
 *
 * <h2>Suite 0x02 {@code AES_256_GCM_IV12_TAG16_HKDF_SHA512_DEK_SUBKEY_COMMIT_KEY} (default)</h2>
 *
 * Once per DEK, when the cipher is created (RFC 5869, HashLen = 64; {@code lp(x)} = u32 big-endian
 * byte length || x):
 *
 * <pre>
 * PRK        = HKDF-Extract(salt = "strongroom/field/0x02/dek-subkey" (32 ASCII bytes), IKM = DEK)
 * OKM        = HKDF-Expand(PRK, info = 0x02 || "SR-DEK-SUBKEY+COMMIT" || lp(UTF-8 dekId), 64)
 * subkey     = OKM[0..32)     (AES-256-GCM key for every field under this DEK)
 * commitment = OKM[32..64)    (stored in every header)
 * </pre>
 *
 * The subkey is held as one {@link AesKey} for the cipher's lifetime (the JCE then keeps its
 * expanded AES key schedule per thread) and, with the commitment, is wiped when the DEK is
 * {@linkplain DataKey#destroy() destroyed}. The dek id in {@code info} makes the subkey and the
 * commitment differ for every id even under equal key bytes; the leading algorithm byte separates
 * this derivation from 0x01's ({@code info} of 0x01 starts with byte 0x01).
 *
 * <pre>
 * offset  length  content
 * 0       1       format version            0x01
 * 1       1       algorithm id              0x02
 * 2       32      key commitment            OKM[32..64), the same for every field under this DEK
 * 34      n       AES-256-GCM ciphertext    n = plaintext length, under the subkey, random 96-bit IV
 * 34+n    16      GCM tag
 * </pre>
 *
 * Total {@code 50 + n} bytes; GCM AAD = bytes 0..33 || FieldContext encoding.
 *
 * <p><b>Why one subkey for many fields is safe.</b> With random 96-bit IVs NIST SP 800-38D §8.3
 * allows at most 2^32 GCM invocations per key. The data-key cache retires a DEK after {@link
 * dev.strongroom.crypto.cache.DataKeyCachePolicy#maxRecords()} records (default 100,000, capped at
 * 2^28 for this suite) of at most 4 fields, i.e. at most 2^30 invocations; the default gives
 * 400,000 ≈ 2^18.6 and an IV-collision probability below 2^-59. As a last line this cipher itself
 * refuses to encrypt more than {@link #MAX_ENCRYPTIONS_PER_SUBKEY} fields.
 *
 * <h2>Suite 0x01 {@code AES_256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY} (decrypted forever)</h2>
 *
 * For every message a fresh 32-byte {@code salt} and 12-byte {@code iv} are drawn (one draw, {@code
 * salt || iv}); then
 *
 * <pre>
 * PRK        = HKDF-Extract(salt, DEK)                    = HMAC-SHA-512(salt, DEK)
 * OKM        = HKDF-Expand(PRK, 0x01 || "SR-KEY+COMMIT", 64)  = HMAC-SHA-512(PRK, info || 0x01)
 * messageKey = OKM[0..32)     (AES-256-GCM key for this message only)
 * commitment = OKM[32..64)    (stored in the header)
 * </pre>
 *
 * <pre>
 * offset  length  content
 * 0       1       format version            0x01
 * 1       1       algorithm id              0x01
 * 2       32      salt                      random per message; HKDF salt
 * 34      32      key commitment            OKM[32..64)
 * 66      n       AES-256-GCM ciphertext    n = plaintext length
 * 66+n    16      GCM tag
 * </pre>
 *
 * Total {@code 82 + n} bytes; GCM AAD = bytes 0..65 || FieldContext encoding. As in the AWS
 * Encryption SDK's committing suites, finding two keys with equal commitments means a collision of
 * truncated HMAC-SHA-512 (both suites).
 */
public final class AesGcmHkdfFieldCipher implements FieldCipher {
  public static final int FORMAT_VERSION = 0x01;

  /** The suite {@link #create(DataKey, SecureRandom)} encrypts with. */
  public static final FieldAlgorithm DEFAULT_ALGORITHM =
      FieldAlgorithm.AES_256_GCM_IV12_TAG16_HKDF_SHA512_DEK_SUBKEY_COMMIT_KEY;

  /** Suite 0x01's per-message HKDF salt. */
  public static final int SALT_LENGTH = 32;

  public static final int COMMITMENT_LENGTH = 32;
  public static final int IV_LENGTH = AesGcm.IV_LENGTH;
  public static final int TAG_LENGTH = AesGcm.TAG_LENGTH;

  /**
   * Hard ceiling of fields one cipher encrypts under its 0x02 subkey: 2^32, the NIST SP 800-38D
   * limit for random 96-bit IVs. The cache policy keeps real use at most 2^30 (far less by
   * default); this only catches a cipher used outside the cache.
   */
  public static final long MAX_ENCRYPTIONS_PER_SUBKEY = 1L << 32;

  private static final FieldAlgorithm PER_MESSAGE =
      FieldAlgorithm.AES_256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
  private static final FieldAlgorithm DEK_SUBKEY =
      FieldAlgorithm.AES_256_GCM_IV12_TAG16_HKDF_SHA512_DEK_SUBKEY_COMMIT_KEY;
  private static final int PER_MESSAGE_HEADER = PER_MESSAGE.headerLength();
  private static final int DEK_SUBKEY_HEADER = DEK_SUBKEY.headerLength();
  private static final byte[] PER_MESSAGE_INFO = label(PER_MESSAGE, "SR-KEY+COMMIT");

  /** HKDF salt of the 0x02 derivation: a fixed, public domain string (32 bytes). */
  static final byte[] DEK_SUBKEY_SALT =
      "strongroom/field/0x02/dek-subkey".getBytes(StandardCharsets.US_ASCII);

  private static final byte[] DEK_SUBKEY_LABEL = label(DEK_SUBKEY, "SR-DEK-SUBKEY+COMMIT");

  private final DataKey dataKey;
  private final SecureRandom random;
  private final FieldAlgorithm encryptWith;
  private final long maxEncryptions;
  private final AtomicLong encryptions = new AtomicLong();

  /** Suite 0x02: the subkey, and version || alg || commitment (the whole 34-byte header). */
  private final AesKey subkey;

  private final byte[] subkeyHeader;

  private AesGcmHkdfFieldCipher(
      DataKey dataKey, SecureRandom random, FieldAlgorithm encryptWith, long maxEncryptions) {
    this.dataKey = Objects.requireNonNull(dataKey, "dataKey");
    this.random = Objects.requireNonNull(random, "random");
    this.encryptWith = Objects.requireNonNull(encryptWith, "encryptWith");
    this.maxEncryptions = maxEncryptions;
    byte[] okm =
        dataKey.useKeyBytes(
            SecretKeyAccess.insecure(),
            dek ->
                Hkdf.SHA512.derive(
                    DEK_SUBKEY_SALT,
                    dek,
                    dekSubkeyInfo(dataKey.id()),
                    AesGcm.KEY_LENGTH + COMMITMENT_LENGTH));
    this.subkey = AesKey.adopt(Arrays.copyOfRange(okm, 0, AesGcm.KEY_LENGTH));
    this.subkeyHeader = new byte[DEK_SUBKEY_HEADER];
    subkeyHeader[0] = (byte) FORMAT_VERSION;
    subkeyHeader[1] = (byte) DEK_SUBKEY.wireId();
    System.arraycopy(okm, AesGcm.KEY_LENGTH, subkeyHeader, 2, COMMITMENT_LENGTH);
    wipe(okm);
    // Captures the two secrets only (not this cipher): destroying the DEK wipes them.
    AesKey k = subkey;
    byte[] h = subkeyHeader;
    dataKey.onDestroy(
        SecretKeyAccess.insecure(),
        () -> {
          k.destroy();
          wipe(h);
        });
  }

  /**
   * A cipher under {@code dataKey} that encrypts with {@link #DEFAULT_ALGORITHM} (0x02) and
   * decrypts every suite; the key stays owned by the caller (or the cache).
   *
   * @throws IllegalStateException if the key was destroyed
   */
  public static AesGcmHkdfFieldCipher create(DataKey dataKey, SecureRandom random) {
    return create(dataKey, random, DEFAULT_ALGORITHM);
  }

  /**
   * A cipher that encrypts with {@code encryptWith} and decrypts every suite. Choosing 0x01 exists
   * for its golden vectors and tests: new data should use the default.
   */
  public static AesGcmHkdfFieldCipher create(
      DataKey dataKey, SecureRandom random, FieldAlgorithm encryptWith) {
    return new AesGcmHkdfFieldCipher(dataKey, random, encryptWith, MAX_ENCRYPTIONS_PER_SUBKEY);
  }

  /** For tests of the invocation ceiling. */
  static AesGcmHkdfFieldCipher createWithEncryptionLimit(
      DataKey dataKey, SecureRandom random, long maxEncryptions) {
    return new AesGcmHkdfFieldCipher(dataKey, random, DEK_SUBKEY, maxEncryptions);
  }

  public String dataKeyId() {
    return dataKey.id();
  }

  /** The suite new encryptions use. */
  public FieldAlgorithm encryptionAlgorithm() {
    return encryptWith;
  }

  /** True once the DEK was destroyed and the cached 0x02 subkey and commitment were wiped. */
  boolean subkeyWiped() {
    return subkey.isDestroyed();
  }

  @Override
  public EncryptedField encrypt(byte[] plaintext, FieldContext context) {
    Objects.requireNonNull(plaintext, "plaintext");
    if (!dataKey.id().equals(context.dataKeyId())) {
      throw new IllegalArgumentException(
          "context names data key "
              + context.dataKeyId()
              + " but this cipher holds "
              + dataKey.id());
    }
    return encryptWith == DEK_SUBKEY
        ? encryptDekSubkey(plaintext, context)
        : encryptPerMessageKey(plaintext, context);
  }

  @Override
  public byte[] decrypt(EncryptedField field, FieldContext context) {
    byte[] ct = field.ciphertextNoCopy();
    byte[] iv = field.ivNoCopy();
    if (ct.length < 2
        || iv.length != IV_LENGTH
        || (ct[0] & 0xFF) != FORMAT_VERSION
        || !dataKey.id().equals(context.dataKeyId())) {
      throw new InvalidCiphertextException();
    }
    int alg = ct[1] & 0xFF;
    if (alg == DEK_SUBKEY.wireId()) {
      return decryptDekSubkey(ct, iv, context);
    }
    if (alg == PER_MESSAGE.wireId()) {
      return decryptPerMessageKey(ct, iv, context);
    }
    throw new InvalidCiphertextException();
  }

  // ---- suite 0x02 -------------------------------------------------------------------------------

  private EncryptedField encryptDekSubkey(byte[] plaintext, FieldContext context) {
    byte[] iv = new byte[IV_LENGTH];
    random.nextBytes(iv);
    byte[] out = new byte[DEK_SUBKEY_HEADER + plaintext.length + TAG_LENGTH];
    // Under the DEK's read lock: destroy() (which wipes subkey and header) cannot run meanwhile,
    // and a destroyed DEK is refused instead of encrypting under a zeroed subkey.
    dataKey.useKeyBytes(
        SecretKeyAccess.insecure(),
        unused -> {
          if (encryptions.incrementAndGet() > maxEncryptions) {
            throw new IllegalStateException(
                "data key "
                    + dataKey.id()
                    + " reached its GCM invocation limit ("
                    + maxEncryptions
                    + "); use a new data key");
          }
          System.arraycopy(subkeyHeader, 0, out, 0, DEK_SUBKEY_HEADER);
          return AesGcm.encrypt(
              subkey,
              iv,
              out,
              0,
              DEK_SUBKEY_HEADER,
              context.encodedNoCopy(),
              plaintext,
              0,
              plaintext.length,
              out,
              DEK_SUBKEY_HEADER);
        });
    return EncryptedField.adopt(out, iv);
  }

  private byte[] decryptDekSubkey(byte[] ct, byte[] iv, FieldContext context) {
    if (ct.length < DEK_SUBKEY_HEADER + TAG_LENGTH) {
      throw new InvalidCiphertextException();
    }
    byte[] stored = Arrays.copyOfRange(ct, 2, DEK_SUBKEY_HEADER);
    return dataKey.useKeyBytes(
        SecretKeyAccess.insecure(),
        unused -> {
          // Key commitment first, in constant time: an envelope made for another key never reaches
          // GCM.
          if (!MessageDigest.isEqual(
              Arrays.copyOfRange(subkeyHeader, 2, DEK_SUBKEY_HEADER), stored)) {
            throw new InvalidCiphertextException();
          }
          return AesGcm.decrypt(
              subkey,
              iv,
              ct,
              0,
              DEK_SUBKEY_HEADER,
              context.encodedNoCopy(),
              ct,
              DEK_SUBKEY_HEADER,
              ct.length - DEK_SUBKEY_HEADER);
        });
  }

  private static byte[] dekSubkeyInfo(String dekId) {
    return new LengthPrefixed().raw(DEK_SUBKEY_LABEL).utf8(dekId).toByteArray();
  }

  // ---- suite 0x01 -------------------------------------------------------------------------------

  private EncryptedField encryptPerMessageKey(byte[] plaintext, FieldContext context) {
    byte[] out = new byte[PER_MESSAGE_HEADER + plaintext.length + TAG_LENGTH];
    // One draw for salt and IV (in that order: the golden vectors' "random" is salt || iv).
    byte[] saltAndIv = new byte[SALT_LENGTH + IV_LENGTH];
    random.nextBytes(saltAndIv);
    byte[] salt = Arrays.copyOfRange(saltAndIv, 0, SALT_LENGTH);
    byte[] iv = Arrays.copyOfRange(saltAndIv, SALT_LENGTH, SALT_LENGTH + IV_LENGTH);
    out[0] = (byte) FORMAT_VERSION;
    out[1] = (byte) PER_MESSAGE.wireId();
    System.arraycopy(salt, 0, out, 2, SALT_LENGTH);
    byte[] okm = derivePerMessage(salt);
    byte[] messageKey = Arrays.copyOfRange(okm, 0, AesGcm.KEY_LENGTH);
    try {
      System.arraycopy(okm, AesGcm.KEY_LENGTH, out, 2 + SALT_LENGTH, COMMITMENT_LENGTH);
      byte[] aad = perMessageAad(out, context);
      AesGcm.encrypt(messageKey, iv, aad, plaintext, 0, plaintext.length, out, PER_MESSAGE_HEADER);
    } finally {
      wipe(okm, messageKey);
    }
    return EncryptedField.adopt(out, iv);
  }

  private byte[] decryptPerMessageKey(byte[] ct, byte[] iv, FieldContext context) {
    if (ct.length < PER_MESSAGE_HEADER + TAG_LENGTH) {
      throw new InvalidCiphertextException();
    }
    byte[] salt = Arrays.copyOfRange(ct, 2, 2 + SALT_LENGTH);
    byte[] okm = derivePerMessage(salt);
    byte[] commitment =
        Arrays.copyOfRange(okm, AesGcm.KEY_LENGTH, AesGcm.KEY_LENGTH + COMMITMENT_LENGTH);
    byte[] messageKey = null;
    try {
      byte[] stored = Arrays.copyOfRange(ct, 2 + SALT_LENGTH, PER_MESSAGE_HEADER);
      // Key commitment first, in constant time: a wrong data key never reaches GCM.
      if (!MessageDigest.isEqual(commitment, stored)) {
        throw new InvalidCiphertextException();
      }
      messageKey = Arrays.copyOfRange(okm, 0, AesGcm.KEY_LENGTH);
      byte[] aad = perMessageAad(ct, context);
      return AesGcm.decrypt(
          messageKey, iv, aad, ct, PER_MESSAGE_HEADER, ct.length - PER_MESSAGE_HEADER);
    } finally {
      wipe(okm, messageKey, commitment);
    }
  }

  /** messageKey || commitment. */
  private byte[] derivePerMessage(byte[] salt) {
    byte[] prk =
        dataKey.useKeyBytes(SecretKeyAccess.insecure(), dek -> Hkdf.SHA512.extract(salt, dek));
    try {
      return Hkdf.SHA512.expand(prk, PER_MESSAGE_INFO, AesGcm.KEY_LENGTH + COMMITMENT_LENGTH);
    } finally {
      wipe(prk);
    }
  }

  private static byte[] perMessageAad(byte[] envelope, FieldContext context) {
    byte[] ctx = context.encodedNoCopy();
    byte[] aad = new byte[PER_MESSAGE_HEADER + ctx.length];
    System.arraycopy(envelope, 0, aad, 0, PER_MESSAGE_HEADER);
    System.arraycopy(ctx, 0, aad, PER_MESSAGE_HEADER, ctx.length);
    return aad;
  }

  // ---- common -----------------------------------------------------------------------------------

  /** algId || ASCII label. */
  private static byte[] label(FieldAlgorithm alg, String label) {
    byte[] l = label.getBytes(StandardCharsets.US_ASCII);
    byte[] info = new byte[1 + l.length];
    info[0] = (byte) alg.wireId();
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
