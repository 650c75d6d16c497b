package dev.strongroom.contracts.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.f4b6a3.uuid.UuidCreator;
import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.internal.EventTime;
import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.contracts.schema.EventType;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.jackson.JsonCloudEventData;
import io.cloudevents.jackson.JsonFormat;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * Produces signed events (DESIGN §3).
 *
 * <p>The CloudEvents SDK builds and validates the event and writes its structured JSON form; we
 * then set {@code time} to the envelope's exact millisecond form (the SDK drops zero fractions),
 * add {@code sigalg} and {@code sigkid}, and sign the RFC 8785 canonical bytes of that object. The
 * record value is the canonical serialisation of the same object with {@code sig} added.
 */
public final class EventSigner {
  private final SigningKey key;
  private final String source;
  private final Clock clock;
  private final JsonFormat format = new JsonFormat();

  public EventSigner(SigningKey key, String source, Clock clock) {
    this.key = Objects.requireNonNull(key, "key");
    this.source = Objects.requireNonNull(source, "source");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The source this signer signs for. */
  public String source() {
    return source;
  }

  /** The signing key's id. */
  public String kid() {
    return key.kid();
  }

  /**
   * Signs a new event of {@code type}, with a fresh UUIDv7 id and the current time. {@code data}
   * must satisfy the type's schema in the standard catalog: a producer never emits what its
   * consumers would dead-letter as {@code SCHEMA}.
   *
   * @throws IllegalArgumentException if {@code data} violates the schema, or the subject rule is
   *     broken
   */
  public SignedEvent sign(EventType type, String subject, JsonNode data) {
    java.util.List<String> violations =
        dev.strongroom.contracts.schema.EventCatalog.standard().validate(type, data);
    if (!violations.isEmpty()) {
      throw new IllegalArgumentException(
          "data violates " + type.type() + ": " + String.join("; ", violations));
    }
    if (type.scope() == EventType.Scope.TENANT && (subject == null || subject.isEmpty())) {
      throw new IllegalArgumentException(
          type.type() + " is tenant-scoped: subject (tenant id) is required");
    }
    if (type.scope() == EventType.Scope.GLOBAL && subject != null) {
      throw new IllegalArgumentException(type.type() + " is not tenant-scoped: no subject");
    }
    return sign(
        type.type(), subject, data, UuidCreator.getTimeOrderedEpoch().toString(), clock.instant());
  }

  /** Signs an event with explicit id and time (test vectors, golden events, attack tests). */
  public SignedEvent sign(String type, String subject, JsonNode data, String id, Instant time) {
    if (!data.isObject()) {
      throw new IllegalArgumentException("data must be a JSON object");
    }
    CloudEventBuilder builder =
        CloudEventBuilder.v1()
            .withId(id)
            .withSource(URI.create(source))
            .withType(type)
            .withTime(time.atOffset(ZoneOffset.UTC))
            .withDataContentType(Attributes.APPLICATION_JSON)
            .withExtension(Attributes.SIGALG, Attributes.ED25519)
            .withExtension(Attributes.SIGKID, key.kid())
            .withData(JsonCloudEventData.wrap(data));
    if (subject != null) {
      builder.withSubject(subject);
    }
    CloudEvent event = builder.build();
    ObjectNode tree = (ObjectNode) CanonicalJson.parse(format.serialize(event));
    tree.put(Attributes.TIME, EventTime.format(time));
    return signTree(key, tree);
  }

  /**
   * Signs an already complete envelope object: sets {@code sigalg}/{@code sigkid}, removes any
   * {@code sig}, signs its canonical bytes and returns the canonical bytes with {@code sig}.
   */
  public static SignedEvent signTree(SigningKey key, ObjectNode envelope) {
    ObjectNode tree = envelope.deepCopy();
    tree.remove(Attributes.SIG);
    tree.put(Attributes.SIGALG, Attributes.ED25519);
    tree.put(Attributes.SIGKID, key.kid());
    byte[] signed = CanonicalJson.canonicalize(tree);
    byte[] signature = key.sign(signed);
    tree.put(Attributes.SIG, Base64Url.encode(signature));
    JsonNode subject = tree.get(Attributes.SUBJECT);
    return new SignedEvent(
        tree.path(Attributes.ID).asText(),
        tree.path(Attributes.TYPE).asText(),
        subject == null ? null : subject.asText(),
        CanonicalJson.canonicalize(tree),
        signed);
  }
}
