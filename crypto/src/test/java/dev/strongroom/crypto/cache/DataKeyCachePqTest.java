package dev.strongroom.crypto.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.SecretKeyAccess;
import dev.strongroom.crypto.aead.AesGcmHkdfFieldCipher;
import dev.strongroom.crypto.aead.EncryptedField;
import dev.strongroom.crypto.aead.FieldContext;
import dev.strongroom.crypto.kms.DataKeyWrapContext;
import dev.strongroom.crypto.kms.InsecureLocalKeyring;
import dev.strongroom.crypto.kms.XWingKeyWrapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The optional post-quantum wrap: every new data key is also wrapped to an X-Wing recovery key. */
class DataKeyCachePqTest {
  private final SecureRandom random = new SecureRandom();

  @Test
  void pqWrap_isAdditive_andRecoversTheDataKeyThatEncryptedTheFields(@TempDir Path dir) {
    Path keyring = dir.resolve("kek");
    InsecureLocalKeyring.addVersion(keyring, "1", random);
    XWingKeyWrapper.KeyPair recovery = XWingKeyWrapper.generateKeyPair(random);
    XWingKeyWrapper wrapOnly =
        XWingKeyWrapper.forRecipient("pq-recovery", "1", recovery.publicKey(), random);
    try (DataKeyCache cache =
        DataKeyCache.create(
            InsecureLocalKeyring.load("kek", keyring, random),
            wrapOnly,
            DataKeyCachePolicy.defaults(),
            Clock.systemUTC(),
            random,
            () -> UUID.randomUUID().toString())) {
      EncryptedField field;
      FieldContext ctx;
      String dekId;
      byte[] pq;
      try (DataKeyCache.Lease lease = cache.acquire("acme", 5)) {
        dekId = lease.dataKeyId();
        ctx =
            FieldContext.builder()
                .tenantId("acme")
                .recordId(UUID.randomUUID())
                .fieldName("name")
                .schemaVersion(1)
                .dataKeyId(dekId)
                .build();
        field = lease.cipher().encrypt("Alice".getBytes(StandardCharsets.UTF_8), ctx);
        assertTrue(lease.postQuantumWrappedKey().isPresent());
        pq = lease.postQuantumWrappedKey().get().bytes();
        assertEquals(
            lease.postQuantumWrappedKey().get(),
            cache.acquire("acme", 5).postQuantumWrappedKey().get(),
            "one PQ wrap per data key");
      }
      XWingKeyWrapper holder =
          XWingKeyWrapper.withPrivateKey(
              "pq-recovery", "1", recovery.privateKey(SecretKeyAccess.insecure()), random);
      DataKey recovered =
          holder.unwrap(
              dev.strongroom.crypto.kms.WrappedKey.of("pq-recovery", "1", pq),
              dekId,
              DataKeyWrapContext.encode("acme", dekId));
      assertArrayEquals(
          "Alice".getBytes(StandardCharsets.UTF_8),
          AesGcmHkdfFieldCipher.create(recovered, random).decrypt(field, ctx));
    }
  }

  @Test
  void withoutPqWrapper_thereIsNoPqWrap(@TempDir Path dir) throws Exception {
    Path keyring = dir.resolve("kek");
    InsecureLocalKeyring.addVersion(keyring, "1", random);
    try (DataKeyCache cache =
            DataKeyCache.create(InsecureLocalKeyring.load("kek", keyring, random), random);
        DataKeyCache.Lease lease = cache.acquire("acme", 1)) {
      assertTrue(lease.postQuantumWrappedKey().isEmpty());
    }
    assertTrue(Files.exists(keyring));
  }
}
