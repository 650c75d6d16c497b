package dev.strongroom.auditanchor.anchor;

import dev.strongroom.audit.worm.LocalDirWormStore;
import dev.strongroom.audit.worm.WormStore;
import dev.strongroom.cloud.gcp.GcpClients;
import dev.strongroom.cloud.gcp.storage.GcsObjectStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Opens the WORM store the checkpoints go to (DESIGN §5), by kind. Quarkus-free.
 *
 * <ul>
 *   <li>{@code local-dir}: {@link LocalDirWormStore} on a directory (the embedded stack).
 *   <li>{@code gcs}: cloud-gcp's {@link GcsObjectStore} on a bucket, through {@code
 *       google-cloud-storage}: every write {@code ifGenerationMatch=0}; opening refuses a bucket
 *       that is missing, has no retention policy, an unlocked one or one shorter than {@code
 *       minRetention} ({@code BucketNotWormException} naming the bucket and the lack) — so the
 *       service does not start on a bucket whose objects someone could still delete.
 * </ul>
 */
public final class WormSinks {
  private WormSinks() {}

  /** A directory store. */
  public static WormStore localDir(String directory) {
    return LocalDirWormStore.open(Path.of(directory));
  }

  /**
   * A Cloud Storage store on {@code bucket} of {@code project}; {@code endpoint} null for Google's
   * (Application Default Credentials), else a plaintext JSON API endpoint without credentials;
   * {@code minRetention} null for any locked period.
   *
   * @throws dev.strongroom.cloud.gcp.storage.BucketNotWormException the bucket is not WORM
   */
  public static WormStore gcs(
      String project, String bucket, String endpoint, Duration minRetention) {
    Objects.requireNonNull(project, "project");
    GcpClients clients = new GcpClients(project, endpoint, null);
    GcsObjectStore.Builder b = GcsObjectStore.builder(clients.storage(), bucket);
    if (minRetention != null) {
      b.minimumRetention(minRetention);
    }
    return b.open();
  }
}
