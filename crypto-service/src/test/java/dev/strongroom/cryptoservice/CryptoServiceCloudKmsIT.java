package dev.strongroom.cryptoservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.records.EncryptRequest;
import dev.strongroom.contracts.records.FieldSealer;
import dev.strongroom.contracts.records.StoreRequest;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.devstack.testing.ServiceContract;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The packaged crypto-service with its KEK in Cloud KMS (the real client library against the fake).
 */
@QuarkusIntegrationTest
@QuarkusTestResource(
    value = CloudKmsStackResource.class,
    initArgs = @ResourceArg(name = "service", value = "crypto-service"),
    restrictToAnnotatedClass = true)
class CryptoServiceCloudKmsIT extends ServiceContract {
  @Override
  protected Optional<String> inboundTopic() {
    return Optional.of(Topics.ENCRYPT_REQUESTS);
  }

  @Test
  void manyRecordsOfOneTenant_costOneKmsWrap_andDecryptThroughCloudKms() throws Exception {
    String token =
        stack()
            .keys()
            .tenantTokens(Clock.systemUTC())
            .issue("acme", "alice@acme", Duration.ofMinutes(15));
    HttpResponse<String> keyResponse = get("/v1/sealing-key");
    byte[] sealTo =
        Base64.getUrlDecoder()
            .decode(CanonicalJson.mapper().readTree(keyResponse.body()).get("publicKey").asText());
    int records = 20;
    int wrapsBefore = CloudKmsStackResource.kms.encryptCalls();
    String lastRecord = null;
    for (int i = 0; i < records; i++) {
      lastRecord = newId();
      EncryptRequest req =
          new EncryptRequest(
              "req-gcp-" + i,
              token,
              lastRecord,
              FieldSealer.seal(
                  sealTo, "acme", lastRecord, "req-gcp-" + i, Map.of("name", "Person " + i)));
      send(
          Topics.ENCRYPT_REQUESTS,
          demoSigner(Clock.systemUTC())
              .sign(
                  EventCatalog.ENCRYPT_REQUESTED.type(),
                  "acme",
                  req.toData(),
                  newId(),
                  Instant.now())
              .bytes());
    }
    String wanted = "req-gcp-" + (records - 1);
    var out =
        await(
            Topics.STORE_REQUESTS,
            r ->
                wanted.equals(
                    CanonicalJson.parse(r.value()).path("data").path("requestId").asText()));
    StoreRequest store = StoreRequest.fromData(CanonicalJson.parse(out.value()).get("data"));
    assertEquals(CloudKmsStackResource.keyName, store.dataKey().kmsKeyName());
    assertTrue(
        store
            .dataKey()
            .kmsKeyVersion()
            .startsWith(CloudKmsStackResource.keyName + "/cryptoKeyVersions/"));
    assertEquals(
        1,
        CloudKmsStackResource.kms.encryptCalls() - wrapsBefore,
        "one data key (one KMS wrap) serves all " + records + " records");

    ObjectNode body = CanonicalJson.mapper().createObjectNode();
    body.put("tenant", "acme")
        .put("tenantToken", token)
        .put("recordId", store.recordId())
        .put("schemaVersion", store.schemaVersion());
    body.set("dataKey", store.toData().get("dataKey"));
    body.set("fields", store.toData().get("fields"));
    HttpResponse<String> ok =
        post(dev.strongroom.provisioner.pki.PkiSpec.DEMO_APP, "/v1/decrypt", body.toString());
    assertEquals(200, ok.statusCode(), ok.body());
    JsonNode fields = CanonicalJson.mapper().readTree(ok.body()).get("fields");
    assertEquals("Person " + (records - 1), fields.get("name").asText());
  }
}
