package dev.strongroom.cloud.gcp.setup;

import com.google.cloud.kms.v1.CryptoKeyName;
import com.google.cloud.kms.v1.KeyRingName;
import com.google.cloud.kms.v1.ProtectionLevel;
import java.time.Duration;
import java.util.Objects;

/**
 * What the cloud setup creates, validated as Google validates it (ids, bucket names, Cloud KMS's
 * rotation bounds, Cloud Storage's retention bound). Built with {@link #builder()}.
 *
 * @param project the Google Cloud project id
 * @param location the Cloud KMS location of the key ring (e.g. {@code europe-west3})
 * @param keyRing the key ring id
 * @param keyName the CryptoKey id (the KEK of {@code CloudKmsKeyWrapper})
 * @param protectionLevel {@link ProtectionLevel#HSM}: the KEK never exists outside an HSM (DESIGN
 *     §1); anything else is refused
 * @param rotationPeriod how often Cloud KMS makes a new primary version (1 day to 876,000 hours)
 * @param bucket the WORM bucket's name
 * @param bucketLocation the bucket's location (default: {@code location})
 * @param retentionPeriod how long every object is kept undeletable (1 s to 100 years)
 * @param serviceAccount the e-mail of the service account the services run as
 */
public record CloudSetupSpec(
    String project,
    String location,
    String keyRing,
    String keyName,
    ProtectionLevel protectionLevel,
    Duration rotationPeriod,
    String bucket,
    String bucketLocation,
    Duration retentionPeriod,
    String serviceAccount) {
  /** Cloud KMS: a rotation period is at least a day. */
  public static final Duration MIN_ROTATION = Duration.ofDays(1);

  /** Cloud KMS: a rotation period is at most 876,000 hours. */
  public static final Duration MAX_ROTATION = Duration.ofDays(36_500); // 876,000 hours

  /** Cloud Storage: a retention period is at most 3,155,760,000 s (100 years). */
  public static final Duration MAX_RETENTION = Duration.ofDays(36_525); // 3,155,760,000 s

  private static final String PROJECT = "[a-z][a-z0-9-]{4,28}[a-z0-9]";
  private static final String KMS_ID = "[a-zA-Z0-9_-]{1,63}";
  private static final String LOCATION = "[a-z0-9-]{2,63}";
  private static final String BUCKET = "[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]";
  private static final String SERVICE_ACCOUNT =
      "[a-z0-9-]{6,30}@[a-z0-9.-]+\\.gserviceaccount\\.com";

  public CloudSetupSpec {
    check("project", project, PROJECT);
    check("location", location, LOCATION);
    check("key ring", keyRing, KMS_ID);
    check("key", keyName, KMS_ID);
    Objects.requireNonNull(protectionLevel, "protectionLevel");
    if (protectionLevel != ProtectionLevel.HSM) {
      throw new IllegalArgumentException(
          "protection level must be HSM (the KEK never leaves an HSM), got " + protectionLevel);
    }
    Objects.requireNonNull(rotationPeriod, "rotationPeriod");
    if (rotationPeriod.compareTo(MIN_ROTATION) < 0
        || rotationPeriod.compareTo(MAX_ROTATION) > 0
        || rotationPeriod.toNanosPart() != 0) {
      throw new IllegalArgumentException(
          "rotation period must be whole seconds between 1 day and 876000 hours, got "
              + rotationPeriod);
    }
    check("bucket", bucket, BUCKET);
    if (bucket.startsWith("goog") || bucket.contains("google")) {
      throw new IllegalArgumentException("bucket names may not start with goog or contain google");
    }
    check("bucket location", bucketLocation, LOCATION);
    Objects.requireNonNull(retentionPeriod, "retentionPeriod");
    if (retentionPeriod.toSeconds() < 1
        || retentionPeriod.compareTo(MAX_RETENTION) > 0
        || retentionPeriod.toNanosPart() != 0) {
      throw new IllegalArgumentException(
          "retention period must be whole seconds between 1 s and 100 years, got "
              + retentionPeriod);
    }
    check("service account", serviceAccount, SERVICE_ACCOUNT);
  }

  private static void check(String what, String value, String pattern) {
    Objects.requireNonNull(value, what);
    if (!value.matches(pattern)) {
      throw new IllegalArgumentException("not a valid " + what + ": " + value);
    }
  }

  /** {@code projects/P/locations/L/keyRings/R}. */
  public String keyRingResource() {
    return KeyRingName.of(project, location, keyRing).toString();
  }

  /** {@code projects/P/locations/L/keyRings/R/cryptoKeys/K}: the KEK's name for the services. */
  public String cryptoKeyResource() {
    return CryptoKeyName.of(project, location, keyRing, keyName).toString();
  }

  /** The IAM member: {@code serviceAccount:EMAIL}. */
  public String serviceAccountMember() {
    return "serviceAccount:" + serviceAccount;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Collects the settings; {@link #build()} validates them. */
  public static final class Builder {
    private String project;
    private String location;
    private String keyRing;
    private String keyName;
    private ProtectionLevel protectionLevel = ProtectionLevel.HSM;
    private Duration rotationPeriod = Duration.ofDays(90);
    private String bucket;
    private String bucketLocation;
    private Duration retentionPeriod;
    private String serviceAccount;

    private Builder() {}

    public Builder project(String v) {
      this.project = v;
      return this;
    }

    public Builder location(String v) {
      this.location = v;
      return this;
    }

    public Builder keyRing(String v) {
      this.keyRing = v;
      return this;
    }

    public Builder keyName(String v) {
      this.keyName = v;
      return this;
    }

    /** Default {@link ProtectionLevel#HSM}, the only one accepted. */
    public Builder protectionLevel(ProtectionLevel v) {
      this.protectionLevel = v;
      return this;
    }

    /** Default 90 days. */
    public Builder rotationPeriod(Duration v) {
      this.rotationPeriod = v;
      return this;
    }

    public Builder bucket(String v) {
      this.bucket = v;
      return this;
    }

    /** Default: the key ring's location. */
    public Builder bucketLocation(String v) {
      this.bucketLocation = v;
      return this;
    }

    /** Required: how long the WORM bucket keeps every object. */
    public Builder retentionPeriod(Duration v) {
      this.retentionPeriod = v;
      return this;
    }

    public Builder serviceAccount(String v) {
      this.serviceAccount = v;
      return this;
    }

    public CloudSetupSpec build() {
      return new CloudSetupSpec(
          project,
          location,
          keyRing,
          keyName,
          protectionLevel,
          rotationPeriod,
          bucket,
          bucketLocation == null ? location : bucketLocation,
          retentionPeriod,
          serviceAccount);
    }
  }
}
