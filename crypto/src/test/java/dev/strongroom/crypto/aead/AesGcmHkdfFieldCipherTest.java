package dev.strongroom.crypto.aead;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.InvalidCiphertextException;
import dev.strongroom.crypto.SecretKeyAccess;
import dev.strongroom.crypto.internal.AesGcm;
import dev.strongroom.crypto.internal.Hkdf;
import dev.strongroom.crypto.internal.LengthPrefixed;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Both suites: the behaviour every envelope must have is tested for each {@link FieldAlgorithm}
 * (parameterised); suite-specific properties (per-message salt, per-DEK subkey and commitment,
 * mixed decryption) in their own tests.
 */
class AesGcmHkdfFieldCipherTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] PLAINTEXT =
      "Ada Lovelace <ada@example.org>".getBytes(StandardCharsets.UTF_8);
  private static final FieldAlgorithm ALG01 =
      FieldAlgorithm.AES_256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
  private static final FieldAlgorithm ALG02 =
      FieldAlgorithm.AES_256_GCM_IV12_TAG16_HKDF_SHA512_DEK_SUBKEY_COMMIT_KEY;

  private final DataKey dek = DataKey.generate("dek-1", RANDOM);
  private final FieldContext ctx =
      FieldContext.builder()
          .tenantId("tenant-a")
          .recordId(UUID.fromString("01890a5d-ac96-774b-bcce-b302099a8057"))
          .fieldName("email")
          .schemaVersion(1)
          .dataKeyId("dek-1")
          .build();

  private FieldCipher cipher(FieldAlgorithm alg) {
    return AesGcmHkdfFieldCipher.create(dek, RANDOM, alg);
  }

  private static void assertInvalid(Executable e) {
    InvalidCiphertextException ex = assertThrows(InvalidCiphertextException.class, e);
    assertEquals("invalid ciphertext", ex.getMessage());
  }

  // ---- every suite ------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @EnumSource(FieldAlgorithm.class)
  void roundTrip_returnsPlaintext(FieldAlgorithm alg) {
    FieldCipher cipher = cipher(alg);
    EncryptedField f = cipher.encrypt(PLAINTEXT, ctx);
    assertArrayEquals(PLAINTEXT, cipher.decrypt(f, ctx));
    assertEquals(
        alg.headerLength() + PLAINTEXT.length + AesGcmHkdfFieldCipher.TAG_LENGTH,
        f.ciphertext().length);
    assertEquals(12, f.iv().length);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(FieldAlgorithm.class)
  void emptyPlaintext_roundTrips(FieldAlgorithm alg) {
    FieldCipher cipher = cipher(alg);
    EncryptedField f = cipher.encrypt(new byte[0], ctx);
    assertArrayEquals(new byte[0], cipher.decrypt(f, ctx));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(FieldAlgorithm.class)
  void envelopeHeader_carriesFormatVersion01AndTheSuiteId(FieldAlgorithm alg) {
    byte[] ct = cipher(alg).encrypt(PLAINTEXT, ctx).ciphertext();
    assertEquals(0x01, ct[0]);
    assertEquals(alg.wireId(), ct[1]);
  }

  /**
   * Every single-bit flip anywhere in the envelope (version, algorithm, salt, commitment, body,
   * tag) or the IV fails.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(FieldAlgorithm.class)
  void everyBitOfEnvelopeAndIvFlipped_failsToDecrypt(FieldAlgorithm alg) {
    FieldCipher cipher = cipher(alg);
    EncryptedField f = cipher.encrypt(PLAINTEXT, ctx);
    byte[] ct = f.ciphertext();
    byte[] iv = f.iv();
    for (int i = 0; i < ct.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] t = ct.clone();
        t[i] ^= (byte) (1 << bit);
        assertInvalid(() -> cipher.decrypt(EncryptedField.of(t, iv), ctx));
      }
    }
    for (int i = 0; i < iv.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] t = iv.clone();
        t[i] ^= (byte) (1 << bit);
        assertInvalid(() -> cipher.decrypt(EncryptedField.of(ct, t), ctx));
      }
    }
    assertArrayEquals(
        PLAINTEXT, cipher.decrypt(EncryptedField.of(ct, iv), ctx)); // the original still opens
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(FieldAlgorithm.class)
  void truncatedOrExtendedEnvelope_failsToDecrypt(FieldAlgorithm alg) {
    FieldCipher cipher = cipher(alg);
    EncryptedField f = cipher.encrypt(PLAINTEXT, ctx);
    byte[] ct = f.ciphertext();
    for (int len = 0; len < ct.length; len++) {
      byte[] t = Arrays.copyOf(ct, len);
      assertInvalid(() -> cipher.decrypt(EncryptedField.of(t, f.iv()), ctx));
    }
    assertInvalid(
        () -> cipher.decrypt(EncryptedField.of(Arrays.copyOf(ct, ct.length + 1), f.iv()), ctx));
    assertInvalid(() -> cipher.decrypt(EncryptedField.of(ct, Arrays.copyOf(f.iv(), 11)), ctx));
    assertInvalid(() -> cipher.decrypt(EncryptedField.of(ct, Arrays.copyOf(f.iv(), 16)), ctx));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(FieldAlgorithm.class)
  void swappedAadField_failsToDecrypt(FieldAlgorithm alg) {
    EncryptedField f = cipher(alg).encrypt(PLAINTEXT, ctx);
    assertInvalid(() -> cipher(alg).decrypt(f, ctx.toBuilder().fieldName("phone").build()));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(FieldAlgorithm.class)
  void swappedAadRecord_failsToDecrypt(FieldAlgorithm alg) {
    EncryptedField f = cipher(alg).encrypt(PLAINTEXT, ctx);
    assertInvalid(
        () -> cipher(alg).decrypt(f, ctx.toBuilder().recordId(UUID.randomUUID()).build()));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(FieldAlgorithm.class)
  void swappedAadTenant_failsToDecrypt(FieldAlgorithm alg) {
    EncryptedField f = cipher(alg).encrypt(PLAINTEXT, ctx);
    assertInvalid(() -> cipher(alg).decrypt(f, ctx.toBuilder().tenantId("tenant-b").build()));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(FieldAlgorithm.class)
  void otherSchemaVersion_failsToDecrypt(FieldAlgorithm alg) {
    EncryptedField f = cipher(alg).encrypt(PLAINTEXT, ctx);
    assertInvalid(() -> cipher(alg).decrypt(f, ctx.toBuilder().schemaVersion(2).build()));
  }

  /** The context names another dek id than the cipher's: refused before any cryptography. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(FieldAlgorithm.class)
  void otherDataKeyIdInContext_failsToDecrypt(FieldAlgorithm alg) {
    EncryptedField f = cipher(alg).encrypt(PLAINTEXT, ctx);
    assertInvalid(() -> cipher(alg).decrypt(f, ctx.toBuilder().dataKeyId("dek-2").build()));
  }

  /**
   * The same key bytes registered under another dek id (cipher and context both say "dek-2"):
   * refused too — by the commitment for 0x02 (its subkey and commitment bind the id), by the
   * context AAD for 0x01.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(FieldAlgorithm.class)
  void sameKeyBytesUnderAnotherDataKeyId_failsToDecrypt(FieldAlgorithm alg) {
    EncryptedField f = cipher(alg).encrypt(PLAINTEXT, ctx);
    DataKey relabelled =
        dek.useKeyBytes(
            SecretKeyAccess.insecure(),
            b -> DataKey.adopt("dek-2", b.clone(), SecretKeyAccess.insecure()));
    assertInvalid(
        () ->
            AesGcmHkdfFieldCipher.create(relabelled, RANDOM)
                .decrypt(f, ctx.toBuilder().dataKeyId("dek-2").build()));
  }

  /** A ciphertext moved from the email to the phone column of another record of the same tenant. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(FieldAlgorithm.class)
  void ciphertextMovedBetweenRecordsAndFields_failsToDecrypt(FieldAlgorithm alg) {
    FieldContext other = ctx.toBuilder().recordId(UUID.randomUUID()).fieldName("phone").build();
    EncryptedField email = cipher(alg).encrypt(PLAINTEXT, ctx);
    assertInvalid(() -> cipher(alg).decrypt(email, other));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(FieldAlgorithm.class)
  void wrongDataKey_failsToDecrypt(FieldAlgorithm alg) {
    EncryptedField f = cipher(alg).encrypt(PLAINTEXT, ctx);
    DataKey other = DataKey.generate("dek-1", RANDOM); // same id, other bytes
    assertInvalid(() -> AesGcmHkdfFieldCipher.create(other, RANDOM).decrypt(f, ctx));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(FieldAlgorithm.class)
  void encryptWithContextForAnotherDataKey_isRefused(FieldAlgorithm alg) {
    assertThrows(
        IllegalArgumentException.class,
        () -> cipher(alg).encrypt(PLAINTEXT, ctx.toBuilder().dataKeyId("dek-9").build()));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(FieldAlgorithm.class)
  void destroyedDataKey_refusesToEncryptAndDecrypt(FieldAlgorithm alg) {
    DataKey k = DataKey.generate("dek-1", RANDOM);
    FieldCipher c = AesGcmHkdfFieldCipher.create(k, RANDOM, alg);
    EncryptedField f = c.encrypt(PLAINTEXT, ctx);
    k.destroy();
    assertThrows(IllegalStateException.class, () -> c.encrypt(PLAINTEXT, ctx));
    assertThrows(IllegalStateException.class, () -> c.decrypt(f, ctx));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(FieldAlgorithm.class)
  void unknownVersionOrAlgorithm_failsToDecrypt(FieldAlgorithm alg) {
    FieldCipher cipher = cipher(alg);
    EncryptedField f = cipher.encrypt(PLAINTEXT, ctx);
    for (int v : new int[] {0x00, 0x02, 0x03, 0xFF}) {
      byte[] t = f.ciphertext();
      t[0] = (byte) v;
      assertInvalid(() -> cipher.decrypt(EncryptedField.of(t, f.iv()), ctx));
    }
    for (int a : new int[] {0x00, 0x03, 0x80, 0xFF}) {
      byte[] u = f.ciphertext();
      u[1] = (byte) a;
      assertInvalid(() -> cipher.decrypt(EncryptedField.of(u, f.iv()), ctx));
    }
  }

  /** An envelope relabelled as the other suite (algorithm byte 0x01 ↔ 0x02) does not open. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(FieldAlgorithm.class)
  void suiteByteSwappedToTheOtherSuite_failsToDecrypt(FieldAlgorithm alg) {
    FieldCipher cipher = cipher(alg);
    EncryptedField f = cipher.encrypt(PLAINTEXT, ctx);
    byte[] t = f.ciphertext();
    t[1] = (byte) (alg == ALG01 ? ALG02.wireId() : ALG01.wireId());
    assertInvalid(() -> cipher.decrypt(EncryptedField.of(t, f.iv()), ctx));
  }

  // ---- suite 0x02 (default) ---------------------------------------------------------------------

  @Test
  void defaultCipher_encryptsWithSuite02() {
    AesGcmHkdfFieldCipher c = AesGcmHkdfFieldCipher.create(dek, RANDOM);
    assertEquals(ALG02, c.encryptionAlgorithm());
    assertEquals(ALG02, AesGcmHkdfFieldCipher.DEFAULT_ALGORITHM);
    byte[] ct = c.encrypt(PLAINTEXT, ctx).ciphertext();
    assertEquals(0x02, ct[1]);
    assertEquals(50 + PLAINTEXT.length, ct.length);
  }

  /** Fresh random IV per field; the commitment is the data key's, identical in every envelope. */
  @Test
  void suite02TwoEncryptions_differInIvAndBodyButShareTheDataKeysCommitment() {
    FieldCipher c = cipher(ALG02);
    EncryptedField a = c.encrypt(PLAINTEXT, ctx);
    EncryptedField b = c.encrypt(PLAINTEXT, ctx);
    assertFalse(Arrays.equals(a.iv(), b.iv()));
    assertArrayEquals(
        Arrays.copyOfRange(a.ciphertext(), 0, 34), Arrays.copyOfRange(b.ciphertext(), 0, 34));
    assertArrayEquals(dekSubkeyOkm(dek)[1], Arrays.copyOfRange(a.ciphertext(), 2, 34));
    assertFalse(
        Arrays.equals(
            Arrays.copyOfRange(a.ciphertext(), 34, a.ciphertext().length),
            Arrays.copyOfRange(b.ciphertext(), 34, b.ciphertext().length)));
    assertNotEquals(a, b);
  }

  @Test
  void suite02SameKeyBytesUnderTwoDataKeyIds_deriveDifferentCommitments() {
    DataKey relabelled =
        dek.useKeyBytes(
            SecretKeyAccess.insecure(),
            b -> DataKey.adopt("dek-2", b.clone(), SecretKeyAccess.insecure()));
    assertFalse(Arrays.equals(dekSubkeyOkm(dek)[0], dekSubkeyOkm(relabelled)[0]));
    assertFalse(Arrays.equals(dekSubkeyOkm(dek)[1], dekSubkeyOkm(relabelled)[1]));
    byte[] ct =
        AesGcmHkdfFieldCipher.create(relabelled, RANDOM)
            .encrypt(PLAINTEXT, ctx.toBuilder().dataKeyId("dek-2").build())
            .ciphertext();
    assertArrayEquals(dekSubkeyOkm(relabelled)[1], Arrays.copyOfRange(ct, 2, 34));
  }

  /**
   * Key commitment is checked before GCM. The attacker knows two data keys K1 and K2 and builds an
   * envelope whose GCM body and tag are valid under K1's subkey but whose header carries K2's
   * commitment. GCM alone would accept it under K1 (checked below), so the refusal under K1 can
   * only come from the commitment check; under K2 the commitment matches but K2's subkey fails GCM.
   */
  @Test
  void suite02CommitmentMismatch_isRefusedUnderBothKeysEvenWhenGcmTagIsValid() {
    DataKey k1 = DataKey.generate("dek-1", RANDOM);
    DataKey k2 = DataKey.generate("dek-1", RANDOM);
    byte[][] okm1 = dekSubkeyOkm(k1);
    byte[][] okm2 = dekSubkeyOkm(k2);
    byte[] iv = new byte[12];
    RANDOM.nextBytes(iv);

    byte[] header = concat(new byte[] {0x01, 0x02}, okm2[1]); // K2's commitment
    byte[] body =
        AesGcm.encrypt(
            okm1[0], iv, concat(header, ctx.associatedData()), PLAINTEXT); // valid GCM under K1
    byte[] forged = concat(header, body);
    assertArrayEquals(
        PLAINTEXT, AesGcm.decrypt(okm1[0], iv, concat(header, ctx.associatedData()), body));

    assertInvalid(
        () -> AesGcmHkdfFieldCipher.create(k1, RANDOM).decrypt(EncryptedField.of(forged, iv), ctx));
    assertInvalid(
        () -> AesGcmHkdfFieldCipher.create(k2, RANDOM).decrypt(EncryptedField.of(forged, iv), ctx));

    // The honest envelope (K1's commitment) opens under K1 only (fresh IV: the JCE refuses to
    // encrypt twice with one key and IV, rightly).
    byte[] iv2 = new byte[12];
    RANDOM.nextBytes(iv2);
    byte[] honestHeader = concat(new byte[] {0x01, 0x02}, okm1[1]);
    byte[] honest =
        concat(
            honestHeader,
            AesGcm.encrypt(okm1[0], iv2, concat(honestHeader, ctx.associatedData()), PLAINTEXT));
    assertArrayEquals(
        PLAINTEXT,
        AesGcmHkdfFieldCipher.create(k1, RANDOM).decrypt(EncryptedField.of(honest, iv2), ctx));
    assertInvalid(
        () ->
            AesGcmHkdfFieldCipher.create(k2, RANDOM).decrypt(EncryptedField.of(honest, iv2), ctx));
  }

  @Test
  void suite02DestroyingTheDataKey_wipesTheCachedSubkeyAndCommitment() {
    DataKey k = DataKey.generate("dek-1", RANDOM);
    AesGcmHkdfFieldCipher c = AesGcmHkdfFieldCipher.create(k, RANDOM);
    c.encrypt(PLAINTEXT, ctx);
    assertFalse(c.subkeyWiped());
    k.destroy();
    assertTrue(c.subkeyWiped());
    assertThrows(IllegalStateException.class, () -> c.encrypt(PLAINTEXT, ctx));
  }

  @Test
  void cipherForAnAlreadyDestroyedDataKey_isRefused() {
    DataKey k = DataKey.generate("dek-1", RANDOM);
    k.destroy();
    assertThrows(IllegalStateException.class, () -> AesGcmHkdfFieldCipher.create(k, RANDOM));
  }

  /** The cipher's own ceiling on GCM invocations under its subkey (2^32 in production; 3 here). */
  @Test
  void suite02EncryptionLimitReached_refusesFurtherEncryptionsButStillDecrypts() {
    AesGcmHkdfFieldCipher c = AesGcmHkdfFieldCipher.createWithEncryptionLimit(dek, RANDOM, 3);
    List<EncryptedField> fields = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      fields.add(c.encrypt(PLAINTEXT, ctx));
    }
    assertThrows(IllegalStateException.class, () -> c.encrypt(PLAINTEXT, ctx));
    for (EncryptedField f : fields) {
      assertArrayEquals(PLAINTEXT, c.decrypt(f, ctx));
    }
    assertEquals(1L << 32, AesGcmHkdfFieldCipher.MAX_ENCRYPTIONS_PER_SUBKEY);
  }

  /** One cipher (one subkey, one thread-local JCE cipher per thread) shared by four threads. */
  @Test
  void suite02OneCipherSharedByFourThreads_everyFieldRoundTrips() throws Exception {
    FieldCipher c = cipher(ALG02);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 500; i++) {
                    FieldContext fc = ctx.toBuilder().recordId(new UUID(thread, i)).build();
                    byte[] pt =
                        ("thread " + thread + " record " + i).getBytes(StandardCharsets.UTF_8);
                    assertArrayEquals(pt, c.decrypt(c.encrypt(pt, fc), fc));
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- both suites under one data key -----------------------------------------------------------

  /** A record whose older fields are 0x01 and newer fields 0x02: the DEK's one cipher opens all. */
  @Test
  void oneCipherPerDataKey_decryptsFieldsOfBothSuites() {
    FieldContext email = ctx;
    FieldContext phone = ctx.toBuilder().fieldName("phone").build();
    EncryptedField old01 =
        AesGcmHkdfFieldCipher.create(dek, RANDOM, ALG01).encrypt(PLAINTEXT, email);
    byte[] phonePt = "+44 20 7946 0958".getBytes(StandardCharsets.UTF_8);
    EncryptedField new02 = AesGcmHkdfFieldCipher.create(dek, RANDOM).encrypt(phonePt, phone);
    assertEquals(0x01, old01.ciphertext()[1]);
    assertEquals(0x02, new02.ciphertext()[1]);

    FieldCipher reader = AesGcmHkdfFieldCipher.create(dek, RANDOM); // default (0x02) cipher
    assertArrayEquals(PLAINTEXT, reader.decrypt(old01, email));
    assertArrayEquals(phonePt, reader.decrypt(new02, phone));
    FieldCipher reader01 =
        AesGcmHkdfFieldCipher.create(dek, RANDOM, ALG01); // a 0x01 cipher reads 0x02 too
    assertArrayEquals(PLAINTEXT, reader01.decrypt(old01, email));
    assertArrayEquals(phonePt, reader01.decrypt(new02, phone));
    // ...and neither opens under the other field's context.
    assertInvalid(() -> reader.decrypt(old01, phone));
    assertInvalid(() -> reader.decrypt(new02, email));
  }

  // ---- suite 0x01 -------------------------------------------------------------------------------

  @Test
  void suite01TwoEncryptions_differInSaltIvAndCiphertext() {
    FieldCipher c = cipher(ALG01);
    EncryptedField a = c.encrypt(PLAINTEXT, ctx);
    EncryptedField b = c.encrypt(PLAINTEXT, ctx);
    assertFalse(Arrays.equals(a.iv(), b.iv()));
    assertFalse(
        Arrays.equals(
            Arrays.copyOfRange(a.ciphertext(), 2, 34), Arrays.copyOfRange(b.ciphertext(), 2, 34)));
    assertNotEquals(a, b);
  }

  /**
   * Suite 0x01's commitment is checked before GCM: an envelope whose GCM body and tag are valid
   * under K1's message key but whose header carries K2's commitment is refused under both keys.
   */
  @Test
  void suite01CommitmentMismatch_isRefusedUnderBothKeysEvenWhenGcmTagIsValid() {
    DataKey k1 = DataKey.generate("dek-1", RANDOM);
    DataKey k2 = DataKey.generate("dek-1", RANDOM);
    byte[] salt = new byte[32];
    byte[] iv = new byte[12];
    RANDOM.nextBytes(salt);
    RANDOM.nextBytes(iv);
    byte[] info = concat(new byte[] {0x01}, "SR-KEY+COMMIT".getBytes(StandardCharsets.US_ASCII));
    byte[] okm1 =
        k1.useKeyBytes(SecretKeyAccess.insecure(), b -> Hkdf.SHA512.derive(salt, b, info, 64));
    byte[] okm2 =
        k2.useKeyBytes(SecretKeyAccess.insecure(), b -> Hkdf.SHA512.derive(salt, b, info, 64));
    byte[] msgKey1 = Arrays.copyOfRange(okm1, 0, 32);
    byte[] commit1 = Arrays.copyOfRange(okm1, 32, 64);
    byte[] commit2 = Arrays.copyOfRange(okm2, 32, 64);

    byte[] header = concat(concat(new byte[] {0x01, 0x01}, salt), commit2); // K2's commitment
    byte[] aad = concat(header, ctx.associatedData());
    byte[] body = AesGcm.encrypt(msgKey1, iv, aad, PLAINTEXT); // valid GCM under K1
    byte[] forged = concat(header, body);
    assertArrayEquals(PLAINTEXT, AesGcm.decrypt(msgKey1, iv, aad, body));

    assertInvalid(
        () -> AesGcmHkdfFieldCipher.create(k1, RANDOM).decrypt(EncryptedField.of(forged, iv), ctx));
    assertInvalid(
        () -> AesGcmHkdfFieldCipher.create(k2, RANDOM).decrypt(EncryptedField.of(forged, iv), ctx));

    byte[] iv2 = new byte[12];
    RANDOM.nextBytes(iv2);
    byte[] honestHeader = concat(concat(new byte[] {0x01, 0x01}, salt), commit1);
    byte[] honest =
        concat(
            honestHeader,
            AesGcm.encrypt(msgKey1, iv2, concat(honestHeader, ctx.associatedData()), PLAINTEXT));
    assertArrayEquals(
        PLAINTEXT,
        AesGcmHkdfFieldCipher.create(k1, RANDOM).decrypt(EncryptedField.of(honest, iv2), ctx));
    assertInvalid(
        () ->
            AesGcmHkdfFieldCipher.create(k2, RANDOM).decrypt(EncryptedField.of(honest, iv2), ctx));
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** {subkey, commitment} of suite 0x02 for {@code k}, computed from the documented derivation. */
  private static byte[][] dekSubkeyOkm(DataKey k) {
    byte[] salt = "strongroom/field/0x02/dek-subkey".getBytes(StandardCharsets.US_ASCII);
    byte[] info =
        new LengthPrefixed()
            .raw(new byte[] {0x02})
            .raw("SR-DEK-SUBKEY+COMMIT".getBytes(StandardCharsets.US_ASCII))
            .utf8(k.id())
            .toByteArray();
    byte[] okm =
        k.useKeyBytes(SecretKeyAccess.insecure(), b -> Hkdf.SHA512.derive(salt, b, info, 64));
    return new byte[][] {Arrays.copyOfRange(okm, 0, 32), Arrays.copyOfRange(okm, 32, 64)};
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
