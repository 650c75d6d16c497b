package dev.strongroom.audit.tiles;

import dev.strongroom.audit.tree.NodeSource;
import dev.strongroom.audit.tree.Rfc6962;
import dev.strongroom.audit.worm.PutOutcome;
import dev.strongroom.audit.worm.WormStore;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Writes a log's tlog-tiles objects into a {@link WormStore} (create-only, DESIGN §5): for a tree
 * grown from {@code fromSize} to {@code toSize}, every hash tile and entry bundle whose content
 * that growth changed — full ones once, the partial ones of the new size under their {@code .p/W}
 * names. Tile level {@code L} holds the tree's level {@code 8L} nodes, 256 per tile. Writing the
 * same object again is harmless ({@code ALREADY_PRESENT}); an object with other bytes under the
 * same name is a {@code WormConflictException} — a fork or tampering, never overwritten.
 */
public final class TileLogWriter {
  private final WormStore store;

  public TileLogWriter(WormStore store) {
    this.store = store;
  }

  /** What a {@link #write} call put: object names with their outcome, in write order. */
  public record Written(List<String> created, List<String> alreadyPresent) {}

  /**
   * Writes the tiles and bundles for growth {@code fromSize -> toSize}.
   *
   * @param nodes the tree's nodes (at least {@code toSize} leaves)
   * @param entry entry {@code i}'s bytes (for the bundles)
   */
  public Written write(NodeSource nodes, LongFunction<byte[]> entry, long fromSize, long toSize) {
    if (fromSize < 0 || toSize < fromSize) {
      throw new IllegalArgumentException("sizes " + fromSize + " -> " + toSize);
    }
    List<String> created = new ArrayList<>();
    List<String> present = new ArrayList<>();
    // entry bundles
    for (long n = fromSize / TilePaths.WIDTH; n * TilePaths.WIDTH < toSize; n++) {
      int width = TilePaths.partialWidth(0, n, toSize);
      long end = width == 0 ? (n + 1) * TilePaths.WIDTH : n * TilePaths.WIDTH + width;
      if (end <= fromSize) {
        continue;
      }
      List<byte[]> es = new ArrayList<>();
      for (long i = n * TilePaths.WIDTH; i < end; i++) {
        es.add(entry.apply(i));
      }
      put(TilePaths.entries(n, width), EntryBundles.encode(es), created, present);
    }
    // hash tiles, level by level
    for (int level = 0; level < 8 && (toSize >>> (8 * level)) > 0; level++) {
      long nodesFrom = fromSize >>> (8 * level);
      long nodesTo = toSize >>> (8 * level);
      if (nodesTo == nodesFrom) {
        continue;
      }
      for (long n = nodesFrom / TilePaths.WIDTH; n * TilePaths.WIDTH < nodesTo; n++) {
        int width = TilePaths.partialWidth(level, n, toSize);
        long end = width == 0 ? (n + 1) * TilePaths.WIDTH : n * TilePaths.WIDTH + width;
        byte[] tile = new byte[(int) (end - n * TilePaths.WIDTH) * Rfc6962.HASH_SIZE];
        int off = 0;
        for (long i = n * TilePaths.WIDTH; i < end; i++) {
          System.arraycopy(nodes.node(8 * level, i), 0, tile, off, Rfc6962.HASH_SIZE);
          off += Rfc6962.HASH_SIZE;
        }
        put(TilePaths.tile(level, n, width), tile, created, present);
      }
    }
    return new Written(created, present);
  }

  private void put(String name, byte[] bytes, List<String> created, List<String> present) {
    (store.put(name, bytes) == PutOutcome.CREATED ? created : present).add(name);
  }
}
