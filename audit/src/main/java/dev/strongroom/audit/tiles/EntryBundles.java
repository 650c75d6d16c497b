package dev.strongroom.audit.tiles;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry bundles (c2sp.org/tlog-tiles): each entry as a big-endian {@code uint16} length followed by
 * its bytes, concatenated; at most {@link TilePaths#WIDTH} entries.
 */
public final class EntryBundles {
  private EntryBundles() {}

  /** The bundle of {@code entries} (each at most 65,535 bytes). */
  public static byte[] encode(List<byte[]> entries) {
    if (entries.size() > TilePaths.WIDTH) {
      throw new IllegalArgumentException("a bundle holds at most 256 entries");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] e : entries) {
      if (e.length > 0xffff) {
        throw new IllegalArgumentException("an entry holds at most 65535 bytes");
      }
      out.write(e.length >>> 8);
      out.write(e.length & 0xff);
      out.writeBytes(e);
    }
    return out.toByteArray();
  }

  /**
   * The entries of a bundle.
   *
   * @throws TileException if the bytes are not a well-formed bundle
   */
  public static List<byte[]> decode(byte[] bundle) {
    List<byte[]> out = new ArrayList<>();
    int i = 0;
    while (i < bundle.length) {
      if (i + 2 > bundle.length) {
        throw new TileException("bundle truncated in a length prefix at byte " + i);
      }
      int len = ((bundle[i] & 0xff) << 8) | (bundle[i + 1] & 0xff);
      i += 2;
      if (i + len > bundle.length) {
        throw new TileException("bundle truncated in entry " + out.size());
      }
      out.add(java.util.Arrays.copyOfRange(bundle, i, i + len));
      i += len;
      if (out.size() > TilePaths.WIDTH) {
        throw new TileException("bundle holds more than 256 entries");
      }
    }
    return out;
  }
}
