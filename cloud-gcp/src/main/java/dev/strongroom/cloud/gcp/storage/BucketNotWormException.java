package dev.strongroom.cloud.gcp.storage;

import dev.strongroom.cloud.gcp.CloudGcpException;

/**
 * The start-up check refused a bucket as a WORM sink: it names the bucket and what is missing. Not
 * retriable: an operator must fix the bucket (docs/cloud-gcp.md), e.g. with the cloud setup.
 */
public final class BucketNotWormException extends CloudGcpException {
  private static final long serialVersionUID = 1L;

  /** What the bucket lacks. */
  public enum Missing {
    /** The bucket does not exist, or this identity may not read its metadata. */
    BUCKET,
    /** The bucket has no retention policy. */
    RETENTION_POLICY,
    /** The retention policy is not locked, so anyone with bucket admin can shorten or remove it. */
    RETENTION_LOCK,
    /** The locked retention period is shorter than required. */
    RETENTION_PERIOD
  }

  private final String bucket;
  private final Missing missing;

  public BucketNotWormException(String bucket, Missing missing, String detail) {
    super("bucket " + bucket + " refused as a WORM sink: " + detail, false, null);
    this.bucket = bucket;
    this.missing = missing;
  }

  public String bucket() {
    return bucket;
  }

  public Missing missing() {
    return missing;
  }
}
