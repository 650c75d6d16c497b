package dev.strongroom.backup.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PartCipherTest {
  final SecureRandom random = new SecureRandom();
  final byte[] key = new byte[32];

  PartCipherTest() {
    random.nextBytes(key);
  }

  byte[] encrypt(byte[] plain, String name) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream enc = PartCipher.encrypting(out, key.clone(), name, random)) {
      enc.write(plain);
    }
    return out.toByteArray();
  }

  byte[] plain(int n) {
    byte[] p = new byte[n];
    random.nextBytes(p);
    return p;
  }

  @Test
  void roundTrip_atSegmentBoundaries() throws IOException {
    for (int n :
        new int[] {
          0,
          1,
          PartCipher.SEGMENT - 1,
          PartCipher.SEGMENT,
          PartCipher.SEGMENT + 1,
          2 * PartCipher.SEGMENT
        }) {
      byte[] p = plain(n);
      byte[] c = encrypt(p, "dump.sql.gz.enc");
      int segments = Math.max(1, (n + PartCipher.SEGMENT - 1) / PartCipher.SEGMENT);
      assertEquals(42 + n + 16 * segments, c.length, "size for " + n);
      assertArrayEquals(p, PartCipher.decryptAll(c, key, "dump.sql.gz.enc"));
    }
  }

  @Test
  void flippedByte_failsToDecrypt() throws IOException {
    byte[] c = encrypt(plain(1000), "a");
    for (int i : new int[] {0, 5, 6, 20, 42, c.length - 1}) {
      byte[] bad = c.clone();
      bad[i] ^= 0x01;
      assertThrows(
          PartCipher.InvalidPartException.class, () -> PartCipher.decryptAll(bad, key, "a"));
    }
  }

  @Test
  void partUnderAnotherName_failsToDecrypt() throws IOException {
    byte[] c = encrypt(plain(100), "binlog/binlog.000001.gz.enc");
    assertThrows(
        PartCipher.InvalidPartException.class,
        () -> PartCipher.decryptAll(c, key, "binlog/binlog.000002.gz.enc"));
  }

  @Test
  void truncatedAtASegmentBoundary_failsToDecrypt() throws IOException {
    byte[] c = encrypt(plain(2 * PartCipher.SEGMENT + 10), "a");
    byte[] cut = Arrays.copyOf(c, 42 + 2 * (PartCipher.SEGMENT + 16));
    assertThrows(PartCipher.InvalidPartException.class, () -> PartCipher.decryptAll(cut, key, "a"));
    byte[] longer = Arrays.copyOf(c, c.length + 16);
    assertThrows(
        PartCipher.InvalidPartException.class, () -> PartCipher.decryptAll(longer, key, "a"));
  }

  @Test
  void wrongKey_failsToDecrypt() throws IOException {
    byte[] c = encrypt(plain(100), "a");
    byte[] other = key.clone();
    other[0] ^= 1;
    assertThrows(PartCipher.InvalidPartException.class, () -> PartCipher.decryptAll(c, other, "a"));
  }

  @Test
  void swappedOrDroppedSegments_failToDecrypt() throws IOException {
    int seg = PartCipher.SEGMENT + 16;
    byte[] c = encrypt(plain(2 * PartCipher.SEGMENT + 10), "a");
    byte[] swapped = c.clone();
    System.arraycopy(c, 42 + seg, swapped, 42, seg);
    System.arraycopy(c, 42, swapped, 42 + seg, seg);
    assertThrows(
        PartCipher.InvalidPartException.class, () -> PartCipher.decryptAll(swapped, key, "a"));
    byte[] dropped = new byte[c.length - seg];
    System.arraycopy(c, 0, dropped, 0, 42);
    System.arraycopy(c, 42 + seg, dropped, 42, c.length - 42 - seg);
    assertThrows(
        PartCipher.InvalidPartException.class, () -> PartCipher.decryptAll(dropped, key, "a"));
  }

  @Test
  void extendedWithAnotherPartsSegment_failsToDecrypt() throws IOException {
    byte[] c = encrypt(plain(100), "a");
    byte[] other = encrypt(plain(100), "a");
    byte[] extended = Arrays.copyOf(c, c.length + other.length - 42);
    System.arraycopy(other, 42, extended, c.length, other.length - 42);
    assertThrows(
        PartCipher.InvalidPartException.class, () -> PartCipher.decryptAll(extended, key, "a"));
  }
}
