package dev.strongroom.audit.worm;

import java.util.HexFormat;

/**
 * A {@link WormStore#put} found the object already there with other bytes. In a WORM sink this is
 * an alarm, never a reason to overwrite: someone wrote that name before us (another writer, a fork,
 * tampering). Not retriable.
 */
public class WormConflictException extends WormStoreException {
  private static final long serialVersionUID = 1L;

  private final String location;
  private final String name;
  private final byte[] existingSha256;
  private final byte[] attemptedSha256;

  public WormConflictException(
      String location, String name, byte[] existingSha256, byte[] attemptedSha256) {
    super(
        "object "
            + location
            + (location.endsWith("/") ? "" : "/")
            + name
            + " already exists with other content (sha256 "
            + HexFormat.of().formatHex(existingSha256)
            + ", attempted "
            + HexFormat.of().formatHex(attemptedSha256)
            + ")",
        false,
        null);
    this.location = location;
    this.name = name;
    this.existingSha256 = existingSha256.clone();
    this.attemptedSha256 = attemptedSha256.clone();
  }

  /** The store's {@link WormStore#location()}. */
  public String location() {
    return location;
  }

  /** The object name. */
  public String name() {
    return name;
  }

  /** SHA-256 of the bytes already stored. */
  public byte[] existingSha256() {
    return existingSha256.clone();
  }

  /** SHA-256 of the bytes we tried to write. */
  public byte[] attemptedSha256() {
    return attemptedSha256.clone();
  }
}
