package dev.strongroom.contracts.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.schema.EventType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The provisioning events round-trip through their schemas; the schemas refuse what the ops plane
 * never says — a credential riding in a request, a target that is not one, a failure without its
 * reason.
 */
class ProvisionEventsTest {
  private static final EventCatalog CATALOG = EventCatalog.standard();

  private static JsonNode golden(EventType type, String file) throws Exception {
    return CanonicalJson.parse(
            Files.readAllBytes(Path.of("src/test/resources/golden/" + type.type() + "/" + file)))
        .get("data");
  }

  private static ObjectNode request() throws Exception {
    return (ObjectNode) golden(EventCatalog.PROVISION_REQUESTED, "v1-apply-ssh.json").deepCopy();
  }

  @Test
  void request_roundTrips() throws Exception {
    JsonNode data = request();
    ProvisionRequest r = ProvisionRequest.fromData(data);
    assertEquals("ssh://root@db1.example.internal:2222", r.target());
    assertEquals(ProvisionMode.APPLY, r.mode());
    assertEquals(List.of("10.20.0.0/16", "192.0.2.10/32"), r.host().allowedCidrs());
    assertEquals(java.time.Duration.ofHours(1), r.host().banTime());
    assertEquals(data, r.toData());
    assertTrue(CATALOG.validate(EventCatalog.PROVISION_REQUESTED, r.toData()).isEmpty());
    ProvisionRequest local =
        new ProvisionRequest("p-2", ProvisionMode.PLAN, "local", r.host(), null);
    assertTrue(CATALOG.validate(EventCatalog.PROVISION_REQUESTED, local.toData()).isEmpty());
  }

  @Test
  void rotationRequest_roundTrips_andItsInstantIsWholeSecondsUtc() throws Exception {
    ObjectNode data = request();
    data.putObject("rotate").put("issuedBefore", "2026-12-05T00:00:00Z");
    assertTrue(CATALOG.validate(EventCatalog.PROVISION_REQUESTED, data).isEmpty());
    ProvisionRequest r = ProvisionRequest.fromData(data);
    assertEquals(
        java.time.Instant.parse("2026-12-05T00:00:00Z"),
        r.rotateIfGiven().orElseThrow().issuedBefore());
    assertEquals(data, r.toData());
    assertTrue(ProvisionRequest.fromData(request()).rotateIfGiven().isEmpty());
    for (String bad :
        List.of(
            "2026-12-05T00:00:00.5Z",
            "2026-12-05T00:00:00+01:00",
            "2026-12-05",
            "tomorrow",
            "2026-12-05T00:00Z")) {
      ObjectNode b = request();
      b.putObject("rotate").put("issuedBefore", bad);
      assertFalse(CATALOG.validate(EventCatalog.PROVISION_REQUESTED, b).isEmpty(), bad);
    }
    ObjectNode extra = request();
    extra.putObject("rotate").put("issuedBefore", "2026-12-05T00:00:00Z").put("caKey", "x");
    assertFalse(CATALOG.validate(EventCatalog.PROVISION_REQUESTED, extra).isEmpty());
    assertThrows(
        IllegalArgumentException.class,
        () -> new ProvisionRequest.Rotate(java.time.Instant.parse("2026-12-05T00:00:00.001Z")));
  }

  @Test
  void atRestKeyRotationRequest_roundTrips_isOptional_andNeverRidesWithACertificateRotation()
      throws Exception {
    JsonNode data = golden(EventCatalog.PROVISION_REQUESTED, "v1-rotate-at-rest-keys.json");
    assertTrue(CATALOG.validate(EventCatalog.PROVISION_REQUESTED, data).isEmpty());
    ProvisionRequest r = ProvisionRequest.fromData(data);
    assertEquals(
        java.time.Instant.parse("2026-12-05T10:00:00Z"),
        r.rotateAtRestKeysIfGiven().orElseThrow().issuedBefore());
    assertTrue(r.rotateIfGiven().isEmpty());
    assertEquals(data, r.toData());
    // a request written before the member existed still validates and means the host plan
    ProvisionRequest older = ProvisionRequest.fromData(request());
    assertTrue(older.rotateAtRestKeysIfGiven().isEmpty());
    assertFalse(older.toData().has("rotateAtRestKeys"));
    ObjectNode both = (ObjectNode) data.deepCopy();
    both.putObject("rotate").put("issuedBefore", "2026-12-05T10:00:00Z");
    assertFalse(CATALOG.validate(EventCatalog.PROVISION_REQUESTED, both).isEmpty());
    ObjectNode token = (ObjectNode) data.deepCopy();
    ((ObjectNode) token.get("rotateAtRestKeys")).put("vaultToken", "s.xyz");
    assertFalse(CATALOG.validate(EventCatalog.PROVISION_REQUESTED, token).isEmpty());
    ObjectNode fraction = (ObjectNode) data.deepCopy();
    ((ObjectNode) fraction.get("rotateAtRestKeys")).put("issuedBefore", "2026-12-05T10:00:00.5Z");
    assertFalse(CATALOG.validate(EventCatalog.PROVISION_REQUESTED, fraction).isEmpty());
    ProvisionRequest.Rotate at = new ProvisionRequest.Rotate(java.time.Instant.EPOCH);
    assertThrows(
        IllegalArgumentException.class,
        () -> new ProvisionRequest("p-3", ProvisionMode.PLAN, "local", r.host(), at, at, null));
  }

  @Test
  void request_carryingACredential_violatesTheSchema() throws Exception {
    ObjectNode key = request();
    key.put("identity", "-----BEGIN OPENSSH PRIVATE KEY-----");
    assertEquals(
        List.of(
            ": property 'identity' is not defined in the schema and the schema does not allow"
                + " additional properties"),
        CATALOG.validate(EventCatalog.PROVISION_REQUESTED, key));
    ObjectNode pin = request();
    ((ObjectNode) pin.get("host")).put("hostKey", "ssh-ed25519 AAAA");
    assertEquals(
        List.of(
            "/host: property 'hostKey' is not defined in the schema and the schema does not allow"
                + " additional properties"),
        CATALOG.validate(EventCatalog.PROVISION_REQUESTED, pin));
  }

  @Test
  void request_withABadTargetPathOrDuration_violatesTheSchema() throws Exception {
    for (String target :
        List.of(
            "ssh://root@host;rm -rf /",
            "ssh://root:pw@host",
            "ssh://root@host:0",
            "file:///etc",
            "ssh://root@-host",
            "LOCAL")) {
      ObjectNode r = request();
      r.put("target", target);
      assertFalse(CATALOG.validate(EventCatalog.PROVISION_REQUESTED, r).isEmpty(), target);
    }
    ObjectNode path = request();
    ((ObjectNode) path.get("host")).put("configDir", "/etc/strongroom $(reboot)");
    assertFalse(CATALOG.validate(EventCatalog.PROVISION_REQUESTED, path).isEmpty());
    ObjectNode relative = request();
    ((ObjectNode) relative.get("host")).put("stateDir", "var/lib");
    assertFalse(CATALOG.validate(EventCatalog.PROVISION_REQUESTED, relative).isEmpty());
    ObjectNode duration = request();
    ((ObjectNode) duration.get("host")).put("banTime", "1 hour");
    assertFalse(CATALOG.validate(EventCatalog.PROVISION_REQUESTED, duration).isEmpty());
    ObjectNode id = request();
    id.put("requestId", "a/b");
    assertFalse(CATALOG.validate(EventCatalog.PROVISION_REQUESTED, id).isEmpty());
  }

  @Test
  void progressed_roundTrips() throws Exception {
    JsonNode data = golden(EventCatalog.PROVISION_PROGRESSED, "v1-step-changed.json");
    ProvisionProgressed p = ProvisionProgressed.fromData(data);
    assertEquals(StepOutcome.CHANGED, p.status());
    assertEquals(3, p.seq());
    assertEquals(data, p.toData());
    assertTrue(CATALOG.validate(EventCatalog.PROVISION_PROGRESSED, p.toData()).isEmpty());
  }

  @Test
  void completed_roundTrips_everyGoldenRun() throws Exception {
    for (String f : List.of("v1-changed.json", "v1-no-change.json", "v1-failed-unreachable.json")) {
      JsonNode data = golden(EventCatalog.PROVISION_COMPLETED, f);
      ProvisionCompleted c = ProvisionCompleted.fromData(data);
      assertEquals(data, c.toData(), f);
      assertTrue(CATALOG.validate(EventCatalog.PROVISION_COMPLETED, c.toData()).isEmpty(), f);
    }
    ProvisionCompleted failed =
        ProvisionCompleted.fromData(
            golden(EventCatalog.PROVISION_COMPLETED, "v1-failed-unreachable.json"));
    assertEquals("UNAVAILABLE", failed.errorIfFailed().orElseThrow().code());
    ProvisionCompleted idle =
        ProvisionCompleted.fromData(golden(EventCatalog.PROVISION_COMPLETED, "v1-no-change.json"));
    assertEquals(ProvisionCompleted.Outcome.NO_CHANGE, idle.outcome());
    assertEquals(idle.steps().size(), idle.count(StepOutcome.UNCHANGED));
  }

  @Test
  void completed_failedWithoutItsError_orAnErrorOnSuccess_violatesTheSchema() throws Exception {
    ObjectNode noReason =
        (ObjectNode)
            golden(EventCatalog.PROVISION_COMPLETED, "v1-failed-unreachable.json").deepCopy();
    noReason.remove("error");
    assertFalse(CATALOG.validate(EventCatalog.PROVISION_COMPLETED, noReason).isEmpty());
    ObjectNode stray =
        (ObjectNode) golden(EventCatalog.PROVISION_COMPLETED, "v1-no-change.json").deepCopy();
    stray.putObject("error").put("code", "REFUSED").put("detail", "x");
    assertFalse(CATALOG.validate(EventCatalog.PROVISION_COMPLETED, stray).isEmpty());
    ObjectNode started =
        (ObjectNode) golden(EventCatalog.PROVISION_COMPLETED, "v1-no-change.json").deepCopy();
    ((ObjectNode) started.get("steps").get(0)).put("status", "STARTED");
    assertFalse(CATALOG.validate(EventCatalog.PROVISION_COMPLETED, started).isEmpty());
  }

  @Test
  void completed_refusesInconsistentOutcomes() throws Exception {
    ProvisionCompleted c =
        ProvisionCompleted.fromData(golden(EventCatalog.PROVISION_COMPLETED, "v1-changed.json"));
    IllegalArgumentException planChanged =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new ProvisionCompleted(
                    c.requestId(),
                    c.runId(),
                    c.target(),
                    ProvisionMode.PLAN,
                    ProvisionCompleted.Outcome.CHANGED,
                    c.started(),
                    c.finished(),
                    c.bundleSha256(),
                    c.steps(),
                    null));
    assertEquals("CHANGED is not an outcome of a PLAN", planChanged.getMessage());
    IllegalArgumentException silentFailure =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new ProvisionCompleted(
                    c.requestId(),
                    c.runId(),
                    c.target(),
                    ProvisionMode.APPLY,
                    ProvisionCompleted.Outcome.FAILED,
                    c.started(),
                    c.finished(),
                    c.bundleSha256(),
                    c.steps(),
                    null));
    assertEquals("error is present exactly when the outcome is FAILED", silentFailure.getMessage());
  }

  @Test
  void longDetail_isClippedToWhatTheSchemaAllows_withoutSplittingAPair() {
    String remote = "x".repeat(998) + "\uD834\uDD1E" + "tail";
    ProvisionCompleted.Step s = new ProvisionCompleted.Step("users", StepOutcome.FAILED, remote);
    assertEquals(ProvisionCompleted.MAX_DETAIL - 1, s.detail().length());
    assertTrue(s.detail().endsWith("x\u2026"), s.detail());
    assertEquals("short", ProvisionCompleted.clip("short"));
  }

  @Test
  void vaultKeyedHostRequest_roundTrips_olderRequestsMeanFile_andVaultMembersAreAllOrNothing()
      throws Exception {
    JsonNode data = golden(EventCatalog.PROVISION_REQUESTED, "v1-apply-vault-keys.json");
    assertTrue(CATALOG.validate(EventCatalog.PROVISION_REQUESTED, data).isEmpty());
    ProvisionRequest r = ProvisionRequest.fromData(data);
    assertEquals(java.util.Optional.of("vault"), r.host().atRestKeysIfGiven());
    assertEquals(
        java.util.Optional.of("/etc/strongroom/db/vault-token.cnf"),
        r.host().vaultTokenFileIfGiven());
    assertEquals(data, r.toData());
    // a request written before the members existed still validates and means the key file
    ProvisionRequest older = ProvisionRequest.fromData(request());
    assertTrue(older.host().atRestKeysIfGiven().isEmpty());
    assertFalse(older.toData().get("host").has("atRestKeys"));
    ObjectNode noCa = (ObjectNode) data.deepCopy();
    ((ObjectNode) noCa.get("host")).remove("vaultCa");
    assertFalse(CATALOG.validate(EventCatalog.PROVISION_REQUESTED, noCa).isEmpty());
    ObjectNode file = (ObjectNode) data.deepCopy();
    ((ObjectNode) file.get("host")).put("atRestKeys", "file");
    assertFalse(CATALOG.validate(EventCatalog.PROVISION_REQUESTED, file).isEmpty());
    ObjectNode withoutChoice = (ObjectNode) data.deepCopy();
    ((ObjectNode) withoutChoice.get("host")).remove("atRestKeys");
    assertFalse(CATALOG.validate(EventCatalog.PROVISION_REQUESTED, withoutChoice).isEmpty());
    ObjectNode token = (ObjectNode) data.deepCopy();
    ((ObjectNode) token.get("host")).put("vaultToken", "s.xyz");
    assertFalse(CATALOG.validate(EventCatalog.PROVISION_REQUESTED, token).isEmpty());
    ObjectNode http = (ObjectNode) data.deepCopy();
    ((ObjectNode) http.get("host")).put("vaultUrl", "http://vault:8200/v1/strongroom");
    assertFalse(CATALOG.validate(EventCatalog.PROVISION_REQUESTED, http).isEmpty());
  }
}
