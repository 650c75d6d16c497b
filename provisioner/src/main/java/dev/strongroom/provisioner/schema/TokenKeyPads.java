package dev.strongroom.provisioner.schema;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The tenant-token HMAC key in the form the database uses (it has no HMAC function): the key
 * zero-padded to SHA-256's 64-byte block and XORed with {@code 0x36} ({@code ipad}) and {@code
 * 0x5c} ({@code opad}), RFC 2104. {@code HMAC(K, m) = SHA256(opad || SHA256(ipad || m))}.
 */
public final class TokenKeyPads {
  public static final int BLOCK = 64;
  private final byte[] ipad;
  private final byte[] opad;

  private TokenKeyPads(byte[] ipad, byte[] opad) {
    this.ipad = ipad;
    this.opad = opad;
  }

  /** Pads for {@code key} (1..64 bytes; tenant-token keys are 32). */
  public static TokenKeyPads of(byte[] key) {
    if (key == null || key.length == 0 || key.length > BLOCK) {
      throw new IllegalArgumentException("an HMAC-SHA256 key used here is 1..64 bytes");
    }
    byte[] i = new byte[BLOCK];
    byte[] o = new byte[BLOCK];
    for (int n = 0; n < BLOCK; n++) {
      byte k = n < key.length ? key[n] : 0;
      i[n] = (byte) (k ^ 0x36);
      o[n] = (byte) (k ^ 0x5c);
    }
    return new TokenKeyPads(i, o);
  }

  public byte[] ipad() {
    return ipad.clone();
  }

  public byte[] opad() {
    return opad.clone();
  }

  /** HMAC-SHA256 computed from the pads exactly as {@code strongroom_security.hmac_pads} does. */
  public byte[] mac(byte[] message) {
    MessageDigest inner = sha256();
    inner.update(ipad);
    inner.update(message);
    MessageDigest outer = sha256();
    outer.update(opad);
    outer.update(inner.digest());
    return outer.digest();
  }

  /** Overwrites the pads (best effort: Java may have copied them). */
  public void destroy() {
    Arrays.fill(ipad, (byte) 0);
    Arrays.fill(opad, (byte) 0);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
