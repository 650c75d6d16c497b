package dev.strongroom.audit.worm;

/** What a create-only {@link WormStore#put} found. */
public enum PutOutcome {
  /** The object did not exist; this call created it. */
  CREATED,
  /**
   * The object already existed with exactly these bytes (a retry, or a write whose response was
   * lost): nothing was written, and that is success.
   */
  ALREADY_PRESENT
}
