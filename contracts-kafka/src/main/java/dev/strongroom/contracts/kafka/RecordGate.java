package dev.strongroom.contracts.kafka;

import dev.strongroom.contracts.alert.AlertKind;
import dev.strongroom.contracts.alert.SecurityAlert;
import dev.strongroom.contracts.alert.Severity;
import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.EventVerifier;
import dev.strongroom.contracts.envelope.RecordCoordinates;
import dev.strongroom.contracts.envelope.Rejection;
import dev.strongroom.contracts.envelope.SignedEvent;
import dev.strongroom.contracts.envelope.Verdict;
import dev.strongroom.contracts.envelope.VerifiedEvent;
import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Applies the acceptance rules to a consumed record and says what to do with it.
 *
 * <p>An accepted record is handed to the caller. A refused one becomes a dead letter for {@code
 * <topic>.dlq} — the original key, value and headers unchanged, plus the {@link DeadLetterHeaders}
 * — and, for {@code SIGNATURE_INVALID}, {@code STALE} and {@code REPLAY}, a signed alert for {@code
 * strongroom.security.alerts}. The caller publishes both and only then commits the offset, so
 * nothing is lost and nothing is silently dropped. The gate itself does no I/O.
 */
public final class RecordGate {
  private final EventVerifier verifier;
  private final EventSigner alertSigner;

  public RecordGate(EventVerifier verifier, EventSigner alertSigner) {
    this.verifier = Objects.requireNonNull(verifier, "verifier");
    this.alertSigner = Objects.requireNonNull(alertSigner, "alertSigner");
  }

  /** What to do with one record. */
  public sealed interface Decision permits Admit, DeadLetter {}

  /** Process the event (again, idempotently, when {@code redelivery}). */
  public record Admit(VerifiedEvent event, boolean redelivery) implements Decision {}

  /** Publish {@code deadLetter} and, if present, {@code alert}; then commit. */
  public record DeadLetter(
      Rejection rejection,
      ProducerRecord<byte[], byte[]> deadLetter,
      Optional<ProducerRecord<byte[], byte[]>> alert)
      implements Decision {}

  /** Decides the fate of {@code record}. */
  public Decision admit(ConsumerRecord<byte[], byte[]> record) {
    RecordCoordinates at =
        new RecordCoordinates(record.topic(), record.partition(), record.offset());
    byte[] value = record.value() == null ? new byte[0] : record.value();
    Verdict verdict = verifier.verify(value, at);
    if (verdict instanceof Verdict.Accepted accepted) {
      return new Admit(accepted.event(), accepted.redelivery());
    }
    return refuse(record, ((Verdict.Rejected) verdict).rejection());
  }

  /**
   * Dead-letters {@code record} for a reason found after the gate (for example a verified event
   * this service has no handler for).
   */
  public DeadLetter refuse(ConsumerRecord<byte[], byte[]> record, Rejection rejection) {
    RecordHeaders headers = new RecordHeaders();
    for (Header h : record.headers()) {
      headers.add(h);
    }
    headers.add(DeadLetterHeaders.REASON, utf8(rejection.code().code()));
    headers.add(DeadLetterHeaders.DETAIL, utf8(rejection.detail()));
    headers.add(DeadLetterHeaders.TOPIC, utf8(record.topic()));
    headers.add(DeadLetterHeaders.PARTITION, utf8(Integer.toString(record.partition())));
    headers.add(DeadLetterHeaders.OFFSET, utf8(Long.toString(record.offset())));
    ProducerRecord<byte[], byte[]> deadLetter =
        new ProducerRecord<>(
            Topics.dlq(record.topic()), null, record.key(), record.value(), headers);
    Optional<ProducerRecord<byte[], byte[]>> alert =
        rejection.code().raisesAlert()
            ? Optional.of(alertFor(record, rejection))
            : Optional.empty();
    return new DeadLetter(rejection, deadLetter, alert);
  }

  private ProducerRecord<byte[], byte[]> alertFor(
      ConsumerRecord<byte[], byte[]> record, Rejection rejection) {
    Map<String, Object> related = new LinkedHashMap<>();
    related.put("topic", record.topic());
    related.put("partition", record.partition());
    related.put("offset", record.offset());
    related.put("deadLetterTopic", Topics.dlq(record.topic()));
    if (rejection.eventId() != null) {
      related.put("eventId", rejection.eventId());
    }
    if (rejection.source() != null) {
      related.put("eventSource", rejection.source());
    }
    if (rejection.sigkid() != null) {
      related.put("sigkid", rejection.sigkid());
    }
    SecurityAlert alert =
        new SecurityAlert(
            AlertKind.valueOf(rejection.code().code()),
            severity(rejection.code()),
            rejection.code().code()
                + " on "
                + record.topic()
                + "/"
                + record.partition()
                + "/"
                + record.offset()
                + ": "
                + rejection.detail(),
            related);
    SignedEvent signed = alertSigner.sign(EventCatalog.SECURITY_ALERT, null, alert.toData());
    return new ProducerRecord<>(Topics.SECURITY_ALERTS, utf8(alertSigner.source()), signed.bytes());
  }

  private static Severity severity(ErrorCode code) {
    return code == ErrorCode.STALE ? Severity.MEDIUM : Severity.HIGH;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
