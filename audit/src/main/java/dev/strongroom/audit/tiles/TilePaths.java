package dev.strongroom.audit.tiles;

/**
 * C2SP tlog-tiles object names (c2sp.org/tlog-tiles, DESIGN §5): {@code tile/<L>/<N>[.p/<W>]} for
 * hash tiles and {@code tile/entries/<N>[.p/<W>]} for entry bundles, {@code N} in three-digit
 * groups with every group but the last prefixed by {@code x} ({@code 1234067 -> x001/x234/067}),
 * {@code W} the width of a partial tile (1..255). Checked against transparency-dev/tessera {@code
 * api/layout/paths_test.go}.
 */
public final class TilePaths {
  /** Hashes (entries) per full tile (bundle). */
  public static final int WIDTH = 256;

  /** The checkpoint object of a tlog-tiles log. */
  public static final String CHECKPOINT = "checkpoint";

  private TilePaths() {}

  /** A parsed tile or bundle path. {@code width} is 0 for a full tile. */
  public record Tile(int level, long index, int width) {}

  /** {@code tile/<level>/<N>[.p/<width>]}; width 0 is a full tile. */
  public static String tile(int level, long index, int width) {
    if (level < 0 || level > 63) {
      throw new IllegalArgumentException("tile level must be 0..63: " + level);
    }
    return "tile/" + level + "/" + nWithSuffix(index, width);
  }

  /** {@code tile/entries/<N>[.p/<width>]}; width 0 is a full bundle. */
  public static String entries(long index, int width) {
    return "tile/entries/" + nWithSuffix(index, width);
  }

  /** The bundle holding entry {@code seq} in a log of {@code logSize}. */
  public static String entriesForLogIndex(long seq, long logSize) {
    long n = seq / WIDTH;
    return entries(n, partialWidth(0, n, logSize));
  }

  /**
   * The width of tile {@code index} of tile level {@code level} in a tree of {@code logSize}: 0
   * when the tile is full, else the number of hashes it holds.
   */
  public static int partialWidth(int level, long index, long logSize) {
    long nodes = level * 8 >= 63 ? 0 : logSize >>> (level * 8);
    long full = nodes / WIDTH;
    return index < full ? 0 : (int) (nodes % WIDTH);
  }

  /** {@code <N>[.p/<width>]}. */
  public static String nWithSuffix(long index, int width) {
    if (index < 0) {
      throw new IllegalArgumentException("negative tile index");
    }
    if (width < 0 || width >= WIDTH) {
      throw new IllegalArgumentException("partial width must be 1..255 (0: full): " + width);
    }
    String n = String.format("%03d", index % 1000);
    for (long i = index / 1000; i > 0; i /= 1000) {
      n = String.format("x%03d/", i % 1000) + n;
    }
    return width == 0 ? n : n + ".p/" + width;
  }

  /**
   * Parses a tile level and index path ({@code "0"}, {@code "x001/x234/067.p/89"}).
   *
   * @throws IllegalArgumentException if either is not in the canonical form
   */
  public static Tile parse(String level, String index) {
    if (!level.matches("0|[1-9][0-9]?") || Integer.parseInt(level) > 63) {
      throw new IllegalArgumentException("not a tile level: " + level);
    }
    int width = 0;
    String[] parts = index.split("/", -1);
    int n = parts.length;
    if (index.contains(".p")) {
      if (n < 2 || !parts[n - 2].endsWith(".p") || !parts[n - 1].matches("[1-9][0-9]{0,2}")) {
        throw new IllegalArgumentException("not a partial tile: " + index);
      }
      width = Integer.parseInt(parts[n - 1]);
      if (width >= WIDTH) {
        throw new IllegalArgumentException("partial width must be 1..255: " + index);
      }
      parts[n - 2] = parts[n - 2].substring(0, parts[n - 2].length() - 2);
      n--;
    }
    long i = 0;
    for (int k = 0; k < n; k++) {
      String p = parts[k];
      boolean last = k == n - 1;
      if (last ? !p.matches("[0-9]{3}") : !p.matches("x[0-9]{3}")) {
        throw new IllegalArgumentException("not a tile index: " + index);
      }
      int g = Integer.parseInt(last ? p : p.substring(1));
      try {
        i = Math.addExact(Math.multiplyExact(i, 1000L), g);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("tile index out of range: " + index);
      }
    }
    return new Tile(Integer.parseInt(level), i, width);
  }
}
