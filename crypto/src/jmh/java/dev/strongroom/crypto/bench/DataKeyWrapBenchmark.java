package dev.strongroom.crypto.bench;

import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.kms.DataKeyWrapContext;
import dev.strongroom.crypto.kms.InsecureLocalKeyring;
import dev.strongroom.crypto.kms.WrappedKey;
import dev.strongroom.crypto.kms.XWingKeyWrapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of wrapping one data key: the post-quantum X-Wing wrap (ML-KEM-768 + X25519
 * encapsulation, HKDF, AES-GCM) against the AES-GCM wrap of the local keyring, measured in the same
 * run. A data key is wrapped once per cache rotation, not per record, so this is paid per data key
 * only.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DataKeyWrapBenchmark {
  private final SecureRandom random = new SecureRandom();
  private Path keyringFile;
  private InsecureLocalKeyring keyring;
  private XWingKeyWrapper xwing;
  private DataKey dek;
  private byte[] context;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    keyringFile = Files.createTempFile("bench-kek", ".txt");
    Files.delete(keyringFile);
    InsecureLocalKeyring.addVersion(keyringFile, "1", random);
    keyring = InsecureLocalKeyring.load("bench-kek", keyringFile, random);
    xwing =
        XWingKeyWrapper.forRecipient(
            "pq-recovery", "1", XWingKeyWrapper.generateKeyPair(random).publicKey(), random);
    dek = DataKey.generate("dek-1", random);
    context = DataKeyWrapContext.encode("tenant-a", "dek-1");
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    Files.deleteIfExists(keyringFile);
  }

  /** Baseline: AES-256-GCM wrap under a software KEK. */
  @Benchmark
  public WrappedKey aesGcmKeyringWrap() {
    return keyring.wrap(dek, context);
  }

  /** X-Wing wrap to a recovery public key. */
  @Benchmark
  public WrappedKey xwingWrap() {
    return xwing.wrap(dek, context);
  }
}
