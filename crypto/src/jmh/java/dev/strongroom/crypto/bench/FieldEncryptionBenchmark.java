package dev.strongroom.crypto.bench;

import dev.strongroom.crypto.aead.EncryptedField;
import dev.strongroom.crypto.aead.FieldAlgorithm;
import dev.strongroom.crypto.aead.FieldContext;
import dev.strongroom.crypto.cache.DataKeyCache;
import dev.strongroom.crypto.cache.DataKeyCachePolicy;
import dev.strongroom.crypto.kms.InsecureLocalKeyring;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * Field encryption with a cached tenant data key (lease from {@link DataKeyCache} over an {@link
 * InsecureLocalKeyring}, then {@code encrypt}) in both suites — 0x02, the default (per-DEK subkey
 * and commitment derived once, AES-256-GCM with a random IV per field), and 0x01 (HKDF-SHA-512
 * per-message key and commitment per field) — against raw JCE AES-256-GCM under one fixed key with
 * a random IV and the same AAD. {@link #main} runs all three and prints the throughput ratios per
 * plaintext size.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class FieldEncryptionBenchmark {

  @Param({"16", "64", "1024"})
  public int size;

  private SecureRandom random;
  private byte[] plaintext;
  private Path keyringFile;
  private DataKeyCache cache;
  private FieldContext context;
  private DataKeyCache cache01;
  private FieldContext context01;
  private byte[] aad;
  private Cipher rawCipher;
  private SecretKeySpec rawKey;
  private byte[] rawIv;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    random = new SecureRandom();
    plaintext = new byte[size];
    random.nextBytes(plaintext);
    keyringFile = Files.createTempFile("bench-keyring", ".txt");
    Files.delete(keyringFile);
    InsecureLocalKeyring.addVersion(keyringFile, "1", random);
    InsecureLocalKeyring kms = InsecureLocalKeyring.load("bench-kek", keyringFile, random);
    cache = DataKeyCache.create(kms, random); // default policy: suite 0x02
    context = contextFor(cache);
    cache01 =
        DataKeyCache.create(
            kms,
            DataKeyCachePolicy.builder()
                .fieldAlgorithm(FieldAlgorithm.AES_256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY)
                .build(),
            Clock.systemUTC(),
            random,
            () -> UUID.randomUUID().toString());
    context01 = contextFor(cache01);
    aad = context.associatedData();
    byte[] k = new byte[32];
    random.nextBytes(k);
    rawKey = new SecretKeySpec(k, "AES");
    rawCipher = Cipher.getInstance("AES/GCM/NoPadding");
    rawIv = new byte[12];
  }

  private static FieldContext contextFor(DataKeyCache c) {
    String dekId;
    try (DataKeyCache.Lease lease = c.acquire("tenant-a", 0)) {
      dekId = lease.dataKeyId();
    }
    return FieldContext.builder()
        .tenantId("tenant-a")
        .recordId(UUID.randomUUID())
        .fieldName("email")
        .schemaVersion(1)
        .dataKeyId(dekId)
        .build();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    cache.close();
    cache01.close();
    Files.deleteIfExists(keyringFile);
  }

  /**
   * What an application does per field: lease the tenant's cached data key, encrypt (default suite
   * 0x02: random IV, GCM under the DEK's cached subkey), release.
   */
  @Benchmark
  public EncryptedField fieldEncryptionCachedDataKey() {
    try (DataKeyCache.Lease lease = cache.acquire("tenant-a", size)) {
      if (!lease.dataKeyId().equals(context.dataKeyId())) {
        // The default policy rotates every 100,000 records or 15 minutes: follow the new key id.
        context = context.toBuilder().dataKeyId(lease.dataKeyId()).build();
        aad = context.associatedData();
      }
      return lease.cipher().encrypt(plaintext, context);
    }
  }

  /** The same with suite 0x01 (HKDF-SHA-512 per field, GCM under a fresh key), for comparison. */
  @Benchmark
  public EncryptedField fieldEncryptionCachedDataKeySuite01() {
    try (DataKeyCache.Lease lease = cache01.acquire("tenant-a", size)) {
      if (!lease.dataKeyId().equals(context01.dataKeyId())) {
        context01 = context01.toBuilder().dataKeyId(lease.dataKeyId()).build();
      }
      return lease.cipher().encrypt(plaintext, context01);
    }
  }

  /** The floor: one AES-256-GCM encryption with a fresh random IV, same AAD, fixed key. */
  @Benchmark
  public byte[] rawJceAesGcm() throws Exception {
    random.nextBytes(rawIv);
    rawCipher.init(Cipher.ENCRYPT_MODE, rawKey, new GCMParameterSpec(128, rawIv));
    rawCipher.updateAAD(aad);
    return rawCipher.doFinal(plaintext);
  }

  /** Runs the benchmarks (standard JMH options apply) and prints field/raw throughput ratios. */
  public static void main(String[] args) throws Exception {
    CommandLineOptions opts = new CommandLineOptions(args);
    Collection<RunResult> results =
        new Runner(
                opts.getIncludes().isEmpty()
                    ? new org.openjdk.jmh.runner.options.OptionsBuilder()
                        .parent(opts)
                        .include(FieldEncryptionBenchmark.class.getSimpleName())
                        .build()
                    : opts)
            .run();
    Map<Integer, double[]> bySize = new TreeMap<>();
    for (RunResult r : results) {
      int s = Integer.parseInt(r.getParams().getParam("size"));
      double score = r.getPrimaryResult().getScore();
      double[] row = bySize.computeIfAbsent(s, x -> new double[3]);
      String name = r.getParams().getBenchmark();
      if (name.endsWith("fieldEncryptionCachedDataKey")) {
        row[0] = score;
      } else if (name.endsWith("fieldEncryptionCachedDataKeySuite01")) {
        row[1] = score;
      } else {
        row[2] = score;
      }
    }
    System.out.println();
    System.out.println(
        "size  0x02 ops/ms  0x01 ops/ms  raw ops/ms  0x02/raw (goal >= 0.8)  0x01/raw");
    for (Map.Entry<Integer, double[]> e : bySize.entrySet()) {
      double[] p = e.getValue();
      System.out.printf(
          "%5d %11.1f %12.1f %11.1f %9.2f %23.2f%n",
          e.getKey(), p[0], p[1], p[2], p[2] == 0 ? 0 : p[0] / p[2], p[2] == 0 ? 0 : p[1] / p[2]);
    }
  }
}
