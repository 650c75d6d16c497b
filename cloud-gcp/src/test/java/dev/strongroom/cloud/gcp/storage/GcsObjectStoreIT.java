package dev.strongroom.cloud.gcp.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Bucket;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import dev.strongroom.audit.worm.PutOutcome;
import dev.strongroom.cloud.gcp.GcpClients;
import dev.strongroom.cloud.gcp.fake.FakeCloudStorageServer;
import dev.strongroom.cloud.gcp.fake.FakeCloudStorageServer.Request;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real google-cloud-storage client against the fake JSON API on loopback: create-only
 * semantics, the start-up refusal, retention, resumable uploads and pagination.
 */
class GcsObjectStoreIT {
  private static final String PROJECT = "strongroom-test";
  private static final String WORM = "strongroom-worm";

  private FakeCloudStorageServer gcs;
  private Storage storage;
  private GcsObjectStore store;

  @BeforeEach
  void start() throws Exception {
    gcs = FakeCloudStorageServer.start();
    gcs.createBucket(PROJECT, WORM, Duration.ofDays(7), true);
    storage = GcpClients.forPlaintextEndpoints(PROJECT, gcs.endpoint(), "unused:1").storage();
    store = GcsObjectStore.open(storage, WORM);
  }

  @AfterEach
  void stop() throws Exception {
    storage.close();
    gcs.close();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private List<Request> inserts() {
    return gcs.requests().stream()
        .filter(r -> r.method().equals("POST") && r.path().startsWith("/upload/"))
        .toList();
  }

  @Test
  void create_thenReadExistsList_roundTrip() {
    String name = "checkpoints/strongroom.local_db1/20261204T090000.000Z-15.note";
    assertEquals(PutOutcome.CREATED, store.put(name, utf8("checkpoint 15")));
    assertArrayEquals(utf8("checkpoint 15"), store.find(name).orElseThrow());
    assertTrue(store.exists(name));
    assertFalse(store.exists("checkpoints/none"));
    assertEquals(Optional.empty(), store.find("checkpoints/none"));
    assertEquals(List.of(name), store.list("checkpoints/"));
    assertEquals(Duration.ofDays(7), store.retentionPeriod());
    // Written create-only, with its checksum for Cloud Storage to verify.
    Request insert = inserts().get(0);
    assertEquals("0", insert.query().get("ifGenerationMatch"));
    assertEquals("multipart", insert.query().get("uploadType"));
  }

  @Test
  void secondCreateWithOtherBytes_isConflict_andTheObjectIsUnchanged() throws Exception {
    store.put("tile/0/000", utf8("first"));
    ObjectConflictException e =
        assertThrows(ObjectConflictException.class, () -> store.put("tile/0/000", utf8("second")));
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    assertEquals(WORM, e.bucket());
    assertEquals("tile/0/000", e.name());
    assertArrayEquals(sha.digest(utf8("first")), e.existingSha256());
    assertArrayEquals(sha.digest(utf8("second")), e.attemptedSha256());
    assertFalse(e.retriable());
    assertTrue(
        e.getMessage()
            .startsWith(
                "object gs://strongroom-worm/tile/0/000 already exists with other content (sha256 "),
        e.getMessage());
    assertArrayEquals(utf8("first"), gcs.objectBytes(WORM, "tile/0/000"));
    assertEquals(2, inserts().size()); // the second was refused by the server, not skipped
  }

  @Test
  void secondCreateWithSameBytes_isAlreadyPresent() {
    assertEquals(PutOutcome.CREATED, store.put("a", utf8("same")));
    assertEquals(PutOutcome.ALREADY_PRESENT, store.put("a", utf8("same")));
    assertArrayEquals(utf8("same"), gcs.objectBytes(WORM, "a"));
  }

  @Test
  void theFakes412_surfacesInTheRealClientAsPreconditionFailed() {
    BlobInfo info = BlobInfo.newBuilder(BlobId.of(WORM, "x")).build();
    storage.create(info, utf8("one"), Storage.BlobTargetOption.doesNotExist());
    StorageException e =
        assertThrows(
            StorageException.class,
            () -> storage.create(info, utf8("two"), Storage.BlobTargetOption.doesNotExist()));
    assertEquals(412, e.getCode());
    assertEquals("conditionNotMet", e.getReason());
    assertEquals("At least one of the pre-conditions you specified did not hold.", e.getMessage());
  }

  @Test
  void aBodyThatDoesNotMatchItsCrc32c_isRejected_andNothingIsStored() {
    // The store sends the CRC32C of the bytes it means to write (the client computes it itself
    // for a one-request upload; the store sets it for a resumable one). A body altered on the way
    // no longer matches, and Cloud Storage refuses it.
    BlobInfo info =
        BlobInfo.newBuilder(BlobId.of(WORM, "corrupt"))
            .setCrc32c(dev.strongroom.cloud.gcp.internal.Hashes.crc32cBase64(utf8("intended")))
            .build();
    Exception e =
        assertThrows(
            Exception.class,
            () -> {
              try (var w =
                  storage.writer(
                      info,
                      Storage.BlobWriteOption.doesNotExist(),
                      Storage.BlobWriteOption.crc32cMatch())) {
                w.write(java.nio.ByteBuffer.wrap(utf8("altered!")));
              }
            });
    StorageException se = e instanceof StorageException s ? s : (StorageException) e.getCause();
    assertEquals(400, se.getCode());
    assertFalse(store.exists("corrupt"));
  }

  @Test
  void aLostWriteResponse_isRetriedByTheClient_andEndsAlreadyPresent() {
    gcs.injectOnce(FakeCloudStorageServer.Fault.LOSE_NEXT_WRITE_RESPONSE);
    assertEquals(PutOutcome.ALREADY_PRESENT, store.put("lost", utf8("payload")));
    assertArrayEquals(utf8("payload"), gcs.objectBytes(WORM, "lost"));
    assertEquals(2, inserts().size()); // committed, 503; retried, 412; read back equal
  }

  @Test
  void serviceUnavailable_isARetriableFailure_andWritesNothing() {
    Storage impatient =
        storage.getOptions().toBuilder()
            .setRetrySettings(
                storage.getOptions().getRetrySettings().toBuilder().setMaxAttempts(1).build())
            .build()
            .getService();
    GcsObjectStore s = GcsObjectStore.open(impatient, WORM);
    gcs.injectOnce(FakeCloudStorageServer.Fault.UNAVAILABLE_NEXT_WRITE);
    GcsStoreException e = assertThrows(GcsStoreException.class, () -> s.put("u", utf8("x")));
    assertEquals(503, e.httpStatus());
    assertTrue(e.retriable());
    assertFalse(store.exists("u"));
    assertEquals(PutOutcome.CREATED, s.put("u", utf8("x")));
  }

  @Test
  void unlockedRetentionBucket_isRefusedAtStartUp() {
    gcs.createBucket(PROJECT, "unlocked", Duration.ofDays(7), false);
    BucketNotWormException e =
        assertThrows(BucketNotWormException.class, () -> GcsObjectStore.open(storage, "unlocked"));
    assertEquals("unlocked", e.bucket());
    assertEquals(BucketNotWormException.Missing.RETENTION_LOCK, e.missing());
    assertEquals(
        "bucket unlocked refused as a WORM sink: its retention policy (PT168H) is not locked",
        e.getMessage());
    assertFalse(e.retriable());
  }

  @Test
  void bucketWithoutRetention_orMissing_orTooShort_isRefusedAtStartUp() {
    gcs.createBucket(PROJECT, "plain", null, false);
    BucketNotWormException none =
        assertThrows(BucketNotWormException.class, () -> GcsObjectStore.open(storage, "plain"));
    assertEquals(BucketNotWormException.Missing.RETENTION_POLICY, none.missing());
    assertEquals(
        "bucket plain refused as a WORM sink: it has no retention policy", none.getMessage());

    BucketNotWormException missing =
        assertThrows(BucketNotWormException.class, () -> GcsObjectStore.open(storage, "nosuch"));
    assertEquals(BucketNotWormException.Missing.BUCKET, missing.missing());
    assertEquals("bucket nosuch refused as a WORM sink: it does not exist", missing.getMessage());

    BucketNotWormException shortOne =
        assertThrows(
            BucketNotWormException.class,
            () ->
                GcsObjectStore.builder(storage, WORM).minimumRetention(Duration.ofDays(30)).open());
    assertEquals(BucketNotWormException.Missing.RETENTION_PERIOD, shortOne.missing());
    assertEquals(
        "bucket strongroom-worm refused as a WORM sink: its locked retention period PT168H is"
            + " shorter than PT720H",
        shortOne.getMessage());
  }

  @Test
  void deleteOrOverwriteUnderRetention_isRefused_untilTheRetentionPeriodEnds() {
    store.put("checkpoints/c1", utf8("v1"));
    // An insider with delete rights (not the sink's identity) still cannot remove or replace it.
    StorageException delete =
        assertThrows(
            StorageException.class, () -> storage.delete(BlobId.of(WORM, "checkpoints/c1")));
    assertEquals(403, delete.getCode());
    assertEquals("retentionPolicyNotMet", delete.getReason());
    assertTrue(
        delete
            .getMessage()
            .startsWith(
                "Object 'strongroom-worm/checkpoints/c1' is subject to bucket's retention policy or"
                    + " object retention and cannot be deleted or overwritten until "),
        delete.getMessage());
    StorageException overwrite =
        assertThrows(
            StorageException.class,
            () ->
                storage.create(
                    BlobInfo.newBuilder(BlobId.of(WORM, "checkpoints/c1")).build(), utf8("v2")));
    assertEquals(403, overwrite.getCode());
    assertArrayEquals(utf8("v1"), gcs.objectBytes(WORM, "checkpoints/c1"));

    gcs.advanceClock(Duration.ofDays(8));
    assertTrue(storage.delete(BlobId.of(WORM, "checkpoints/c1")));
    assertFalse(store.exists("checkpoints/c1"));
  }

  @Test
  void aLockedRetentionPolicy_cannotBeShortenedOrRemoved() {
    Bucket b = storage.get(WORM);
    StorageException shorter =
        assertThrows(
            StorageException.class,
            () ->
                storage.update(
                    b.toBuilder().setRetentionPeriodDuration(Duration.ofDays(1)).build()));
    assertEquals(403, shorter.getCode());
    StorageException removed =
        assertThrows(
            StorageException.class,
            () -> storage.update(b.toBuilder().setRetentionPeriodDuration(null).build()));
    assertEquals(403, removed.getCode());
    assertEquals(Duration.ofDays(7), storage.get(WORM).getRetentionPeriodDuration());
  }

  @Test
  void largeObject_goesThroughAResumableUploadInChunks_andStaysCreateOnly() {
    byte[] big = new byte[(9 << 20) + 12345]; // > 8 MiB, not a chunk multiple
    new Random(42).nextBytes(big);
    assertEquals(PutOutcome.CREATED, store.put("backups/big.part", big));
    assertArrayEquals(big, store.find("backups/big.part").orElseThrow());

    List<Request> init =
        gcs.requests().stream()
            .filter(r -> "resumable".equals(r.query().get("uploadType")))
            .toList();
    assertEquals("POST", init.get(0).method());
    assertEquals("0", init.get(0).query().get("ifGenerationMatch"));
    long chunks = init.stream().filter(r -> r.method().equals("PUT")).count();
    assertEquals(2, chunks, init.toString()); // 8 MiB, then the rest

    assertEquals(PutOutcome.ALREADY_PRESENT, store.put("backups/big.part", big));
    byte[] other = big.clone();
    other[other.length - 1] ^= 1;
    gcs.clearRequests();
    ObjectConflictException e =
        assertThrows(ObjectConflictException.class, () -> store.put("backups/big.part", other));
    assertEquals("backups/big.part", e.name());
    assertArrayEquals(big, gcs.objectBytes(WORM, "backups/big.part"));
    // As in Cloud Storage, the session starts and takes every byte; the commit is refused (412),
    // then the store reads the object back to compare.
    assertEquals(
        List.of("POST", "PUT", "PUT", "GET"),
        gcs.requests().stream().map(Request::method).toList(),
        gcs.requests().toString());
  }

  @Test
  void list_followsEveryPage_inNameOrder_withinThePrefix() {
    GcsObjectStore paged = GcsObjectStore.builder(storage, WORM).listPageSize(2).open();
    for (String n : List.of("tile/0/002", "tile/0/000", "tile/1/000", "tile/0/001", "tile/0/003")) {
      paged.put(n, utf8(n));
    }
    paged.put("checkpoints/c", utf8("c"));
    paged.put("tile0-not-a-tile", utf8("x"));
    gcs.clearRequests();
    assertEquals(
        List.of("tile/0/000", "tile/0/001", "tile/0/002", "tile/0/003", "tile/1/000"),
        paged.list("tile/"));
    List<Request> lists = gcs.requests();
    assertEquals(3, lists.size(), lists.toString());
    assertEquals("2", lists.get(0).query().get("maxResults"));
    assertFalse(lists.get(0).query().containsKey("pageToken"));
    assertTrue(lists.get(1).query().containsKey("pageToken"));
    assertEquals(7, paged.list("").size());
    assertEquals(List.of(), paged.list("nothing/"));
  }

  @Test
  void invalidObjectNames_areRefusedBeforeAnyCall() {
    gcs.clearRequests();
    for (String bad : List.of("", ".", "..", "a\nb", "x".repeat(1025))) {
      assertThrows(IllegalArgumentException.class, () -> store.put(bad, utf8("x")), bad);
    }
    assertEquals(List.of(), gcs.requests());
  }
}
