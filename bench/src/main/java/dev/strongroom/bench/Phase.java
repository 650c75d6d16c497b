package dev.strongroom.bench;

import java.util.concurrent.CompletionStage;

/**
 * One way of storing a record, driven by the {@link Runner}: {@link #submit} starts storing record
 * {@code seq} and completes when the record is durable (its database commit, or its result event).
 */
public interface Phase extends AutoCloseable {

  /** Short name: {@code ceiling}, {@code direct} or {@code pipeline}. */
  String name();

  /** One line saying what a record costs in this phase. */
  String description();

  /** Starts storing record {@code seq}; fails with the reason if it was not stored. */
  CompletionStage<?> submit(long seq);

  @Override
  default void close() {}
}
