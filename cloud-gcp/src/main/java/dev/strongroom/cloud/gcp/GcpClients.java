package dev.strongroom.cloud.gcp;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.InstantiatingGrpcChannelProvider;
import com.google.cloud.NoCredentials;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.cloud.kms.v1.KeyManagementServiceSettings;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Where the Google clients point. Production: {@link #forGcp} — the libraries' defaults (TLS to
 * {@code storage.googleapis.com} and {@code cloudkms.googleapis.com}, Application Default
 * Credentials). Tests and the devstack: {@link #forPlaintextEndpoints} — the same client libraries
 * against plaintext loopback endpoints that speak the APIs ({@code FakeCloudStorageServer}, {@code
 * FakeCloudKmsServer}), with no credentials.
 *
 * @param storageEndpoint null for Google's; else a base URL such as {@code http://127.0.0.1:9000}
 * @param kmsEndpoint null for Google's; else a plaintext gRPC {@code host:port}
 */
public record GcpClients(String projectId, String storageEndpoint, String kmsEndpoint) {
  public GcpClients {
    Objects.requireNonNull(projectId, "projectId");
  }

  /** Production: Google's endpoints, Application Default Credentials. */
  public static GcpClients forGcp(String projectId) {
    return new GcpClients(projectId, null, null);
  }

  /** The real clients against plaintext endpoints speaking the APIs (the fakes). */
  public static GcpClients forPlaintextEndpoints(
      String projectId, String storageEndpoint, String kmsEndpoint) {
    return new GcpClients(
        projectId,
        Objects.requireNonNull(storageEndpoint, "storageEndpoint"),
        Objects.requireNonNull(kmsEndpoint, "kmsEndpoint"));
  }

  /** A Cloud Storage client (JSON API over HTTP). */
  public Storage storage() {
    StorageOptions.Builder b = StorageOptions.http().setProjectId(projectId);
    if (storageEndpoint != null) {
      b.setHost(storageEndpoint).setCredentials(NoCredentials.getInstance());
    }
    return b.build().getService();
  }

  /** A Cloud KMS client (gRPC); the caller closes it. */
  public KeyManagementServiceClient kms() {
    try {
      if (kmsEndpoint == null) {
        return KeyManagementServiceClient.create();
      }
      return KeyManagementServiceClient.create(
          KeyManagementServiceSettings.newBuilder()
              .setEndpoint(kmsEndpoint)
              .setCredentialsProvider(NoCredentialsProvider.create())
              .setTransportChannelProvider(
                  InstantiatingGrpcChannelProvider.newBuilder()
                      .setEndpoint(kmsEndpoint)
                      .setChannelConfigurator(b -> b.usePlaintext())
                      .build())
              .build());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the Cloud KMS client", e);
    }
  }
}
