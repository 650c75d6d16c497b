package dev.strongroom.crypto.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.aead.AesGcmHkdfFieldCipher;
import dev.strongroom.crypto.aead.EncryptedField;
import dev.strongroom.crypto.aead.FieldAlgorithm;
import dev.strongroom.crypto.aead.FieldCipher;
import dev.strongroom.crypto.aead.FieldContext;
import dev.strongroom.crypto.kms.DataKeyWrapContext;
import dev.strongroom.crypto.kms.InsecureLocalKeyring;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataKeyCacheTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] PT = "0044 20 7946 0958".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;
  private CountingKeyWrapper kms;
  private final AtomicInteger ids = new AtomicInteger();

  @BeforeEach
  void keyring() {
    Path file = dir.resolve("keyring");
    InsecureLocalKeyring.addVersion(file, "1", RANDOM);
    kms = new CountingKeyWrapper(InsecureLocalKeyring.load("dev-kek", file, RANDOM));
  }

  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    Instant now = Instant.parse("2026-11-23T12:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private DataKeyCache cache(DataKeyCachePolicy policy, Clock clock) {
    return DataKeyCache.create(kms, policy, clock, RANDOM, () -> "dek-" + ids.incrementAndGet());
  }

  private static String encryptOne(DataKeyCache cache, String tenant, int size) {
    try (DataKeyCache.Lease lease = cache.acquire(tenant, size)) {
      FieldContext ctx =
          FieldContext.builder()
              .tenantId(tenant)
              .recordId(UUID.randomUUID())
              .fieldName("phone")
              .schemaVersion(1)
              .dataKeyId(lease.dataKeyId())
              .build();
      EncryptedField f = lease.cipher().encrypt(new byte[size], ctx);
      assertArrayEquals(new byte[size], lease.cipher().decrypt(f, ctx));
      return lease.dataKeyId();
    }
  }

  @Test
  void defaultCache_tenThousandRecordsOfOneTenant_atMostOneKmsWrap() {
    try (DataKeyCache cache = DataKeyCache.create(kms, RANDOM)) {
      Set<String> deks = new HashSet<>();
      for (int i = 0; i < 10_000; i++) {
        try (DataKeyCache.Lease lease = cache.acquire("tenant-a", PT.length)) {
          FieldContext ctx =
              FieldContext.builder()
                  .tenantId("tenant-a")
                  .recordId(UUID.randomUUID())
                  .fieldName("phone")
                  .schemaVersion(1)
                  .dataKeyId(lease.dataKeyId())
                  .build();
          lease.cipher().encrypt(PT, ctx);
          deks.add(lease.dataKeyId());
        }
      }
      assertTrue(kms.wraps.get() <= 1, "KMS wrap calls: " + kms.wraps.get());
      assertEquals(1, kms.wraps.get());
      assertEquals(1, deks.size());
    }
  }

  @Test
  void defaults_areDocumentedValues() {
    DataKeyCachePolicy p = DataKeyCachePolicy.defaults();
    assertEquals(Duration.ofMinutes(15), p.maxAge());
    assertEquals(100_000, p.maxRecords());
    assertEquals(1L << 30, p.maxBytes());
    assertEquals(
        FieldAlgorithm.AES_256_GCM_IV12_TAG16_HKDF_SHA512_DEK_SUBKEY_COMMIT_KEY,
        p.fieldAlgorithm());
  }

  /** Suite 0x02 uses one GCM subkey per DEK: 4 fields × maxRecords must stay well under 2^32. */
  @Test
  void suite02PolicyWithMoreThan2pow28Records_isRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DataKeyCachePolicy.builder().maxRecords((1L << 28) + 1).build());
    assertTrue(e.getMessage().contains("2^28"), e.getMessage());
    assertEquals(1L << 28, DataKeyCachePolicy.builder().maxRecords(1L << 28).build().maxRecords());
    assertEquals(1L << 28, DataKeyCachePolicy.MAX_RECORDS_DEK_SUBKEY);
  }

  /** Suite 0x01 derives a key per field, so the GCM bound does not cap its records. */
  @Test
  void suite01PolicyWithMoreThan2pow28Records_isAccepted() {
    DataKeyCachePolicy p =
        DataKeyCachePolicy.builder()
            .fieldAlgorithm(FieldAlgorithm.AES_256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY)
            .maxRecords(1L << 40)
            .build();
    assertEquals(1L << 40, p.maxRecords());
  }

  @Test
  void defaultCache_encryptsNewFieldsWithSuite02AndThePolicySuiteIsHonoured() {
    for (FieldAlgorithm alg : FieldAlgorithm.values()) {
      try (DataKeyCache cache =
              cache(
                  alg == AesGcmHkdfFieldCipher.DEFAULT_ALGORITHM
                      ? DataKeyCachePolicy.defaults()
                      : DataKeyCachePolicy.builder().fieldAlgorithm(alg).build(),
                  Clock.systemUTC());
          DataKeyCache.Lease lease = cache.acquire("t", PT.length)) {
        FieldContext ctx =
            FieldContext.builder()
                .tenantId("t")
                .recordId(UUID.randomUUID())
                .fieldName("email")
                .schemaVersion(1)
                .dataKeyId(lease.dataKeyId())
                .build();
        EncryptedField f = lease.cipher().encrypt(PT, ctx);
        assertEquals(alg.wireId(), f.ciphertext()[1]);
        assertEquals(alg.headerLength() + PT.length + 16, f.ciphertext().length);
        assertArrayEquals(PT, lease.cipher().decrypt(f, ctx));
      }
    }
  }

  @Test
  void maxAgeReached_triggersNewDataKey() {
    ManualClock clock = new ManualClock();
    try (DataKeyCache cache =
        cache(DataKeyCachePolicy.builder().maxAge(Duration.ofMinutes(5)).build(), clock)) {
      String first = encryptOne(cache, "t", 10);
      clock.now = clock.now.plus(Duration.ofMinutes(5)).minusMillis(1);
      assertEquals(first, encryptOne(cache, "t", 10));
      clock.now = clock.now.plusMillis(1);
      String second = encryptOne(cache, "t", 10);
      assertNotEquals(first, second);
      assertEquals(2, kms.wraps.get());
    }
  }

  @Test
  void maxRecordsReached_triggersNewDataKey() {
    try (DataKeyCache cache =
        cache(DataKeyCachePolicy.builder().maxRecords(3).build(), Clock.systemUTC())) {
      String a = encryptOne(cache, "t", 1);
      assertEquals(a, encryptOne(cache, "t", 1));
      assertEquals(a, encryptOne(cache, "t", 1));
      String b = encryptOne(cache, "t", 1);
      assertNotEquals(a, b);
      assertEquals(2, kms.wraps.get());
    }
  }

  @Test
  void maxBytesReached_triggersNewDataKey() {
    try (DataKeyCache cache =
        cache(DataKeyCachePolicy.builder().maxBytes(100).build(), Clock.systemUTC())) {
      String a = encryptOne(cache, "t", 60);
      assertEquals(a, encryptOne(cache, "t", 40)); // exactly 100
      String b = encryptOne(cache, "t", 1); // would be 101
      assertNotEquals(a, b);
      String c = encryptOne(cache, "t", 500); // a record larger than the bound gets its own key
      assertNotEquals(b, c);
      assertEquals(3, kms.wraps.get());
    }
  }

  @Test
  void tenants_getSeparateDataKeys() {
    try (DataKeyCache cache = cache(DataKeyCachePolicy.defaults(), Clock.systemUTC())) {
      assertNotEquals(encryptOne(cache, "t1", 5), encryptOne(cache, "t2", 5));
      assertEquals(2, kms.wraps.get());
    }
  }

  @Test
  void wrappedKey_unwrapsWithTenantAndDekIdAndDecryptsTheRecord() {
    try (DataKeyCache cache = cache(DataKeyCachePolicy.defaults(), Clock.systemUTC());
        DataKeyCache.Lease lease = cache.acquire("tenant-a", PT.length)) {
      FieldContext ctx =
          FieldContext.builder()
              .tenantId("tenant-a")
              .recordId(UUID.randomUUID())
              .fieldName("phone")
              .schemaVersion(1)
              .dataKeyId(lease.dataKeyId())
              .build();
      EncryptedField f = lease.cipher().encrypt(PT, ctx);
      // A reader with KMS rights and only the data_keys row:
      DataKey dek =
          kms.unwrap(
              lease.wrappedKey(),
              lease.dataKeyId(),
              DataKeyWrapContext.encode("tenant-a", lease.dataKeyId()));
      assertArrayEquals(PT, AesGcmHkdfFieldCipher.create(dek, RANDOM).decrypt(f, ctx));
    }
  }

  /** A retired key is wiped once its last lease closes, never before. */
  @Test
  void retiredKey_isWipedWhenItsLastLeaseCloses() {
    try (DataKeyCache cache =
        cache(DataKeyCachePolicy.builder().maxRecords(1).build(), Clock.systemUTC())) {
      DataKeyCache.Lease first = cache.acquire("t", 1);
      FieldCipher oldCipher = first.cipher();
      FieldContext ctx =
          FieldContext.builder()
              .tenantId("t")
              .recordId(UUID.randomUUID())
              .fieldName("name")
              .schemaVersion(1)
              .dataKeyId(first.dataKeyId())
              .build();
      DataKeyCache.Lease second = cache.acquire("t", 1); // retires the first key
      assertNotEquals(first.dataKeyId(), second.dataKeyId());
      oldCipher.encrypt(PT, ctx); // still leased: still usable
      first.close();
      assertThrows(IllegalStateException.class, () -> oldCipher.encrypt(PT, ctx)); // bytes wiped
      assertThrows(IllegalStateException.class, first::cipher);
      second.close();
    }
  }

  @Test
  void closedCache_wipesIdleKeys() {
    DataKeyCache cache = cache(DataKeyCachePolicy.defaults(), Clock.systemUTC());
    FieldCipher c;
    FieldContext ctx;
    try (DataKeyCache.Lease lease = cache.acquire("t", 1)) {
      c = lease.cipher();
      ctx =
          FieldContext.builder()
              .tenantId("t")
              .recordId(UUID.randomUUID())
              .fieldName("name")
              .schemaVersion(1)
              .dataKeyId(lease.dataKeyId())
              .build();
    }
    cache.close();
    FieldCipher cipher = c;
    FieldContext context = ctx;
    assertThrows(IllegalStateException.class, () -> cipher.encrypt(PT, context));
    assertThrows(IllegalStateException.class, () -> cache.acquire("t", 1));
  }

  @Test
  void concurrentRecordsOfOneTenant_shareOneKeyAndOneKmsCall() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (DataKeyCache cache = cache(DataKeyCachePolicy.defaults(), Clock.systemUTC())) {
      Set<String> deks = java.util.concurrent.ConcurrentHashMap.newKeySet();
      java.util.List<Future<?>> fs = new java.util.ArrayList<>();
      for (int t = 0; t < 8; t++) {
        fs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 500; i++) {
                    deks.add(encryptOne(cache, "tenant-a", 16));
                  }
                }));
      }
      for (Future<?> f : fs) {
        f.get(60, TimeUnit.SECONDS);
      }
      assertEquals(1, deks.size());
      assertEquals(1, kms.wraps.get());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentRotation_neverEncryptsUnderAWipedKey() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (DataKeyCache cache =
        cache(DataKeyCachePolicy.builder().maxRecords(7).build(), Clock.systemUTC())) {
      java.util.List<Future<?>> fs = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        fs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 300; i++) {
                    encryptOne(
                        cache, "tenant-a", 8); // throws if a key was wiped under a live lease
                  }
                }));
      }
      for (Future<?> f : fs) {
        f.get(60, TimeUnit.SECONDS);
      }
      assertTrue(kms.wraps.get() >= 1200 / 7);
    } finally {
      pool.shutdownNow();
    }
  }
}
