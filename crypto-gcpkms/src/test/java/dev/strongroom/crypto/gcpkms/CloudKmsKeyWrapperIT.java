package dev.strongroom.crypto.gcpkms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.InstantiatingGrpcChannelProvider;
import com.google.cloud.kms.v1.CryptoKeyVersion;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.cloud.kms.v1.KeyManagementServiceSettings;
import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.InvalidCiphertextException;
import dev.strongroom.crypto.KmsException;
import dev.strongroom.crypto.SecretKeyAccess;
import dev.strongroom.crypto.kms.DataKeyWrapContext;
import dev.strongroom.crypto.kms.WrappedKey;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real google-cloud-kms client against the fake KMS over gRPC on loopback: every integrity
 * check, attacked.
 */
class CloudKmsKeyWrapperIT {
  private FakeCloudKmsServer kms;
  private String keyName;
  private CloudKmsKeyWrapper wrapper;
  private final SecureRandom random = new SecureRandom();
  private DataKey dek;
  private byte[] dekBytes;
  private final byte[] aad = DataKeyWrapContext.encode("acme", "dek-1");

  @BeforeEach
  void start() throws Exception {
    kms = FakeCloudKmsServer.start();
    keyName = kms.createKey("strongroom-dev", "europe-west3", "strongroom", "kek");
    wrapper =
        CloudKmsKeyWrapper.forPlaintextEndpoint(kms.endpoint(), keyName, Duration.ofSeconds(3));
    dek = DataKey.generate("dek-1", random);
    dekBytes = dek.useKeyBytes(SecretKeyAccess.insecure(), byte[]::clone);
  }

  @AfterEach
  void stop() throws Exception {
    wrapper.close();
    kms.close();
  }

  private byte[] bytesOf(DataKey k) {
    return k.useKeyBytes(SecretKeyAccess.insecure(), byte[]::clone);
  }

  @Test
  void wrapThenUnwrap_roundTrips_andRecordsTheKeyVersion() {
    WrappedKey w = wrapper.wrap(dek, aad);
    assertEquals(keyName, w.keyName());
    assertEquals(keyName + "/cryptoKeyVersions/1", w.keyVersion());
    assertEquals(keyName + "/cryptoKeyVersions/1", wrapper.primaryVersion());
    assertFalse(java.util.Arrays.equals(dekBytes, w.bytes()));
    assertArrayEquals(dekBytes, bytesOf(wrapper.unwrap(w, "dek-1", aad)));
    assertEquals(1, kms.encryptCalls());
    assertEquals(1, kms.decryptCalls());
  }

  @Test
  void otherAad_isInvalidCiphertext() {
    WrappedKey w = wrapper.wrap(dek, aad);
    assertThrows(
        InvalidCiphertextException.class,
        () -> wrapper.unwrap(w, "dek-1", DataKeyWrapContext.encode("globex", "dek-1")));
  }

  @Test
  void kmsAnsweringWithAnotherKeyName_isRefusedAtOnce() {
    kms.inject(FakeCloudKmsServer.Fault.WRONG_KEY_NAME);
    KmsException e = assertThrows(KmsException.class, () -> wrapper.wrap(dek, aad));
    assertTrue(
        e.getMessage()
            .startsWith(
                "Cloud KMS answered with key projects/strongroom-dev/locations/europe-west3/keyRings/strongroom/cryptoKeys/other/"),
        e.getMessage());
    assertFalse(e.retriable());
    assertEquals(1, kms.encryptCalls());
  }

  @Test
  void corruptedCiphertextChecksumInTheResponse_isRetriedThenRefused() {
    kms.inject(FakeCloudKmsServer.Fault.CORRUPT_CIPHERTEXT_CRC);
    KmsException e = assertThrows(KmsException.class, () -> wrapper.wrap(dek, aad));
    assertEquals("Cloud KMS Encrypt failed its integrity checks 3 times", e.getMessage());
    assertFalse(e.retriable());
    assertEquals(3, kms.encryptCalls());
  }

  @Test
  void plaintextChecksumNotVerifiedByKms_isRetriedThenRefused() {
    kms.inject(FakeCloudKmsServer.Fault.UNVERIFIED_PLAINTEXT_CRC);
    assertEquals(
        "Cloud KMS Encrypt failed its integrity checks 3 times",
        assertThrows(KmsException.class, () -> wrapper.wrap(dek, aad)).getMessage());
  }

  @Test
  void corruptedPlaintextChecksumInTheDecryptResponse_isRetriedThenRefused() {
    WrappedKey w = wrapper.wrap(dek, aad);
    kms.inject(FakeCloudKmsServer.Fault.CORRUPT_PLAINTEXT_CRC);
    assertEquals(
        "Cloud KMS Decrypt failed its integrity checks 3 times",
        assertThrows(KmsException.class, () -> wrapper.unwrap(w, "dek-1", aad)).getMessage());
    assertEquals(3, kms.decryptCalls());
  }

  @Test
  void transientCorruption_isRecoveredByTheRetry() {
    WrappedKey w = wrapper.wrap(dek, aad);
    kms.injectOnce(FakeCloudKmsServer.Fault.CORRUPT_PLAINTEXT_CRC);
    assertArrayEquals(dekBytes, bytesOf(wrapper.unwrap(w, "dek-1", aad)));
    assertEquals(2, kms.decryptCalls());
  }

  @Test
  void wrappedUnderAnotherKey_isInvalidCiphertext_withoutAnyCall() throws Exception {
    String other = kms.createKey("strongroom-dev", "europe-west3", "strongroom", "other");
    try (CloudKmsKeyWrapper otherWrapper =
        CloudKmsKeyWrapper.forPlaintextEndpoint(kms.endpoint(), other, Duration.ofSeconds(3))) {
      WrappedKey w = otherWrapper.wrap(dek, aad);
      int calls = kms.decryptCalls();
      assertThrows(InvalidCiphertextException.class, () -> wrapper.unwrap(w, "dek-1", aad));
      assertEquals(calls, kms.decryptCalls());
    }
  }

  @Test
  void rotation_newPrimaryWrapsNewKeys_oldWrappedKeysStillUnwrap() throws Exception {
    WrappedKey v1 = wrapper.wrap(dek, aad);
    try (KeyManagementServiceClient admin =
        KeyManagementServiceClient.create(
            KeyManagementServiceSettings.newBuilder()
                .setEndpoint(kms.endpoint())
                .setCredentialsProvider(NoCredentialsProvider.create())
                .setTransportChannelProvider(
                    InstantiatingGrpcChannelProvider.newBuilder()
                        .setEndpoint(kms.endpoint())
                        .setChannelConfigurator(b -> b.usePlaintext())
                        .build())
                .build())) {
      CryptoKeyVersion v2 =
          admin.createCryptoKeyVersion(keyName, CryptoKeyVersion.newBuilder().build());
      admin.updateCryptoKeyPrimaryVersion(
          keyName, v2.getName().substring(v2.getName().lastIndexOf('/') + 1));
    }
    WrappedKey w2 = wrapper.wrap(dek, aad);
    assertEquals(keyName + "/cryptoKeyVersions/2", w2.keyVersion());
    assertEquals(keyName + "/cryptoKeyVersions/2", wrapper.primaryVersion());
    assertArrayEquals(dekBytes, bytesOf(wrapper.unwrap(v1, "dek-1", aad)));
    assertArrayEquals(dekBytes, bytesOf(wrapper.unwrap(w2, "dek-1", aad)));
  }

  @Test
  void kmsDown_isRetriable() throws Exception {
    kms.close();
    KmsException e = assertThrows(KmsException.class, () -> wrapper.wrap(dek, aad));
    assertEquals("Cloud KMS Encrypt failed: UNAVAILABLE", e.getMessage());
    assertTrue(e.retriable());
  }
}
