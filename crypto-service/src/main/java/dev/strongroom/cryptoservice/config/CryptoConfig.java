package dev.strongroom.cryptoservice.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** crypto-service settings ({@code strongroom.crypto.*}); reference: docs/configuration.md. */
@ConfigMapping(prefix = "strongroom.crypto")
public interface CryptoConfig {
  /** PKCS#8 PEM of the X25519 key encrypt requests are sealed to (HPKE recipient), mode 0600. */
  Path sealingKey();

  /**
   * The tenant authority's key file (docs/tenant-tokens.md): its keys (JSON, or one base64url key)
   * and the audience tokens must carry; re-read when it changes, so a key rotation needs no
   * restart.
   */
  Path tenantTokenKey();

  /** Where data keys are wrapped. */
  Kms kms();

  /** Data-key cache bounds. */
  Cache cache();

  /** Bounds of the decrypt side's cache of unwrapped data keys. */
  DecryptCache decryptCache();

  /** Optional post-quantum (X-Wing) wrap of every data key, to a recovery key held offline. */
  PostQuantum pq();

  /** How an encrypt request waits out an unavailable KMS or broker. */
  Retry retry();

  /** How a decrypt waits for an unavailable KMS. */
  Decrypt decrypt();

  interface Decrypt {
    /**
     * How long a decrypt keeps trying an unavailable KMS (with the backoff of {@code retry.*})
     * before it answers 503 UNAVAILABLE; one KMS call ({@code kms.call-timeout}) may run past it.
     * The two together (15 s by default) stay under a reader's own HTTP timeout (the client
     * library's: 30 s).
     */
    @WithDefault("PT10S")
    Duration kmsWait();
  }

  interface Retry {
    /**
     * First wait before an encrypt request that met an unavailable KMS or broker is tried again.
     */
    @WithDefault("PT0.05S")
    Duration backoffMin();

    /** Longest wait between two tries (the wait doubles from backoff-min up to this). */
    @WithDefault("PT5S")
    Duration backoffMax();
  }

  interface PostQuantum {
    /** File with the X-Wing recovery public key (base64url, 1216 bytes); absent: no PQ wrap. */
    Optional<Path> recipientPublicKey();

    /** The recovery key's name, bound into the wrap. */
    @WithDefault("strongroom-pq-recovery")
    String keyName();

    /** The recovery key's version, bound into the wrap. */
    @WithDefault("1")
    String keyVersion();
  }

  /** Key-encryption-key backends. */
  enum KmsKind {
    /** A KEK in a local file: development only. */
    INSECURE_LOCAL_KEYRING,
    /** A non-extractable AES-256 KEK inside a PKCS#11 token (HSM; SoftHSM2 in development). */
    PKCS11,
    /** A Google Cloud KMS CryptoKey ({@code key-name} is its resource name). */
    GCP_KMS
  }

  interface Kms {
    /** Which backend wraps data keys. */
    KmsKind kind();

    /** The KEK's logical name ({@code data_keys.kms_key_name}). */
    String keyName();

    /** The KEK version new wraps use. */
    @WithDefault("1")
    String primaryVersion();

    /** INSECURE_LOCAL_KEYRING: the keyring file. */
    Optional<Path> keyringFile();

    /** PKCS11: the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so. */
    Optional<Path> pkcs11Library();

    /** PKCS11: the token's slot id. */
    Optional<Long> pkcs11Slot();

    /** PKCS11: file holding the user PIN (mode 0600). */
    Optional<Path> pkcs11PinFile();

    /**
     * GCP_KMS: a plaintext gRPC endpoint speaking the KMS protocol (the devstack's fake). Absent in
     * production, where the client uses Google's endpoint over TLS with Application Default
     * Credentials.
     */
    Optional<String> gcpPlaintextEndpoint();

    /**
     * A wait added before every wrap and unwrap, so a local keyring or HSM costs what a KMS across
     * a network would (the devstack sets 30 ms, the low end of Cloud KMS's published latency; the
     * benchmark's direct path uses the same). Zero, the default, in production.
     */
    @WithDefault("PT0S")
    Duration addedLatency();

    /**
     * GCP_KMS: the longest one KMS call may take, the client library's own retries with backoff of
     * an unavailable KMS included, before it counts as unavailable.
     */
    @WithDefault("PT5S")
    Duration callTimeout();
  }

  interface Cache {
    /** How long one data key serves new records. */
    @WithDefault("PT15M")
    Duration maxAge();

    /** How many records one data key serves. */
    @WithDefault("100000")
    long maxRecords();

    /** How many plaintext bytes one data key encrypts. */
    @WithDefault("1073741824")
    long maxBytes();
  }

  interface DecryptCache {
    /** How many unwrapped data keys are kept (least recently used evicted first). */
    @WithDefault("1024")
    int maxEntries();

    /** How long an unwrapped data key is kept after the KMS unwrapped it. */
    @WithDefault("PT5M")
    Duration maxAge();

    /** How many decrypts one unwrap serves before the KMS is asked again. */
    @WithDefault("10000")
    long maxUses();
  }
}
