package dev.strongroom.contracts.envelope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.keys.KeyRegistry;
import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.schema.EventType;
import dev.strongroom.contracts.testing.Fixture;
import dev.strongroom.contracts.testing.TestKeys;
import dev.strongroom.contracts.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each acceptance rule of DESIGN §3, attacked; every refusal is asserted by code and detail. */
class EventVerifierTest {
  private final Fixture f = new Fixture();
  private static final RecordCoordinates AT = new RecordCoordinates(Topics.SECURITY_ALERTS, 0, 10);

  private Rejection rejected(byte[] value) {
    return rejected(value, AT);
  }

  private Rejection rejected(byte[] value, RecordCoordinates at) {
    Verdict v = f.verifier.verify(value, at);
    if (v instanceof Verdict.Rejected r) {
      return r.rejection();
    }
    fail("expected a rejection, got " + v);
    return null;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private ObjectNode tree(byte[] value) {
    return (ObjectNode) CanonicalJson.parse(value);
  }

  private byte[] resign(ObjectNode event, SigningKey key) {
    return EventSigner.signTree(key, event).bytes();
  }

  @Test
  void validEvent_isAccepted_andExposesVerifiedAttributes() {
    byte[] value = f.validAlert();
    Verdict v = f.verifier.verify(value, AT);
    Verdict.Accepted a = assertInstanceOf(Verdict.Accepted.class, v);
    assertFalse(a.redelivery());
    assertEquals(Fixture.SERVICE, a.event().source());
    assertEquals(Fixture.ALERT, a.event().type());
    assertEquals("STALE", a.event().data().get("kind").asText());
    assertEquals(
        a.event().id(), a.event().toCloudEvent().getId(), "the SDK reads the verified bytes");
  }

  @Test
  void unparsableJson_isMalformed_withoutEchoingInput() {
    Rejection r = rejected(utf8("{\"id\": secret-value-123"));
    assertEquals(ErrorCode.MALFORMED, r.code());
    assertTrue(r.detail().startsWith("unparsable JSON at line 1"), r.detail());
    assertFalse(r.detail().contains("secret-value"), "input is never echoed");
  }

  @Test
  void notUtf8_isMalformed() {
    assertEquals("not valid UTF-8", rejected(new byte[] {'{', (byte) 0xC3, '}'}).detail());
  }

  @Test
  void duplicateMember_isMalformed() {
    String json = new String(f.validAlert(), StandardCharsets.UTF_8);
    Rejection r = rejected(utf8(json.replace("{\"data\":", "{\"type\":\"x\",\"data\":")));
    assertEquals(ErrorCode.MALFORMED, r.code());
  }

  @Test
  void eachMissingAttribute_isMalformed() {
    for (String name :
        List.of(
            "specversion",
            "id",
            "source",
            "type",
            "time",
            "datacontenttype",
            "sigalg",
            "sigkid",
            "sig")) {
      ObjectNode t = tree(f.validAlert());
      t.remove(name);
      Rejection r = rejected(CanonicalJson.canonicalize(t));
      assertEquals(ErrorCode.MALFORMED, r.code(), name);
      assertEquals("missing attribute " + name, r.detail());
    }
    ObjectNode t = tree(f.validAlert());
    t.remove("data");
    assertEquals(
        "data must be a JSON object", rejected(resign(t, TestKeys.key("data-service"))).detail());
  }

  @Test
  void malformedAttributeValues_areMalformed() {
    record Case(String attr, String value, String detail) {}
    for (Case c :
        List.of(
            new Case("specversion", "0.3", "specversion must be 1.0"),
            new Case("id", "0e1c5d5e-0000-4000-8000-000000000000", "id must be a lowercase UUIDv7"),
            new Case(
                "source",
                "strongroom/data-service",
                "source must be /strongroom/<module> or /apps/<app>"),
            new Case(
                "time", "2026-11-23T09:00:00Z", "time must look like 2026-11-23T09:00:00.000Z"),
            new Case("time", "2026-02-30T09:00:00.000Z", "time is not a valid instant"),
            new Case("datacontenttype", "text/plain", "datacontenttype must be application/json"),
            new Case("sigalg", "rs256", "sigalg must be ed25519"),
            new Case("sig", "AAAA", "sig must encode 64 bytes"),
            new Case("sig", "AA==", "sig must be unpadded base64url"))) {
      ObjectNode t = tree(f.validAlert());
      t.put(c.attr(), c.value());
      Rejection r = rejected(CanonicalJson.canonicalize(t));
      assertEquals(ErrorCode.MALFORMED, r.code(), c.toString());
      assertEquals(c.detail(), r.detail(), c.toString());
    }
  }

  @Test
  void dataBase64_andNonStringAttributes_andBigIntegers_areMalformed() {
    ObjectNode t = tree(f.validAlert());
    t.put("data_base64", "AAAA");
    assertEquals(
        "data_base64 is not allowed; data must be a JSON object",
        rejected(CanonicalJson.canonicalize(t)).detail());

    t = tree(f.validAlert());
    t.put("time", 1234);
    assertEquals(
        "attribute time must be a string", rejected(CanonicalJson.canonicalize(t)).detail());

    String json =
        new String(f.validAlert(), StandardCharsets.UTF_8)
            .replace("\"offset\":1", "\"offset\":9007199254740993");
    Rejection r = rejected(utf8(json));
    assertEquals(ErrorCode.MALFORMED, r.code());
    assertTrue(r.detail().startsWith("integer outside ±2^53 at $.data.related.offset"), r.detail());
  }

  @Test
  void forgedSignature_isSignatureInvalid() {
    ObjectNode t = tree(f.validAlert());
    ((ObjectNode) t.get("data")).put("detail", "rewritten by an attacker");
    Rejection r = rejected(CanonicalJson.canonicalize(t));
    assertEquals(ErrorCode.SIGNATURE_INVALID, r.code());
    assertEquals("signature does not verify", r.detail());
  }

  @Test
  void unknownKey_isSignatureInvalid() {
    SigningKey attacker = SigningKey.generate();
    byte[] value =
        new EventSigner(attacker, Fixture.SERVICE, f.clock)
            .sign(EventCatalog.SECURITY_ALERT, null, Fixture.alertData())
            .bytes();
    Rejection r = rejected(value);
    assertEquals(ErrorCode.SIGNATURE_INVALID, r.code());
    assertEquals("unknown sigkid " + attacker.kid(), r.detail());
  }

  @Test
  void wrongSource_isSignatureInvalid() {
    // crypto-service's key, claiming to be the data-service
    byte[] value =
        new EventSigner(TestKeys.key("crypto-service"), Fixture.SERVICE, f.clock)
            .sign(EventCatalog.SECURITY_ALERT, null, Fixture.alertData())
            .bytes();
    Rejection r = rejected(value);
    assertEquals(ErrorCode.SIGNATURE_INVALID, r.code());
    assertEquals(
        "key "
            + TestKeys.key("crypto-service").kid()
            + " may not sign for source "
            + Fixture.SERVICE,
        r.detail());
  }

  @Test
  void typeTheKeyMayNotEmit_isSignatureInvalid() {
    byte[] value =
        f.signer
            .sign(
                "dev.strongroom.store.completed.v1",
                null,
                Fixture.alertData(),
                "019ab0c0-1e00-7000-8000-000000000077",
                f.clock.instant())
            .bytes();
    Rejection r = rejected(value);
    assertEquals(ErrorCode.SIGNATURE_INVALID, r.code());
    assertEquals(
        "key "
            + TestKeys.key("data-service").kid()
            + " may not sign type dev.strongroom.store.completed.v1",
        r.detail());
  }

  @Test
  void keyOutsideValidity_isSignatureInvalid() {
    byte[] value =
        new EventSigner(TestKeys.key("expired"), "/strongroom/proof-service", f.clock)
            .sign(EventCatalog.SECURITY_ALERT, null, Fixture.alertData())
            .bytes();
    Rejection r = rejected(value);
    assertEquals(ErrorCode.SIGNATURE_INVALID, r.code());
    assertEquals(
        "key " + TestKeys.key("expired").kid() + " is not valid at 2026-11-23T09:00:00.000Z",
        r.detail());
  }

  @Test
  void staleAndFutureEvents_areStale() {
    byte[] old = f.validAlert();
    f.clock.advance(Duration.ofMinutes(5).plusMillis(1));
    Rejection r = rejected(old);
    assertEquals(ErrorCode.STALE, r.code());
    assertEquals("time 2026-11-23T09:00:00.000Z is -300 s from now; window is ±300 s", r.detail());

    Fixture g = new Fixture();
    byte[] future =
        g.signer
            .sign(
                Fixture.ALERT,
                null,
                Fixture.alertData(),
                "019ab0c0-1e00-7000-8000-000000000078",
                g.clock.instant().plus(Duration.ofMinutes(6)))
            .bytes();
    Rejection fr = ((Verdict.Rejected) g.verifier.verify(future, AT)).rejection();
    assertEquals(ErrorCode.STALE, fr.code());
    assertEquals("time 2026-11-23T09:06:00.000Z is 360 s from now; window is ±300 s", fr.detail());
  }

  @Test
  void atTheEdgeOfTheWindow_isAccepted() {
    byte[] value = f.validAlert();
    f.clock.advance(Duration.ofMinutes(5));
    assertInstanceOf(Verdict.Accepted.class, f.verifier.verify(value, AT));
  }

  @Test
  void sameIdElsewhere_isReplay_butSameOffset_isRedelivery() {
    byte[] value = f.validAlert();
    assertInstanceOf(Verdict.Accepted.class, f.verifier.verify(value, AT));
    Verdict again = f.verifier.verify(value, AT);
    assertTrue(
        assertInstanceOf(Verdict.Accepted.class, again).redelivery(),
        "same coordinates: redelivery");

    Rejection r = rejected(value, new RecordCoordinates(Topics.SECURITY_ALERTS, 0, 11));
    assertEquals(ErrorCode.REPLAY, r.code());
    String id = tree(value).get("id").asText();
    assertEquals(
        "event id " + id + " was already processed at strongroom.security.alerts/0/10", r.detail());
    assertEquals(id, r.eventId());

    // Replayed onto another topic: still a replay, not a schema error.
    assertEquals(
        ErrorCode.REPLAY,
        rejected(value, new RecordCoordinates(Topics.STORE_REQUESTS, 2, 5)).code());
  }

  @Test
  void unknownType_wrongTopic_subjectRules_andBadData_areSchema() {
    KeyRegistry registry =
        KeyRegistry.of(
            List.of(
                TestKeys.entry(
                    "data-service",
                    Fixture.SERVICE,
                    List.of(Fixture.ALERT, "dev.strongroom.nothing.happened.v1"))));
    EventVerifier v =
        new EventVerifier(
            registry,
            EventCatalog.standard(),
            EventVerifier.DEFAULT_SKEW,
            f.clock,
            ReplayGuard.forSkew(EventVerifier.DEFAULT_SKEW, f.clock));
    java.util.function.Function<byte[], Rejection> reject =
        b -> ((Verdict.Rejected) v.verify(b, AT)).rejection();

    byte[] unknown =
        f.signer
            .sign(
                "dev.strongroom.nothing.happened.v1",
                null,
                Fixture.alertData(),
                "019ab0c0-1e00-7000-8000-000000000079",
                f.clock.instant())
            .bytes();
    assertEquals(
        "unknown event type dev.strongroom.nothing.happened.v1", reject.apply(unknown).detail());

    byte[] alert = f.validAlert();
    Rejection wrongTopic =
        ((Verdict.Rejected) v.verify(alert, new RecordCoordinates(Topics.STORE_REQUESTS, 0, 1)))
            .rejection();
    assertEquals(ErrorCode.SCHEMA, wrongTopic.code());
    assertEquals(
        "type dev.strongroom.security.alert.v1 is not carried on topic strongroom.store.requests",
        wrongTopic.detail());

    byte[] withSubject =
        f.signer
            .sign(
                Fixture.ALERT,
                "tenant-a",
                Fixture.alertData(),
                "019ab0c0-1e00-7000-8000-00000000007a",
                f.clock.instant())
            .bytes();
    assertEquals(
        "type dev.strongroom.security.alert.v1 is not tenant-scoped: subject is not allowed",
        reject.apply(withSubject).detail());

    ObjectNode badData = Fixture.alertData();
    badData.put("kind", "NOT_A_KIND");
    badData.put("extra", true);
    byte[] bad =
        f.signer
            .sign(
                Fixture.ALERT,
                null,
                badData,
                "019ab0c0-1e00-7000-8000-00000000007b",
                f.clock.instant())
            .bytes();
    Rejection r = reject.apply(bad);
    assertEquals(ErrorCode.SCHEMA, r.code());
    assertTrue(
        r.detail().startsWith("data violates dev.strongroom.security.alert.v1: "), r.detail());
    assertTrue(r.detail().contains("kind") && r.detail().contains("extra"), r.detail());
  }

  @Test
  void tenantScopedType_withoutSubject_isSchema() {
    EventType tenantType =
        EventType.of(
            "dev.strongroom.security.alert.v1", Topics.SECURITY_ALERTS, EventType.Scope.TENANT);
    EventVerifier v =
        new EventVerifier(
            f.registry,
            EventCatalog.of(List.of(tenantType)),
            EventVerifier.DEFAULT_SKEW,
            f.clock,
            ReplayGuard.forSkew(EventVerifier.DEFAULT_SKEW, f.clock));
    Rejection r = ((Verdict.Rejected) v.verify(f.validAlert(), AT)).rejection();
    assertEquals(
        "type dev.strongroom.security.alert.v1 is tenant-scoped: subject is required", r.detail());
  }

  @Test
  void everySingleBitFlip_isRejected() {
    byte[] value = f.validAlert();
    int accepted = 0;
    for (int i = 0; i < value.length; i++) {
      byte[] flipped = value.clone();
      flipped[i] ^= 0x01;
      Verdict v = f.verifier.verify(flipped, new RecordCoordinates(Topics.SECURITY_ALERTS, 1, i));
      if (v instanceof Verdict.Accepted) {
        accepted++;
      }
    }
    assertEquals(0, accepted, "no flipped byte of " + value.length + " may be accepted");
  }

  @Test
  void signer_refusesToEmitDataItsSchemaRefuses() {
    ObjectNode bad = Fixture.alertData();
    bad.put("kind", "NOT_A_KIND");
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> f.signer.sign(EventCatalog.SECURITY_ALERT, null, bad));
    assertTrue(
        e.getMessage().startsWith("data violates dev.strongroom.security.alert.v1: "),
        e.getMessage());
  }

  @Test
  void signerOutput_hasExactEnvelopeShape() {
    ObjectNode t = tree(f.validAlert());
    assertEquals("1.0", t.get("specversion").asText());
    assertEquals("application/json", t.get("datacontenttype").asText());
    assertEquals("ed25519", t.get("sigalg").asText());
    assertEquals(TestKeys.key("data-service").kid(), t.get("sigkid").asText());
    assertEquals(
        "2026-11-23T09:00:00.000Z",
        t.get("time").asText(),
        "millisecond form even with zero millis");
    assertTrue(t.get("id").asText().matches("^[0-9a-f]{8}-[0-9a-f]{4}-7.*"), "UUIDv7");
    assertFalse(t.has("subject"));
    assertEquals(
        new String(CanonicalJson.canonicalize(t), StandardCharsets.UTF_8),
        new String(f.validAlert(), StandardCharsets.UTF_8)
            .replaceAll("\"id\":\"[^\"]+\"", "\"id\":\"" + t.get("id").asText() + "\"")
            .replaceAll("\"sig\":\"[^\"]+\"", "\"sig\":\"" + t.get("sig").asText() + "\""),
        "the record value is canonical JSON");
    assertTrue(Instant.parse(t.get("time").asText()).equals(f.clock.instant()));
  }
}
