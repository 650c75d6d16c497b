package dev.strongroom.contracts.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.envelope.RecordCoordinates;
import dev.strongroom.contracts.envelope.Verdict;
import dev.strongroom.contracts.testing.Fixture;
import dev.strongroom.contracts.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RecordGateTest {
  private final Fixture f = new Fixture();
  private final RecordGate gate = new RecordGate(f.verifier, f.signer);

  private static ConsumerRecord<byte[], byte[]> record(String topic, long offset, byte[] value) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("traceparent", "00-abc".getBytes(StandardCharsets.UTF_8));
    return new ConsumerRecord<>(
        topic,
        2,
        offset,
        0L,
        TimestampType.CREATE_TIME,
        0,
        value.length,
        "k".getBytes(StandardCharsets.UTF_8),
        value,
        headers,
        Optional.empty());
  }

  private static String header(ProducerRecord<byte[], byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  @Test
  void forgedRecord_isDeadLetteredUnchanged_withReasonHeaders_andASignedAlert() {
    byte[] forged =
        new String(f.validAlert(), StandardCharsets.UTF_8)
            .replace("a test alert", "a forged alert")
            .getBytes(StandardCharsets.UTF_8);
    RecordGate.Decision d = gate.admit(record(Topics.SECURITY_ALERTS, 41, forged));
    RecordGate.DeadLetter dl = assertInstanceOf(RecordGate.DeadLetter.class, d);
    ProducerRecord<byte[], byte[]> r = dl.deadLetter();
    assertEquals("strongroom.security.alerts.dlq", r.topic());
    assertArrayEquals(forged, r.value());
    assertArrayEquals("k".getBytes(StandardCharsets.UTF_8), r.key());
    assertEquals("00-abc", header(r, "traceparent"), "original headers kept");
    assertEquals("SIGNATURE_INVALID", header(r, DeadLetterHeaders.REASON));
    assertEquals("signature does not verify", header(r, DeadLetterHeaders.DETAIL));
    assertEquals(Topics.SECURITY_ALERTS, header(r, DeadLetterHeaders.TOPIC));
    assertEquals("2", header(r, DeadLetterHeaders.PARTITION));
    assertEquals("41", header(r, DeadLetterHeaders.OFFSET));

    ProducerRecord<byte[], byte[]> alert = dl.alert().orElseThrow();
    assertEquals(Topics.SECURITY_ALERTS, alert.topic());
    Verdict v =
        f.verifier.verify(alert.value(), new RecordCoordinates(Topics.SECURITY_ALERTS, 0, 999));
    Verdict.Accepted accepted =
        assertInstanceOf(Verdict.Accepted.class, v, "the alert is itself a valid signed event");
    assertEquals("SIGNATURE_INVALID", accepted.event().data().get("kind").asText());
    assertEquals(41, accepted.event().data().get("related").get("offset").asInt());
  }

  @Test
  void malformedRecord_isDeadLettered_withoutAlert() {
    RecordGate.DeadLetter dl =
        assertInstanceOf(
            RecordGate.DeadLetter.class,
            gate.admit(
                record(Topics.STORE_REQUESTS, 1, "not json".getBytes(StandardCharsets.UTF_8))));
    assertEquals("MALFORMED", header(dl.deadLetter(), DeadLetterHeaders.REASON));
    assertTrue(dl.alert().isEmpty());
  }

  @Test
  void validRecord_isAdmitted() {
    RecordGate.Admit a =
        assertInstanceOf(
            RecordGate.Admit.class, gate.admit(record(Topics.SECURITY_ALERTS, 7, f.validAlert())));
    assertEquals("STALE", CanonicalJson.parse(a.event().raw()).get("data").get("kind").asText());
  }
}
