package dev.strongroom.crypto.cache;

import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.aead.AesGcmHkdfFieldCipher;
import dev.strongroom.crypto.aead.FieldCipher;
import dev.strongroom.crypto.kms.DataKeyWrapContext;
import dev.strongroom.crypto.kms.KeyWrapper;
import dev.strongroom.crypto.kms.WrappedKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The decrypt side's cache of unwrapped data keys: a burst of reads of one tenant's records costs
 * one KMS unwrap per data key, not one per record (issue 10).
 *
 * <p>An entry is found only by the exact {@code (tenant, dek_id, kms_key_name, kms_key_version,
 * wrapped_dek)} that the KMS unwrapped: a caller that presents other wrapped bytes, another KEK
 * version or another tenant for a cached {@code dek_id} misses and goes to the KMS, which refuses
 * what does not verify. The cache never answers for a wrap the KMS has not checked.
 *
 * <p>Bounds (each enforced, none optional): {@link Policy#maxEntries()} keys at most (the least
 * recently used is evicted), {@link Policy#maxAge()} after the unwrap, {@link Policy#maxUses()}
 * decrypt leases per unwrap. A key leaving the cache by any of these, by {@link #invalidateAll()}
 * or by {@link #close()} is wiped ({@link DataKey#destroy()}, which also wipes its cipher's subkey)
 * as soon as no lease still uses it. Concurrent misses for one key make one KMS call and share its
 * answer; a failed unwrap is not cached.
 *
 * <p>Thread-safe. {@link #stats()} gives hits, misses, unwraps, evictions and size for metrics.
 */
public final class UnwrappedKeyCache implements AutoCloseable {

  /** The bounds. */
  public record Policy(int maxEntries, Duration maxAge, long maxUses) {
    public static final int DEFAULT_MAX_ENTRIES = 1024;
    public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(5);
    public static final long DEFAULT_MAX_USES = 10_000;

    public Policy {
      Objects.requireNonNull(maxAge, "maxAge");
      if (maxEntries < 1 || maxUses < 1 || maxAge.isNegative() || maxAge.isZero()) {
        throw new IllegalArgumentException(
            "maxEntries and maxUses must be >= 1 and maxAge positive");
      }
    }

    public static Policy defaults() {
      return new Policy(DEFAULT_MAX_ENTRIES, DEFAULT_MAX_AGE, DEFAULT_MAX_USES);
    }
  }

  /** Counters since creation, and the current number of cached keys. */
  public record Stats(long hits, long misses, long unwraps, long evictions, int size) {}

  private record CacheKey(String tenantId, String dataKeyId, WrappedKey wrapped) {}

  private final KeyWrapper wrapper;
  private final Policy policy;
  private final Clock clock;
  private final SecureRandom random;
  // access-ordered: the first entry is the least recently used; guarded by itself
  private final LinkedHashMap<CacheKey, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private final ConcurrentHashMap<CacheKey, CompletableFuture<Entry>> loading =
      new ConcurrentHashMap<>();
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private final AtomicLong unwraps = new AtomicLong();
  private final AtomicLong evictions = new AtomicLong();
  private boolean closed; // guarded by entries

  public UnwrappedKeyCache(KeyWrapper wrapper, Policy policy, Clock clock, SecureRandom random) {
    this.wrapper = Objects.requireNonNull(wrapper, "wrapper");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
  }

  public Policy policy() {
    return policy;
  }

  /**
   * A lease on the unwrapped data key {@code dataKeyId} of {@code tenantId}, from the cache or from
   * one KMS unwrap (with {@link DataKeyWrapContext#encode} of tenant and key id as associated
   * data). Close the lease when the record is decrypted.
   *
   * @throws dev.strongroom.crypto.InvalidCiphertextException if the KMS refuses the wrap
   * @throws dev.strongroom.crypto.KmsException if the KMS cannot be used
   */
  public Lease acquire(String tenantId, String dataKeyId, WrappedKey wrapped) {
    CacheKey k =
        new CacheKey(
            Objects.requireNonNull(tenantId, "tenantId"),
            Objects.requireNonNull(dataKeyId, "dataKeyId"),
            Objects.requireNonNull(wrapped, "wrapped"));
    while (true) {
      synchronized (entries) {
        if (closed) {
          throw new IllegalStateException("cache closed");
        }
        Entry e = entries.get(k);
        if (e != null) {
          if (usable(e)) {
            hits.incrementAndGet();
            return lease(e);
          }
          entries.remove(k);
          evict(e);
        }
      }
      CompletableFuture<Entry> mine = new CompletableFuture<>();
      CompletableFuture<Entry> inFlight = loading.putIfAbsent(k, mine);
      if (inFlight != null) {
        await(inFlight); // another caller is unwrapping this exact key: share its answer
        continue;
      }
      misses.incrementAndGet();
      try {
        Entry e = load(k);
        synchronized (entries) {
          if (closed) {
            e.key.destroy();
            throw new IllegalStateException("cache closed");
          }
          Entry old = entries.put(k, e);
          if (old != null) {
            evict(old);
          }
          trim();
          Lease l = lease(e);
          mine.complete(e);
          return l;
        }
      } catch (RuntimeException ex) {
        mine.completeExceptionally(ex);
        throw ex;
      } finally {
        loading.remove(k, mine);
      }
    }
  }

  /** Evicts (and wipes, once unleased) every cached key, e.g. after a KEK rotation. */
  public void invalidateAll() {
    synchronized (entries) {
      for (Entry e : entries.values()) {
        evict(e);
      }
      entries.clear();
    }
  }

  public Stats stats() {
    int size;
    synchronized (entries) {
      size = entries.size();
    }
    return new Stats(hits.get(), misses.get(), unwraps.get(), evictions.get(), size);
  }

  /** Wipes every cached key (keys still leased are wiped when their leases close). */
  @Override
  public void close() {
    synchronized (entries) {
      closed = true;
      for (Entry e : entries.values()) {
        evict(e);
      }
      entries.clear();
    }
  }

  private Entry load(CacheKey k) {
    unwraps.incrementAndGet();
    DataKey key =
        wrapper.unwrap(
            k.wrapped(), k.dataKeyId(), DataKeyWrapContext.encode(k.tenantId(), k.dataKeyId()));
    try {
      Instant now = clock.instant();
      return new Entry(key, AesGcmHkdfFieldCipher.create(key, random), expiry(now));
    } catch (RuntimeException ex) {
      key.destroy();
      throw ex;
    }
  }

  private static void await(CompletableFuture<Entry> f) {
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while another caller unwrapped the key", e);
    } catch (ExecutionException e) {
      // the other caller presented the same wrap and got the KMS's refusal or failure: so does this
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private boolean usable(Entry e) {
    return clock.instant().isBefore(e.expires) && e.uses < policy.maxUses();
  }

  private Lease lease(Entry e) { // under entries
    e.uses++;
    e.inUse++;
    return new Lease(e);
  }

  private void trim() { // under entries
    Iterator<Map.Entry<CacheKey, Entry>> it = entries.entrySet().iterator();
    while (entries.size() > policy.maxEntries() && it.hasNext()) {
      Entry e = it.next().getValue();
      it.remove();
      evict(e);
    }
  }

  private void evict(Entry e) { // under entries
    if (e.evicted) {
      return;
    }
    e.evicted = true;
    evictions.incrementAndGet();
    if (e.inUse == 0) {
      e.key.destroy();
    }
  }

  private Instant expiry(Instant unwrapped) {
    try {
      return unwrapped.plus(policy.maxAge());
    } catch (DateTimeException | ArithmeticException e) {
      return Instant.MAX;
    }
  }

  private static final class Entry {
    final DataKey key;
    final FieldCipher cipher;
    final Instant expires;
    long uses;
    int inUse;
    boolean evicted;

    Entry(DataKey key, FieldCipher cipher, Instant expires) {
      this.key = key;
      this.cipher = cipher;
      this.expires = expires;
    }
  }

  /** One record's use of an unwrapped data key. Close it when done; closing twice is harmless. */
  public final class Lease implements AutoCloseable {
    private final Entry entry;
    private boolean released;

    private Lease(Entry entry) {
      this.entry = entry;
    }

    public String dataKeyId() {
      return entry.key.id();
    }

    /** A cipher under the unwrapped key. Valid until {@link #close()}. */
    public FieldCipher cipher() {
      synchronized (entries) {
        if (released) {
          throw new IllegalStateException("lease closed");
        }
      }
      return entry.cipher;
    }

    @Override
    public void close() {
      synchronized (entries) {
        if (released) {
          return;
        }
        released = true;
        entry.inUse--;
        if (entry.evicted && entry.inUse == 0) {
          entry.key.destroy();
        }
      }
    }
  }
}
