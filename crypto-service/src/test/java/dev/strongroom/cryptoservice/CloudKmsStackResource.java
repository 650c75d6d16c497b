package dev.strongroom.cryptoservice;

import dev.strongroom.crypto.gcpkms.FakeCloudKmsServer;
import dev.strongroom.devstack.testing.StrongroomTestResource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The Strongroom test stack, with the crypto-service's KEK in (fake) Google Cloud KMS instead of
 * the dev keyring.
 */
public class CloudKmsStackResource extends StrongroomTestResource {
  static volatile FakeCloudKmsServer kms;
  static volatile String keyName;

  @Override
  public Map<String, String> start() {
    Map<String, String> config = new HashMap<>(super.start());
    try {
      kms = FakeCloudKmsServer.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    keyName = kms.createKey("strongroom-it", "europe-west3", "strongroom", "kek");
    config.remove("strongroom.crypto.kms.keyring-file");
    config.put("strongroom.crypto.kms.kind", "GCP_KMS");
    config.put("strongroom.crypto.kms.key-name", keyName);
    config.put("strongroom.crypto.kms.gcp-plaintext-endpoint", kms.endpoint());
    return config;
  }

  @Override
  public void stop() {
    try {
      if (kms != null) {
        kms.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    super.stop();
  }
}
