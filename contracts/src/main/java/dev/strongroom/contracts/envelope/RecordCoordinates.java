package dev.strongroom.contracts.envelope;

import java.util.Objects;

/** Where a record was read: topic, partition, offset. Redelivery is the same coordinates again. */
public record RecordCoordinates(String topic, int partition, long offset) {
  public RecordCoordinates {
    Objects.requireNonNull(topic, "topic");
  }

  @Override
  public String toString() {
    return topic + "/" + partition + "/" + offset;
  }
}
