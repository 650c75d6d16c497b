package dev.strongroom.audit.worm;

import java.util.List;
import java.util.Optional;

/**
 * A write-once, read-many object store: the WORM sink of DESIGN §5 (checkpoints, tiles, entry
 * bundles) and of backups. An object, once created, is never replaced or removed through this
 * interface.
 *
 * <ul>
 *   <li>{@link #put} is create-only and idempotent for identical bytes: {@link PutOutcome#CREATED}
 *       when this call created it, {@link PutOutcome#ALREADY_PRESENT} when exactly these bytes were
 *       already there (a retry, a lost response); other bytes already there are a {@link
 *       WormConflictException} — an alarm, never an overwrite.
 *   <li>{@link #get} returns the bytes or throws {@link WormObjectNotFoundException}; {@link #find}
 *       is the same with an empty result.
 *   <li>{@link #list} returns the names that start with a prefix, sorted by name (the order of
 *       their UTF-8 bytes, as Cloud Storage lists).
 * </ul>
 *
 * Names are {@code /}-separated relative paths such as {@code tile/0/x001/234.p/7} or {@code
 * checkpoints/strongroom.local_db1/20261204T090000.000Z-15.note}. Every failure is a {@link
 * WormStoreException}; {@link WormStoreException#retriable()} says whether the same call may
 * succeed later. A name the store cannot hold is an {@link IllegalArgumentException}.
 * Implementations are safe for concurrent use.
 */
public interface WormStore {
  /**
   * Creates {@code name} with {@code bytes} unless it exists.
   *
   * @throws WormConflictException the name already holds other bytes
   * @throws WormStoreException the store failed or refused the call
   */
  PutOutcome put(String name, byte[] bytes);

  /**
   * The object's bytes, or empty if there is no such object.
   *
   * @throws WormStoreException the store failed
   */
  Optional<byte[]> find(String name);

  /**
   * The object's bytes.
   *
   * @throws WormObjectNotFoundException there is no such object
   * @throws WormStoreException the store failed
   */
  default byte[] get(String name) {
    return find(name).orElseThrow(() -> new WormObjectNotFoundException(location(), name));
  }

  /** Whether an object has this name. */
  default boolean exists(String name) {
    return find(name).isPresent();
  }

  /**
   * The names that start with {@code prefix} (empty: all), sorted by name.
   *
   * @throws WormStoreException the store failed
   */
  List<String> list(String prefix);

  /** Where the store is, for messages and alerts ({@code gs://bucket}, {@code file:/dir}). */
  String location();
}
