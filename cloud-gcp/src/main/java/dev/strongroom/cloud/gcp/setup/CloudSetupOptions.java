package dev.strongroom.cloud.gcp.setup;

import dev.strongroom.cloud.gcp.GcpClients;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The cloud setup's command-line options, as a picocli mixin ({@code @Mixin CloudSetupOptions}) so
 * that {@link CloudSetupCommand} and a {@code ./strongroom} subcommand share one definition.
 * Durations are ISO-8601 ({@code P90D}, {@code PT720H}).
 */
public final class CloudSetupOptions {
  @Option(names = "--project", required = true, description = "Google Cloud project id.")
  String project;

  @Option(
      names = "--location",
      required = true,
      description = "Cloud KMS location of the key ring, e.g. europe-west3.")
  String location;

  @Option(names = "--key-ring", required = true, description = "Key ring id.")
  String keyRing;

  @Option(names = "--key", required = true, description = "CryptoKey id (the KEK).")
  String keyName;

  @Option(
      names = "--rotation-period",
      defaultValue = "P90D",
      description = "Key rotation period, ISO-8601 (default ${DEFAULT-VALUE}).")
  Duration rotationPeriod;

  @Option(names = "--bucket", required = true, description = "WORM bucket name.")
  String bucket;

  @Option(names = "--bucket-location", description = "Bucket location (default: --location).")
  String bucketLocation;

  @Option(
      names = "--retention",
      required = true,
      description = "Bucket retention period, ISO-8601, e.g. P400D. Locked: irreversible.")
  Duration retention;

  @Option(
      names = "--service-account",
      required = true,
      description = "E-mail of the service account the services run as.")
  String serviceAccount;

  @Option(
      names = "--storage-endpoint",
      hidden = true,
      description = "Plaintext Cloud Storage JSON API base URL (the devstack's and tests' fake).")
  String storageEndpoint;

  @Option(
      names = "--kms-endpoint",
      hidden = true,
      description = "Plaintext Cloud KMS gRPC host:port (the devstack's and tests' fake).")
  String kmsEndpoint;

  /** The validated spec ({@link IllegalArgumentException} on a bad value). */
  public CloudSetupSpec spec() {
    return CloudSetupSpec.builder()
        .project(project)
        .location(location)
        .keyRing(keyRing)
        .keyName(keyName)
        .rotationPeriod(rotationPeriod)
        .bucket(bucket)
        .bucketLocation(bucketLocation)
        .retentionPeriod(retention)
        .serviceAccount(serviceAccount)
        .build();
  }

  /** Google's endpoints, or the fakes' when both hidden endpoint options are given. */
  public GcpClients clients() {
    if (storageEndpoint == null && kmsEndpoint == null) {
      return GcpClients.forGcp(project);
    }
    if (storageEndpoint == null || kmsEndpoint == null) {
      throw new IllegalArgumentException(
          "give both --storage-endpoint and --kms-endpoint, or none");
    }
    return GcpClients.forPlaintextEndpoints(project, storageEndpoint, kmsEndpoint);
  }
}
