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
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One data key per tenant serving many records (DESIGN §4: "one data key serves many records of one
 * tenant"), so the KMS is called once per data key rather than once per record.
 *
 * <p>{@link #acquire} counts one record of a given plaintext size against the tenant's current data
 * key and returns a {@link Lease}; when the key has reached any bound of its {@link
 * DataKeyCachePolicy} (age, records, bytes) a new key is generated and wrapped first. The lease
 * carries the key id and {@link WrappedKey} (for the {@code data_keys} row) and a {@link
 * FieldCipher} (one per data key, encrypting with {@link DataKeyCachePolicy#fieldAlgorithm()}, i.e.
 * suite 0x02 by default, whose subkey is derived once when the key is generated). Close the lease
 * when the record is encrypted: a retired key's bytes are wiped ({@link DataKey#destroy()}, i.e.
 * {@code Arrays.fill}) once its last lease is closed, never while a lease still uses it.
 *
 * <p>Thread-safe. Tenants do not block each other; concurrent first requests for one tenant cause
 * one KMS call, not several.
 */
public final class DataKeyCache implements AutoCloseable {
  private final KeyWrapper wrapper;
  private final KeyWrapper postQuantumWrapper; // null: no PQ wrap
  private final DataKeyCachePolicy policy;
  private final Clock clock;
  private final SecureRandom random;
  private final Supplier<String> dataKeyIds;
  private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private DataKeyCache(
      KeyWrapper wrapper,
      KeyWrapper postQuantumWrapper,
      DataKeyCachePolicy policy,
      Clock clock,
      SecureRandom random,
      Supplier<String> ids) {
    this.wrapper = Objects.requireNonNull(wrapper, "wrapper");
    this.postQuantumWrapper = postQuantumWrapper;
    this.policy = Objects.requireNonNull(policy, "policy");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
    this.dataKeyIds = Objects.requireNonNull(ids, "ids");
  }

  /** A cache with the default policy, the system clock and random UUIDs as data key ids. */
  public static DataKeyCache create(KeyWrapper wrapper, SecureRandom random) {
    return create(
        wrapper,
        DataKeyCachePolicy.defaults(),
        Clock.systemUTC(),
        random,
        () -> UUID.randomUUID().toString());
  }

  public static DataKeyCache create(
      KeyWrapper wrapper,
      DataKeyCachePolicy policy,
      Clock clock,
      SecureRandom random,
      Supplier<String> dataKeyIds) {
    return new DataKeyCache(wrapper, null, policy, clock, random, dataKeyIds);
  }

  /**
   * As above, with a post-quantum wrapper (e.g. {@link dev.strongroom.crypto.kms.XWingKeyWrapper}
   * to a recovery public key): every new data key is also wrapped by it, with the same associated
   * data, for {@code data_keys.pq_wrapped_dek}. Additive: decryption never needs it.
   */
  public static DataKeyCache create(
      KeyWrapper wrapper,
      KeyWrapper postQuantumWrapper,
      DataKeyCachePolicy policy,
      Clock clock,
      SecureRandom random,
      Supplier<String> dataKeyIds) {
    return new DataKeyCache(
        wrapper,
        Objects.requireNonNull(postQuantumWrapper, "postQuantumWrapper"),
        policy,
        clock,
        random,
        dataKeyIds);
  }

  public DataKeyCachePolicy policy() {
    return policy;
  }

  /**
   * Reserves the tenant's current data key for one record of {@code plaintextBytes} bytes.
   *
   * @throws dev.strongroom.crypto.KmsException if a new key was needed and could not be wrapped
   */
  public Lease acquire(String tenantId, long plaintextBytes) {
    Objects.requireNonNull(tenantId, "tenantId");
    if (plaintextBytes < 0) {
      throw new IllegalArgumentException("plaintextBytes must be >= 0");
    }
    if (closed) {
      throw new IllegalStateException("cache closed");
    }
    Slot slot = slots.computeIfAbsent(tenantId, t -> new Slot());
    synchronized (slot) {
      Entry e = slot.current;
      if (e == null || exhausted(e, plaintextBytes)) {
        if (e != null) {
          retire(e);
        }
        e = newEntry(tenantId);
        slot.current = e;
      }
      e.records++;
      e.bytes += plaintextBytes;
      e.inUse++;
      return new Lease(slot, e);
    }
  }

  /** Retires every cached key; keys still leased are wiped when their leases close. */
  @Override
  public void close() {
    closed = true;
    for (Slot slot : slots.values()) {
      synchronized (slot) {
        if (slot.current != null) {
          retire(slot.current);
          slot.current = null;
        }
      }
    }
  }

  private boolean exhausted(Entry e, long nextBytes) {
    // age >= maxAge, i.e. now >= created + maxAge (no Duration per record)
    return !clock.instant().isBefore(e.expires)
        || e.records >= policy.maxRecords()
        || (e.records > 0 && e.bytes + nextBytes > policy.maxBytes());
  }

  private Entry newEntry(String tenantId) {
    String id = dataKeyIds.get();
    DataKey key = DataKey.generate(id, random);
    try {
      byte[] context = DataKeyWrapContext.encode(tenantId, id);
      WrappedKey wrapped = wrapper.wrap(key, context);
      WrappedKey pqWrapped =
          postQuantumWrapper == null ? null : postQuantumWrapper.wrap(key, context);
      return new Entry(
          tenantId,
          key,
          wrapped,
          pqWrapped,
          AesGcmHkdfFieldCipher.create(key, random, policy.fieldAlgorithm()),
          clock.instant(),
          policy);
    } catch (RuntimeException ex) {
      key.destroy();
      throw ex;
    }
  }

  private static void retire(Entry e) {
    e.retired = true;
    if (e.inUse == 0) {
      e.key.destroy();
    }
  }

  private static final class Slot {
    private Entry current;
  }

  private static Instant expiry(Instant created, DataKeyCachePolicy policy) {
    try {
      return created.plus(policy.maxAge());
    } catch (DateTimeException | ArithmeticException e) {
      return Instant.MAX; // a maxAge beyond the calendar: age never ends the key
    }
  }

  private static final class Entry {
    final String tenantId;
    final DataKey key;
    final WrappedKey wrapped;
    final WrappedKey pqWrapped; // null without a post-quantum wrapper
    final FieldCipher cipher;
    final Instant expires;
    long records;
    long bytes;
    int inUse;
    boolean retired;

    Entry(
        String tenantId,
        DataKey key,
        WrappedKey wrapped,
        WrappedKey pqWrapped,
        FieldCipher cipher,
        Instant created,
        DataKeyCachePolicy policy) {
      this.tenantId = tenantId;
      this.key = key;
      this.wrapped = wrapped;
      this.pqWrapped = pqWrapped;
      this.cipher = cipher;
      this.expires = expiry(created, policy);
    }
  }

  /** One record's use of a tenant data key. Close it when done; closing twice is harmless. */
  public static final class Lease implements AutoCloseable {
    private final Slot slot;
    private final Entry entry;
    private boolean closed;

    private Lease(Slot slot, Entry entry) {
      this.slot = slot;
      this.entry = entry;
    }

    public String tenantId() {
      return entry.tenantId;
    }

    /** {@code data_keys.dek_id}; put it in the {@link dev.strongroom.crypto.aead.FieldContext}. */
    public String dataKeyId() {
      return entry.key.id();
    }

    /** The wrapped key for the {@code data_keys} row. */
    public WrappedKey wrappedKey() {
      return entry.wrapped;
    }

    /**
     * The post-quantum wrap for {@code data_keys.pq_wrapped_dek}, when the cache has a PQ wrapper.
     */
    public java.util.Optional<WrappedKey> postQuantumWrappedKey() {
      return java.util.Optional.ofNullable(entry.pqWrapped);
    }

    /** A cipher under this data key. Valid until {@link #close()}. */
    public FieldCipher cipher() {
      if (closed) {
        throw new IllegalStateException("lease closed");
      }
      return entry.cipher;
    }

    @Override
    public void close() {
      synchronized (slot) {
        if (closed) {
          return;
        }
        closed = true;
        entry.inUse--;
        if (entry.retired && entry.inUse == 0) {
          entry.key.destroy();
        }
      }
    }
  }
}
