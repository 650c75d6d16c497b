package dev.strongroom.crypto.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.InvalidCiphertextException;
import dev.strongroom.crypto.KmsException;
import dev.strongroom.crypto.SecretKeyAccess;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AddedLatencyKeyWrapperTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] AD = DataKeyWrapContext.encode("tenant-a", "dek-1");

  @TempDir Path dir;

  private InsecureLocalKeyring keyring() {
    Path p = dir.resolve("kr");
    InsecureLocalKeyring.addVersion(p, "1", RANDOM);
    return InsecureLocalKeyring.load("dev-kek", p, RANDOM);
  }

  @Test
  void everyWrapAndUnwrapWaitsOnce_andTheBytesAreTheKeyringsOwn() {
    InsecureLocalKeyring kr = keyring();
    List<Duration> waits = new ArrayList<>();
    KeyWrapper slow = AddedLatencyKeyWrapper.of(kr, Duration.ofMillis(30), waits::add);
    DataKey dek = DataKey.generate("dek-1", RANDOM);

    WrappedKey w = slow.wrap(dek, AD);
    DataKey back =
        kr.unwrap(w, "dek-1", AD); // the undelayed keyring opens what the delayed one made
    DataKey again = slow.unwrap(kr.wrap(dek, AD), "dek-1", AD);

    assertEquals(List.of(Duration.ofMillis(30), Duration.ofMillis(30)), waits);
    byte[] expected = dek.useKeyBytes(SecretKeyAccess.insecure(), byte[]::clone);
    assertArrayEquals(expected, back.useKeyBytes(SecretKeyAccess.insecure(), byte[]::clone));
    assertArrayEquals(expected, again.useKeyBytes(SecretKeyAccess.insecure(), byte[]::clone));
    assertEquals("dev-kek", slow.keyName());
    assertEquals("1", slow.primaryVersion());
  }

  @Test
  void refusalsOfTheKmsPassThroughUnchanged() {
    KeyWrapper slow = AddedLatencyKeyWrapper.of(keyring(), Duration.ofMillis(5), d -> {});
    WrappedKey w = slow.wrap(DataKey.generate("dek-1", RANDOM), AD);
    InvalidCiphertextException e =
        assertThrows(
            InvalidCiphertextException.class,
            () -> slow.unwrap(w, "dek-1", DataKeyWrapContext.encode("tenant-b", "dek-1")));
    assertEquals("invalid ciphertext", e.getMessage());
  }

  @Test
  void zeroLatency_isTheKeyringItself() {
    InsecureLocalKeyring kr = keyring();
    assertSame(kr, AddedLatencyKeyWrapper.of(kr, Duration.ZERO));
  }

  @Test
  void negativeLatency_isRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> AddedLatencyKeyWrapper.of(keyring(), Duration.ofMillis(-1)));
    assertTrue(e.getMessage().startsWith("latency must not be negative"), e.getMessage());
  }

  @Test
  void interruptedWait_isANonRetriableKmsErrorAndKeepsTheInterrupt() {
    KeyWrapper slow =
        AddedLatencyKeyWrapper.of(
            keyring(),
            Duration.ofMillis(30),
            d -> {
              throw new InterruptedException();
            });
    KmsException e =
        assertThrows(KmsException.class, () -> slow.wrap(DataKey.generate("d", RANDOM), AD));
    assertEquals("interrupted while waiting for the KMS", e.getMessage());
    assertFalse(e.retriable());
    assertTrue(Thread.interrupted());
  }
}
