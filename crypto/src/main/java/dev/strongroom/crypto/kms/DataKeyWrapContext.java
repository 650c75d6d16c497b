package dev.strongroom.crypto.kms;

import dev.strongroom.crypto.internal.LengthPrefixed;
import java.nio.charset.StandardCharsets;

/**
 * The associated data a data key is wrapped with: {@code "SRDK1" || lp(tenantId) || lp(dekId)} (lp
 * = u32 big-endian length || UTF-8 bytes).
 */
public final class DataKeyWrapContext {
  private static final byte[] DOMAIN = "SRDK1".getBytes(StandardCharsets.US_ASCII);

  private DataKeyWrapContext() {}

  public static byte[] encode(String tenantId, String dataKeyId) {
    return new LengthPrefixed().raw(DOMAIN).utf8(tenantId).utf8(dataKeyId).toByteArray();
  }
}
