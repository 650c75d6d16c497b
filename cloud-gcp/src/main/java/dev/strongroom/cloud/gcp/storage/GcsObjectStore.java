package dev.strongroom.cloud.gcp.storage;

import com.google.cloud.WriteChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Bucket;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.Storage.BlobField;
import com.google.cloud.storage.Storage.BlobGetOption;
import com.google.cloud.storage.Storage.BlobListOption;
import com.google.cloud.storage.Storage.BlobTargetOption;
import com.google.cloud.storage.Storage.BlobWriteOption;
import com.google.cloud.storage.StorageException;
import dev.strongroom.audit.worm.PutOutcome;
import dev.strongroom.audit.worm.WormStore;
import dev.strongroom.cloud.gcp.internal.Hashes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A create-only, immutable object store on one Cloud Storage bucket, through the official {@code
 * google-cloud-storage} client (JSON API): the WORM sink of DESIGN §5, a {@link WormStore}.
 *
 * <ul>
 *   <li>{@link #open} (the builder's) refuses a bucket that is not WORM: it must exist, have a
 *       retention policy, the policy must be locked (so nobody, the project owner included, can
 *       shorten or remove it) and at least {@link Builder#minimumRetention} long — else {@link
 *       BucketNotWormException} naming the bucket and what is missing.
 *   <li>{@link #put} writes with {@code ifGenerationMatch=0}: Cloud Storage creates the object only
 *       if no live object has that name, atomically, and answers 412 otherwise. On 412 the existing
 *       object is read back: the same bytes are success ({@link PutOutcome#ALREADY_PRESENT}: a
 *       retry, or a write whose response was lost); other bytes are an {@link
 *       ObjectConflictException} — an alarm, never an overwrite. The CRC32C of the bytes travels
 *       with the object so Cloud Storage rejects a body corrupted in transit. Objects below {@link
 *       Builder#resumableThreshold} go in one multipart request, larger ones through a resumable
 *       upload session in {@link Builder#chunkSize} chunks.
 *   <li>{@link #find}, {@link #get}, {@link #exists}, {@link #list} (by prefix, every page, in name
 *       order).
 * </ul>
 *
 * The identity needs on the bucket: {@code roles/storage.objectCreator} (create, never overwrite or
 * delete), {@code roles/storage.objectViewer} (read, list) and {@code
 * roles/storage.legacyBucketReader} (the bucket metadata the start-up check reads) —
 * docs/cloud-gcp.md. Failures are a {@link GcsStoreException}, retriable when Cloud Storage was
 * unreachable or failing.
 */
public final class GcsObjectStore implements WormStore {
  /** Objects of at least this many bytes go through a resumable upload. */
  public static final int DEFAULT_RESUMABLE_THRESHOLD = 8 << 20;

  /** Resumable upload chunk size (a multiple of 256 KiB, as Cloud Storage requires). */
  public static final int DEFAULT_CHUNK_SIZE = 8 << 20;

  /** Names per list page. */
  public static final int DEFAULT_LIST_PAGE_SIZE = 1000;

  private static final int CHUNK_GRANULARITY = 256 << 10;
  private static final int MAX_NAME_BYTES = 1024;

  private final Storage storage;
  private final String bucket;
  private final Duration retentionPeriod;
  private final int resumableThreshold;
  private final int chunkSize;
  private final int listPageSize;

  private GcsObjectStore(Builder b, Duration retentionPeriod) {
    this.storage = b.storage;
    this.bucket = b.bucket;
    this.retentionPeriod = retentionPeriod;
    this.resumableThreshold = b.resumableThreshold;
    this.chunkSize = b.chunkSize;
    this.listPageSize = b.listPageSize;
  }

  /** A store on {@code bucket}; {@link Builder#open()} runs the start-up check. */
  public static Builder builder(Storage storage, String bucket) {
    return new Builder(storage, bucket);
  }

  /** Opens with the defaults: any locked retention period is accepted. */
  public static GcsObjectStore open(Storage storage, String bucket) {
    return builder(storage, bucket).open();
  }

  /** Settings, validated; {@link #open()} checks the bucket. */
  public static final class Builder {
    private final Storage storage;
    private final String bucket;
    private Duration minimumRetention = Duration.ZERO;
    private int resumableThreshold = DEFAULT_RESUMABLE_THRESHOLD;
    private int chunkSize = DEFAULT_CHUNK_SIZE;
    private int listPageSize = DEFAULT_LIST_PAGE_SIZE;

    private Builder(Storage storage, String bucket) {
      this.storage = Objects.requireNonNull(storage, "storage");
      this.bucket = Objects.requireNonNull(bucket, "bucket");
      if (bucket.isEmpty() || bucket.contains("/")) {
        throw new IllegalArgumentException("not a bucket name: " + bucket);
      }
    }

    /** The bucket's locked retention period must be at least this long (default: any). */
    public Builder minimumRetention(Duration d) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("negative retention: " + d);
      }
      this.minimumRetention = d;
      return this;
    }

    /** Objects of at least this many bytes use a resumable upload. */
    public Builder resumableThreshold(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("threshold must be positive: " + bytes);
      }
      this.resumableThreshold = bytes;
      return this;
    }

    /** Resumable upload chunk size, a positive multiple of 256 KiB. */
    public Builder chunkSize(int bytes) {
      if (bytes < CHUNK_GRANULARITY || bytes % CHUNK_GRANULARITY != 0) {
        throw new IllegalArgumentException("chunk size must be a multiple of 256 KiB: " + bytes);
      }
      this.chunkSize = bytes;
      return this;
    }

    /** Names per list request (1 to 1000). */
    public Builder listPageSize(int n) {
      if (n < 1 || n > 1000) {
        throw new IllegalArgumentException("page size must be 1..1000: " + n);
      }
      this.listPageSize = n;
      return this;
    }

    /**
     * Checks that the bucket is WORM and returns the store.
     *
     * @throws BucketNotWormException if the bucket is missing, has no retention policy, an unlocked
     *     one, or a shorter one than {@link #minimumRetention}
     */
    public GcsObjectStore open() {
      Bucket b;
      try {
        b = storage.get(bucket);
      } catch (StorageException e) {
        if (e.getCode() == 403) {
          throw new BucketNotWormException(
              bucket, BucketNotWormException.Missing.BUCKET, "its metadata cannot be read (403)");
        }
        throw failure("get bucket " + bucket, e);
      }
      if (b == null) {
        throw new BucketNotWormException(
            bucket, BucketNotWormException.Missing.BUCKET, "it does not exist");
      }
      Duration period = b.getRetentionPeriodDuration();
      if (period == null || period.isZero()) {
        throw new BucketNotWormException(
            bucket, BucketNotWormException.Missing.RETENTION_POLICY, "it has no retention policy");
      }
      if (!Boolean.TRUE.equals(b.retentionPolicyIsLocked())) {
        throw new BucketNotWormException(
            bucket,
            BucketNotWormException.Missing.RETENTION_LOCK,
            "its retention policy (" + period + ") is not locked");
      }
      if (period.compareTo(minimumRetention) < 0) {
        throw new BucketNotWormException(
            bucket,
            BucketNotWormException.Missing.RETENTION_PERIOD,
            "its locked retention period " + period + " is shorter than " + minimumRetention);
      }
      return new GcsObjectStore(this, period);
    }
  }

  /** The bucket. */
  public String bucket() {
    return bucket;
  }

  /** The bucket's locked retention period, as the start-up check read it. */
  public Duration retentionPeriod() {
    return retentionPeriod;
  }

  /**
   * Creates {@code name} with {@code bytes} if no object has that name; same bytes already there is
   * success.
   *
   * @throws ObjectConflictException the name holds other bytes (an alarm)
   * @throws GcsStoreException Cloud Storage failed or refused the call
   */
  @Override
  public PutOutcome put(String name, byte[] bytes) {
    checkName(name);
    byte[] content = bytes.clone();
    BlobInfo info =
        BlobInfo.newBuilder(BlobId.of(bucket, name))
            .setContentType("application/octet-stream")
            .setCrc32c(Hashes.crc32cBase64(content))
            .build();
    try {
      if (content.length < resumableThreshold) {
        storage.create(info, content, BlobTargetOption.doesNotExist());
      } else {
        resumableUpload(info, content);
      }
      return PutOutcome.CREATED;
    } catch (StorageException e) {
      if (e.getCode() != 412) {
        throw failure("create gs://" + bucket + "/" + name, e);
      }
    }
    // 412: a live object has that name. Ours (a retry, a lost response) or someone else's?
    byte[] existing =
        find(name)
            .orElseThrow(
                () ->
                    new GcsStoreException(
                        "create gs://"
                            + bucket
                            + "/"
                            + name
                            + ": precondition failed but the object cannot be read",
                        412,
                        true,
                        null));
    if (MessageDigest.isEqual(existing, content)) {
      return PutOutcome.ALREADY_PRESENT;
    }
    throw new ObjectConflictException(
        bucket, name, Hashes.sha256(existing), Hashes.sha256(content));
  }

  private void resumableUpload(BlobInfo info, byte[] content) {
    try (WriteChannel w =
        storage.writer(info, BlobWriteOption.doesNotExist(), BlobWriteOption.crc32cMatch())) {
      w.setChunkSize(chunkSize);
      ByteBuffer buf = ByteBuffer.wrap(content);
      while (buf.hasRemaining()) {
        w.write(buf);
      }
    } catch (IOException e) {
      if (e.getCause() instanceof StorageException se) {
        throw se;
      }
      throw new GcsStoreException(
          "resumable upload of gs://" + bucket + "/" + info.getName() + " failed: " + e,
          0,
          true,
          e);
    }
  }

  /** The object's bytes, or empty if there is no such object. */
  @Override
  public Optional<byte[]> find(String name) {
    checkName(name);
    try {
      return Optional.of(storage.readAllBytes(BlobId.of(bucket, name)));
    } catch (StorageException e) {
      if (e.getCode() == 404) {
        return Optional.empty();
      }
      throw failure("read gs://" + bucket + "/" + name, e);
    }
  }

  /** Whether a live object has this name. */
  @Override
  public boolean exists(String name) {
    checkName(name);
    try {
      Blob b = storage.get(BlobId.of(bucket, name), BlobGetOption.fields(BlobField.GENERATION));
      return b != null;
    } catch (StorageException e) {
      throw failure("get gs://" + bucket + "/" + name, e);
    }
  }

  /** The names that start with {@code prefix} (empty: all), in Cloud Storage's (name) order. */
  @Override
  public List<String> list(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    List<String> names = new ArrayList<>();
    try {
      for (Blob b :
          storage
              .list(
                  bucket,
                  BlobListOption.prefix(prefix),
                  BlobListOption.pageSize(listPageSize),
                  BlobListOption.fields(BlobField.NAME))
              .iterateAll()) {
        names.add(b.getName());
      }
    } catch (StorageException e) {
      throw failure("list gs://" + bucket + "/" + prefix, e);
    }
    return names;
  }

  /** {@code gs://<bucket>}. */
  @Override
  public String location() {
    return "gs://" + bucket;
  }

  @Override
  public String toString() {
    return "GcsObjectStore[gs://" + bucket + ", retention " + retentionPeriod + " locked]";
  }

  /** Cloud Storage's object name rules (docs: "Object naming requirements"). */
  private static void checkName(String name) {
    Objects.requireNonNull(name, "name");
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes == 0
        || bytes > MAX_NAME_BYTES
        || name.equals(".")
        || name.equals("..")
        || name.startsWith(".well-known/acme-challenge/")
        || name.chars().anyMatch(c -> c == '\r' || c == '\n')) {
      throw new IllegalArgumentException("not a valid object name: " + name);
    }
  }

  private static GcsStoreException failure(String what, StorageException e) {
    int code = e.getCode();
    boolean retriable = e.isRetryable() || code <= 0 || code == 408 || code == 429 || code >= 500;
    return new GcsStoreException(
        what + " failed: " + code + " " + e.getMessage(), Math.max(code, 0), retriable, e);
  }
}
