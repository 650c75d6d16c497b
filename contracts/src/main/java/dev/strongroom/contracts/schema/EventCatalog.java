package dev.strongroom.contracts.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.strongroom.contracts.topics.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Every event type the planes exchange, with its topic, scope and data schema.
 *
 * <p><b>Adding a type</b> (each capability does this for its own topics): declare a constant here
 * and add it to {@link #standard()}, put its schema at {@code
 * src/main/resources/dev/strongroom/contracts/schemas/ <type>.schema.json}, add a typed data class
 * (like {@link dev.strongroom.contracts.alert.SecurityAlert} or {@link
 * dev.strongroom.contracts.records.StoreRequest}), and commit at least one signed golden event
 * under {@code src/test/resources/golden/<type>/}. The golden test verifies every golden event of
 * every catalogued type, so a type without one fails the build, and a later change that stops
 * accepting an old golden event fails it too.
 */
public final class EventCatalog {
  /** Security alerts raised by any plane for the SIEM (DESIGN §3). */
  public static final EventType SECURITY_ALERT =
      EventType.of(
          "dev.strongroom.security.alert.v1", Topics.SECURITY_ALERTS, EventType.Scope.GLOBAL);

  /**
   * An application asks the crypto-service to encrypt and store a record (fields sealed with HPKE).
   */
  public static final EventType ENCRYPT_REQUESTED =
      EventType.of(
          "dev.strongroom.encrypt.requested.v1", Topics.ENCRYPT_REQUESTS, EventType.Scope.TENANT);

  /**
   * The crypto-service (or an application with its own KMS rights) asks the data-service to store
   * ciphertext.
   */
  public static final EventType STORE_REQUESTED =
      EventType.of(
          "dev.strongroom.store.requested.v1", Topics.STORE_REQUESTS, EventType.Scope.TENANT);

  /** The data-service reports the outcome of a store request. */
  public static final EventType STORE_COMPLETED =
      EventType.of(
          "dev.strongroom.store.completed.v1", Topics.STORE_RESULTS, EventType.Scope.TENANT);

  /** The operator asks the proof-service for a proof run (record key = the request id). */
  public static final EventType PROOF_REQUESTED =
      EventType.of(
          "dev.strongroom.proof.requested.v1", Topics.PROOF_REQUESTS, EventType.Scope.GLOBAL);

  /** The proof-service reports one run: per-control status and the bundle digest (key = run id). */
  public static final EventType PROOF_COMPLETED =
      EventType.of(
          "dev.strongroom.proof.completed.v1", Topics.PROOF_RESULTS, EventType.Scope.GLOBAL);

  /**
   * The operator asks the provisioner-service to plan or apply the host bundle on a target (record
   * key = the target).
   */
  public static final EventType PROVISION_REQUESTED =
      EventType.of(
          "dev.strongroom.provision.requested.v1",
          Topics.PROVISION_REQUESTS,
          EventType.Scope.GLOBAL);

  /** The provisioner-service reports one step of a run (key = the target). */
  public static final EventType PROVISION_PROGRESSED =
      EventType.of(
          "dev.strongroom.provision.progressed.v1",
          Topics.PROVISION_EVENTS,
          EventType.Scope.GLOBAL);

  /** The provisioner-service reports a run's outcome and every step's state (key = the target). */
  public static final EventType PROVISION_COMPLETED =
      EventType.of(
          "dev.strongroom.provision.completed.v1", Topics.PROVISION_EVENTS, EventType.Scope.GLOBAL);

  /**
   * The audit-anchor-service anchored one checkpoint of the audit log in its WORM store (record key
   * = the log's origin; DESIGN §5).
   */
  public static final EventType AUDIT_ANCHORED =
      EventType.of(
          "dev.strongroom.audit.anchored.v1", Topics.AUDIT_ANCHORS, EventType.Scope.GLOBAL);

  private static final EventCatalog STANDARD =
      new EventCatalog(
          List.of(
              SECURITY_ALERT,
              ENCRYPT_REQUESTED,
              STORE_REQUESTED,
              STORE_COMPLETED,
              PROOF_REQUESTED,
              PROOF_COMPLETED,
              PROVISION_REQUESTED,
              PROVISION_PROGRESSED,
              PROVISION_COMPLETED,
              AUDIT_ANCHORED));

  private final Map<String, EventType> byType;
  private final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();
  private final JsonSchemaFactory factory =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

  private EventCatalog(Collection<EventType> types) {
    Map<String, EventType> map = new LinkedHashMap<>();
    for (EventType t : types) {
      if (map.putIfAbsent(t.type(), t) != null) {
        throw new IllegalArgumentException("duplicate event type " + t.type());
      }
    }
    this.byType = Map.copyOf(map);
    types.forEach(this::schema); // fail fast on a missing or broken schema
  }

  /** The catalog of this release. */
  public static EventCatalog standard() {
    return STANDARD;
  }

  /** A catalog of exactly {@code types} (tests, and applications that extend the set). */
  public static EventCatalog of(Collection<EventType> types) {
    return new EventCatalog(types);
  }

  /** All catalogued types. */
  public Collection<EventType> types() {
    return byType.values();
  }

  /** The type named {@code type}, if catalogued. */
  public Optional<EventType> find(String type) {
    return Optional.ofNullable(byType.get(type));
  }

  /** The types carried on {@code topic}. */
  public Set<EventType> carriedOn(String topic) {
    return byType.values().stream()
        .filter(t -> t.topic().equals(topic))
        .collect(Collectors.toUnmodifiableSet());
  }

  /**
   * Validates {@code data} against the type's schema.
   *
   * @return the violations, sorted, empty when valid
   */
  public List<String> validate(EventType type, JsonNode data) {
    Set<ValidationMessage> messages = schema(type).validate(data);
    return messages.stream()
        .map(ValidationMessage::getMessage)
        .sorted()
        .collect(Collectors.toList());
  }

  private JsonSchema schema(EventType type) {
    return schemas.computeIfAbsent(
        type.type(),
        t -> {
          try (InputStream in =
              EventCatalog.class.getClassLoader().getResourceAsStream(type.schemaResource())) {
            if (in == null) {
              throw new IllegalStateException("schema resource missing: " + type.schemaResource());
            }
            SchemaValidatorsConfig config =
                SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
            return factory.getSchema(in, config);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }
}
