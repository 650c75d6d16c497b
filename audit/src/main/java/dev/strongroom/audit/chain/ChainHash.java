package dev.strongroom.audit.chain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The audit chain's hash (DESIGN §4 "Audit chain"): {@code curr_hash = SHA-256(prev_hash_hex "|"
 * payload)} over UTF-8, as 64 lower-case hex characters; the genesis {@code prev_hash} is 64 zeros.
 * The transparency log's entry {@code i} is the 32 raw bytes of {@code curr_hash} at {@code seq = i
 * + 1} (DESIGN §5): {@link #entry}.
 */
public final class ChainHash {
  /** The {@code prev_hash} of {@code seq = 1}. */
  public static final String GENESIS = "0".repeat(64);

  private static final HexFormat HEX = HexFormat.of();

  private ChainHash() {}

  /** {@code SHA-256(prevHex "|" payload)} over UTF-8, as lower-case hex. */
  public static String hash(String prevHex, String payload) {
    return HEX.formatHex(
        sha256().digest((prevHex + "|" + payload).getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * The log entry for a chain row: the 32 raw bytes of its {@code curr_hash}.
   *
   * @throws IllegalArgumentException if {@code currHashHex} is not 64 lower-case hex characters
   */
  public static byte[] entry(String currHashHex) {
    if (!isHash(currHashHex)) {
      throw new IllegalArgumentException("not a chain hash (64 lower-case hex): " + currHashHex);
    }
    return HEX.parseHex(currHashHex);
  }

  /** Whether {@code s} is 64 lower-case hex characters. */
  public static boolean isHash(String s) {
    if (s == null || s.length() != 64) {
      return false;
    }
    for (int k = 0; k < 64; k++) {
      char c = s.charAt(k);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException x) {
      throw new IllegalStateException("the JDK has no SHA-256", x);
    }
  }
}
