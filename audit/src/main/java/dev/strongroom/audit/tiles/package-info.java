/**
 * C2SP tlog-tiles (c2sp.org/tlog-tiles, DESIGN §5): object names ({@link
 * dev.strongroom.audit.tiles.TilePaths}), entry bundles ({@link
 * dev.strongroom.audit.tiles.EntryBundles}), a writer into a WORM store ({@link
 * dev.strongroom.audit.tiles.TileLogWriter}) and a reader that re-hashes everything ({@link
 * dev.strongroom.audit.tiles.TileLogReader}).
 */
package dev.strongroom.audit.tiles;
