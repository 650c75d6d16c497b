package dev.strongroom.crypto.aead;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.InvalidCiphertextException;
import dev.strongroom.crypto.SecretKeyAccess;
import dev.strongroom.crypto.internal.AesGcm;
import dev.strongroom.crypto.internal.Hkdf;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class AesGcmHkdfFieldCipherTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] PLAINTEXT = "Ada Lovelace <ada@example.org>".getBytes(StandardCharsets.UTF_8);

  private final DataKey dek = DataKey.generate("dek-1", RANDOM);
  private final FieldCipher cipher = AesGcmHkdfFieldCipher.create(dek, RANDOM);
  private final FieldContext ctx =
      FieldContext.builder()
          .tenantId("tenant-a")
          .recordId(UUID.fromString("01890a5d-ac96-774b-bcce-b302099a8057"))
          .fieldName("email")
          .schemaVersion(1)
          .dataKeyId("dek-1")
          .build();

  private static void assertInvalid(Executable e) {
    InvalidCiphertextException ex = assertThrows(InvalidCiphertextException.class, e);
    assertEquals("invalid ciphertext", ex.getMessage());
  }

  @Test
  void roundTrip_returnsPlaintext() {
    EncryptedField f = cipher.encrypt(PLAINTEXT, ctx);
    assertArrayEquals(PLAINTEXT, cipher.decrypt(f, ctx));
    assertEquals(AesGcmHkdfFieldCipher.MIN_CIPHERTEXT_LENGTH + PLAINTEXT.length, f.ciphertext().length);
    assertEquals(12, f.iv().length);
  }

  @Test
  void emptyPlaintext_roundTrips() {
    EncryptedField f = cipher.encrypt(new byte[0], ctx);
    assertArrayEquals(new byte[0], cipher.decrypt(f, ctx));
  }

  @Test
  void twoEncryptions_differInSaltIvAndCiphertext() {
    EncryptedField a = cipher.encrypt(PLAINTEXT, ctx);
    EncryptedField b = cipher.encrypt(PLAINTEXT, ctx);
    assertFalse(Arrays.equals(a.iv(), b.iv()));
    assertFalse(Arrays.equals(Arrays.copyOfRange(a.ciphertext(), 2, 34), Arrays.copyOfRange(b.ciphertext(), 2, 34)));
    assertNotEquals(a, b);
  }

  @Test
  void envelopeHeader_carriesVersionAndAlgorithmId() {
    byte[] ct = cipher.encrypt(PLAINTEXT, ctx).ciphertext();
    assertEquals(0x01, ct[0]);
    assertEquals(FieldAlgorithm.AES_256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY.wireId(), ct[1]);
  }

  /** Every single-bit flip anywhere in the envelope (version, algorithm, salt, commitment, body, tag) or the IV fails. */
  @Test
  void everyByteOfEnvelopeAndIvFlipped_failsToDecrypt() {
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
      byte[] t = iv.clone();
      t[i] ^= 0x01;
      assertInvalid(() -> cipher.decrypt(EncryptedField.of(ct, t), ctx));
    }
  }

  @Test
  void truncatedOrExtendedEnvelope_failsToDecrypt() {
    EncryptedField f = cipher.encrypt(PLAINTEXT, ctx);
    byte[] ct = f.ciphertext();
    for (int len = 0; len < ct.length; len++) {
      byte[] t = Arrays.copyOf(ct, len);
      assertInvalid(() -> cipher.decrypt(EncryptedField.of(t, f.iv()), ctx));
    }
    assertInvalid(() -> cipher.decrypt(EncryptedField.of(Arrays.copyOf(ct, ct.length + 1), f.iv()), ctx));
    assertInvalid(() -> cipher.decrypt(EncryptedField.of(ct, Arrays.copyOf(f.iv(), 11)), ctx));
    assertInvalid(() -> cipher.decrypt(EncryptedField.of(ct, Arrays.copyOf(f.iv(), 16)), ctx));
  }

  @Test
  void swappedAadField_failsToDecrypt() {
    EncryptedField f = cipher.encrypt(PLAINTEXT, ctx);
    assertInvalid(() -> cipher.decrypt(f, ctx.toBuilder().fieldName("phone").build()));
  }

  @Test
  void swappedAadRecord_failsToDecrypt() {
    EncryptedField f = cipher.encrypt(PLAINTEXT, ctx);
    assertInvalid(() -> cipher.decrypt(f, ctx.toBuilder().recordId(UUID.randomUUID()).build()));
  }

  @Test
  void swappedAadTenant_failsToDecrypt() {
    EncryptedField f = cipher.encrypt(PLAINTEXT, ctx);
    assertInvalid(() -> cipher.decrypt(f, ctx.toBuilder().tenantId("tenant-b").build()));
  }

  @Test
  void otherSchemaVersion_failsToDecrypt() {
    EncryptedField f = cipher.encrypt(PLAINTEXT, ctx);
    assertInvalid(() -> cipher.decrypt(f, ctx.toBuilder().schemaVersion(2).build()));
  }

  @Test
  void otherDataKeyIdInContext_failsToDecrypt() {
    EncryptedField f = cipher.encrypt(PLAINTEXT, ctx);
    assertInvalid(() -> cipher.decrypt(f, ctx.toBuilder().dataKeyId("dek-2").build()));
  }

  /** A ciphertext moved from the email to the phone column of another record of the same tenant. */
  @Test
  void ciphertextMovedBetweenRecordsAndFields_failsToDecrypt() {
    FieldContext other = ctx.toBuilder().recordId(UUID.randomUUID()).fieldName("phone").build();
    EncryptedField email = cipher.encrypt(PLAINTEXT, ctx);
    assertInvalid(() -> cipher.decrypt(email, other));
  }

  @Test
  void wrongDataKey_failsToDecrypt() {
    EncryptedField f = cipher.encrypt(PLAINTEXT, ctx);
    DataKey other = DataKey.generate("dek-1", RANDOM); // same id, other bytes
    assertInvalid(() -> AesGcmHkdfFieldCipher.create(other, RANDOM).decrypt(f, ctx));
  }

  @Test
  void encryptWithContextForAnotherDataKey_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> cipher.encrypt(PLAINTEXT, ctx.toBuilder().dataKeyId("dek-9").build()));
  }

  @Test
  void destroyedDataKey_refusesToEncrypt() {
    DataKey k = DataKey.generate("dek-1", RANDOM);
    FieldCipher c = AesGcmHkdfFieldCipher.create(k, RANDOM);
    k.destroy();
    assertThrows(IllegalStateException.class, () -> c.encrypt(PLAINTEXT, ctx));
  }

  /**
   * Key commitment is checked before GCM. The attacker knows two data keys K1 and K2 and builds an
   * envelope whose GCM body and tag are valid under K1's message key but whose header carries K2's
   * commitment (what a "decrypts under two keys" ciphertext needs: one header valid for both).
   * GCM alone would accept it under K1; the commitment check refuses it under K1, and under K2 the
   * message key differs so GCM refuses. A mismatched commitment therefore always fails.
   */
  @Test
  void commitmentMismatch_isRefusedEvenWhenGcmTagIsValid() {
    DataKey k1 = DataKey.generate("dek-1", RANDOM);
    DataKey k2 = DataKey.generate("dek-1", RANDOM);
    byte[] salt = new byte[32];
    byte[] iv = new byte[12];
    RANDOM.nextBytes(salt);
    RANDOM.nextBytes(iv);
    byte[] info = {0x01};
    byte[] prk1 = k1.useKeyBytes(SecretKeyAccess.insecure(), b -> Hkdf.SHA512.extract(salt, b));
    byte[] prk2 = k2.useKeyBytes(SecretKeyAccess.insecure(), b -> Hkdf.SHA512.extract(salt, b));
    byte[] okm1 = Hkdf.SHA512.expand(prk1, concat(info, "SR-KEY+COMMIT"), 64);
    byte[] okm2 = Hkdf.SHA512.expand(prk2, concat(info, "SR-KEY+COMMIT"), 64);
    byte[] msgKey1 = Arrays.copyOfRange(okm1, 0, 32);
    byte[] commit1 = Arrays.copyOfRange(okm1, 32, 64);
    byte[] commit2 = Arrays.copyOfRange(okm2, 32, 64);

    byte[] header = new byte[66];
    header[0] = 0x01;
    header[1] = 0x01;
    System.arraycopy(salt, 0, header, 2, 32);
    System.arraycopy(commit2, 0, header, 34, 32); // K2's commitment
    byte[] aad = concat(header, ctx.associatedData());
    byte[] body = AesGcm.encrypt(msgKey1, iv, aad, PLAINTEXT); // valid GCM under K1
    byte[] forged = concat(header, body);
    // Sanity: GCM itself accepts the body under K1's message key with this header.
    assertArrayEquals(PLAINTEXT, AesGcm.decrypt(msgKey1, iv, aad, body));

    assertInvalid(() -> AesGcmHkdfFieldCipher.create(k1, RANDOM).decrypt(EncryptedField.of(forged, iv), ctx));
    assertInvalid(() -> AesGcmHkdfFieldCipher.create(k2, RANDOM).decrypt(EncryptedField.of(forged, iv), ctx));

    // The honest envelope (K1's commitment) opens under K1 only. (A fresh IV: the JCE refuses to
    // encrypt twice with one key and IV, rightly.)
    byte[] iv2 = new byte[12];
    RANDOM.nextBytes(iv2);
    byte[] honestHeader = header.clone();
    System.arraycopy(commit1, 0, honestHeader, 34, 32);
    byte[] honestAad = concat(honestHeader, ctx.associatedData());
    byte[] honest = concat(honestHeader, AesGcm.encrypt(msgKey1, iv2, honestAad, PLAINTEXT));
    assertArrayEquals(PLAINTEXT, AesGcmHkdfFieldCipher.create(k1, RANDOM).decrypt(EncryptedField.of(honest, iv2), ctx));
    assertInvalid(() -> AesGcmHkdfFieldCipher.create(k2, RANDOM).decrypt(EncryptedField.of(honest, iv2), ctx));
  }

  @Test
  void unknownVersionOrAlgorithm_failsToDecrypt() {
    EncryptedField f = cipher.encrypt(PLAINTEXT, ctx);
    for (int v : new int[] {0x00, 0x02, 0xFF}) {
      byte[] t = f.ciphertext();
      t[0] = (byte) v;
      assertInvalid(() -> cipher.decrypt(EncryptedField.of(t, f.iv()), ctx));
      byte[] u = f.ciphertext();
      u[1] = (byte) v;
      assertInvalid(() -> cipher.decrypt(EncryptedField.of(u, f.iv()), ctx));
    }
  }

  private static byte[] concat(byte[] a, String s) {
    return concat(a, s.getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
