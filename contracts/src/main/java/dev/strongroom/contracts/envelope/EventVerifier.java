package dev.strongroom.contracts.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.internal.EventTime;
import dev.strongroom.contracts.keys.Ed25519Keys;
import dev.strongroom.contracts.keys.KeyRegistry;
import dev.strongroom.contracts.keys.RegisteredKey;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.schema.EventType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The acceptance rules every consumer applies (DESIGN §3), in this order; the first failure wins:
 *
 * <ol>
 *   <li>{@code MALFORMED}: not strict UTF-8 JSON; not an object; a required attribute missing or
 *       not a string; {@code specversion} ≠ "1.0"; {@code id} not a lowercase UUIDv7; {@code
 *       source} not {@code /strongroom/<module>} or {@code /apps/<app>}; {@code time} not {@code
 *       yyyy-MM-ddTHH:mm:ss.SSSZ}; {@code datacontenttype} ≠ "application/json"; {@code data} not
 *       an object; {@code data_base64} present; {@code sigalg} ≠ "ed25519"; {@code sig} not 64
 *       bytes of base64url; an attribute name outside CloudEvents' {@code [a-z0-9]{1,20}}; an
 *       integer outside ±2^53.
 *   <li>{@code SIGNATURE_INVALID}: unknown {@code sigkid}; key not valid at {@code time}; key may
 *       not sign for this {@code source} or this {@code type}; Ed25519 signature over the RFC 8785
 *       canonical bytes of the parsed object without {@code sig} does not verify.
 *   <li>{@code STALE}: {@code time} more than the skew window (default 5 min) from the verifier's
 *       clock.
 *   <li>{@code REPLAY}: the id was already accepted at other coordinates (checked before the schema
 *       so a replay onto another topic is still called a replay).
 *   <li>{@code SCHEMA}: unknown type; type not carried on this topic; {@code subject} missing on a
 *       tenant-scoped type or present on a global one; {@code data} violates the type's JSON
 *       Schema.
 * </ol>
 *
 * Signature checks run before anything that costs more or reveals more. The canonical bytes are
 * computed from our own parse tree, never from an SDK's re-serialisation.
 */
public final class EventVerifier {
  /** Default skew window. */
  public static final Duration DEFAULT_SKEW = Duration.ofMinutes(5);

  private static final Pattern UUID_V7 =
      Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  private static final Pattern SOURCE =
      Pattern.compile("^(/strongroom/[a-z][a-z0-9-]{0,62}|/apps/[a-z0-9][a-z0-9._-]{0,62})$");
  private static final Pattern ATTRIBUTE_NAME = Pattern.compile("^[a-z0-9]{1,20}$");
  private static final List<String> REQUIRED_STRINGS =
      List.of(
          Attributes.SPECVERSION,
          Attributes.ID,
          Attributes.SOURCE,
          Attributes.TYPE,
          Attributes.TIME,
          Attributes.DATACONTENTTYPE,
          Attributes.SIGALG,
          Attributes.SIGKID,
          Attributes.SIG);

  private final KeyRegistry registry;
  private final EventCatalog catalog;
  private final Duration skew;
  private final Clock clock;
  private final ReplayGuard replayGuard;

  /**
   * @param replayGuard the replay memory of this consumer; shared by every topic it reads
   */
  public EventVerifier(
      KeyRegistry registry,
      EventCatalog catalog,
      Duration skew,
      Clock clock,
      ReplayGuard replayGuard) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.skew = Objects.requireNonNull(skew, "skew");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.replayGuard = Objects.requireNonNull(replayGuard, "replayGuard");
    if (skew.isNegative() || skew.isZero()) {
      throw new IllegalArgumentException("skew must be positive");
    }
  }

  /** Applies every rule to the record value read at {@code at}; an accepted id is remembered. */
  public Verdict verify(byte[] value, RecordCoordinates at) {
    Objects.requireNonNull(at, "at");
    try {
      Envelope env = checkEnvelope(value);
      checkSignature(env);
      checkTime(env);
      Optional<RecordCoordinates> first = replayGuard.firstSeen(env.id);
      if (first.isPresent() && !first.get().equals(at)) {
        throw replay(env, first.get());
      }
      checkSchema(env, at.topic());
      ReplayGuard.Outcome outcome = replayGuard.observe(env.id, at);
      if (outcome == ReplayGuard.Outcome.REPLAY) { // lost a race with a concurrent copy
        throw replay(env, replayGuard.firstSeen(env.id).orElse(at));
      }
      return new Verdict.Accepted(env.toVerified(value), outcome == ReplayGuard.Outcome.REDELIVERY);
    } catch (Refusal r) {
      return new Verdict.Rejected(r.rejection);
    }
  }

  /**
   * Verifies an event outside any topic (an archived or golden event): every rule but topic binding
   * and replay memory.
   */
  public Verdict verifyDetached(byte[] value) {
    try {
      Envelope env = checkEnvelope(value);
      checkSignature(env);
      checkTime(env);
      checkSchema(env, null);
      return new Verdict.Accepted(env.toVerified(value), false);
    } catch (Refusal r) {
      return new Verdict.Rejected(r.rejection);
    }
  }

  private static Refusal replay(Envelope env, RecordCoordinates first) {
    return env.refuse(
        ErrorCode.REPLAY, "event id " + env.id + " was already processed at " + first);
  }

  private static Envelope checkEnvelope(byte[] value) throws Refusal {
    JsonNode tree;
    try {
      tree = CanonicalJson.parse(value);
    } catch (IllegalArgumentException e) {
      throw new Refusal(new Rejection(ErrorCode.MALFORMED, e.getMessage(), null, null, null));
    }
    if (!tree.isObject()) {
      throw new Refusal(
          new Rejection(ErrorCode.MALFORMED, "event is not a JSON object", null, null, null));
    }
    ObjectNode obj = (ObjectNode) tree;
    Envelope env = new Envelope(obj);
    for (String name : REQUIRED_STRINGS) {
      JsonNode v = obj.get(name);
      if (v == null) {
        throw env.refuse(ErrorCode.MALFORMED, "missing attribute " + name);
      }
      if (!v.isTextual()) {
        throw env.refuse(ErrorCode.MALFORMED, "attribute " + name + " must be a string");
      }
    }
    for (Iterator<String> names = obj.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!ATTRIBUTE_NAME.matcher(name).matches() && !Attributes.DATA_BASE64.equals(name)) {
        throw env.refuse(ErrorCode.MALFORMED, "attribute name is not [a-z0-9]{1,20}");
      }
    }
    if (!Attributes.SPECVERSION_1_0.equals(text(obj, Attributes.SPECVERSION))) {
      throw env.refuse(ErrorCode.MALFORMED, "specversion must be 1.0");
    }
    if (!UUID_V7.matcher(env.id).matches()) {
      throw env.refuse(ErrorCode.MALFORMED, "id must be a lowercase UUIDv7");
    }
    if (!SOURCE.matcher(env.source).matches()) {
      throw env.refuse(ErrorCode.MALFORMED, "source must be /strongroom/<module> or /apps/<app>");
    }
    try {
      env.time = EventTime.parse(text(obj, Attributes.TIME));
    } catch (IllegalArgumentException e) {
      throw env.refuse(ErrorCode.MALFORMED, e.getMessage());
    }
    if (!Attributes.APPLICATION_JSON.equals(text(obj, Attributes.DATACONTENTTYPE))) {
      throw env.refuse(ErrorCode.MALFORMED, "datacontenttype must be application/json");
    }
    if (obj.has(Attributes.DATA_BASE64)) {
      throw env.refuse(
          ErrorCode.MALFORMED, "data_base64 is not allowed; data must be a JSON object");
    }
    JsonNode data = obj.get(Attributes.DATA);
    if (data == null || !data.isObject()) {
      throw env.refuse(ErrorCode.MALFORMED, "data must be a JSON object");
    }
    JsonNode subject = obj.get(Attributes.SUBJECT);
    if (subject != null && (!subject.isTextual() || subject.asText().isEmpty())) {
      throw env.refuse(ErrorCode.MALFORMED, "subject must be a non-empty string");
    }
    if (!Attributes.ED25519.equals(text(obj, Attributes.SIGALG))) {
      throw env.refuse(ErrorCode.MALFORMED, "sigalg must be ed25519");
    }
    try {
      env.signature = Base64Url.decode(text(obj, Attributes.SIG));
    } catch (IllegalArgumentException e) {
      throw env.refuse(ErrorCode.MALFORMED, "sig must be unpadded base64url");
    }
    if (env.signature.length != Ed25519Keys.SIGNATURE_LENGTH) {
      throw env.refuse(ErrorCode.MALFORMED, "sig must encode 64 bytes");
    }
    return env;
  }

  private void checkSignature(Envelope env) throws Refusal {
    RegisteredKey key =
        registry
            .find(env.sigkid)
            .orElseThrow(
                () -> env.refuse(ErrorCode.SIGNATURE_INVALID, "unknown sigkid " + env.sigkid));
    if (!key.validAt(env.time)) {
      throw env.refuse(
          ErrorCode.SIGNATURE_INVALID,
          "key " + env.sigkid + " is not valid at " + EventTime.format(env.time));
    }
    if (!key.source().equals(env.source)) {
      throw env.refuse(
          ErrorCode.SIGNATURE_INVALID,
          "key " + env.sigkid + " may not sign for source " + env.source);
    }
    if (!key.types().contains(env.type)) {
      throw env.refuse(
          ErrorCode.SIGNATURE_INVALID, "key " + env.sigkid + " may not sign type " + env.type);
    }
    ObjectNode unsigned = env.tree.deepCopy();
    unsigned.remove(Attributes.SIG);
    if (!Ed25519Keys.verify(key.publicKey(), CanonicalJson.canonicalize(unsigned), env.signature)) {
      throw env.refuse(ErrorCode.SIGNATURE_INVALID, "signature does not verify");
    }
  }

  private void checkTime(Envelope env) throws Refusal {
    Instant now = clock.instant();
    Duration offset = Duration.between(now, env.time);
    if (offset.abs().compareTo(skew) > 0) {
      throw env.refuse(
          ErrorCode.STALE,
          "time "
              + EventTime.format(env.time)
              + " is "
              + (offset.toMillis() / 1000)
              + " s from now; window is ±"
              + skew.toSeconds()
              + " s");
    }
  }

  private void checkSchema(Envelope env, String topic) throws Refusal {
    EventType type =
        catalog
            .find(env.type)
            .orElseThrow(() -> env.refuse(ErrorCode.SCHEMA, "unknown event type " + env.type));
    if (topic != null && !type.topic().equals(topic)) {
      throw env.refuse(ErrorCode.SCHEMA, "type " + env.type + " is not carried on topic " + topic);
    }
    boolean hasSubject = env.tree.has(Attributes.SUBJECT);
    if (type.scope() == EventType.Scope.TENANT && !hasSubject) {
      throw env.refuse(
          ErrorCode.SCHEMA, "type " + env.type + " is tenant-scoped: subject is required");
    }
    if (type.scope() == EventType.Scope.GLOBAL && hasSubject) {
      throw env.refuse(
          ErrorCode.SCHEMA, "type " + env.type + " is not tenant-scoped: subject is not allowed");
    }
    List<String> violations = catalog.validate(type, env.tree.get(Attributes.DATA));
    if (!violations.isEmpty()) {
      throw env.refuse(
          ErrorCode.SCHEMA, "data violates " + env.type + ": " + String.join("; ", violations));
    }
  }

  private static String text(ObjectNode obj, String name) {
    return obj.get(name).asText();
  }

  /** The parsed envelope while rules run. */
  private static final class Envelope {
    final ObjectNode tree;
    final String id;
    final String source;
    final String type;
    final String sigkid;
    Instant time;
    byte[] signature;

    Envelope(ObjectNode tree) {
      this.tree = tree;
      this.id = textOrNull(tree, Attributes.ID);
      this.source = textOrNull(tree, Attributes.SOURCE);
      this.type = textOrNull(tree, Attributes.TYPE);
      this.sigkid = textOrNull(tree, Attributes.SIGKID);
    }

    private static String textOrNull(ObjectNode tree, String name) {
      JsonNode v = tree.get(name);
      if (v == null || !v.isTextual()) {
        return null;
      }
      String s = v.asText();
      return s.length() > 200 ? s.substring(0, 200) : s; // never echo unbounded input
    }

    Refusal refuse(ErrorCode code, String detail) {
      return new Refusal(new Rejection(code, detail, id, source, sigkid));
    }

    VerifiedEvent toVerified(byte[] raw) {
      JsonNode subject = tree.get(Attributes.SUBJECT);
      return new VerifiedEvent(
          id,
          source,
          type,
          subject == null ? null : subject.asText(),
          time,
          tree.get(Attributes.DATA),
          sigkid,
          raw);
    }
  }

  /** Control flow for a refused event; no stack trace. */
  private static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    final transient Rejection rejection;

    Refusal(Rejection rejection) {
      super(rejection.detail(), null, false, false);
      this.rejection = rejection;
    }
  }
}
