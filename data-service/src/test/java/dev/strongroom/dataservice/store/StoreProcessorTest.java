package dev.strongroom.dataservice.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.EventVerifier;
import dev.strongroom.contracts.envelope.RecordCoordinates;
import dev.strongroom.contracts.envelope.ReplayGuard;
import dev.strongroom.contracts.envelope.Verdict;
import dev.strongroom.contracts.kafka.DeadLetterHeaders;
import dev.strongroom.contracts.kafka.RecordGate;
import dev.strongroom.contracts.keys.KeyRegistry;
import dev.strongroom.contracts.records.StoreRequest;
import dev.strongroom.contracts.records.StoreResult;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.testing.TestKeys;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.contracts.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * A bug in the store path never holds up a lane (issue 9): the request whose store throws an
 * exception nobody mapped comes back REJECTED with {@code INTERNAL} and is dead-lettered at once,
 * and the request behind it is stored. The store here is a real {@link DataStore} contract with a
 * planted bug; the database path itself is covered by StoreIT.
 */
class StoreProcessorTest {
  private static final String CRYPTO = "/strongroom/crypto-service";
  private static final String DATA = "/strongroom/data-service";
  private final Clock clock = Clock.systemUTC();
  private static final String APP_CERT =
      TenantTokens.thumbprint("the application's certificate".getBytes(StandardCharsets.UTF_8));
  private static final String OTHER_CERT =
      TenantTokens.thumbprint("another application's certificate".getBytes(StandardCharsets.UTF_8));
  private final KeyRegistry registry =
      KeyRegistry.of(
          List.of(
              TestKeys.entry(
                  "crypto-service", CRYPTO, List.of(EventCatalog.STORE_REQUESTED.type())),
              KeyRegistry.entry(
                  TestKeys.key("demo-app"),
                  "/apps/demo",
                  List.of(EventCatalog.STORE_REQUESTED.type()),
                  TestKeys.NOT_BEFORE,
                  TestKeys.NOT_AFTER,
                  List.of(APP_CERT)),
              KeyRegistry.entry(
                  TestKeys.key("other-app"),
                  "/apps/other",
                  List.of(EventCatalog.STORE_REQUESTED.type()),
                  TestKeys.NOT_BEFORE,
                  TestKeys.NOT_AFTER,
                  List.of(OTHER_CERT)),
              TestKeys.entry(
                  "unbound-app", "/apps/unbound", List.of(EventCatalog.STORE_REQUESTED.type())),
              TestKeys.entry(
                  "data-service",
                  DATA,
                  List.of(
                      EventCatalog.STORE_COMPLETED.type(), EventCatalog.SECURITY_ALERT.type()))));
  private final EventSigner crypto = new EventSigner(TestKeys.key("crypto-service"), CRYPTO, clock);
  private final EventSigner data = new EventSigner(TestKeys.key("data-service"), DATA, clock);

  private EventVerifier verifier() {
    return new EventVerifier(
        registry,
        EventCatalog.standard(),
        EventVerifier.DEFAULT_SKEW,
        clock,
        ReplayGuard.forSkew(EventVerifier.DEFAULT_SKEW, clock));
  }

  /** A store with a bug for one request id. */
  private static final class BuggyStore implements DataStore {
    final List<String> stored = new ArrayList<>();

    @Override
    public Stored store(String expectedTenant, StoreRequest request) {
      if (request.requestId().equals("poisoned")) {
        throw new IllegalStateException("a bug that names tenant data: jane@example.com");
      }
      stored.add(request.requestId());
      return Stored.STORED;
    }

    @Override
    public Envelope readForDecrypt(String token, String recordId, String reader) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<Summary> list(String token, int limit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }

  private static final class Outcomes implements StoreProcessor.Listener {
    final List<String> outcomes = new ArrayList<>();

    @Override
    public void outcome(String status, String code) {
      outcomes.add(status + ":" + code);
    }

    @Override
    public void retry(String why) {
      outcomes.add("RETRY:" + why);
    }

    @Override
    public void waiting(int delta) {}
  }

  @Test
  void aBugInTheStore_isRejectedAsInternal_deadLettered_andTheNextRequestIsStored() {
    BuggyStore store = new BuggyStore();
    Outcomes outcomes = new Outcomes();
    StoreProcessor processor =
        new StoreProcessor(
            new RecordGate(verifier(), data),
            data,
            store,
            registry,
            Duration.ofMillis(1),
            Duration.ofMillis(2),
            outcomes);

    List<ProducerRecord<byte[], byte[]>> first =
        processor.process(record(0, "poisoned"), () -> true);
    List<ProducerRecord<byte[], byte[]>> second =
        processor.process(record(1, "healthy"), () -> true);

    assertEquals(List.of("REJECTED:INTERNAL", "STORED:"), outcomes.outcomes, "no retry");
    assertEquals(List.of("healthy"), store.stored);

    assertEquals(2, first.size(), "a result and a dead letter");
    StoreResult rejected = result(first.get(0));
    assertEquals(StoreResult.Status.REJECTED, rejected.status());
    assertEquals(Optional.of("INTERNAL"), rejected.errorCodeIfRejected());
    ProducerRecord<byte[], byte[]> dead = first.get(1);
    assertEquals(Topics.dlq(Topics.STORE_REQUESTS), dead.topic());
    assertEquals("INTERNAL", header(dead, DeadLetterHeaders.REASON));
    assertEquals(
        "store failed: java.lang.IllegalStateException",
        header(dead, DeadLetterHeaders.DETAIL),
        "the exception's message (it may hold data) stays out of the dead letter");

    assertEquals(1, second.size());
    assertEquals(StoreResult.Status.STORED, result(second.get(0)).status());
  }

  @Test
  void aFieldOverTheLimit_isRejectedTooLarge_beforeTheStore_andTheLimitItselfIsStored() {
    BuggyStore store = new BuggyStore();
    Outcomes outcomes = new Outcomes();
    StoreProcessor processor =
        new StoreProcessor(
            new RecordGate(verifier(), data),
            data,
            store,
            registry,
            Duration.ofMillis(1),
            Duration.ofMillis(2),
            outcomes);
    int max = StoreRequest.MAX_FIELD_CIPHERTEXT_BYTES;

    List<ProducerRecord<byte[], byte[]>> over =
        processor.process(record(0, "oversized", max + 1), () -> true);
    List<ProducerRecord<byte[], byte[]>> atLimit =
        processor.process(record(1, "at-limit", max), () -> true);

    assertEquals(List.of("REJECTED:SR-FIELD-TOO-LARGE", "STORED:"), outcomes.outcomes);
    assertEquals(List.of("at-limit"), store.stored, "the database is not asked for the oversized");
    assertEquals(2, over.size(), "a result and a dead letter");
    StoreResult rejected = result(over.get(0));
    assertEquals(StoreResult.Status.REJECTED, rejected.status());
    assertEquals(Optional.of("SR-FIELD-TOO-LARGE"), rejected.errorCodeIfRejected());
    assertEquals("REFUSED", header(over.get(1), DeadLetterHeaders.REASON));
    assertEquals(
        "SR-FIELD-TOO-LARGE: each field ciphertext is at most 65536 bytes (name: 65537 bytes)",
        header(over.get(1), DeadLetterHeaders.DETAIL));
    assertEquals(StoreResult.Status.STORED, result(atLimit.get(0)).status());
  }

  /**
   * An application's own store request (no crypto-service in between) must carry a token bound to a
   * certificate its signing key's entry names: another application's copy of demo-app's token, a
   * key bound to none, and a token whose {@code cnf} cannot be read are REJECTED {@code
   * SR-TOKEN-CNF} before the store is asked; demo-app's own, and any token the crypto-service signs
   * on (it bound it to the encrypt request's signer), are stored.
   */
  @Test
  void anApplicationsOwnStoreRequest_withATokenOfAnotherCertificate_isRejectedCnf_beforeTheStore() {
    BuggyStore store = new BuggyStore();
    Outcomes outcomes = new Outcomes();
    StoreProcessor processor =
        new StoreProcessor(
            new RecordGate(verifier(), data),
            data,
            store,
            registry,
            Duration.ofMillis(1),
            Duration.ofMillis(2),
            outcomes);
    TenantTokens authority = new TenantTokens(TenantTokens.generateKey(), clock);
    String demoToken = authority.issue("acme", "alice", Duration.ofMinutes(15), APP_CERT);
    EventSigner demo = new EventSigner(TestKeys.key("demo-app"), "/apps/demo", clock);
    EventSigner other = new EventSigner(TestKeys.key("other-app"), "/apps/other", clock);
    EventSigner unbound = new EventSigner(TestKeys.key("unbound-app"), "/apps/unbound", clock);

    List<ProducerRecord<byte[], byte[]>> stolen =
        processor.process(record(0, "stolen", other, demoToken), () -> true);
    List<ProducerRecord<byte[], byte[]>> noBinding =
        processor.process(record(1, "no-binding", unbound, demoToken), () -> true);
    List<ProducerRecord<byte[], byte[]>> unreadable =
        processor.process(record(2, "unreadable", demo, "eyJ2IjoxfQ.AAAA"), () -> true);
    processor.process(record(3, "own", demo, demoToken), () -> true);
    processor.process(record(4, "via-crypto", crypto, demoToken), () -> true);

    assertEquals(
        List.of(
            "REJECTED:SR-TOKEN-CNF",
            "REJECTED:SR-TOKEN-CNF",
            "REJECTED:SR-TOKEN-CNF",
            "STORED:",
            "STORED:"),
        outcomes.outcomes);
    assertEquals(List.of("own", "via-crypto"), store.stored, "the store never saw the refused");
    assertEquals(Optional.of("SR-TOKEN-CNF"), result(stolen.get(0)).errorCodeIfRejected());
    assertEquals("UNAUTHORIZED", header(stolen.get(1), DeadLetterHeaders.REASON));
    assertEquals(
        "SR-TOKEN-CNF: token is bound to another client certificate than its signer's",
        header(stolen.get(1), DeadLetterHeaders.DETAIL));
    assertEquals(
        "SR-TOKEN-CNF: the signing key is bound to no client certificate in the key registry",
        header(noBinding.get(1), DeadLetterHeaders.DETAIL));
    assertEquals(
        "SR-TOKEN-CNF: token is bound to another client certificate than its signer's",
        header(unreadable.get(1), DeadLetterHeaders.DETAIL));
  }

  /**
   * Every result names the application event it answers: the encrypt request a crypto-service store
   * request was made from, or an application's own store request event. An application's store
   * request that names an encrypt request is dead-lettered {@code SCHEMA}, unanswered and unstored;
   * a crypto-service store request from before {@code encryptEventId} is answered naming none (a
   * result no reader believes).
   */
  @Test
  void everyResult_namesTheApplicationEventItAnswers() {
    BuggyStore store = new BuggyStore();
    Outcomes outcomes = new Outcomes();
    StoreProcessor processor =
        new StoreProcessor(
            new RecordGate(verifier(), data),
            data,
            store,
            registry,
            Duration.ofMillis(1),
            Duration.ofMillis(2),
            outcomes);
    TenantTokens authority = new TenantTokens(TenantTokens.generateKey(), clock);
    String demoToken = authority.issue("acme", "alice", Duration.ofMinutes(15), APP_CERT);
    EventSigner demo = new EventSigner(TestKeys.key("demo-app"), "/apps/demo", clock);
    EventSigner other = new EventSigner(TestKeys.key("other-app"), "/apps/other", clock);
    String encryptEvent = "019ab0c0-1e00-7000-8000-0000000000e1";

    ConsumerRecord<byte[], byte[]> viaCrypto =
        record(0, "via-crypto", 40, crypto, demoToken, encryptEvent);
    ConsumerRecord<byte[], byte[]> own = record(1, "own", 40, demo, demoToken, null);
    ConsumerRecord<byte[], byte[]> forged = record(2, "own", 40, other, demoToken, null);
    ConsumerRecord<byte[], byte[]> claimsEncrypt =
        record(3, "claims", 40, demo, demoToken, encryptEvent);
    ConsumerRecord<byte[], byte[]> oldCrypto = record(4, "old-crypto", 40, crypto, demoToken, null);
    ConsumerRecord<byte[], byte[]> rejectedViaCrypto =
        record(5, "poisoned", 40, crypto, demoToken, "019ab0c0-1e00-7000-8000-0000000000e2");

    StoreResult a = result(processor.process(viaCrypto, () -> true).get(0));
    StoreResult b = result(processor.process(own, () -> true).get(0));
    StoreResult c = result(processor.process(forged, () -> true).get(0));
    List<ProducerRecord<byte[], byte[]>> d = processor.process(claimsEncrypt, () -> true);
    StoreResult e = result(processor.process(oldCrypto, () -> true).get(0));
    StoreResult f = result(processor.process(rejectedViaCrypto, () -> true).get(0));

    assertEquals(Optional.of(encryptEvent), a.requestEventIdIfAny(), "the encrypt request");
    assertEquals(Optional.of(eventId(own)), b.requestEventIdIfAny(), "its own store request");
    assertEquals(StoreResult.Status.REJECTED, c.status());
    assertEquals(
        Optional.of(eventId(forged)),
        c.requestEventIdIfAny(),
        "the forger's event, not the victim's: the victim's client does not believe it");
    assertEquals(1, d.size(), "a dead letter, no result");
    assertEquals(Topics.dlq(Topics.STORE_REQUESTS), d.get(0).topic());
    assertEquals("SCHEMA", header(d.get(0), DeadLetterHeaders.REASON));
    assertEquals(
        "encryptEventId is set by the crypto-service only, not by /apps/demo",
        header(d.get(0), DeadLetterHeaders.DETAIL));
    assertEquals(Optional.empty(), e.requestEventIdIfAny());
    assertEquals(false, e.mayComeFrom(DATA), "no reader believes it");
    assertEquals(
        Optional.of("019ab0c0-1e00-7000-8000-0000000000e2"),
        f.requestEventIdIfAny(),
        "a refusal names the encrypt request too");
    assertEquals(List.of("via-crypto", "own", "old-crypto"), store.stored);
  }

  private static String eventId(ConsumerRecord<byte[], byte[]> r) {
    return dev.strongroom.contracts.envelope.CanonicalJson.parse(r.value()).get("id").asText();
  }

  private StoreResult result(ProducerRecord<byte[], byte[]> r) {
    assertEquals(Topics.STORE_RESULTS, r.topic());
    Verdict v = verifier().verify(r.value(), new RecordCoordinates(Topics.STORE_RESULTS, 0, 0));
    return StoreResult.fromData(assertInstanceOf(Verdict.Accepted.class, v).event().data());
  }

  private ConsumerRecord<byte[], byte[]> record(int offset, String requestId) {
    return record(offset, requestId, 40);
  }

  private ConsumerRecord<byte[], byte[]> record(int offset, String requestId, int nameBytes) {
    // well-formed; the store checks it, not this test
    return record(offset, requestId, nameBytes, crypto, "eyJ0ZW5hbnQiOiJhY21lIn0.c2lnbmF0dXJl");
  }

  private ConsumerRecord<byte[], byte[]> record(
      int offset, String requestId, EventSigner signer, String token) {
    return record(offset, requestId, 40, signer, token);
  }

  private ConsumerRecord<byte[], byte[]> record(
      int offset, String requestId, int nameBytes, EventSigner signer, String token) {
    return record(offset, requestId, nameBytes, signer, token, null);
  }

  private ConsumerRecord<byte[], byte[]> record(
      int offset,
      String requestId,
      int nameBytes,
      EventSigner signer,
      String token,
      String encryptEventId) {
    Map<String, StoreRequest.FieldCiphertext> fields = new LinkedHashMap<>();
    fields.put("name", new StoreRequest.FieldCiphertext(new byte[nameBytes], new byte[12]));
    StoreRequest request =
        new StoreRequest(
            requestId,
            token,
            String.format("01890a5d-ac96-774b-bcce-b302099a%04x", 0x8057 + offset),
            1,
            new StoreRequest.DataKeyRef(
                "dek-" + requestId, new byte[60], "strongroom-dev-kek", "1", null, null),
            fields,
            encryptEventId);
    byte[] value = signer.sign(EventCatalog.STORE_REQUESTED, "acme", request.toData()).bytes();
    return new ConsumerRecord<>(
        Topics.STORE_REQUESTS,
        0,
        offset,
        0L,
        TimestampType.CREATE_TIME,
        0,
        value.length,
        "acme".getBytes(StandardCharsets.UTF_8),
        value,
        new RecordHeaders(),
        Optional.empty());
  }

  private static String header(ProducerRecord<byte[], byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
