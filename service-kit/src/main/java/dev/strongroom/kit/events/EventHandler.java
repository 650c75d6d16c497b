package dev.strongroom.kit.events;

import dev.strongroom.contracts.envelope.VerifiedEvent;

/** Handles one verified event type. Must be idempotent: a redelivery calls it again. */
@FunctionalInterface
public interface EventHandler {
  /**
   * @param redelivery true when this very record was handled before (rebalance, crash before
   *     commit)
   * @throws dev.strongroom.contracts.errors.StrongroomException retriable codes are retried in
   *     place; fatal codes dead-letter the record with that code
   */
  void handle(VerifiedEvent event, boolean redelivery);
}
