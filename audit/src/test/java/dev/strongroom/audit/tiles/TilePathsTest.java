package dev.strongroom.audit.tiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The cases of transparency-dev/tessera {@code api/layout/paths_test.go} (SOURCE.md). */
class TilePathsTest {
  @Test
  void entriesPathForLogIndex() {
    assertEquals("tile/entries/000", TilePaths.entriesForLogIndex(0, 256));
    assertEquals("tile/entries/000", TilePaths.entriesForLogIndex(255, 256));
    assertEquals("tile/entries/000.p/255", TilePaths.entriesForLogIndex(251, 255));
    assertEquals("tile/entries/001", TilePaths.entriesForLogIndex(256, 512));
    assertEquals("tile/entries/000", TilePaths.entriesForLogIndex(3, 257));
    assertEquals("tile/entries/001.p/1", TilePaths.entriesForLogIndex(256, 257));
    assertEquals(
        "tile/entries/x123/x456/789",
        TilePaths.entriesForLogIndex(123456789L * 256, 123456790L * 256));
  }

  @Test
  void entriesPath() {
    assertEquals("tile/entries/000", TilePaths.entries(0, 0));
    assertEquals("tile/entries/000.p/8", TilePaths.entries(0, 8));
    assertEquals("tile/entries/255", TilePaths.entries(255, 0));
    assertEquals("tile/entries/255.p/253", TilePaths.entries(255, 253));
  }

  @Test
  void tilePath() {
    assertEquals("tile/0/000", TilePaths.tile(0, 0, 0));
    assertEquals("tile/0/000.p/255", TilePaths.tile(0, 0, 255));
    assertEquals("tile/1/000", TilePaths.tile(1, 0, 0));
    assertEquals("tile/15/x455/667", TilePaths.tile(15, 455667, 0));
    assertEquals("tile/15/x123/x456/789.p/41", TilePaths.tile(15, 123456789, 41));
  }

  @Test
  void nWithSuffix() {
    assertEquals("000", TilePaths.nWithSuffix(0, 0));
    assertEquals("000.p/255", TilePaths.nWithSuffix(0, 255));
    assertEquals("x455/667", TilePaths.nWithSuffix(455667, 0));
    assertEquals("x123/x456/789.p/65", TilePaths.nWithSuffix(123456789, 65));
  }

  @Test
  void parseTileLevelIndexPartial() {
    assertEquals(new TilePaths.Tile(0, 1234067, 0), TilePaths.parse("0", "x001/x234/067"));
    assertEquals(new TilePaths.Tile(0, 1234067, 89), TilePaths.parse("0", "x001/x234/067.p/89"));
    assertEquals(
        new TilePaths.Tile(63, 999999999999999999L, 255),
        TilePaths.parse("63", "x999/x999/x999/x999/x999/999.p/255"));
    assertEquals(new TilePaths.Tile(0, 1, 0), TilePaths.parse("0", "001"));
    String[][] bad = {
      {"0", "x001/x234/067.p/"},
      {"0", "x001/x234/067.p"},
      {"0", "x001/x234/"},
      {"0", "x001/x234"},
      {"0", "x001/"},
      {"0", "x001"},
      {"1", "x001/.p/abc"},
      {"64", "x001/002"},
      {"-1", "x001/002"},
      {"abc", "x001/002"},
      {"8", "001/002"},
      {"8", "x001/0002"},
      {"8", "x001/-002"},
      {"8", "x001/002.p/256"},
      {"63", "x999/x999/x999/x999/x999/x999/999.p/255"},
    };
    for (String[] b : bad) {
      assertThrows(
          IllegalArgumentException.class, () -> TilePaths.parse(b[0], b[1]), b[0] + " " + b[1]);
    }
  }
}
