package dev.strongroom.cryptoservice.config;

import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.errors.InvalidConfigurationException;
import dev.strongroom.contracts.keys.KeyRegistry;
import dev.strongroom.contracts.records.SealingKey;
import dev.strongroom.contracts.token.TenantTokenKeyFile;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.crypto.cache.DataKeyCache;
import dev.strongroom.crypto.cache.DataKeyCachePolicy;
import dev.strongroom.crypto.cache.UnwrappedKeyCache;
import dev.strongroom.crypto.gcpkms.CloudKmsKeyWrapper;
import dev.strongroom.crypto.kms.AddedLatencyKeyWrapper;
import dev.strongroom.crypto.kms.InsecureLocalKeyring;
import dev.strongroom.crypto.kms.KeyWrapper;
import dev.strongroom.crypto.kms.Pkcs11KeyWrapper;
import dev.strongroom.crypto.kms.XWingKeyWrapper;
import dev.strongroom.cryptoservice.pipeline.DecryptService;
import dev.strongroom.cryptoservice.pipeline.EncryptPipeline;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Provider;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/** Builds the crypto library's objects from {@link CryptoConfig}; the logic lives in plain Java. */
@ApplicationScoped
public class CryptoProducers {

  @Produces
  @Singleton
  SecureRandom random() {
    return new SecureRandom();
  }

  @Produces
  @Singleton
  SealingKey sealingKey(CryptoConfig config) {
    return SealingKey.load(config.sealingKey());
  }

  @Produces
  @Singleton
  TenantTokens tenantTokens(CryptoConfig config, Clock clock) {
    // re-read when the file changes: ./strongroom rotate-token-key needs no restart
    try {
      return new TenantTokens(TenantTokenKeyFile.open(config.tenantTokenKey()), clock);
    } catch (RuntimeException e) {
      throw new InvalidConfigurationException(
          "tenant-token key file " + config.tenantTokenKey() + " is not usable: " + e.getMessage(),
          e);
    }
  }

  @Produces
  @Singleton
  KeyWrapper keyWrapper(CryptoConfig config, SecureRandom random) {
    return AddedLatencyKeyWrapper.of(kmsWrapper(config, random), config.kms().addedLatency());
  }

  private static KeyWrapper kmsWrapper(CryptoConfig config, SecureRandom random) {
    CryptoConfig.Kms kms = config.kms();
    switch (kms.kind()) {
      case INSECURE_LOCAL_KEYRING:
        return InsecureLocalKeyring.load(
            kms.keyName(),
            kms.keyringFile().orElseThrow(() -> missing("strongroom.crypto.kms.keyring-file")),
            random);
      case PKCS11:
        Provider provider =
            Pkcs11KeyWrapper.configureProvider(
                "strongroom-kek",
                kms.pkcs11Library()
                    .orElseThrow(() -> missing("strongroom.crypto.kms.pkcs11-library")),
                kms.pkcs11Slot().orElseThrow(() -> missing("strongroom.crypto.kms.pkcs11-slot")));
        char[] pin =
            readText(
                    kms.pkcs11PinFile()
                        .orElseThrow(() -> missing("strongroom.crypto.kms.pkcs11-pin-file")))
                .toCharArray();
        return Pkcs11KeyWrapper.open(provider, pin, kms.keyName(), kms.primaryVersion(), random);
      case GCP_KMS:
        try {
          return kms.gcpPlaintextEndpoint().isPresent()
              ? CloudKmsKeyWrapper.forPlaintextEndpoint(
                  kms.gcpPlaintextEndpoint().get(), kms.keyName(), kms.callTimeout())
              : CloudKmsKeyWrapper.forGcp(kms.keyName(), kms.callTimeout());
        } catch (IOException e) {
          throw new InvalidConfigurationException(
              "cannot create the Cloud KMS client: " + e.getMessage(), e);
        }
      default:
        throw new InvalidConfigurationException("unsupported KMS kind " + kms.kind());
    }
  }

  @Produces
  @Singleton
  DataKeyCache dataKeyCache(
      KeyWrapper wrapper, CryptoConfig config, Clock clock, SecureRandom random) {
    DataKeyCachePolicy policy =
        DataKeyCachePolicy.builder()
            .maxAge(config.cache().maxAge())
            .maxRecords(config.cache().maxRecords())
            .maxBytes(config.cache().maxBytes())
            .build();
    if (config.pq().recipientPublicKey().isPresent()) {
      byte[] recipient = Base64Url.decode(readText(config.pq().recipientPublicKey().get()));
      XWingKeyWrapper pq =
          XWingKeyWrapper.forRecipient(
              config.pq().keyName(), config.pq().keyVersion(), recipient, random);
      return DataKeyCache.create(
          wrapper, pq, policy, clock, random, () -> UUID.randomUUID().toString());
    }
    return DataKeyCache.create(wrapper, policy, clock, random, () -> UUID.randomUUID().toString());
  }

  void closeCache(@Disposes DataKeyCache cache) {
    cache.close(); // wipes every cached data key
  }

  @Produces
  @Singleton
  EncryptPipeline encryptPipeline(
      SealingKey sealingKey,
      TenantTokens tokens,
      DataKeyCache cache,
      EventSigner signer,
      KeyRegistry registry) {
    return new EncryptPipeline(sealingKey, tokens, cache, signer, registry);
  }

  @Produces
  @Singleton
  UnwrappedKeyCache unwrappedKeyCache(
      KeyWrapper wrapper,
      CryptoConfig config,
      Clock clock,
      SecureRandom random,
      MeterRegistry meters) {
    CryptoConfig.DecryptCache c = config.decryptCache();
    UnwrappedKeyCache cache =
        new UnwrappedKeyCache(
            wrapper,
            new UnwrappedKeyCache.Policy(c.maxEntries(), c.maxAge(), c.maxUses()),
            clock,
            random);
    String name = "strongroom.crypto.decrypt.keys";
    FunctionCounter.builder(name + ".hits", cache, k -> k.stats().hits())
        .description("decrypts served by a cached unwrapped data key")
        .register(meters);
    FunctionCounter.builder(name + ".misses", cache, k -> k.stats().misses())
        .description("decrypts that had to ask the KMS")
        .register(meters);
    FunctionCounter.builder(name + ".unwraps", cache, k -> k.stats().unwraps())
        .description("KMS unwrap calls made by the decrypt side")
        .register(meters);
    FunctionCounter.builder(name + ".evictions", cache, k -> k.stats().evictions())
        .description("unwrapped data keys evicted (and wiped) by age, uses or size")
        .register(meters);
    Gauge.builder(name + ".size", cache, k -> k.stats().size())
        .description("unwrapped data keys held")
        .register(meters);
    return cache;
  }

  void closeUnwrappedKeys(@Disposes UnwrappedKeyCache cache) {
    cache.close(); // wipes every unwrapped data key
  }

  @Produces
  @Singleton
  DecryptService decryptService(
      TenantTokens tokens, UnwrappedKeyCache keys, CryptoConfig config, MeterRegistry meters) {
    AtomicInteger waiting = new AtomicInteger();
    Gauge.builder("strongroom.decrypt.waiting", waiting, AtomicInteger::get)
        .description("decrypts waiting for an unavailable KMS now")
        .register(meters);
    return new DecryptService(
        tokens,
        keys,
        new DecryptService.KmsWait(
            config.decrypt().kmsWait(), config.retry().backoffMin(), config.retry().backoffMax()),
        new DecryptService.Listener() {
          @Override
          public void retry() {
            meters.counter("strongroom.decrypt.retries", "reason", "UNAVAILABLE").increment();
          }

          @Override
          public void waiting(int delta) {
            waiting.addAndGet(delta);
          }

          @Override
          public void gaveUp() {
            meters.counter("strongroom.decrypt.unavailable").increment();
          }
        });
  }

  @Produces
  @Singleton
  dev.strongroom.cryptoservice.pipeline.RewrapService rewrapService(
      TenantTokens tokens, KeyWrapper kek) {
    return new dev.strongroom.cryptoservice.pipeline.RewrapService(tokens, kek);
  }

  private static InvalidConfigurationException missing(String property) {
    return new InvalidConfigurationException(
        property + " is required for this strongroom.crypto.kms.kind");
  }

  private static String readText(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new InvalidConfigurationException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
