package dev.strongroom.cryptoservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.envelope.RecordCoordinates;
import dev.strongroom.contracts.envelope.Verdict;
import dev.strongroom.contracts.kafka.DeadLetterHeaders;
import dev.strongroom.contracts.records.EncryptRequest;
import dev.strongroom.contracts.records.FieldSealer;
import dev.strongroom.contracts.records.SealingKey;
import dev.strongroom.contracts.records.StoreRequest;
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
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The packaged crypto-service against a real broker: the acceptance rules from outside, and the
 * encrypt pipeline end to end — a sealed request becomes a signed store request carrying only
 * ciphertext, which decrypts back only for the right tenant, record and field.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(
    value = StrongroomTestResource.class,
    initArgs = @ResourceArg(name = "service", value = "crypto-service"),
    restrictToAnnotatedClass = true)
class CryptoServiceIT extends ServiceContract {
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
    EncryptRequest req =
        new EncryptRequest(
            requestId,
            token,
            recordId,
            FieldSealer.seal(sealTo, tenant, recordId, requestId, FIELDS));
    return demoSigner(Clock.systemUTC())
        .sign(EventCatalog.ENCRYPT_REQUESTED.type(), tenant, req.toData(), newId(), Instant.now())
        .bytes();
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
    send(
        Topics.ENCRYPT_REQUESTS,
        encryptRequest("acme", token, recordId, "req-pipeline-1", publishedSealingKey()));

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

  @Test
  void requestWithAnotherTenantsToken_isDeadLetteredUnauthorized() throws Exception {
    String globex =
        authority().issue("globex", "mallory@globex", Duration.ofMinutes(15), appCert());
    var sent =
        send(
            Topics.ENCRYPT_REQUESTS,
            encryptRequest("acme", globex, newId(), "req-spoof-1", publishedSealingKey()));
    ConsumerRecord<byte[], byte[]> dead =
        await(
            Topics.dlq(Topics.ENCRYPT_REQUESTS),
            r ->
                header(r, DeadLetterHeaders.OFFSET).equals(Long.toString(sent.offset()))
                    && header(r, DeadLetterHeaders.PARTITION)
                        .equals(Integer.toString(sent.partition())));
    assertEquals("UNAUTHORIZED", header(dead, DeadLetterHeaders.REASON));
    assertEquals(
        "UNAUTHORIZED: SR-TOKEN-TENANT: token is for another tenant",
        header(dead, DeadLetterHeaders.DETAIL));
  }

  @Test
  void requestSealedToAnotherKey_isDeadLetteredIntegrity() throws Exception {
    String token = authority().issue("acme", "alice@acme", Duration.ofMinutes(15), appCert());
    var sent =
        send(
            Topics.ENCRYPT_REQUESTS,
            encryptRequest(
                "acme", token, newId(), "req-wrongkey-1", SealingKey.generate().publicKey()));
    ConsumerRecord<byte[], byte[]> dead =
        await(
            Topics.dlq(Topics.ENCRYPT_REQUESTS),
            r ->
                header(r, DeadLetterHeaders.OFFSET).equals(Long.toString(sent.offset()))
                    && header(r, DeadLetterHeaders.PARTITION)
                        .equals(Integer.toString(sent.partition())));
    assertEquals("INTEGRITY", header(dead, DeadLetterHeaders.REASON));
    assertEquals("INTEGRITY: sealed fields do not open", header(dead, DeadLetterHeaders.DETAIL));
  }
}
