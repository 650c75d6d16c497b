package dev.strongroom.backup.internal;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Segmented AES-256-GCM for backup parts (the construction of Tink's {@code AES256_GCM_HKDF_1MB}
 * streaming AEAD, with our own header). Byte layout of an encrypted part:
 *
 * <pre>
 * offset  length  content
 * 0       5       "SRBP1"
 * 5       1       algorithm 0x01 = AES_256_GCM_HKDF_SHA256_SEG1M
 * 6       4       plaintext segment size, u32 big-endian (1048576)
 * 10      32      salt (random per part)
 * 42      …       segments: ciphertext of up to segment-size plaintext bytes || 16-byte GCM tag
 * </pre>
 *
 * Part key = HKDF-SHA256(ikm = backup key, salt, info = "SRBP1" || UTF-8 part name), 32 bytes.
 * Segment i's IV = u32-BE(i) || 0x01 if it is the last segment else 0x00 || seven zero bytes
 * (unique per key, since each part has its own key). GCM associated data = the 42 header bytes. A
 * part moved to another name, truncated at a segment boundary, extended, or with any byte changed
 * fails to decrypt; the last segment may be empty.
 */
public final class PartCipher {
  private static final byte[] MAGIC = "SRBP1".getBytes(StandardCharsets.US_ASCII);
  private static final int ALG = 0x01;
  public static final int SEGMENT = 1 << 20;
  private static final int SALT = 32;
  private static final int HEADER = MAGIC.length + 1 + 4 + SALT;
  private static final int TAG = 16;

  private PartCipher() {}

  /** An output stream that encrypts into {@code sink}; {@code close()} writes the last segment. */
  public static OutputStream encrypting(
      OutputStream sink, byte[] backupKey, String partName, SecureRandom random)
      throws IOException {
    byte[] header = new byte[HEADER];
    System.arraycopy(MAGIC, 0, header, 0, MAGIC.length);
    header[MAGIC.length] = ALG;
    ByteBuffer.wrap(header, MAGIC.length + 1, 4).putInt(SEGMENT);
    byte[] salt = new byte[SALT];
    random.nextBytes(salt);
    System.arraycopy(salt, 0, header, MAGIC.length + 5, SALT);
    sink.write(header);
    return new EncryptingStream(sink, partKey(backupKey, salt, partName), header);
  }

  /** An input stream of the plaintext; any tampering surfaces as {@link InvalidPartException}. */
  public static InputStream decrypting(InputStream source, byte[] backupKey, String partName)
      throws IOException {
    byte[] header = source.readNBytes(HEADER);
    if (header.length != HEADER
        || !Arrays.equals(Arrays.copyOf(header, MAGIC.length), MAGIC)
        || header[MAGIC.length] != ALG
        || ByteBuffer.wrap(header, MAGIC.length + 1, 4).getInt() != SEGMENT) {
      throw new InvalidPartException();
    }
    byte[] salt = Arrays.copyOfRange(header, MAGIC.length + 5, HEADER);
    return new DecryptingStream(source, partKey(backupKey, salt, partName), header);
  }

  /** A part that does not decrypt (one uniform refusal, as for every ciphertext). */
  public static final class InvalidPartException extends IOException {
    private static final long serialVersionUID = 1L;

    public InvalidPartException() {
      super("invalid ciphertext");
    }
  }

  static byte[] partKey(byte[] ikm, byte[] salt, String partName) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(salt, "HmacSHA256"));
      byte[] prk = mac.doFinal(ikm);
      mac.init(new SecretKeySpec(prk, "HmacSHA256"));
      mac.update(MAGIC);
      mac.update(partName.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 1);
      byte[] okm = mac.doFinal();
      Arrays.fill(prk, (byte) 0);
      return okm; // 32 bytes: one HKDF-Expand block
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  static byte[] iv(int index, boolean last) {
    byte[] iv = new byte[12];
    ByteBuffer.wrap(iv).putInt(index);
    iv[4] = (byte) (last ? 1 : 0);
    return iv;
  }

  private static Cipher cipher(int mode, byte[] key, int index, boolean last, byte[] header)
      throws GeneralSecurityException {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv(index, last)));
    c.updateAAD(header);
    return c;
  }

  private static final class EncryptingStream extends OutputStream {
    private final OutputStream sink;
    private final byte[] key;
    private final byte[] header;
    private final byte[] buf = new byte[SEGMENT];
    private int fill;
    private int index;
    private boolean closed;

    EncryptingStream(OutputStream sink, byte[] key, byte[] header) {
      this.sink = sink;
      this.key = key;
      this.header = header;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        if (fill == SEGMENT) {
          seal(false); // a full buffer is sealed only once more bytes prove it is not the last
        }
        int n = Math.min(len, SEGMENT - fill);
        System.arraycopy(b, off, buf, fill, n);
        fill += n;
        off += n;
        len -= n;
      }
    }

    private void seal(boolean last) throws IOException {
      try {
        sink.write(cipher(Cipher.ENCRYPT_MODE, key, index, last, header).doFinal(buf, 0, fill));
      } catch (GeneralSecurityException e) {
        throw new IOException("AES-GCM failed", e);
      }
      index++;
      fill = 0;
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      seal(true);
      Arrays.fill(buf, (byte) 0);
      Arrays.fill(key, (byte) 0);
      sink.close();
    }
  }

  private static final class DecryptingStream extends InputStream {
    private final InputStream source;
    private final byte[] key;
    private final byte[] header;
    private byte[] plain = new byte[0];
    private int pos;
    private int index;
    private boolean done;
    private byte[] pending; // the next ciphertext segment, read ahead to know whether it is last

    DecryptingStream(InputStream source, byte[] key, byte[] header) throws IOException {
      this.source = source;
      this.key = key;
      this.header = header;
      this.pending = source.readNBytes(SEGMENT + TAG);
      if (pending.length < TAG) {
        throw new InvalidPartException();
      }
    }

    private boolean fill() throws IOException {
      while (pos == plain.length) {
        if (done) {
          return false;
        }
        byte[] next = pending.length == SEGMENT + TAG ? source.readNBytes(SEGMENT + TAG) : null;
        boolean last = next == null || next.length == 0;
        if (next != null && next.length > 0 && next.length < TAG) {
          throw new InvalidPartException();
        }
        try {
          plain = cipher(Cipher.DECRYPT_MODE, key, index, last, header).doFinal(pending);
        } catch (GeneralSecurityException e) {
          throw new InvalidPartException();
        }
        pos = 0;
        index++;
        if (last) {
          done = true;
          Arrays.fill(key, (byte) 0);
        } else {
          pending = next;
        }
      }
      return true;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (!fill()) {
        return -1;
      }
      int n = Math.min(len, plain.length - pos);
      System.arraycopy(plain, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public void close() throws IOException {
      source.close();
    }
  }

  /** Test and small-part helper: the whole plaintext of a part held in memory. */
  public static byte[] decryptAll(byte[] encrypted, byte[] backupKey, String partName)
      throws IOException {
    try (InputStream in =
        decrypting(new java.io.ByteArrayInputStream(encrypted), backupKey, partName)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    } catch (EOFException e) {
      throw new InvalidPartException();
    }
  }
}
