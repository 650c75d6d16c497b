package dev.strongroom.cloud.gcp.internal;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.zip.CRC32C;

/** The digests Cloud Storage speaks, in its encodings. */
public final class Hashes {
  private Hashes() {}

  /** Cloud Storage's {@code crc32c} field: base64 of the big-endian CRC32C (Castagnoli). */
  public static String crc32cBase64(byte[] data) {
    CRC32C c = new CRC32C();
    c.update(data, 0, data.length);
    return Base64.getEncoder()
        .encodeToString(ByteBuffer.allocate(4).putInt((int) c.getValue()).array());
  }

  /** Cloud Storage's {@code md5Hash} field: base64 of the MD5 digest. */
  public static String md5Base64(byte[] data) {
    return Base64.getEncoder().encodeToString(digest("MD5", data));
  }

  public static byte[] sha256(byte[] data) {
    return digest("SHA-256", data);
  }

  private static byte[] digest(String algorithm, byte[] data) {
    try {
      return MessageDigest.getInstance(algorithm).digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is a JDK standard algorithm", e);
    }
  }
}
