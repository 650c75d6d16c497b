package dev.strongroom.audit.tiles;

import dev.strongroom.audit.tree.NodeSource;
import dev.strongroom.audit.tree.Proofs;
import dev.strongroom.audit.tree.Rfc6962;
import dev.strongroom.audit.worm.WormStore;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a tlog-tiles log of a given size from a {@link WormStore}: a {@link NodeSource} over its
 * hash tiles (for roots and proofs, {@link Proofs}), its entries from the bundles, and {@link
 * #verify}, which re-hashes every bundle into the level-0 tiles, every tile into the one above, and
 * the tiles into the root a checkpoint commits to — naming the first object that disagrees.
 */
public final class TileLogReader implements NodeSource {
  private static final int H = Rfc6962.HASH_SIZE;

  private final WormStore store;
  private final long size;
  private final Map<String, byte[]> cache = new HashMap<>();

  public TileLogReader(WormStore store, long size) {
    if (size < 0) {
      throw new IllegalArgumentException("negative size");
    }
    this.store = store;
    this.size = size;
  }

  public long size() {
    return size;
  }

  /** The hashes of tile {@code (level, index)} at this size, checked for their length. */
  public byte[] tile(int level, long index) {
    int width = TilePaths.partialWidth(level, index, size);
    long nodes = size >>> (8 * level);
    if (index * TilePaths.WIDTH >= nodes) {
      throw new TileException("tile " + level + "/" + index + " is beyond a log of size " + size);
    }
    String name = TilePaths.tile(level, index, width);
    byte[] t = cache.computeIfAbsent(name, this::read);
    int want = (width == 0 ? TilePaths.WIDTH : width) * H;
    if (t.length != want) {
      throw new TileException(name + " holds " + t.length + " bytes, want " + want);
    }
    return t;
  }

  @Override
  public byte[] node(int level, long index) {
    int tileLevel = level / 8;
    int r = level % 8;
    long first = index << r; // first node at tree level 8*tileLevel
    long tileIndex = first / TilePaths.WIDTH;
    byte[] t = tile(tileLevel, tileIndex);
    int from = (int) (first % TilePaths.WIDTH);
    int count = 1 << r;
    if ((from + count) * H > t.length) {
      throw new IllegalArgumentException(
          "node " + level + "/" + index + " is not complete in a log of size " + size);
    }
    byte[][] hs = new byte[count][];
    for (int k = 0; k < count; k++) {
      hs[k] = Arrays.copyOfRange(t, (from + k) * H, (from + k + 1) * H);
    }
    for (int n = count; n > 1; n /= 2) {
      for (int k = 0; k < n / 2; k++) {
        hs[k] = Rfc6962.nodeHash(hs[2 * k], hs[2 * k + 1]);
      }
    }
    return hs[0];
  }

  /** The log's root at this size, computed from the tiles. */
  public byte[] root() {
    return Proofs.root(this, size);
  }

  /** The entries of bundle {@code index} at this size. */
  public List<byte[]> bundle(long index) {
    int width = TilePaths.partialWidth(0, index, size);
    String name = TilePaths.entries(index, width);
    List<byte[]> es = EntryBundles.decode(read(name));
    int want = width == 0 ? TilePaths.WIDTH : width;
    if (es.size() != want) {
      throw new TileException(name + " holds " + es.size() + " entries, want " + want);
    }
    return es;
  }

  /**
   * Re-hashes the whole log at this size: bundles into level-0 tiles, tiles into the tiles above,
   * tiles into the root, which must be {@code expectedRoot}. Returns the entries, in order.
   *
   * @throws TileException naming the first object that disagrees
   */
  public List<byte[]> verify(byte[] expectedRoot) {
    List<byte[]> entries = new ArrayList<>();
    for (long n = 0; n * TilePaths.WIDTH < size; n++) {
      List<byte[]> es = bundle(n);
      byte[] t = tile(0, n);
      for (int k = 0; k < es.size(); k++) {
        byte[] lh = Rfc6962.leafHash(es.get(k));
        if (!MessageDigest.isEqual(lh, Arrays.copyOfRange(t, k * H, (k + 1) * H))) {
          throw new TileException(
              "entry "
                  + (n * TilePaths.WIDTH + k)
                  + " of "
                  + TilePaths.entries(n, TilePaths.partialWidth(0, n, size))
                  + " does not hash to its leaf in "
                  + TilePaths.tile(0, n, TilePaths.partialWidth(0, n, size)));
        }
      }
      entries.addAll(es);
    }
    for (int level = 1; level < 8 && (size >>> (8 * level)) > 0; level++) {
      long nodes = size >>> (8 * level);
      for (long n = 0; n * TilePaths.WIDTH < nodes; n++) {
        byte[] t = tile(level, n);
        for (int k = 0; k * H < t.length; k++) {
          long j = n * TilePaths.WIDTH + k;
          byte[] fromBelow = subtreeOfLowerTile(level - 1, j);
          if (!MessageDigest.isEqual(fromBelow, Arrays.copyOfRange(t, k * H, (k + 1) * H))) {
            throw new TileException(
                "hash "
                    + k
                    + " of "
                    + TilePaths.tile(level, n, TilePaths.partialWidth(level, n, size))
                    + " does not match the tile below it");
          }
        }
      }
    }
    byte[] root = root();
    if (!MessageDigest.isEqual(root, expectedRoot)) {
      throw new TileException(
          "the tiles hash to root "
              + HexFormat.of().formatHex(root)
              + ", not the checkpoint's "
              + HexFormat.of().formatHex(expectedRoot));
    }
    return entries;
  }

  /** The root of the 256 hashes {@code [256j, 256j+256)} of tile level {@code lower}. */
  private byte[] subtreeOfLowerTile(int lower, long j) {
    byte[] t = tile(lower, j);
    byte[][] hs = new byte[TilePaths.WIDTH][];
    for (int k = 0; k < TilePaths.WIDTH; k++) {
      hs[k] = Arrays.copyOfRange(t, k * H, (k + 1) * H);
    }
    for (int n = TilePaths.WIDTH; n > 1; n /= 2) {
      for (int k = 0; k < n / 2; k++) {
        hs[k] = Rfc6962.nodeHash(hs[2 * k], hs[2 * k + 1]);
      }
    }
    return hs[0];
  }

  private byte[] read(String name) {
    Optional<byte[]> b = store.find(name);
    return b.orElseThrow(() -> new TileException(name + " is missing from " + store.location()));
  }
}
