package dev.strongroom.provisioner.atrest;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Codec for the encrypted key file of MariaDB's {@code file_key_management} plugin.
 *
 * <p>Plaintext: one key per line, {@code <id>;<key as hex>}, ids 1..2^32-1 ascending, keys of 16,
 * 24 or 32 bytes (we always write 32), {@code \n} line ends.
 *
 * <p>Encrypted form — exactly what {@code openssl enc -aes-256-cbc -md sha1 -pass file:<filekey>}
 * writes and what the plugin's parser ({@code plugin/file_key_management/parser.cc}) reads:
 *
 * <pre>
 * offset 0   8 bytes  ASCII "Salted__"
 * offset 8   8 bytes  random salt
 * offset 16  n bytes  AES-256-CBC(key, iv, plaintext) with PKCS#7 padding
 * key || iv = EVP_BytesToKey(SHA-1, salt, password, count = 1): D1 = SHA1(password || salt),
 *             D2 = SHA1(D1 || password || salt), D3 = SHA1(D2 || password || salt); first 32 bytes key,
 *             next 16 bytes IV
 * </pre>
 *
 * <p>The password is the content of the {@code file_key_management_filekey} file (the plugin strips
 * trailing CR/LF; at most 256 bytes). This KDF is weak by modern standards (one SHA-1 round), which
 * is why the password we generate is 32 random bytes as hex, not a passphrase.
 */
public final class MariaDbKeyFile {
  private static final byte[] MAGIC = "Salted__".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_SECRET = 256;

  private MariaDbKeyFile() {}

  /** Renders the plaintext key file for {@code keys} (id to raw key). */
  public static String plaintext(SortedMap<Integer, byte[]> keys) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<Integer, byte[]> e : keys.entrySet()) {
      if (e.getKey() < 1) {
        throw new AtRestException("key ids start at 1: " + e.getKey());
      }
      int len = e.getValue().length;
      if (len != 16 && len != 24 && len != 32) {
        throw new AtRestException("key " + e.getKey() + " must be 16, 24 or 32 bytes, not " + len);
      }
      sb.append(e.getKey()).append(';').append(HexFormat.of().formatHex(e.getValue())).append('\n');
    }
    return sb.toString();
  }

  /** Parses the plaintext key file (comments starting with {@code #} and blank lines allowed). */
  public static SortedMap<Integer, byte[]> parse(String plaintext) {
    SortedMap<Integer, byte[]> keys = new TreeMap<>();
    int lineNo = 0;
    for (String line : plaintext.split("\n", -1)) {
      lineNo++;
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      int semi = l.indexOf(';');
      try {
        int id = Integer.parseInt(l.substring(0, semi));
        byte[] key = HexFormat.of().parseHex(l.substring(semi + 1));
        if (id < 1
            || keys.containsKey(id)
            || (key.length != 16 && key.length != 24 && key.length != 32)) {
          throw new IllegalArgumentException();
        }
        keys.put(id, key);
      } catch (RuntimeException e) {
        throw new AtRestException("key file line " + lineNo + " is not '<id>;<hex key>'");
      }
    }
    return keys;
  }

  /** Encrypts {@code plaintext} under {@code password} in the OpenSSL "Salted__" format. */
  public static byte[] encrypt(byte[] plaintext, byte[] password) {
    checkPassword(password);
    byte[] salt = new byte[8];
    new SecureRandom().nextBytes(salt);
    byte[][] keyIv = bytesToKey(password, salt);
    try {
      Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
      c.init(
          Cipher.ENCRYPT_MODE, new SecretKeySpec(keyIv[0], "AES"), new IvParameterSpec(keyIv[1]));
      byte[] ct = c.doFinal(plaintext);
      byte[] out = new byte[16 + ct.length];
      System.arraycopy(MAGIC, 0, out, 0, 8);
      System.arraycopy(salt, 0, out, 8, 8);
      System.arraycopy(ct, 0, out, 16, ct.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new AtRestException("AES-256-CBC unavailable", e);
    } finally {
      Arrays.fill(keyIv[0], (byte) 0);
    }
  }

  /** Decrypts a "Salted__" file; a wrong password or a corrupt file is one uniform error. */
  public static byte[] decrypt(byte[] file, byte[] password) {
    checkPassword(password);
    if (file.length < 32
        || (file.length - 16) % 16 != 0
        || !Arrays.equals(Arrays.copyOf(file, 8), MAGIC)) {
      throw new AtRestException("key file is not in the OpenSSL 'Salted__' AES-256-CBC format");
    }
    byte[][] keyIv = bytesToKey(password, Arrays.copyOfRange(file, 8, 16));
    try {
      Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
      c.init(
          Cipher.DECRYPT_MODE, new SecretKeySpec(keyIv[0], "AES"), new IvParameterSpec(keyIv[1]));
      return c.doFinal(file, 16, file.length - 16);
    } catch (GeneralSecurityException e) {
      throw new AtRestException(
          "key file cannot be decrypted with this filekey (wrong key or corrupt file)");
    } finally {
      Arrays.fill(keyIv[0], (byte) 0);
    }
  }

  private static void checkPassword(byte[] password) {
    if (password.length == 0 || password.length > MAX_SECRET) {
      throw new AtRestException("filekey must be 1.." + MAX_SECRET + " bytes");
    }
    for (byte b : password) {
      if (b == '\n' || b == '\r' || b == 0) {
        throw new AtRestException("filekey must not contain CR, LF or NUL");
      }
    }
  }

  /** OpenSSL's EVP_BytesToKey with SHA-1, count 1, for a 32-byte key and 16-byte IV. */
  static byte[][] bytesToKey(byte[] password, byte[] salt) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      byte[] out = new byte[48];
      byte[] prev = new byte[0];
      int filled = 0;
      while (filled < 48) {
        sha1.update(prev);
        sha1.update(password);
        sha1.update(salt);
        prev = sha1.digest();
        int n = Math.min(prev.length, 48 - filled);
        System.arraycopy(prev, 0, out, filled, n);
        filled += n;
      }
      byte[][] r = {Arrays.copyOf(out, 32), Arrays.copyOfRange(out, 32, 48)};
      Arrays.fill(out, (byte) 0);
      return r;
    } catch (GeneralSecurityException e) {
      throw new AtRestException("SHA-1 unavailable", e);
    }
  }
}
