package dev.strongroom.crypto.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.InvalidCiphertextException;
import dev.strongroom.crypto.KmsException;
import dev.strongroom.crypto.aead.AesGcmHkdfFieldCipher;
import dev.strongroom.crypto.aead.EncryptedField;
import dev.strongroom.crypto.aead.FieldCipher;
import dev.strongroom.crypto.aead.FieldContext;
import dev.strongroom.crypto.kms.DataKeyWrapContext;
import dev.strongroom.crypto.kms.InsecureLocalKeyring;
import dev.strongroom.crypto.kms.KeyWrapper;
import dev.strongroom.crypto.kms.WrappedKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnwrappedKeyCacheTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] PT = "ada@example.org".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;
  private CountingKeyWrapper kms;
  private final DataKeyCacheTest.ManualClock clock = new DataKeyCacheTest.ManualClock();

  @BeforeEach
  void keyring() {
    Path file = dir.resolve("keyring");
    InsecureLocalKeyring.addVersion(file, "1", RANDOM);
    kms = new CountingKeyWrapper(InsecureLocalKeyring.load("dev-kek", file, RANDOM));
  }

  /** A record as the encrypt side leaves it: a wrapped data key and one encrypted field. */
  private record Stored(
      String tenant, String dekId, WrappedKey wrapped, FieldContext ctx, EncryptedField field) {}

  private Stored store(String tenant) {
    String dekId = "dek-" + UUID.randomUUID();
    DataKey key = DataKey.generate(dekId, RANDOM);
    try {
      WrappedKey wrapped = kms.wrap(key, DataKeyWrapContext.encode(tenant, dekId));
      FieldContext ctx =
          FieldContext.builder()
              .tenantId(tenant)
              .recordId(UUID.randomUUID())
              .fieldName("email")
              .schemaVersion(1)
              .dataKeyId(dekId)
              .build();
      return new Stored(
          tenant, dekId, wrapped, ctx, AesGcmHkdfFieldCipher.create(key, RANDOM).encrypt(PT, ctx));
    } finally {
      key.destroy();
    }
  }

  private UnwrappedKeyCache cache(int entries, Duration age, long uses) {
    return new UnwrappedKeyCache(
        kms, new UnwrappedKeyCache.Policy(entries, age, uses), clock, RANDOM);
  }

  private static byte[] read(UnwrappedKeyCache cache, Stored s) {
    try (UnwrappedKeyCache.Lease lease = cache.acquire(s.tenant(), s.dekId(), s.wrapped())) {
      return lease.cipher().decrypt(s.field(), s.ctx());
    }
  }

  @Test
  void burstOfReadsOfOneTenant_costsOneUnwrap() {
    Stored s = store("tenant-a");
    try (UnwrappedKeyCache cache =
        new UnwrappedKeyCache(kms, UnwrappedKeyCache.Policy.defaults(), clock, RANDOM)) {
      for (int i = 0; i < 1_000; i++) {
        assertArrayEquals(PT, read(cache, s));
      }
      assertEquals(1, kms.unwraps.get());
      assertEquals(new UnwrappedKeyCache.Stats(999, 1, 1, 0, 1), cache.stats());
    }
  }

  @Test
  void concurrentMissesForOneKey_oneUnwrap() throws Exception {
    Stored s = store("tenant-a");
    CountDownLatch inKms = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    KeyWrapper slow = new SlowUnwrap(kms, inKms, release);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (UnwrappedKeyCache cache =
        new UnwrappedKeyCache(slow, UnwrappedKeyCache.Policy.defaults(), clock, RANDOM)) {
      List<Future<byte[]>> reads = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        reads.add(pool.submit(() -> read(cache, s)));
      }
      assertTrue(inKms.await(10, TimeUnit.SECONDS));
      Thread.sleep(200); // the other seven reach the cache while the first is in the KMS
      release.countDown();
      for (Future<byte[]> f : reads) {
        assertArrayEquals(PT, f.get(10, TimeUnit.SECONDS));
      }
      assertEquals(1, kms.unwraps.get());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void maxAge_reachedUnwrapsAgain_andWipesTheOldKeyWhenItsLeaseCloses() {
    Stored s = store("tenant-a");
    try (UnwrappedKeyCache cache = cache(16, Duration.ofMinutes(5), 1_000)) {
      UnwrappedKeyCache.Lease held = cache.acquire(s.tenant(), s.dekId(), s.wrapped());
      FieldCipher old = held.cipher();
      clock.now = clock.now.plus(Duration.ofMinutes(5));
      assertArrayEquals(PT, read(cache, s));
      assertEquals(2, kms.unwraps.get());
      assertArrayEquals(PT, old.decrypt(s.field(), s.ctx()), "a leased key survives eviction");
      held.close();
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> old.decrypt(s.field(), s.ctx()));
      assertTrue(e.getMessage().contains("destroyed"), e.getMessage());
    }
  }

  @Test
  void maxUses_reachedUnwrapsAgain() {
    Stored s = store("tenant-a");
    try (UnwrappedKeyCache cache = cache(16, Duration.ofHours(1), 3)) {
      for (int i = 0; i < 7; i++) {
        read(cache, s);
      }
      assertEquals(3, kms.unwraps.get()); // uses 1-3, 4-6, 7
      assertEquals(2, cache.stats().evictions());
    }
  }

  @Test
  void maxEntries_evictsTheLeastRecentlyUsed_andWipesIt() {
    Stored a = store("tenant-a");
    Stored b = store("tenant-b");
    Stored c = store("tenant-c");
    try (UnwrappedKeyCache cache = cache(2, Duration.ofHours(1), 1_000)) {
      FieldCipher aCipher;
      try (UnwrappedKeyCache.Lease l = cache.acquire(a.tenant(), a.dekId(), a.wrapped())) {
        aCipher = l.cipher();
      }
      read(cache, b);
      read(cache, a); // a is now the most recently used
      read(cache, c); // evicts b
      assertEquals(3, kms.unwraps.get());
      read(cache, a);
      assertEquals(3, kms.unwraps.get(), "a stayed cached");
      read(cache, b);
      assertEquals(4, kms.unwraps.get(), "b was evicted");
      assertEquals(2, cache.stats().size());
      // b's return evicted c (the least recent), a stays: its cipher still works
      assertArrayEquals(PT, aCipher.decrypt(a.field(), a.ctx()));
      read(cache, c); // evicts a
      assertThrows(IllegalStateException.class, () -> aCipher.decrypt(a.field(), a.ctx()));
    }
  }

  @Test
  void tamperedWrapUnderACachedDekId_missesTheCacheAndIsRefusedByTheKms() {
    Stored s = store("tenant-a");
    try (UnwrappedKeyCache cache = cache(16, Duration.ofHours(1), 1_000)) {
      read(cache, s);
      byte[] bytes = s.wrapped().bytes();
      bytes[bytes.length - 1] ^= 1;
      WrappedKey forged = WrappedKey.of(s.wrapped().keyName(), s.wrapped().keyVersion(), bytes);
      InvalidCiphertextException e =
          assertThrows(
              InvalidCiphertextException.class, () -> cache.acquire(s.tenant(), s.dekId(), forged));
      assertEquals("invalid ciphertext", e.getMessage());
      assertEquals(2, kms.unwraps.get());
      assertEquals(1, cache.stats().size(), "a refused unwrap is not cached");
    }
  }

  @Test
  void cachedKeyPresentedForAnotherTenant_missesTheCacheAndIsRefusedByTheKms() {
    Stored s = store("tenant-a");
    try (UnwrappedKeyCache cache = cache(16, Duration.ofHours(1), 1_000)) {
      read(cache, s);
      InvalidCiphertextException e =
          assertThrows(
              InvalidCiphertextException.class,
              () -> cache.acquire("tenant-b", s.dekId(), s.wrapped()));
      assertEquals("invalid ciphertext", e.getMessage());
      assertEquals(2, kms.unwraps.get());
    }
  }

  @Test
  void kmsDown_isNotCached_andTheNextReadAsksAgain() {
    Stored s = store("tenant-a");
    FailingOnce failing = new FailingOnce(kms);
    try (UnwrappedKeyCache cache =
        new UnwrappedKeyCache(
            failing, new UnwrappedKeyCache.Policy(16, Duration.ofHours(1), 1_000), clock, RANDOM)) {
      KmsException e =
          assertThrows(KmsException.class, () -> cache.acquire(s.tenant(), s.dekId(), s.wrapped()));
      assertTrue(e.retriable());
      assertArrayEquals(PT, read(cache, s));
      assertEquals(new UnwrappedKeyCache.Stats(0, 2, 2, 0, 1), cache.stats());
    }
  }

  @Test
  void close_wipesEveryCachedKey_andRefusesFurtherUse() {
    Stored s = store("tenant-a");
    UnwrappedKeyCache cache = cache(16, Duration.ofHours(1), 1_000);
    FieldCipher cipher;
    try (UnwrappedKeyCache.Lease l = cache.acquire(s.tenant(), s.dekId(), s.wrapped())) {
      cipher = l.cipher();
    }
    cache.close();
    assertThrows(IllegalStateException.class, () -> cipher.decrypt(s.field(), s.ctx()));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> cache.acquire(s.tenant(), s.dekId(), s.wrapped()));
    assertEquals("cache closed", e.getMessage());
  }

  @Test
  void invalidPolicies_areRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new UnwrappedKeyCache.Policy(0, Duration.ofMinutes(1), 1));
    assertThrows(
        IllegalArgumentException.class, () -> new UnwrappedKeyCache.Policy(1, Duration.ZERO, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new UnwrappedKeyCache.Policy(1, Duration.ofMinutes(1), 0));
  }

  /** Holds the first unwrap in the KMS until released. */
  private static final class SlowUnwrap extends Delegating {
    private final CountDownLatch inKms;
    private final CountDownLatch release;

    SlowUnwrap(KeyWrapper d, CountDownLatch inKms, CountDownLatch release) {
      super(d);
      this.inKms = inKms;
      this.release = release;
    }

    @Override
    public DataKey unwrap(WrappedKey wrapped, String dataKeyId, byte[] associatedData) {
      inKms.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return super.unwrap(wrapped, dataKeyId, associatedData);
    }
  }

  /** The KMS unreachable for the first unwrap. */
  private static final class FailingOnce extends Delegating {
    private boolean failed;

    FailingOnce(KeyWrapper d) {
      super(d);
    }

    @Override
    public synchronized DataKey unwrap(WrappedKey wrapped, String dataKeyId, byte[] ad) {
      if (!failed) {
        failed = true;
        ((CountingKeyWrapper) delegate).unwraps.incrementAndGet();
        throw new KmsException("KMS unreachable", true, null);
      }
      return super.unwrap(wrapped, dataKeyId, ad);
    }
  }

  private abstract static class Delegating implements KeyWrapper {
    final KeyWrapper delegate;

    Delegating(KeyWrapper delegate) {
      this.delegate = delegate;
    }

    @Override
    public String keyName() {
      return delegate.keyName();
    }

    @Override
    public String primaryVersion() {
      return delegate.primaryVersion();
    }

    @Override
    public dev.strongroom.crypto.kms.WrappedKey wrap(DataKey dataKey, byte[] associatedData) {
      return delegate.wrap(dataKey, associatedData);
    }

    @Override
    public DataKey unwrap(WrappedKey wrapped, String dataKeyId, byte[] associatedData) {
      return delegate.unwrap(wrapped, dataKeyId, associatedData);
    }
  }
}
