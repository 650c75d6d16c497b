package dev.strongroom.contracts.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.alert.AlertKind;
import dev.strongroom.contracts.alert.SecurityAlert;
import dev.strongroom.contracts.alert.Severity;
import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.SignedEvent;
import dev.strongroom.contracts.keys.KeyRegistry;
import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.contracts.proof.ProofCompleted;
import dev.strongroom.contracts.proof.ProofRequest;
import dev.strongroom.contracts.provision.ProvisionCompleted;
import dev.strongroom.contracts.provision.ProvisionMode;
import dev.strongroom.contracts.provision.ProvisionProgressed;
import dev.strongroom.contracts.provision.ProvisionRequest;
import dev.strongroom.contracts.provision.StepOutcome;
import dev.strongroom.contracts.records.EncryptRequest;
import dev.strongroom.contracts.records.StoreRequest;
import dev.strongroom.contracts.records.StoreResult;
import dev.strongroom.contracts.schema.EventCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Writes the committed envelope test vectors and golden events. Run once by hand when a vector is
 * added (never by the build): committed files are the contract, and later versions must keep
 * verifying them.
 *
 * <pre>java -cp contracts/target/test-classes:contracts/target/classes:$(deps) \
 *   dev.strongroom.contracts.testing.GenerateFixtures contracts/src/test/resources</pre>
 */
public final class GenerateFixtures {
  private GenerateFixtures() {}

  /**
   * The {@code x5t#S256} the golden registry binds {@code golden-demo-app}'s key to: the SHA-256 of
   * fixed bytes standing in for a DER certificate.
   */
  public static final String GOLDEN_DEMO_APP_CERT =
      dev.strongroom.contracts.token.TenantTokens.thumbprint(
          "golden demo-app certificate".getBytes(java.nio.charset.StandardCharsets.UTF_8));

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    Instant t = Instant.parse("2026-11-23T09:00:00.000Z");

    // Envelope vectors: signing only (no catalog), exercising JCS ordering, escapes and numbers.
    SigningKey k1 = TestKeys.key("vector-1");
    ObjectNode data1 = CanonicalJson.mapper().createObjectNode();
    data1.put("kind", "STALE").put("severity", "MEDIUM").put("detail", "plain ascii");
    data1.putObject("related").put("offset", 42).put("topic", "strongroom.store.requests");
    vector(
        root,
        "01-global-alert",
        "a global event (no subject), integers and nested object",
        k1,
        "/strongroom/data-service",
        "dev.strongroom.security.alert.v1",
        null,
        data1,
        "019ab0c0-1e00-7000-8000-000000000001",
        t);

    ObjectNode data2 = CanonicalJson.mapper().createObjectNode();
    data2.put("z", "é € 𝄞 \u2028 \"quoted\" \\ back\tslash\n");
    data2.put("a", 9007199254740992L);
    data2.put("m", -9007199254740992L);
    data2.put("f", 1.5e21).put("g", 0.000001).put("h", -0.0).put("i", 100.0);
    data2.putArray("arr").add(true).add(false).addNull().add("x");
    data2.putObject("\u00e9").put("\u0001", 1);
    vector(
        root,
        "02-tenant-unicode-numbers",
        "a tenant-scoped event (subject), non-ASCII and control characters, 2^53 bounds, ES6 number forms",
        TestKeys.key("vector-2"),
        "/apps/demo",
        "dev.strongroom.store.requested.v1",
        "tenant-acme",
        data2,
        "019ab0c0-1e00-7abc-9def-0123456789ab",
        t.plusMillis(7));

    // Golden v1 alert, verifiable forever with golden/registry.json at its own time.
    SigningKey golden = TestKeys.key("golden-data-service");
    KeyRegistry registry =
        KeyRegistry.of(
            List.of(
                TestKeys.entry(
                    "golden-data-service",
                    "/strongroom/data-service",
                    List.of(
                        EventCatalog.SECURITY_ALERT.type(), EventCatalog.STORE_COMPLETED.type())),
                TestKeys.entry(
                    "golden-crypto-service",
                    "/strongroom/crypto-service",
                    List.of(
                        EventCatalog.STORE_REQUESTED.type(),
                        EventCatalog.SECURITY_ALERT.type(),
                        EventCatalog.STORE_COMPLETED.type())),
                // an application's key is bound to its client certificate (docs/decisions.md)
                KeyRegistry.entry(
                    TestKeys.key("golden-demo-app"),
                    "/apps/demo",
                    List.of(
                        EventCatalog.ENCRYPT_REQUESTED.type(), EventCatalog.STORE_REQUESTED.type()),
                    TestKeys.NOT_BEFORE,
                    TestKeys.NOT_AFTER,
                    List.of(GOLDEN_DEMO_APP_CERT)),
                TestKeys.entry(
                    "golden-operator",
                    "/strongroom/devstack",
                    List.of(
                        EventCatalog.PROOF_REQUESTED.type(),
                        EventCatalog.PROVISION_REQUESTED.type())),
                TestKeys.entry(
                    "golden-proof-service",
                    "/strongroom/proof-service",
                    List.of(
                        EventCatalog.PROOF_COMPLETED.type(), EventCatalog.SECURITY_ALERT.type())),
                TestKeys.entry(
                    "golden-provisioner-service",
                    "/strongroom/provisioner-service",
                    List.of(
                        EventCatalog.PROVISION_PROGRESSED.type(),
                        EventCatalog.PROVISION_COMPLETED.type())),
                TestKeys.entry(
                    "golden-audit-anchor-service",
                    "/strongroom/audit-anchor-service",
                    List.of(
                        EventCatalog.SECURITY_ALERT.type(), EventCatalog.AUDIT_ANCHORED.type()))));
    Files.createDirectories(root.resolve("golden"));
    Files.write(root.resolve("golden/registry.json"), registry.toJson());
    EventSigner signer =
        new EventSigner(golden, "/strongroom/data-service", Clock.fixed(t, ZoneOffset.UTC));
    SecurityAlert alert =
        new SecurityAlert(
            AlertKind.SIGNATURE_INVALID,
            Severity.HIGH,
            "SIGNATURE_INVALID on strongroom.store.requests/0/17: signature does not verify",
            Map.of(
                "topic",
                "strongroom.store.requests",
                "partition",
                0,
                "offset",
                17L,
                "eventId",
                "019ab0bf-f000-7000-8000-00000000abcd"));
    SignedEvent ev =
        signer.sign(
            EventCatalog.SECURITY_ALERT.type(),
            null,
            alert.toData(),
            "019ab0c0-1e00-7000-8000-00000000a1e7",
            t);
    Path dir = root.resolve("golden/" + EventCatalog.SECURITY_ALERT.type());
    Files.createDirectories(dir);
    Files.write(dir.resolve("v1-signature-invalid.json"), ev.bytes());

    // Pipeline events. Binary values are fixed bytes (SHA-256 chains), the token a real one with a
    // fixed nonce.
    String token = tenantToken("acme", "alice@acme", t);
    String recordId = "019ab0c0-1e00-7000-8000-0000000000a1";
    golden(
        root,
        "/apps/demo",
        "golden-demo-app",
        EventCatalog.ENCRYPT_REQUESTED.type(),
        "acme",
        "v1-encrypt.json",
        new EncryptRequest(
                "req-0001",
                token,
                recordId,
                new EncryptRequest.Sealed(
                    Base64Url.encode(bytes("recipient", 32)),
                    bytes("enc", 32),
                    bytes("sealed", 120)))
            .toData(),
        "019ab0c0-1e00-7000-8000-0000000000e1",
        t);
    StoreRequest.DataKeyRef dek =
        new StoreRequest.DataKeyRef(
            "019ab0c0-1e00-7000-8000-0000000000d1",
            bytes("wrapped", 60),
            "projects/strongroom-dev/locations/europe-west3/keyRings/strongroom/cryptoKeys/kek",
            "projects/strongroom-dev/locations/europe-west3/keyRings/strongroom/cryptoKeys/kek/cryptoKeyVersions/1",
            null,
            null);
    golden(
        root,
        "/strongroom/crypto-service",
        "golden-crypto-service",
        EventCatalog.STORE_REQUESTED.type(),
        "acme",
        "v1-store.json",
        new StoreRequest(
                "req-0001",
                token,
                recordId,
                1,
                dek,
                new java.util.LinkedHashMap<>(
                    Map.of(
                        "name",
                            new StoreRequest.FieldCiphertext(
                                bytes("name", 50), bytes("name-iv", 12)),
                        "email",
                            new StoreRequest.FieldCiphertext(
                                bytes("email", 60), bytes("email-iv", 12)))))
            .toData(),
        "019ab0c0-1e00-7000-8000-0000000000e2",
        t.plusMillis(5));
    golden(
        root,
        "/strongroom/data-service",
        "golden-data-service",
        EventCatalog.STORE_COMPLETED.type(),
        "acme",
        "v1-stored.json",
        new StoreResult("req-0001", recordId, StoreResult.Status.STORED, null).toData(),
        "019ab0c0-1e00-7000-8000-0000000000e3",
        t.plusMillis(9));
    golden(
        root,
        "/strongroom/data-service",
        "golden-data-service",
        EventCatalog.STORE_COMPLETED.type(),
        "acme",
        "v1-rejected.json",
        new StoreResult("req-0002", recordId, StoreResult.Status.REJECTED, "SR-NO-TENANT").toData(),
        "019ab0c0-1e00-7000-8000-0000000000e4",
        t.plusMillis(11));
    // the crypto-service's answer to an encrypt request it refused (docs/data-plane.md)
    golden(
        root,
        "/strongroom/crypto-service",
        "golden-crypto-service",
        EventCatalog.STORE_COMPLETED.type(),
        "acme",
        "v1-rejected-by-crypto-service.json",
        new StoreResult(
                "req-0003",
                recordId,
                StoreResult.Status.REJECTED,
                "SR-TOKEN-EXPIRED",
                "019ab0c0-1e00-7000-8000-0000000000e1") // v1-encrypt.json's event
            .toData(),
        "019ab0c0-1e00-7000-8000-0000000000e5",
        t.plusMillis(13));

    // Every answer names the application event it answers (docs/data-plane.md, "Who answers
    // what"): the crypto-service's store request carries its encrypt request's id, the
    // data-service's result names it, or an application's own store request event.
    StoreRequest madeFrom =
        StoreRequest.fromData(
                CanonicalJson.parse(
                        Files.readAllBytes(
                            root.resolve(
                                "golden/"
                                    + EventCatalog.STORE_REQUESTED.type()
                                    + "/v1-store.json")))
                    .get("data"))
            .madeFrom("019ab0c0-1e00-7000-8000-0000000000e1"); // v1-encrypt.json's event
    golden(
        root,
        "/strongroom/crypto-service",
        "golden-crypto-service",
        EventCatalog.STORE_REQUESTED.type(),
        "acme",
        "v1-store-made-from-encrypt-request.json",
        madeFrom.toData(),
        "019ab0c0-1e00-7000-8000-0000000000e6",
        t.plusMillis(14));
    golden(
        root,
        "/strongroom/data-service",
        "golden-data-service",
        EventCatalog.STORE_COMPLETED.type(),
        "acme",
        "v1-stored-names-encrypt-request.json",
        new StoreResult(
                "req-0001",
                recordId,
                StoreResult.Status.STORED,
                null,
                "019ab0c0-1e00-7000-8000-0000000000e1")
            .toData(),
        "019ab0c0-1e00-7000-8000-0000000000e7",
        t.plusMillis(15));
    golden(
        root,
        "/strongroom/data-service",
        "golden-data-service",
        EventCatalog.STORE_COMPLETED.type(),
        "acme",
        "v1-rejected-names-own-store-request.json",
        new StoreResult(
                "req-0004",
                recordId,
                StoreResult.Status.REJECTED,
                "SR-TOKEN-CNF",
                "019ab0c0-1e00-7000-8000-0000000000e9") // an application's own store request
            .toData(),
        "019ab0c0-1e00-7000-8000-0000000000e8",
        t.plusMillis(16));

    // The assurance plane: a request, a passing and a failing run.
    golden(
        root,
        "/strongroom/devstack",
        "golden-operator",
        EventCatalog.PROOF_REQUESTED.type(),
        null,
        "v1-requested.json",
        new ProofRequest("proof-0001", "nightly check after a config change").toData(),
        "019ab0c0-1e00-7000-8000-0000000000f1",
        t.plusMillis(13));
    Map<String, Integer> counts = new java.util.LinkedHashMap<>();
    counts.put("pass", 2);
    counts.put("fail", 0);
    counts.put("error", 0);
    counts.put("not-applicable", 1);
    golden(
        root,
        "/strongroom/proof-service",
        "golden-proof-service",
        EventCatalog.PROOF_COMPLETED.type(),
        null,
        "v1-passed.json",
        new ProofCompleted(
                "019ab0c0-1e00-7000-8000-0000000000f2",
                ProofCompleted.Trigger.REQUEST,
                "proof-0001",
                true,
                "0.1.0-SNAPSHOT",
                "strongroom-controls-2",
                "mariadb-10.11@127.0.0.1:3306/strongroom",
                t.plusSeconds(1),
                t.plusSeconds(31),
                counts,
                Map.of(
                    "SR-DB-TLS-01", "pass",
                    "SR-DB-TLS-02", "pass",
                    "SR-HOST-FW-01", "not-applicable"),
                HexFormat.of().formatHex(bytes("manifest-1", 32)),
                "proof-019ab0c0-1e00-7000-8000-0000000000f2.tar.gz")
            .toData(),
        "019ab0c0-1e00-7000-8000-0000000000f3",
        t.plusSeconds(31));
    Map<String, Integer> failedCounts = new java.util.LinkedHashMap<>(counts);
    failedCounts.put("pass", 1);
    failedCounts.put("fail", 1);
    golden(
        root,
        "/strongroom/proof-service",
        "golden-proof-service",
        EventCatalog.PROOF_COMPLETED.type(),
        null,
        "v1-failed-scheduled.json",
        new ProofCompleted(
                "019ab0c0-1e00-7000-8000-0000000000f4",
                ProofCompleted.Trigger.SCHEDULE,
                null,
                false,
                "0.1.0-SNAPSHOT",
                "strongroom-controls-2",
                "mariadb-10.11@127.0.0.1:3306/strongroom",
                t.plusSeconds(60),
                t.plusSeconds(90),
                failedCounts,
                Map.of(
                    "SR-DB-TLS-01", "fail",
                    "SR-DB-TLS-02", "pass",
                    "SR-HOST-FW-01", "not-applicable"),
                HexFormat.of().formatHex(bytes("manifest-2", 32)),
                "proof-019ab0c0-1e00-7000-8000-0000000000f4.tar.gz")
            .toData(),
        "019ab0c0-1e00-7000-8000-0000000000f5",
        t.plusSeconds(90));
    SecurityAlert proofFailed =
        new SecurityAlert(
            AlertKind.PROOF_FAILED,
            Severity.HIGH,
            "proof run 019ab0c0-1e00-7000-8000-0000000000f4 failed 1 control: SR-DB-TLS-01",
            Map.of(
                "runId", "019ab0c0-1e00-7000-8000-0000000000f4",
                "controls", "SR-DB-TLS-01",
                "manifestSha256", HexFormat.of().formatHex(bytes("manifest-2", 32))));
    golden(
        root,
        "/strongroom/proof-service",
        "golden-proof-service",
        EventCatalog.SECURITY_ALERT.type(),
        null,
        "v1-proof-failed.json",
        proofFailed.toData(),
        "019ab0c0-1e00-7000-8000-0000000000f6",
        t.plusSeconds(90));
    provisioning(root, t.plusSeconds(120));
    anchored(root, t.plusSeconds(150));
  }

  /**
   * The audit plane: a checkpoint of a 15-entry log anchored as #15, its note a real C2SP signed
   * note (Ed25519 over the three body lines, key ID = SHA-256(name || 0x0A || 0x01 || key)[:4]) by
   * the test key {@code golden-audit-log}; root and head fixed bytes.
   */
  private static void anchored(Path root, Instant t) throws Exception {
    String origin = "strongroom.local/db1";
    byte[] rootHash = bytes("audit-root-15", 32);
    String text = origin + "\n15\n" + Base64.getEncoder().encodeToString(rootHash) + "\n";
    SigningKey log = TestKeys.key("golden-audit-log");
    java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
    sha.update((origin + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    sha.update((byte) 0x01);
    byte[] id = java.util.Arrays.copyOf(sha.digest(log.publicKey()), 4);
    byte[] sig = log.sign(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    byte[] idSig = new byte[68];
    System.arraycopy(id, 0, idSig, 0, 4);
    System.arraycopy(sig, 0, idSig, 4, 64);
    String note =
        text + "\n\u2014 " + origin + " " + Base64.getEncoder().encodeToString(idSig) + "\n";
    golden(
        root,
        "/strongroom/audit-anchor-service",
        "golden-audit-anchor-service",
        EventCatalog.AUDIT_ANCHORED.type(),
        null,
        "v1-anchored.json",
        new dev.strongroom.contracts.audit.CheckpointAnchored(
                15,
                origin,
                15,
                HexFormat.of().formatHex(rootHash),
                HexFormat.of().formatHex(bytes("audit-head-15", 32)),
                note,
                "checkpoints/strongroom.local_db1/20261123T090230.000Z-15.note")
            .toData(),
        "019ab0c0-1e00-7000-8000-0000000000c1",
        t);
  }

  /** The ops plane: an apply request, a step's progress, a changing, an idle and a failed run. */
  private static void provisioning(Path root, Instant t) throws Exception {
    String target = "ssh://root@db1.example.internal:2222";
    ProvisionRequest.Host host =
        new ProvisionRequest.Host(
            true,
            List.of("10.20.0.0/16", "192.0.2.10/32"),
            "mariadb-10.11",
            22,
            3306,
            "strongroom",
            "strongroom-db",
            "/opt/strongroom",
            "/etc/strongroom",
            "/var/lib/strongroom",
            "/var/log/strongroom",
            5,
            java.time.Duration.ofMinutes(10),
            java.time.Duration.ofHours(1),
            java.time.Duration.ofMinutes(15));
    golden(
        root,
        "/strongroom/devstack",
        "golden-operator",
        EventCatalog.PROVISION_REQUESTED.type(),
        null,
        "v1-apply-ssh.json",
        new ProvisionRequest("prov-0001", ProvisionMode.APPLY, target, host, "new database host")
            .toData(),
        "019ab0c0-1e00-7000-8000-000000000101",
        t);
    golden(
        root,
        "/strongroom/devstack",
        "golden-operator",
        EventCatalog.PROVISION_REQUESTED.type(),
        null,
        "v1-rotate-at-rest-keys.json",
        new ProvisionRequest(
                "prov-0002",
                ProvisionMode.APPLY,
                target,
                host,
                null,
                new ProvisionRequest.Rotate(Instant.parse("2026-12-05T10:00:00Z")),
                "quarterly at-rest key rotation")
            .toData(),
        "019ab0c0-1e00-7000-8000-000000000111",
        t);
    ProvisionRequest.Host vaultHost =
        new ProvisionRequest.Host(
            false,
            List.of(),
            "mariadb-10.11",
            22,
            3306,
            "strongroom",
            "strongroom-db",
            "/opt/strongroom",
            "/etc/strongroom",
            "/var/lib/strongroom",
            "/var/log/strongroom",
            5,
            java.time.Duration.ofMinutes(10),
            java.time.Duration.ofHours(1),
            java.time.Duration.ofMinutes(15),
            "vault",
            "https://vault.example.internal:8200/v1/strongroom",
            "/etc/strongroom/db/vault-ca.pem",
            "/etc/strongroom/db/vault-token.cnf");
    golden(
        root,
        "/strongroom/devstack",
        "golden-operator",
        EventCatalog.PROVISION_REQUESTED.type(),
        null,
        "v1-apply-vault-keys.json",
        new ProvisionRequest(
                "prov-0003", ProvisionMode.APPLY, target, vaultHost, "at-rest keys held in Vault")
            .toData(),
        "019ab0c0-1e00-7000-8000-000000000112",
        t);
    String run = "019ab0c0-1e00-7000-8000-000000000102";
    String sha = HexFormat.of().formatHex(bytes("host-manifest-1", 32));
    golden(
        root,
        "/strongroom/provisioner-service",
        "golden-provisioner-service",
        EventCatalog.PROVISION_PROGRESSED.type(),
        null,
        "v1-step-changed.json",
        new ProvisionProgressed(
                "prov-0001",
                run,
                target,
                ProvisionMode.APPLY,
                3,
                "file /etc/nftables.conf",
                StepOutcome.CHANGED,
                "missing")
            .toData(),
        "019ab0c0-1e00-7000-8000-000000000103",
        t.plusSeconds(2));
    golden(
        root,
        "/strongroom/provisioner-service",
        "golden-provisioner-service",
        EventCatalog.PROVISION_COMPLETED.type(),
        null,
        "v1-changed.json",
        new ProvisionCompleted(
                "prov-0001",
                run,
                target,
                ProvisionMode.APPLY,
                ProvisionCompleted.Outcome.CHANGED,
                t.plusSeconds(1),
                t.plusSeconds(9),
                sha,
                List.of(
                    new ProvisionCompleted.Step(
                        "file /etc/nftables.conf", StepOutcome.CHANGED, "missing"),
                    new ProvisionCompleted.Step(
                        "file /etc/sysctl.d/99-strongroom.conf", StepOutcome.UNCHANGED, ""),
                    new ProvisionCompleted.Step(
                        "users", StepOutcome.CHANGED, "missing users strongroom, strongroom-db"),
                    new ProvisionCompleted.Step(
                        "activate",
                        StepOutcome.SKIPPED,
                        "run the activation commands of docs/ops-plane.md after reviewing the"
                            + " plan")),
                null)
            .toData(),
        "019ab0c0-1e00-7000-8000-000000000104",
        t.plusSeconds(9));
    golden(
        root,
        "/strongroom/provisioner-service",
        "golden-provisioner-service",
        EventCatalog.PROVISION_COMPLETED.type(),
        null,
        "v1-no-change.json",
        new ProvisionCompleted(
                "prov-0002",
                "019ab0c0-1e00-7000-8000-000000000105",
                target,
                ProvisionMode.APPLY,
                ProvisionCompleted.Outcome.NO_CHANGE,
                t.plusSeconds(60),
                t.plusSeconds(62),
                sha,
                List.of(
                    new ProvisionCompleted.Step(
                        "file /etc/nftables.conf", StepOutcome.UNCHANGED, ""),
                    new ProvisionCompleted.Step("users", StepOutcome.UNCHANGED, "")),
                null)
            .toData(),
        "019ab0c0-1e00-7000-8000-000000000106",
        t.plusSeconds(62));
    golden(
        root,
        "/strongroom/provisioner-service",
        "golden-provisioner-service",
        EventCatalog.PROVISION_COMPLETED.type(),
        null,
        "v1-failed-unreachable.json",
        new ProvisionCompleted(
                "prov-0003",
                "019ab0c0-1e00-7000-8000-000000000107",
                "ssh://root@db2.example.internal",
                ProvisionMode.PLAN,
                ProvisionCompleted.Outcome.FAILED,
                t.plusSeconds(90),
                t.plusSeconds(120),
                sha,
                List.of(),
                new ProvisionCompleted.Failure(
                    "UNAVAILABLE",
                    null,
                    "cannot connect to ssh://root@db2.example.internal: Connection refused"))
            .toData(),
        "019ab0c0-1e00-7000-8000-000000000108",
        t.plusSeconds(120));
    // A scheduled backup that failed (docs/runbook-backup.md): the reason typed, the part named.
    SecurityAlert backupFailed =
        new SecurityAlert(
            AlertKind.BACKUP_FAILED,
            Severity.HIGH,
            "scheduled backup started 2026-11-23T02:00:00.003Z failed: TOOL_FAILED"
                + " [dump.sql.gz.enc]:"
                + " mariadb-dump failed: mariadb-dump: Got error: 2002: \"Can't connect to server on"
                + " '127.0.0.1' (115)\" when trying to connect",
            Map.of(
                "reason", "TOOL_FAILED",
                "part", "dump.sql.gz.enc",
                "startedAt", "2026-11-23T02:00:00.003Z",
                "store", "gs://strongroom-worm-example",
                "consecutiveFailures", 1));
    golden(
        root,
        "/strongroom/audit-anchor-service",
        "golden-audit-anchor-service",
        EventCatalog.SECURITY_ALERT.type(),
        null,
        "v1-backup-failed.json",
        backupFailed.toData(),
        "019ab0c0-1e00-7000-8000-0000000000b1",
        t.plusSeconds(120));
  }

  private static void golden(
      Path root,
      String source,
      String keyName,
      String type,
      String subject,
      String file,
      com.fasterxml.jackson.databind.JsonNode data,
      String id,
      Instant time)
      throws Exception {
    EventSigner signer =
        new EventSigner(TestKeys.key(keyName), source, Clock.fixed(time, ZoneOffset.UTC));
    Path dir = root.resolve("golden/" + type);
    Files.createDirectories(dir);
    Files.write(dir.resolve(file), signer.sign(type, subject, data, id, time).bytes());
  }

  /** Fixed pseudo-random bytes: SHA-256 chained from a label. */
  static byte[] bytes(String label, int n) throws Exception {
    byte[] out = new byte[n];
    byte[] block = label.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (int i = 0; i < n; i += 32) {
      block = java.security.MessageDigest.getInstance("SHA-256").digest(block);
      System.arraycopy(block, 0, out, i, Math.min(32, n - i));
    }
    return out;
  }

  /**
   * A real tenant token (docs/tenant-tokens.md) with a fixed nonce, so the golden files are
   * reproducible.
   */
  static String tenantToken(String tenant, String sub, Instant iat) throws Exception {
    String claims =
        "{\"exp\":"
            + (iat.getEpochSecond() + 900)
            + ",\"iat\":"
            + iat.getEpochSecond()
            + ",\"nonce\":\""
            + Base64Url.encode(bytes("nonce", 16))
            + "\",\"sub\":\""
            + sub
            + "\",\"tenant\":\""
            + tenant
            + "\",\"v\":1}";
    String part = Base64Url.encode(claims.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(TestKeys.seed("tenant-token-key"), "HmacSHA256"));
    return part
        + "."
        + Base64Url.encode(mac.doFinal(part.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
  }

  private static void vector(
      Path root,
      String name,
      String description,
      SigningKey key,
      String source,
      String type,
      String subject,
      ObjectNode data,
      String id,
      Instant time)
      throws Exception {
    EventSigner signer = new EventSigner(key, source, Clock.fixed(time, ZoneOffset.UTC));
    SignedEvent ev = signer.sign(type, subject, data, id, time);
    ObjectNode v = CanonicalJson.mapper().createObjectNode();
    v.put("description", description);
    v.put(
        "seed",
        Base64Url.encode(TestKeys.seed(name.equals("01-global-alert") ? "vector-1" : "vector-2")));
    v.put("publicKey", Base64Url.encode(key.publicKey()));
    v.put("kid", key.kid());
    v.set("event", CanonicalJson.parse(ev.bytes()));
    v.put("canonical", Base64.getEncoder().encodeToString(ev.signedBytes()));
    v.put("sig", CanonicalJson.parse(ev.bytes()).get("sig").asText());
    Files.writeString(
        root.resolve("testvectors/envelope/" + name + ".json"),
        CanonicalJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(v) + "\n");
  }
}
