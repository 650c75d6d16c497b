package dev.strongroom.crypto.gcpkms;

import java.util.zip.CRC32C;

/** CRC32C (Castagnoli), the checksum Cloud KMS uses for end-to-end integrity. */
final class Crc32c {
  private Crc32c() {}

  static long of(byte[] data) {
    CRC32C c = new CRC32C();
    c.update(data, 0, data.length);
    return c.getValue();
  }
}
