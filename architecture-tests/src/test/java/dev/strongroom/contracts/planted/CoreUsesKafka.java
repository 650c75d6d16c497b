package dev.strongroom.contracts.planted;

/** Planted violation: the contracts core needing kafka-clients (RulesBiteTest). */
public final class CoreUsesKafka {
  public org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]> record;
}
