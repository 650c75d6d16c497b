package dev.strongroom.crypto.gcpkms;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.InstantiatingGrpcChannelProvider;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.kms.v1.CryptoKeyName;
import com.google.cloud.kms.v1.DecryptRequest;
import com.google.cloud.kms.v1.DecryptResponse;
import com.google.cloud.kms.v1.EncryptRequest;
import com.google.cloud.kms.v1.EncryptResponse;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.cloud.kms.v1.KeyManagementServiceSettings;
import com.google.protobuf.ByteString;
import com.google.protobuf.Int64Value;
import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.InvalidCiphertextException;
import dev.strongroom.crypto.KmsException;
import dev.strongroom.crypto.SecretKeyAccess;
import dev.strongroom.crypto.kms.KeyWrapper;
import dev.strongroom.crypto.kms.WrappedKey;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link KeyWrapper} whose KEK is a Google Cloud KMS symmetric {@code CryptoKey}, through the
 * official {@code google-cloud-kms} client, checking Cloud KMS's end-to-end integrity fields both
 * ways as Google's data-integrity guidelines prescribe:
 *
 * <ul>
 *   <li>Encrypt: we send {@code plaintext_crc32c} and {@code additional_authenticated_data_crc32c};
 *       the response must say {@code verified_plaintext_crc32c} and {@code verified_…_aad_crc32c},
 *       its {@code ciphertext_crc32c} must match the returned ciphertext, and its {@code name} must
 *       be a version of the key we asked for (a KMS answering with another key is refused at once).
 *   <li>Decrypt: we send {@code ciphertext_crc32c} and the AAD's; the returned {@code
 *       plaintext_crc32c} must match the returned plaintext.
 * </ul>
 *
 * A checksum mismatch means corruption in transit: the call is repeated up to {@value
 * #INTEGRITY_ATTEMPTS} times, then fails as a non-retriable {@link KmsException}. The version that
 * wrapped a key ({@code …/cryptoKeyVersions/N}) is recorded as its {@code kms_key_version}; Cloud
 * KMS finds the version itself on decrypt. A wrapped key of another CryptoKey, or one that Cloud
 * KMS cannot decrypt with this AAD, is an {@link InvalidCiphertextException}.
 *
 * <p>Production: {@link #forGcp} (TLS to {@code cloudkms.googleapis.com}, Application Default
 * Credentials). Tests and the devstack: {@link #forPlaintextEndpoint} against {@link
 * FakeCloudKmsServer}.
 */
public final class CloudKmsKeyWrapper implements KeyWrapper, AutoCloseable {
  /** Attempts when a response fails its checksum. */
  public static final int INTEGRITY_ATTEMPTS = 3;

  private static final Set<StatusCode.Code> RETRIABLE =
      Set.of(
          StatusCode.Code.UNAVAILABLE,
          StatusCode.Code.DEADLINE_EXCEEDED,
          StatusCode.Code.RESOURCE_EXHAUSTED,
          StatusCode.Code.ABORTED);

  private final KeyManagementServiceClient client;
  private final String keyName;

  /**
   * @param keyName the CryptoKey resource name, {@code
   *     projects/P/locations/L/keyRings/R/cryptoKeys/K}
   */
  public CloudKmsKeyWrapper(KeyManagementServiceClient client, String keyName) {
    this.client = Objects.requireNonNull(client, "client");
    if (!CryptoKeyName.isParsableFrom(keyName)) {
      throw new IllegalArgumentException("not a CryptoKey name: " + keyName);
    }
    this.keyName = keyName;
  }

  /** Production: the default client (TLS, Application Default Credentials). */
  public static CloudKmsKeyWrapper forGcp(String keyName) throws IOException {
    return new CloudKmsKeyWrapper(KeyManagementServiceClient.create(), keyName);
  }

  /**
   * Production, with the total time (the client library's own retries with backoff included) a call
   * may take before it fails as unavailable, instead of the library's per-method defaults (60 s for
   * Decrypt): a reader waiting on an unavailable KMS must get its answer within its own timeout.
   */
  public static CloudKmsKeyWrapper forGcp(String keyName, Duration totalTimeout)
      throws IOException {
    KeyManagementServiceSettings.Builder builder = KeyManagementServiceSettings.newBuilder();
    boundCalls(builder, totalTimeout);
    return new CloudKmsKeyWrapper(KeyManagementServiceClient.create(builder.build()), keyName);
  }

  /**
   * The real client library against a plaintext endpoint speaking the KMS gRPC protocol (the fake).
   */
  public static CloudKmsKeyWrapper forPlaintextEndpoint(String hostPort, String keyName)
      throws IOException {
    return forPlaintextEndpoint(hostPort, keyName, Duration.ofSeconds(30));
  }

  /**
   * As above, with the total time (retries included) a call may take before it fails as
   * unavailable.
   */
  public static CloudKmsKeyWrapper forPlaintextEndpoint(
      String hostPort, String keyName, Duration totalTimeout) throws IOException {
    KeyManagementServiceSettings.Builder builder =
        KeyManagementServiceSettings.newBuilder()
            .setEndpoint(hostPort)
            .setCredentialsProvider(NoCredentialsProvider.create())
            .setTransportChannelProvider(
                InstantiatingGrpcChannelProvider.newBuilder()
                    .setEndpoint(hostPort)
                    .setChannelConfigurator(b -> b.usePlaintext())
                    .build());
    boundCalls(builder, totalTimeout);
    return new CloudKmsKeyWrapper(KeyManagementServiceClient.create(builder.build()), keyName);
  }

  private static void boundCalls(KeyManagementServiceSettings.Builder builder, Duration total) {
    org.threeten.bp.Duration bound = org.threeten.bp.Duration.ofMillis(total.toMillis());
    for (var settings :
        java.util.List.of(
            builder.encryptSettings(), builder.decryptSettings(), builder.getCryptoKeySettings())) {
      settings.setRetrySettings(
          settings.getRetrySettings().toBuilder()
              .setTotalTimeout(bound)
              .setInitialRpcTimeout(bound)
              .setMaxRpcTimeout(bound)
              .build());
    }
  }

  @Override
  public String keyName() {
    return keyName;
  }

  /** The CryptoKey's current primary version, as Cloud KMS reports it. */
  @Override
  public String primaryVersion() {
    try {
      return client.getCryptoKey(keyName).getPrimary().getName();
    } catch (ApiException e) {
      throw unusable("GetCryptoKey", e);
    }
  }

  @Override
  public WrappedKey wrap(DataKey dataKey, byte[] associatedData) {
    byte[] aad = associatedData.clone();
    return dataKey.useKeyBytes(
        SecretKeyAccess.insecure(),
        dek -> {
          for (int attempt = 1; ; attempt++) {
            EncryptResponse r;
            try {
              r =
                  client.encrypt(
                      EncryptRequest.newBuilder()
                          .setName(keyName)
                          .setPlaintext(ByteString.copyFrom(dek))
                          .setPlaintextCrc32C(Int64Value.of(Crc32c.of(dek)))
                          .setAdditionalAuthenticatedData(ByteString.copyFrom(aad))
                          .setAdditionalAuthenticatedDataCrc32C(Int64Value.of(Crc32c.of(aad)))
                          .build());
            } catch (ApiException e) {
              throw unusable("Encrypt", e);
            }
            if (!r.getName().startsWith(keyName + "/cryptoKeyVersions/")) {
              throw new KmsException(
                  "Cloud KMS answered with key " + r.getName() + ", asked for " + keyName,
                  false,
                  null);
            }
            byte[] ct = r.getCiphertext().toByteArray();
            boolean intact =
                r.getVerifiedPlaintextCrc32C()
                    && r.getVerifiedAdditionalAuthenticatedDataCrc32C()
                    && r.hasCiphertextCrc32C()
                    && r.getCiphertextCrc32C().getValue() == Crc32c.of(ct);
            if (intact) {
              return WrappedKey.of(keyName, r.getName(), ct);
            }
            if (attempt == INTEGRITY_ATTEMPTS) {
              throw new KmsException(
                  "Cloud KMS Encrypt failed its integrity checks " + INTEGRITY_ATTEMPTS + " times",
                  false,
                  null);
            }
          }
        });
  }

  @Override
  public DataKey unwrap(WrappedKey wrapped, String dataKeyId, byte[] associatedData) {
    if (!wrapped.keyName().equals(keyName)) {
      throw new InvalidCiphertextException(); // never sent to another key
    }
    byte[] ct = wrapped.bytes();
    for (int attempt = 1; ; attempt++) {
      DecryptResponse r;
      try {
        r =
            client.decrypt(
                DecryptRequest.newBuilder()
                    .setName(keyName)
                    .setCiphertext(ByteString.copyFrom(ct))
                    .setCiphertextCrc32C(Int64Value.of(Crc32c.of(ct)))
                    .setAdditionalAuthenticatedData(ByteString.copyFrom(associatedData))
                    .setAdditionalAuthenticatedDataCrc32C(Int64Value.of(Crc32c.of(associatedData)))
                    .build());
      } catch (ApiException e) {
        if (e.getStatusCode().getCode() == StatusCode.Code.INVALID_ARGUMENT) {
          throw new InvalidCiphertextException(); // wrong AAD, tampered or foreign ciphertext
        }
        throw unusable("Decrypt", e);
      }
      byte[] pt = r.getPlaintext().toByteArray();
      if (r.hasPlaintextCrc32C() && r.getPlaintextCrc32C().getValue() == Crc32c.of(pt)) {
        return DataKey.adopt(dataKeyId, pt, SecretKeyAccess.insecure());
      }
      Arrays.fill(pt, (byte) 0);
      if (attempt == INTEGRITY_ATTEMPTS) {
        throw new KmsException(
            "Cloud KMS Decrypt failed its integrity checks " + INTEGRITY_ATTEMPTS + " times",
            false,
            null);
      }
    }
  }

  private static KmsException unusable(String op, ApiException e) {
    StatusCode.Code code = e.getStatusCode().getCode();
    return new KmsException("Cloud KMS " + op + " failed: " + code, RETRIABLE.contains(code), e);
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "CloudKmsKeyWrapper[" + keyName + "]";
  }
}
