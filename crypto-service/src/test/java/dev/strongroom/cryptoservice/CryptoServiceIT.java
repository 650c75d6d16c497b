package dev.strongroom.cryptoservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.envelope.EventVerifier;
import dev.strongroom.contracts.envelope.RecordCoordinates;
import dev.strongroom.contracts.envelope.Verdict;
import dev.strongroom.contracts.kafka.DeadLetterHeaders;
import dev.strongroom.contracts.records.EncryptRequest;
import dev.strongroom.contracts.records.FieldSealer;
import dev.strongroom.contracts.records.SealingKey;
import dev.strongroom.contracts.records.StoreRequest;
import dev.strongroom.contracts.records.StoreResult;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.aead.AesGcmHkdfFieldCipher;
import dev.strongroom.crypto.aead.EncryptedField;
import dev.strongroom.crypto.aead.FieldContext;
import dev.strongroom.crypto.kms.DataKeyWrapContext;
import dev.strongroom.crypto.kms.WrappedKey;
import dev.strongroom.crypto.kms.XWingKeyWrapper;
import dev.strongroom.devstack.testing.JsonLog;
import dev.strongroom.devstack.testing.ServiceContract;
import dev.strongroom.devstack.testing.StrongroomTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The packaged crypto-service against a real broker: the acceptance rules from outside, and the
 * encrypt pipeline end to end — a sealed request becomes a signed store request carrying only
 * ciphertext, which decrypts back only for the right tenant, record and field.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(
    value = StrongroomTestResource.class,
    initArgs = {
      @ResourceArg(name = "service", value = "crypto-service"),
      @ResourceArg(name = "second-application", value = CryptoServiceIT.OTHER_APP)
    },
    restrictToAnnotatedClass = true)
class CryptoServiceIT extends ServiceContract {
  /**
   * A second application identity of the test stack: its own certificate, Kafka grants and event
   * key, registered for {@code /apps/other-app} and bound to its own certificate.
   */
  static final String OTHER_APP = "other-app";

  private static final Map<String, String> FIELDS =
      Map.of("name", "Alice Example", "role", "nurse", "email", "alice@example.org");

  @Override
  protected Optional<String> inboundTopic() {
    return Optional.of(Topics.ENCRYPT_REQUESTS);
  }

  private TenantTokens authority() {
    return stack().keys().tenantTokens(Clock.systemUTC());
  }

  private byte[] publishedSealingKey() throws Exception {
    HttpResponse<String> r = get("/v1/sealing-key");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode key = CanonicalJson.mapper().readTree(r.body());
    assertEquals(EncryptRequest.SUITE, key.get("suite").asText());
    return Base64.getUrlDecoder().decode(key.get("publicKey").asText());
  }

  private byte[] encryptRequest(
      String tenant, String token, String recordId, String requestId, byte[] sealTo) {
    return encryptRequest(tenant, token, recordId, requestId, sealTo, FIELDS);
  }

  private ConsumerRecord<byte[], byte[]> storeRequestFor(String requestId) {
    return await(
        Topics.STORE_REQUESTS,
        r -> {
          try {
            return requestId.equals(
                CanonicalJson.parse(r.value()).path("data").path("requestId").asText());
          } catch (IllegalArgumentException e) {
            return false;
          }
        });
  }

  private ObjectNode decryptBody(String tenant, String token, StoreRequest store) {
    ObjectNode body = CanonicalJson.mapper().createObjectNode();
    body.put("tenant", tenant)
        .put("tenantToken", token)
        .put("recordId", store.recordId())
        .put("schemaVersion", store.schemaVersion());
    ObjectNode data = store.toData();
    body.set("dataKey", data.get("dataKey"));
    body.set("fields", data.get("fields"));
    return body;
  }

  @Test
  void
      sealedRequest_becomesASignedCiphertextOnlyStoreRequest_thatDecryptsOnlyForItsTenantRecordAndField()
          throws Exception {
    String token = authority().issue("acme", "alice@acme", Duration.ofMinutes(15), appCert());
    String recordId = newId();
    byte[] encrypt =
        encryptRequest("acme", token, recordId, "req-pipeline-1", publishedSealingKey());
    send(Topics.ENCRYPT_REQUESTS, encrypt);

    ConsumerRecord<byte[], byte[]> out = storeRequestFor("req-pipeline-1");
    String raw = new String(out.value(), StandardCharsets.UTF_8);
    for (String plaintext : FIELDS.values()) {
      assertFalse(raw.contains(plaintext), "no plaintext in the store request: " + plaintext);
    }
    Verdict.Accepted v =
        assertInstanceOf(
            Verdict.Accepted.class,
            downstreamVerifier()
                .verify(
                    out.value(),
                    new RecordCoordinates(out.topic(), out.partition(), out.offset())));
    assertEquals("/strongroom/crypto-service", v.event().source());
    assertEquals("acme", v.event().subject().orElseThrow());
    assertEquals("acme", new String(out.key(), StandardCharsets.UTF_8), "record key is the tenant");
    StoreRequest store = StoreRequest.fromData(v.event().data());
    assertEquals(recordId, store.recordId());
    assertEquals(3, store.fields().size());
    assertEquals(
        CanonicalJson.parse(encrypt).get("id").asText(),
        store.encryptEventIdIfAny().orElseThrow(),
        "the store request names the encrypt request it was made from (the data-service's answer"
            + " names it, and the application believes only an answer to its own event)");

    // The additive post-quantum wrap: the offline X-Wing recovery key alone recovers the data key.
    assertEquals(XWingKeyWrapper.PQ_ALG, store.dataKey().pqAlg());
    XWingKeyWrapper recovery =
        XWingKeyWrapper.withPrivateKey(
            "strongroom-pq-recovery", "1", stack().keys().pqRecoverySeed(), new SecureRandom());
    DataKey recovered =
        recovery.unwrap(
            WrappedKey.of(
                "strongroom-pq-recovery", "1", store.dataKey().pqWrappedDekIfAny().orElseThrow()),
            store.dataKey().dekId(),
            DataKeyWrapContext.encode("acme", store.dataKey().dekId()));
    FieldContext nameCtx =
        FieldContext.builder()
            .tenantId("acme")
            .recordId(recordId)
            .fieldName("name")
            .schemaVersion(1)
            .dataKeyId(store.dataKey().dekId())
            .build();
    assertEquals(
        "Alice Example",
        new String(
            AesGcmHkdfFieldCipher.create(recovered, new SecureRandom())
                .decrypt(
                    EncryptedField.of(
                        store.fields().get("name").ct(), store.fields().get("name").iv()),
                    nameCtx),
            StandardCharsets.UTF_8));

    HttpResponse<String> ok =
        post(
            dev.strongroom.provisioner.pki.PkiSpec.DEMO_APP,
            "/v1/decrypt",
            decryptBody("acme", token, store).toString());
    assertEquals(200, ok.statusCode(), ok.body());
    JsonNode fields = CanonicalJson.mapper().readTree(ok.body()).get("fields");
    FIELDS.forEach((k, val) -> assertEquals(val, fields.get(k).asText()));

    // A newline in a request field cannot forge a log line: every line of the log is one JSON
    // object, and the field is inside the refusal's message (escaped twice: LogSafe, then JSON).
    String marker = "FORGED-" + newId();
    HttpResponse<String> forging =
        post(
            dev.strongroom.provisioner.pki.PkiSpec.DEMO_APP,
            "/v1/decrypt",
            decryptBody("acme\n" + marker + " INFO [audit] operator granted root", token, store)
                .toString());
    assertEquals(403, forging.statusCode(), forging.body());
    java.nio.file.Path log = java.nio.file.Path.of("target", "quarkus.log");
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    java.util.List<JsonLog.Line> lines = java.util.List.of();
    while (System.nanoTime() < deadline) {
      lines = JsonLog.lines(log);
      if (lines.stream().anyMatch(l -> l.text().contains(marker))) {
        break;
      }
      Thread.sleep(200);
    }
    assertEquals(java.util.List.of(), JsonLog.malformed(lines), "target/quarkus.log");
    java.util.List<JsonLog.Line> withMarker =
        lines.stream().filter(l -> l.text().contains(marker)).toList();
    assertEquals(1, withMarker.size(), "one log line carries the field: " + withMarker);
    assertEquals(
        "decrypt refused for tenant acme\\u000a"
            + marker
            + " INFO [audit] operator granted root record "
            + store.recordId()
            + ": SR-TOKEN-TENANT",
        withMarker.get(0).message());
    assertEquals("WARN", withMarker.get(0).json().orElseThrow().get("level").asText());

    // The same request from an identity not on /v1/decrypt's allow-list (the operator, or a
    // service): refused before the body is read.
    for (String other : java.util.List.of("operator", "data-service")) {
      HttpResponse<String> refused =
          post(other, "/v1/decrypt", decryptBody("acme", token, store).toString());
      assertEquals(403, refused.statusCode(), refused.body());
      assertEquals(
          "{\"error\":\"FORBIDDEN\",\"detail\":\"" + other + " may not call /v1/decrypt\"}",
          refused.body());
    }

    // Another tenant's token for this tenant's record: refused before any key is touched.
    String globex =
        authority().issue("globex", "mallory@globex", Duration.ofMinutes(15), appCert());
    HttpResponse<String> crossTenant =
        post(
            dev.strongroom.provisioner.pki.PkiSpec.DEMO_APP,
            "/v1/decrypt",
            decryptBody("acme", globex, store).toString());
    assertEquals(403, crossTenant.statusCode(), crossTenant.body());
    assertEquals(
        "UNAUTHORIZED", CanonicalJson.mapper().readTree(crossTenant.body()).get("error").asText());

    // A valid token for globex, claiming acme's ciphertext as globex's: the wrapped key does not
    // open.
    HttpResponse<String> claimed =
        post(
            dev.strongroom.provisioner.pki.PkiSpec.DEMO_APP,
            "/v1/decrypt",
            decryptBody("globex", globex, store).toString());
    assertEquals(422, claimed.statusCode(), claimed.body());
    assertEquals(
        "invalid ciphertext",
        CanonicalJson.mapper().readTree(claimed.body()).get("detail").asText());

    // The name ciphertext moved into the email field: invalid ciphertext.
    ObjectNode swapped = decryptBody("acme", token, store);
    ((ObjectNode) swapped.get("fields")).set("email", swapped.get("fields").get("name"));
    assertEquals(
        422,
        post(dev.strongroom.provisioner.pki.PkiSpec.DEMO_APP, "/v1/decrypt", swapped.toString())
            .statusCode());

    // Another record id: invalid ciphertext.
    ObjectNode moved = decryptBody("acme", token, store);
    moved.put("recordId", newId());
    assertEquals(
        422,
        post(dev.strongroom.provisioner.pki.PkiSpec.DEMO_APP, "/v1/decrypt", moved.toString())
            .statusCode());

    // No valid token at all.
    assertEquals(
        401,
        post(
                dev.strongroom.provisioner.pki.PkiSpec.DEMO_APP,
                "/v1/decrypt",
                decryptBody("acme", "eyJ2IjoxfQ.AAAA", store).toString())
            .statusCode());
  }

  /**
   * Sender-constrained tokens (issue 11): a token copied off {@code strongroom.store.requests} and
   * presented by another valid certificate — issued by the stack's CA to the same application name,
   * so the endpoint's allow-list lets it through — is refused with {@code SR-TOKEN-CNF} before any
   * key is touched; the certificate it was issued to still decrypts.
   */
  @Test
  void tokenReadOffTheTopic_presentedWithAnotherValidCertificate_isRefusedAsBoundToAnother(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
    String token = authority().issue("acme", "alice@acme", Duration.ofMinutes(15), appCert());
    send(
        Topics.ENCRYPT_REQUESTS,
        encryptRequest("acme", token, newId(), "req-stolen-1", publishedSealingKey()));
    StoreRequest store =
        StoreRequest.fromData(
            CanonicalJson.parse(storeRequestFor("req-stolen-1").value()).get("data"));
    String stolen = store.tenantToken();
    assertEquals(token, stolen, "the token travels on the topic");

    // another valid certificate for demo-app, from the stack's own CA (a second instance's, or the
    // one before a renewal), with its own key, outside the PKI's directory
    var pki = stack().pki();
    var otherCert = pki.issueAnother(dev.strongroom.provisioner.pki.PkiSpec.DEMO_APP, tmp);
    dev.strongroom.contracts.tls.TlsIdentity other =
        new dev.strongroom.contracts.tls.TlsIdentity(
            dev.strongroom.provisioner.pki.PkiSpec.DEMO_APP,
            pki.caCertPem(),
            otherCert.certPem(),
            otherCert.keyPem());
    org.junit.jupiter.api.Assertions.assertNotEquals(
        appCert(), TenantTokens.thumbprint(other.certificate()));

    HttpResponse<String> refused =
        other
            .httpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(stack().baseUrl() + "/v1/decrypt"))
                    .timeout(Duration.ofSeconds(20))
                    .header("Content-Type", "application/json")
                    .POST(
                        java.net.http.HttpRequest.BodyPublishers.ofString(
                            decryptBody("acme", stolen, store).toString()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(401, refused.statusCode(), refused.body());
    assertEquals(
        "{\"error\":\"UNAUTHORIZED\",\"detail\":\"UNAUTHORIZED: SR-TOKEN-CNF: token is bound to"
            + " another client certificate\"}",
        refused.body());

    // the certificate it was issued to: decrypts
    HttpResponse<String> ok =
        post(
            dev.strongroom.provisioner.pki.PkiSpec.DEMO_APP,
            "/v1/decrypt",
            decryptBody("acme", stolen, store).toString());
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals(
        "Alice Example",
        CanonicalJson.mapper().readTree(ok.body()).get("fields").get("name").asText());
  }

  /**
   * Sender-constrained tokens on the Kafka write path (issue 11): another application identity —
   * its own certificate, its own event key registered for {@code /apps/other-app} and bound to its
   * own certificate, an application's Kafka grants — copies demo-app's token (off {@code
   * store.requests}, a log, anywhere) and publishes an encrypt request signed with its own key, for
   * demo-app's tenant. Every signature and the token itself verify; the token's {@code cnf} names
   * demo-app's certificate, not one its signer is bound to: answered REJECTED {@code SR-TOKEN-CNF}
   * by the crypto-service, dead-lettered with that code, and nothing of it reaches {@code
   * store.requests}. The same token in demo-app's own request, and the other application's own
   * token in its own request, go through.
   */
  @Test
  void stolenTokenInAnotherApplicationsSignedRequest_isRejectedAsBoundToAnotherCertificate()
      throws Exception {
    String run = newId().substring(24);
    byte[] sealTo = publishedSealingKey();
    String token = authority().issue("acme", "alice@acme", Duration.ofMinutes(15), appCert());
    String otherCert = TenantTokens.thumbprint(stack().pki().identity(OTHER_APP).certificate());
    org.junit.jupiter.api.Assertions.assertNotEquals(appCert(), otherCert);
    dev.strongroom.contracts.envelope.EventSigner other =
        new dev.strongroom.contracts.envelope.EventSigner(
            stack().keys().key(OTHER_APP),
            StrongroomTestResource.secondApplicationSource(OTHER_APP),
            Clock.systemUTC());

    String stolenId = "req-stolen-by-other-app-" + run;
    String stolenRecord = newId();
    byte[] stolen = encryptRequest(other, "acme", token, stolenRecord, stolenId, sealTo, FIELDS);
    RecordMetadata sent =
        sendTogether(Topics.ENCRYPT_REQUESTS, "acme", OTHER_APP, List.of(stolen)).get(0);
    // after it on the same partition: demo-app's own request with the same token, and the other
    // application's own request with a token bound to its own certificate
    String ownId = "req-own-token-" + run;
    sendTogether(
        Topics.ENCRYPT_REQUESTS,
        "acme",
        List.of(encryptRequest("acme", token, newId(), ownId, sealTo)));
    String otherOwnId = "req-other-app-own-token-" + run;
    sendTogether(
        Topics.ENCRYPT_REQUESTS,
        "acme",
        OTHER_APP,
        List.of(
            encryptRequest(
                other,
                "acme",
                authority().issue("acme", "bob@acme", Duration.ofMinutes(15), otherCert),
                newId(),
                otherOwnId,
                sealTo,
                FIELDS)));

    // the answer: REJECTED SR-TOKEN-CNF, signed by the crypto-service, naming the stolen request
    List<ConsumerRecord<byte[], byte[]>> results =
        collect(Topics.STORE_RESULTS, r -> stolenId.equals(requestIdOf(r)), 1);
    assertEquals(1, results.size(), "exactly one answer");
    Verdict.Accepted answer =
        assertInstanceOf(
            Verdict.Accepted.class,
            downstreamVerifier()
                .verify(
                    results.get(0).value(),
                    new RecordCoordinates(
                        results.get(0).topic(),
                        results.get(0).partition(),
                        results.get(0).offset())));
    assertEquals("/strongroom/crypto-service", answer.event().source());
    assertEquals(
        new StoreResult(
            stolenId,
            stolenRecord,
            StoreResult.Status.REJECTED,
            "SR-TOKEN-CNF",
            CanonicalJson.parse(stolen).get("id").asText()),
        StoreResult.fromData(answer.event().data()));

    // one dead letter, with the token refusal's reason and the SR-TOKEN-CNF detail
    List<ConsumerRecord<byte[], byte[]>> dead =
        collect(
            Topics.dlq(Topics.ENCRYPT_REQUESTS),
            r ->
                header(r, DeadLetterHeaders.PARTITION).equals(Integer.toString(sent.partition()))
                    && header(r, DeadLetterHeaders.OFFSET).equals(Long.toString(sent.offset())),
            1);
    assertEquals(1, dead.size(), "one dead letter");
    assertEquals("UNAUTHORIZED", header(dead.get(0), DeadLetterHeaders.REASON));
    assertEquals(
        "UNAUTHORIZED: SR-TOKEN-CNF: token is bound to another client certificate than its"
            + " signer's",
        header(dead.get(0), DeadLetterHeaders.DETAIL));

    // nothing of it on store.requests; the two legitimate requests after it are there (all acme:
    // one partition, in order, so the stolen one's store request would have come first)
    storeRequestFor(ownId);
    storeRequestFor(otherOwnId);
    List<ConsumerRecord<byte[], byte[]>> stores =
        collect(
            Topics.STORE_REQUESTS,
            r -> Set.of(stolenId, ownId, otherOwnId).contains(requestIdOf(r)),
            2);
    assertEquals(
        Set.of(ownId, otherOwnId),
        new HashSet<>(stores.stream().map(CryptoServiceIT::requestIdOf).toList()));
    assertEquals(2, stores.size(), "each legitimate request once, the stolen one never");
  }

  /**
   * After every attack of this class (stolen and foreign tokens, forged log lines, tampered
   * ciphertexts, dead-lettered requests): the service's log is all JSON records and holds no tenant
   * token (any {@code <claims>.<mac>} of base64url JSON), no key material of the stack
   * (tenant-token keys, any line of a private key file) and none of the plaintexts it decrypted.
   */
  @org.junit.jupiter.api.AfterAll
  protected static void theLog_holdsNoTokenKeyOrPlaintext() throws Exception {
    assertTheLogHoldsNoSecret(FIELDS.values());
  }

  private double metric(String name) throws Exception {
    HttpResponse<String> r = get("/q/metrics");
    assertEquals(200, r.statusCode(), r.body());
    return r.body()
        .lines()
        .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void burstOfReadsOfOneRecord_costsOneKmsUnwrap_andAForgedWrapUnderItsDekIdIsStillRefused()
      throws Exception {
    String token = authority().issue("initech", "peter@initech", Duration.ofMinutes(15), appCert());
    String recordId = newId();
    send(
        Topics.ENCRYPT_REQUESTS,
        encryptRequest("initech", token, recordId, "req-burst-1", publishedSealingKey()));
    StoreRequest store =
        StoreRequest.fromData(
            CanonicalJson.parse(storeRequestFor("req-burst-1").value()).get("data"));
    double unwraps = metric("strongroom_crypto_decrypt_keys_unwraps_total");
    double hits = metric("strongroom_crypto_decrypt_keys_hits_total");
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> ok =
          post(
              dev.strongroom.provisioner.pki.PkiSpec.DEMO_APP,
              "/v1/decrypt",
              decryptBody("initech", token, store).toString());
      assertEquals(200, ok.statusCode(), ok.body());
    }
    assertEquals(1.0, metric("strongroom_crypto_decrypt_keys_unwraps_total") - unwraps);
    assertEquals(19.0, metric("strongroom_crypto_decrypt_keys_hits_total") - hits);

    // Other wrapped bytes under the cached dek_id: the cache does not answer, the KMS refuses.
    ObjectNode forged = decryptBody("initech", token, store);
    byte[] wrapped = store.dataKey().wrappedDek();
    wrapped[wrapped.length - 1] ^= 1;
    ((ObjectNode) forged.get("dataKey"))
        .put("wrappedDek", Base64.getUrlEncoder().withoutPadding().encodeToString(wrapped));
    HttpResponse<String> refused =
        post(dev.strongroom.provisioner.pki.PkiSpec.DEMO_APP, "/v1/decrypt", forged.toString());
    assertEquals(422, refused.statusCode(), refused.body());
    JsonNode why = CanonicalJson.mapper().readTree(refused.body());
    assertEquals("INTEGRITY", why.get("error").asText());
    assertEquals("invalid ciphertext", why.get("detail").asText());
    assertEquals(2.0, metric("strongroom_crypto_decrypt_keys_unwraps_total") - unwraps);
  }

  /**
   * Every refusal of a verified encrypt request is answered and dead-lettered, and holds nothing up
   * (issue 10: "REJECTED with its code, nothing stored, nothing else held up"). One producer
   * publishes, back to back on one partition: a token for another tenant, an expired token, a token
   * signed with another key, fields sealed to another key, a field one byte over {@link
   * StoreRequest#MAX_FIELD_BYTES}, a forged envelope, and a valid request. Each of the five
   * refusals gets exactly one signed {@code store.completed.v1} REJECTED with its exact code, from
   * the crypto-service, naming its request and record, and exactly one dead letter with its exact
   * reason and detail; none reaches {@code store.requests}. The forged envelope is dead-lettered
   * {@code SIGNATURE_INVALID} and answered by nobody. The valid request after them all becomes its
   * store request.
   */
  @Test
  void
      refusedRequests_eachGetOneRejectedResultAndADeadLetter_theForgedOneNoResult_andTheNextIsProcessed()
          throws Exception {
    String run = newId().substring(24);
    byte[] sealTo = publishedSealingKey();
    TenantTokens expiredAuthority =
        stack().keys().tenantTokens(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-30)));
    String valid = authority().issue("acme", "alice@acme", Duration.ofMinutes(15), appCert());
    Map<String, String> oversized =
        Map.of("name", "x".repeat(StoreRequest.MAX_FIELD_BYTES + 1), "role", "nurse");

    record Attack(
        String requestId,
        String recordId,
        byte[] value,
        String code,
        String reason,
        String detail) {}
    List<Attack> refused = new ArrayList<>();
    String id = "req-other-tenant-" + run;
    String rec = newId();
    refused.add(
        new Attack(
            id,
            rec,
            encryptRequest(
                "acme",
                authority().issue("globex", "mallory@globex", Duration.ofMinutes(15), appCert()),
                rec,
                id,
                sealTo),
            "SR-TOKEN-TENANT",
            "UNAUTHORIZED",
            "UNAUTHORIZED: SR-TOKEN-TENANT: token is for another tenant"));
    id = "req-expired-" + run;
    rec = newId();
    refused.add(
        new Attack(
            id,
            rec,
            encryptRequest(
                "acme",
                expiredAuthority.issue("acme", "alice@acme", Duration.ofMinutes(15), appCert()),
                rec,
                id,
                sealTo),
            "SR-TOKEN-EXPIRED",
            "UNAUTHORIZED",
            "UNAUTHORIZED: SR-TOKEN-EXPIRED: token expired"));
    id = "req-forged-token-" + run;
    rec = newId();
    refused.add(
        new Attack(
            id,
            rec,
            encryptRequest(
                "acme",
                new TenantTokens(TenantTokens.generateKey(), Clock.systemUTC())
                    .issue("acme", "alice@acme", Duration.ofMinutes(15), appCert()),
                rec,
                id,
                sealTo),
            "SR-TOKEN-SIGNATURE",
            "UNAUTHORIZED",
            "UNAUTHORIZED: SR-TOKEN-SIGNATURE: token MAC does not verify"));
    id = "req-bad-seal-" + run;
    rec = newId();
    refused.add(
        new Attack(
            id,
            rec,
            encryptRequest("acme", valid, rec, id, SealingKey.generate().publicKey()),
            "INTEGRITY",
            "INTEGRITY",
            "INTEGRITY: sealed fields do not open"));
    id = "req-oversized-" + run;
    rec = newId();
    refused.add(
        new Attack(
            id,
            rec,
            encryptRequest("acme", valid, rec, id, sealTo, oversized),
            "SR-FIELD-TOO-LARGE",
            "REFUSED",
            "REFUSED: SR-FIELD-TOO-LARGE: each field is at most 65486 bytes of UTF-8 (name: 65487"
                + " bytes)"));
    String forgedId = "req-forged-envelope-" + run;
    byte[] forged =
        new String(encryptRequest("acme", valid, newId(), forgedId, sealTo), StandardCharsets.UTF_8)
            .replace(forgedId, forgedId + "x")
            .getBytes(StandardCharsets.UTF_8);
    String nextId = "req-after-refusals-" + run;
    byte[] next = encryptRequest("acme", valid, newId(), nextId, sealTo);

    List<byte[]> values = new ArrayList<>();
    refused.forEach(a -> values.add(a.value()));
    values.add(forged);
    values.add(next);
    List<RecordMetadata> sent = sendTogether(Topics.ENCRYPT_REQUESTS, "acme", values);

    // the valid request after them all is processed
    storeRequestFor(nextId);

    // one REJECTED result each, signed by the crypto-service; none for the forged envelope
    Set<String> refusedIds = new HashSet<>();
    refused.forEach(a -> refusedIds.add(a.requestId()));
    Set<String> watched = new HashSet<>(refusedIds);
    watched.add(forgedId);
    watched.add(forgedId + "x");
    List<ConsumerRecord<byte[], byte[]>> results =
        collect(Topics.STORE_RESULTS, r -> watched.contains(requestIdOf(r)), refused.size());
    assertEquals(refused.size(), results.size(), "exactly one result per refused request");
    EventVerifier verifier = downstreamVerifier();
    Map<String, StoreResult> byRequest = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : results) {
      Verdict.Accepted v =
          assertInstanceOf(
              Verdict.Accepted.class,
              verifier.verify(
                  r.value(), new RecordCoordinates(r.topic(), r.partition(), r.offset())));
      assertEquals("/strongroom/crypto-service", v.event().source());
      assertEquals(EventCatalog.STORE_COMPLETED.type(), v.event().type());
      assertEquals("acme", v.event().subject().orElseThrow());
      assertEquals("acme", new String(r.key(), StandardCharsets.UTF_8), "keyed by tenant");
      StoreResult result = StoreResult.fromData(v.event().data());
      assertTrue(result.mayComeFrom(v.event().source()), result.toString());
      byRequest.put(result.requestId(), result);
    }
    for (Attack a : refused) {
      assertEquals(
          new StoreResult(
              a.requestId(),
              a.recordId(),
              StoreResult.Status.REJECTED,
              a.code(),
              CanonicalJson.parse(a.value()).get("id").asText()),
          byRequest.get(a.requestId()),
          a.requestId() + ": the answer names the refused request's event");
    }

    // one dead letter each, with its exact reason; the forged envelope's is SIGNATURE_INVALID
    Map<Long, RecordMetadata> byOffset = new HashMap<>();
    sent.forEach(m -> byOffset.put(m.offset(), m));
    int partition = sent.get(0).partition();
    List<ConsumerRecord<byte[], byte[]>> dead =
        collect(
            Topics.dlq(Topics.ENCRYPT_REQUESTS),
            r ->
                header(r, DeadLetterHeaders.PARTITION).equals(Integer.toString(partition))
                    && byOffset.containsKey(Long.parseLong(header(r, DeadLetterHeaders.OFFSET))),
            refused.size() + 1);
    assertEquals(refused.size() + 1, dead.size(), "one dead letter per refused record");
    Map<Long, ConsumerRecord<byte[], byte[]>> deadByOffset = new HashMap<>();
    dead.forEach(d -> deadByOffset.put(Long.parseLong(header(d, DeadLetterHeaders.OFFSET)), d));
    for (int i = 0; i < refused.size(); i++) {
      ConsumerRecord<byte[], byte[]> d = deadByOffset.get(sent.get(i).offset());
      assertEquals(refused.get(i).reason(), header(d, DeadLetterHeaders.REASON));
      assertEquals(refused.get(i).detail(), header(d, DeadLetterHeaders.DETAIL));
    }
    ConsumerRecord<byte[], byte[]> forgedDead = deadByOffset.get(sent.get(refused.size()).offset());
    assertEquals("SIGNATURE_INVALID", header(forgedDead, DeadLetterHeaders.REASON));
    assertEquals("signature does not verify", header(forgedDead, DeadLetterHeaders.DETAIL));

    // nothing of theirs reached the data-service's topic (all acme: one partition, in order, so
    // everything before the valid request's store request has been read)
    List<ConsumerRecord<byte[], byte[]>> stores =
        collect(
            Topics.STORE_REQUESTS,
            r -> watched.contains(requestIdOf(r)) || nextId.equals(requestIdOf(r)),
            1);
    assertEquals(List.of(nextId), stores.stream().map(CryptoServiceIT::requestIdOf).toList());
    assertTrue(metric("strongroom_encrypt_rejected_total") >= refused.size());
  }

  /**
   * The broker refuses the crypto-service's write to {@code strongroom.store.results} (a DENY ACL,
   * as an upgrade that skipped {@code deploy/kafka/setup.sh} would leave it without its WRITE): a
   * refused request's REJECTED answer cannot be published. It is not retried forever holding its
   * partition: the record is dead-lettered once more with {@code REFUSED} naming the topic and the
   * broker's refusal, and the valid request behind it on the same partition is processed.
   */
  @Test
  void anAnswerTheBrokerRefuses_deadLettersItsRecordWithTheReason_andDoesNotHoldThePartition()
      throws Exception {
    String run = newId().substring(24);
    byte[] sealTo = publishedSealingKey();
    String refusedId = "req-answer-denied-" + run;
    byte[] refused =
        encryptRequest(
            "acme",
            authority().issue("globex", "mallory@globex", Duration.ofMinutes(15), appCert()),
            newId(),
            refusedId,
            sealTo);
    String nextId = "req-after-denied-answer-" + run;
    byte[] next =
        encryptRequest(
            "acme",
            authority().issue("acme", "alice@acme", Duration.ofMinutes(15), appCert()),
            newId(),
            nextId,
            sealTo);
    AclBinding deny =
        new AclBinding(
            new ResourcePattern(ResourceType.TOPIC, Topics.STORE_RESULTS, PatternType.LITERAL),
            new AccessControlEntry(
                "User:crypto-service", "*", AclOperation.WRITE, AclPermissionType.DENY));
    try (Admin admin = Admin.create(stack().kafka("kafka-broker"))) {
      admin.createAcls(List.of(deny)).all().get(10, TimeUnit.SECONDS);
      try {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (admin.describeAcls(deny.toFilter()).values().get(10, TimeUnit.SECONDS).isEmpty()) {
          assertTrue(System.nanoTime() < deadline, "the broker never showed the DENY");
          Thread.sleep(100);
        }
        List<RecordMetadata> sent =
            sendTogether(Topics.ENCRYPT_REQUESTS, "acme", List.of(refused, next));

        storeRequestFor(nextId); // not held behind the record whose answer was refused

        long offset = sent.get(0).offset();
        String partition = Integer.toString(sent.get(0).partition());
        List<ConsumerRecord<byte[], byte[]>> dead =
            collect(
                Topics.dlq(Topics.ENCRYPT_REQUESTS),
                r ->
                    header(r, DeadLetterHeaders.PARTITION).equals(partition)
                        && Long.parseLong(header(r, DeadLetterHeaders.OFFSET)) == offset,
                2);
        assertEquals(
            List.of("UNAUTHORIZED", "REFUSED"),
            dead.stream().map(d -> header(d, DeadLetterHeaders.REASON)).toList(),
            "dead-lettered for its token, then for the answer the broker refused");
        assertEquals(
            "UNAUTHORIZED: SR-TOKEN-TENANT: token is for another tenant",
            header(dead.get(0), DeadLetterHeaders.DETAIL));
        assertEquals(
            "REFUSED: the broker refused this service's write to strongroom.store.results"
                + " (TopicAuthorizationException: Not authorized to access topics:"
                + " [strongroom.store.results]); check its ACLs (deploy/kafka/setup.sh)",
            header(dead.get(1), DeadLetterHeaders.DETAIL));
      } finally {
        admin.deleteAcls(List.of(deny.toFilter())).all().get(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!admin.describeAcls(deny.toFilter()).values().get(10, TimeUnit.SECONDS).isEmpty()) {
          assertTrue(System.nanoTime() < deadline, "the broker never dropped the DENY");
          Thread.sleep(100);
        }
      }
    }
    // with the ACL mended, a refused request is answered again
    String afterId = "req-answer-mended-" + run;
    String afterRecord = newId();
    sendTogether(
        Topics.ENCRYPT_REQUESTS,
        "acme",
        List.of(
            encryptRequest(
                "acme",
                authority().issue("globex", "mallory@globex", Duration.ofMinutes(15), appCert()),
                afterRecord,
                afterId,
                sealTo)));
    List<ConsumerRecord<byte[], byte[]>> answers =
        collect(Topics.STORE_RESULTS, r -> afterId.equals(requestIdOf(r)), 1);
    assertEquals(1, answers.size(), "answered once the broker takes the write again");
  }

  /**
   * The client library against the real service and broker: a put carrying another tenant's token
   * completes REJECTED {@code SR-TOKEN-TENANT} as soon as the crypto-service answers. A put that
   * nobody answers here (no data-service behind this service) stays awaited through forged answers,
   * each published on {@code store.results} by an identity that may write it: a STORED signed with
   * the crypto-service's key, a REJECTED of the crypto-service naming another record, one for
   * another tenant — none is believed (the first counted as unverified); a REJECTED signed by the
   * crypto-service for its record and tenant is.
   */
  @Test
  void client_believesTheCryptoServicesRejected_andNoStoredItSigns_norAnAnswerForAnotherRecord()
      throws Exception {
    String run = newId().substring(24);
    try (dev.strongroom.client.StrongroomClient client =
        dev.strongroom.client.StrongroomClient.builder()
            .kafka(stack().kafka(dev.strongroom.provisioner.pki.PkiSpec.DEMO_APP))
            .signer(demoSigner(Clock.systemUTC()))
            .verifier(downstreamVerifier())
            .http(stack().http(dev.strongroom.provisioner.pki.PkiSpec.DEMO_APP))
            .cryptoUrl(java.net.URI.create(stack().baseUrl()))
            .dataUrl(java.net.URI.create(stack().baseUrl()))
            .build()) {
      String globex =
          authority().issue("globex", "mallory@globex", Duration.ofMinutes(15), appCert());
      String refusedRecord = newId();
      long t0 = System.nanoTime();
      StoreResult refused =
          client
              .put("req-client-refused-" + run, "acme", globex, refusedRecord, FIELDS)
              .get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(
          new StoreResult(
              "req-client-refused-" + run,
              refusedRecord,
              StoreResult.Status.REJECTED,
              "SR-TOKEN-TENANT",
              eventIdOf(Topics.ENCRYPT_REQUESTS, "req-client-refused-" + run)),
          refused,
          "the answer names the encrypt request event the client published");
      assertTrue(
          System.nanoTime() - t0 < Duration.ofSeconds(30).toNanos(), "answered, not timed out");

      String requestId = "req-client-awaited-" + run;
      String recordId = newId();
      String token = authority().issue("acme", "alice@acme", Duration.ofMinutes(15), appCert());
      java.util.concurrent.CompletableFuture<StoreResult> awaited =
          client.put(requestId, "acme", token, recordId, FIELDS);
      storeRequestFor(requestId); // encrypted and handed on; no data-service answers it here
      dev.strongroom.contracts.envelope.EventSigner crypto =
          new dev.strongroom.contracts.envelope.EventSigner(
              stack().keys().key("crypto-service"),
              StoreResult.CRYPTO_SERVICE_SOURCE,
              Clock.systemUTC());
      long unverified = client.unverifiedResults();
      String published = eventIdOf(Topics.ENCRYPT_REQUESTS, requestId);
      publishResult(
          crypto.sign(
              EventCatalog.STORE_COMPLETED,
              "acme",
              new StoreResult(requestId, recordId, StoreResult.Status.STORED, null).toData()));
      publishResult(
          crypto.sign(
              EventCatalog.STORE_COMPLETED,
              "acme",
              new StoreResult(
                      requestId, newId(), StoreResult.Status.REJECTED, "INTEGRITY", published)
                  .toData()));
      publishResult(
          crypto.sign(
              EventCatalog.STORE_COMPLETED,
              "globex",
              new StoreResult(
                      requestId, recordId, StoreResult.Status.REJECTED, "INTEGRITY", published)
                  .toData()));
      // What another application gets by signing a request with this one's request id, record
      // and tenant and a worthless token: the crypto-service's REJECTED for *its* event
      publishResult(
          crypto.sign(
              EventCatalog.STORE_COMPLETED,
              "acme",
              new StoreResult(
                      requestId,
                      recordId,
                      StoreResult.Status.REJECTED,
                      "SR-TOKEN-SIGNATURE",
                      newId())
                  .toData()));
      // and a REJECTED naming no request event at all is not believed from the crypto-service
      publishResult(
          crypto.sign(
              EventCatalog.STORE_COMPLETED,
              "acme",
              new StoreResult(requestId, recordId, StoreResult.Status.REJECTED, "INTEGRITY")
                  .toData()));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (client.unverifiedResults() < unverified + 2 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      // all five are on one partition (key acme) in order, so once the last is counted the
      // three before it were read too
      assertEquals(
          unverified + 2,
          client.unverifiedResults(),
          "the STORED and the REJECTED naming no event are not believed");
      assertFalse(awaited.isDone(), "no forged answer ended the wait");

      publishResult(
          crypto.sign(
              EventCatalog.STORE_COMPLETED,
              "acme",
              new StoreResult(
                      requestId, recordId, StoreResult.Status.REJECTED, "REFUSED", published)
                  .toData()));
      assertEquals(
          new StoreResult(requestId, recordId, StoreResult.Status.REJECTED, "REFUSED", published),
          awaited.get(30, java.util.concurrent.TimeUnit.SECONDS));
    }
  }

  /** The event id of the record on {@code topic} whose {@code data.requestId} is {@code id}. */
  private String eventIdOf(String topic, String id) {
    return CanonicalJson.parse(await(topic, r -> requestIdOf(r).equals(id)).value())
        .get("id")
        .asText();
  }

  /** Publishes a signed result on {@code store.results} as the crypto-service (key acme). */
  private void publishResult(dev.strongroom.contracts.envelope.SignedEvent result)
      throws Exception {
    sendTogether(Topics.STORE_RESULTS, "acme", "crypto-service", List.of(result.bytes()));
  }

  private byte[] encryptRequest(
      String tenant,
      String token,
      String recordId,
      String requestId,
      byte[] sealTo,
      Map<String, String> fields) {
    return encryptRequest(
        demoSigner(Clock.systemUTC()), tenant, token, recordId, requestId, sealTo, fields);
  }

  /** An encrypt request signed by {@code signer} (an application's key). */
  private byte[] encryptRequest(
      dev.strongroom.contracts.envelope.EventSigner signer,
      String tenant,
      String token,
      String recordId,
      String requestId,
      byte[] sealTo,
      Map<String, String> fields) {
    EncryptRequest req =
        new EncryptRequest(
            requestId,
            token,
            recordId,
            FieldSealer.seal(sealTo, tenant, recordId, requestId, fields));
    return signer
        .sign(EventCatalog.ENCRYPT_REQUESTED.type(), tenant, req.toData(), newId(), Instant.now())
        .bytes();
  }

  private static String requestIdOf(ConsumerRecord<byte[], byte[]> r) {
    try {
      return CanonicalJson.parse(r.value()).path("data").path("requestId").asText();
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  /**
   * Publishes {@code values} with one producer (as the application), back to back under one record
   * key, so they sit next to each other on one partition and come in one poll batch as far as the
   * consumer's fetch allows.
   */
  private List<RecordMetadata> sendTogether(String topic, String key, List<byte[]> values)
      throws Exception {
    return sendTogether(topic, key, dev.strongroom.provisioner.pki.PkiSpec.DEMO_APP, values);
  }

  /** {@link #sendTogether(String, String, List)} as {@code identity}. */
  private List<RecordMetadata> sendTogether(
      String topic, String key, String identity, List<byte[]> values) throws Exception {
    Properties p = new Properties();
    p.putAll(stack().kafka(identity));
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 50);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
    List<Future<RecordMetadata>> futures = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (byte[] v : values) {
        futures.add(
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), v)));
      }
      producer.flush();
      List<RecordMetadata> out = new ArrayList<>();
      for (Future<RecordMetadata> f : futures) {
        out.add(f.get());
      }
      return out;
    }
  }

  /**
   * Reads {@code topic} from the beginning as the operator and returns every record that matches:
   * once {@code expected} have matched (at most 90 s), it reads on for 5 s more so that an extra
   * one would be seen too.
   */
  private List<ConsumerRecord<byte[], byte[]>> collect(
      String topic, Predicate<ConsumerRecord<byte[], byte[]>> match, int expected) {
    Properties p = new Properties();
    p.putAll(stack().kafka("operator"));
    p.put(
        ConsumerConfig.GROUP_ID_CONFIG,
        dev.strongroom.devstack.kafka.KafkaAccessPolicy.groupFor("operator", newId()));
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      long quietUntil = Long.MAX_VALUE;
      while (System.nanoTime() < Math.min(deadline, quietUntil)) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (match.test(r)) {
            out.add(r);
          }
        }
        if (out.size() >= expected && quietUntil == Long.MAX_VALUE) {
          quietUntil = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        }
      }
    }
    return out;
  }
}
