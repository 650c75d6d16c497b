/**
 * The Kafka adapter of the contracts (module contracts-kafka): {@link
 * dev.strongroom.contracts.kafka.RecordGate} applies the acceptance rules to a consumed record and
 * yields the dead letter and alert to publish; {@link
 * dev.strongroom.contracts.kafka.DeadLetterHeaders} names the dead-letter headers; {@link
 * dev.strongroom.contracts.kafka.ReloadingSslEngineFactory} makes each new broker connection
 * present the identity's current certificate. The only contracts code that needs kafka-clients.
 */
package dev.strongroom.contracts.kafka;
