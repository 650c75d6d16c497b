package dev.strongroom.cloud.gcp.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.Identity;
import com.google.cloud.Policy;
import com.google.cloud.Role;
import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionAlgorithm;
import com.google.cloud.kms.v1.CryptoKeyVersionTemplate;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.cloud.kms.v1.KeyRing;
import com.google.cloud.kms.v1.LocationName;
import com.google.cloud.kms.v1.ProtectionLevel;
import com.google.cloud.kms.v1.UpdateCryptoKeyRequest;
import com.google.cloud.storage.Bucket;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import com.google.iam.v1.Binding;
import com.google.iam.v1.GetIamPolicyRequest;
import com.google.iam.v1.SetIamPolicyRequest;
import com.google.protobuf.FieldMask;
import dev.strongroom.cloud.gcp.GcpClients;
import dev.strongroom.cloud.gcp.fake.FakeCloudStorageServer;
import dev.strongroom.cloud.gcp.storage.GcsObjectStore;
import dev.strongroom.crypto.gcpkms.FakeCloudKmsServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The cloud setup through the real google-cloud-kms and google-cloud-storage clients against the
 * fakes: dry run (proved read-only from the fakes' request logs), apply, re-apply unchanged, drift
 * detected and fixed, conflicts refused.
 */
class CloudSetupIT {
  private static final String PROJECT = "strongroom-prod";
  private static final String SA = "strongroom-services@strongroom-prod.iam.gserviceaccount.com";
  private static final String MEMBER = "serviceAccount:" + SA;
  private static final String KEY =
      "projects/strongroom-prod/locations/europe-west3/keyRings/strongroom/cryptoKeys/kek";
  private static final String BUCKET = "strongroom-worm-prod";

  private FakeCloudStorageServer gcs;
  private FakeCloudKmsServer kmsServer;
  private GcpClients clients;
  private Storage storage;
  private KeyManagementServiceClient kms;
  private CloudSetupSpec spec;

  @BeforeEach
  void start() throws Exception {
    gcs = FakeCloudStorageServer.start();
    kmsServer = FakeCloudKmsServer.start();
    clients = GcpClients.forPlaintextEndpoints(PROJECT, gcs.endpoint(), kmsServer.endpoint());
    storage = clients.storage();
    kms = clients.kms();
    spec =
        CloudSetupSpec.builder()
            .project(PROJECT)
            .location("europe-west3")
            .keyRing("strongroom")
            .keyName("kek")
            .rotationPeriod(Duration.ofDays(90))
            .bucket(BUCKET)
            .retentionPeriod(Duration.ofDays(400))
            .serviceAccount(SA)
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    kms.close();
    storage.close();
    kmsServer.close();
    gcs.close();
  }

  private CloudSetupResult apply() {
    try (CloudSetup setup = CloudSetup.connect(spec, clients)) {
      return setup.apply();
    }
  }

  private CloudSetupPlan plan() {
    try (CloudSetup setup = CloudSetup.connect(spec, clients)) {
      return setup.plan();
    }
  }

  private void clearLogs() {
    gcs.clearRequests();
    kmsServer.clearCalls();
  }

  private record Run(int exit, String out, String err) {}

  private Run command(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--project=" + PROJECT,
                "--location=europe-west3",
                "--key-ring=strongroom",
                "--key=kek",
                "--bucket=" + BUCKET,
                "--retention=P400D",
                "--service-account=" + SA,
                "--storage-endpoint=" + gcs.endpoint(),
                "--kms-endpoint=" + kmsServer.endpoint()));
    args.addAll(List.of(extra));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new CloudSetupCommand());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute(args.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void dryRun_onAnEmptyProject_plansEveryStep_andCallsNoMutatingApi() {
    Run r = command("--dry-run");
    assertEquals(0, r.exit(), r.err());
    assertTrue(
        r.out()
            .startsWith(
                "Cloud setup plan for project strongroom-prod, service account " + SA + ":\n"),
        r.out());
    assertTrue(
        r.out()
            .contains(
                "  create    kms.key-ring           projects/strongroom-prod/locations/europe-west3/keyRings/strongroom\n"),
        r.out());
    assertTrue(
        r.out()
            .contains(
                "- create key: purpose ENCRYPT_DECRYPT, protection level HSM, algorithm"
                    + " GOOGLE_SYMMETRIC_ENCRYPTION\n"),
        r.out());
    assertTrue(r.out().contains("- grant roles/cloudkms.cryptoKeyEncrypterDecrypter to " + MEMBER));
    assertTrue(r.out().contains("- lock the retention policy of P400D (IRREVERSIBLE"), r.out());
    assertTrue(r.out().contains("- grant roles/storage.objectCreator to " + MEMBER), r.out());
    assertTrue(
        r.out().endsWith("6 steps: 6 to create, 0 to update, 0 unchanged, 0 conflicts\n"), r.out());

    // The checks did reach both fakes, and nothing that changes state did.
    assertTrue(
        kmsServer.calls().containsAll(List.of("GetKeyRing", "GetCryptoKey", "GetIamPolicy")));
    assertEquals(List.of(), kmsServer.mutatingCalls());
    assertFalse(gcs.requests().isEmpty());
    assertEquals(List.of(), gcs.mutatingRequests());
    assertEquals(null, storage.get(BUCKET));
  }

  @Test
  void apply_createsEverythingAsSpecified_andTheWormStoreAcceptsTheBucket() {
    Instant before = Instant.now();
    CloudSetupResult result = apply();
    assertFalse(result.changedNothing());
    assertEquals(
        // Each step is checked when its turn comes: by then the key and the bucket exist, so
        // their IAM steps and the lock are updates of existing resources.
        List.of(
            StepStatus.CREATE,
            StepStatus.CREATE,
            StepStatus.UPDATE,
            StepStatus.CREATE,
            StepStatus.UPDATE,
            StepStatus.UPDATE),
        result.steps().stream().map(CloudSetupStep::status).toList());

    KeyRing ring =
        kms.getKeyRing("projects/strongroom-prod/locations/europe-west3/keyRings/strongroom");
    assertEquals(
        "projects/strongroom-prod/locations/europe-west3/keyRings/strongroom", ring.getName());
    CryptoKey key = kms.getCryptoKey(KEY);
    assertEquals(CryptoKey.CryptoKeyPurpose.ENCRYPT_DECRYPT, key.getPurpose());
    assertEquals(ProtectionLevel.HSM, key.getVersionTemplate().getProtectionLevel());
    assertEquals(
        CryptoKeyVersionAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION,
        key.getVersionTemplate().getAlgorithm());
    assertEquals(Duration.ofDays(90).toSeconds(), key.getRotationPeriod().getSeconds());
    long next = key.getNextRotationTime().getSeconds();
    assertTrue(next >= before.plus(Duration.ofDays(90)).getEpochSecond() - 1, "next " + next);
    assertTrue(next <= Instant.now().plus(Duration.ofDays(90)).getEpochSecond(), "next " + next);
    assertEquals(KEY + "/cryptoKeyVersions/1", key.getPrimary().getName());

    List<Binding> keyBindings =
        kms.getIamPolicy(GetIamPolicyRequest.newBuilder().setResource(KEY).build())
            .getBindingsList();
    assertEquals(1, keyBindings.size());
    assertEquals("roles/cloudkms.cryptoKeyEncrypterDecrypter", keyBindings.get(0).getRole());
    assertEquals(List.of(MEMBER), keyBindings.get(0).getMembersList());

    Bucket b = storage.get(BUCKET);
    assertEquals("EUROPE-WEST3", b.getLocation());
    assertTrue(b.getIamConfiguration().isUniformBucketLevelAccessEnabled());
    assertEquals(
        BucketInfo.PublicAccessPrevention.ENFORCED,
        b.getIamConfiguration().getPublicAccessPrevention());
    assertEquals(Duration.ofDays(400), b.getRetentionPeriodDuration());
    assertTrue(b.retentionPolicyIsLocked());

    Policy bucketPolicy = storage.getIamPolicy(BUCKET);
    Set<String> saRoles =
        bucketPolicy.getBindingsList().stream()
            .filter(x -> x.getMembers().contains(MEMBER))
            .map(com.google.cloud.Binding::getRole)
            .collect(java.util.stream.Collectors.toSet());
    assertEquals(
        Set.of(
            "roles/storage.objectCreator",
            "roles/storage.objectViewer",
            "roles/storage.legacyBucketReader"),
        saRoles);
    // The project's own bindings stay.
    assertTrue(
        bucketPolicy
            .getBindings()
            .get(Role.of("roles/storage.legacyBucketOwner"))
            .contains(Identity.projectOwner(PROJECT)));

    assertEquals(Duration.ofDays(400), GcsObjectStore.open(storage, BUCKET).retentionPeriod());
  }

  @Test
  void reapply_changesNothing_andMakesNoMutatingCall() {
    apply();
    clearLogs();
    CloudSetupResult again = apply();
    assertTrue(again.changedNothing(), again.render());
    assertTrue(again.render().endsWith("Nothing changed.\n"), again.render());
    assertEquals(List.of(), kmsServer.mutatingCalls());
    assertEquals(List.of(), gcs.mutatingRequests());

    Run dry = command("--dry-run");
    assertEquals(0, dry.exit());
    assertTrue(
        dry.out().endsWith("6 steps: 0 to create, 0 to update, 6 unchanged, 0 conflicts\n"),
        dry.out());
    Run applied = command();
    assertEquals(0, applied.exit(), applied.err());
    assertTrue(applied.out().endsWith("Nothing changed.\n"), applied.out());
  }

  @Test
  void driftedKey_rotationScheduleRemoved_isDetectedAndFixed() {
    apply();
    // Someone with cloudkms.admin stops rotation.
    kms.updateCryptoKey(
        UpdateCryptoKeyRequest.newBuilder()
            .setCryptoKey(CryptoKey.newBuilder().setName(KEY))
            .setUpdateMask(
                FieldMask.newBuilder().addPaths("rotation_period").addPaths("next_rotation_time"))
            .build());
    assertFalse(kms.getCryptoKey(KEY).hasRotationPeriod());

    CloudSetupPlan drift = plan();
    CloudSetupStep keyStep = drift.step("kms.crypto-key");
    assertEquals(StepStatus.UPDATE, keyStep.status());
    assertEquals("rotation period none -> P90D", keyStep.changes().get(0));
    assertTrue(
        keyStep.changes().get(1).startsWith("next rotation time none -> "),
        keyStep.changes().toString());
    assertTrue(
        drift.steps().stream()
            .filter(s -> !s.id().equals("kms.crypto-key"))
            .allMatch(s -> s.status() == StepStatus.UNCHANGED),
        drift.render());

    clearLogs();
    CloudSetupResult fixed = apply();
    assertEquals(StepStatus.UPDATE, fixed.steps().get(1).status());
    assertEquals(List.of("UpdateCryptoKey"), kmsServer.mutatingCalls());
    assertEquals(List.of(), gcs.mutatingRequests());
    CryptoKey key = kms.getCryptoKey(KEY);
    assertEquals(Duration.ofDays(90).toSeconds(), key.getRotationPeriod().getSeconds());
    assertTrue(key.hasNextRotationTime());
    assertTrue(plan().changesNothing());
  }

  @Test
  void nextRotationPushedYearsAhead_isDrift_andIsPulledBack() {
    apply();
    kms.updateCryptoKey(
        UpdateCryptoKeyRequest.newBuilder()
            .setCryptoKey(
                CryptoKey.newBuilder()
                    .setName(KEY)
                    .setNextRotationTime(
                        com.google.protobuf.Timestamp.newBuilder()
                            .setSeconds(
                                Instant.now().plus(Duration.ofDays(3650)).getEpochSecond())))
            .setUpdateMask(FieldMask.newBuilder().addPaths("next_rotation_time"))
            .build());
    CloudSetupStep keyStep = plan().step("kms.crypto-key");
    assertEquals(StepStatus.UPDATE, keyStep.status());
    assertTrue(
        keyStep.changes().get(0).contains("is more than one rotation period ahead"),
        keyStep.changes().toString());
    apply();
    assertTrue(
        kms.getCryptoKey(KEY).getNextRotationTime().getSeconds()
            <= Instant.now().plus(Duration.ofDays(90)).getEpochSecond());
  }

  @Test
  void broaderRolesOfTheServiceAccount_areRevoked_othersKept() {
    apply();
    Policy p = storage.getIamPolicy(BUCKET);
    storage.setIamPolicy(
        BUCKET,
        p.toBuilder()
            .addIdentity(Role.of("roles/storage.objectAdmin"), Identity.serviceAccount(SA))
            .addIdentity(Role.of("roles/storage.objectAdmin"), Identity.user("dba@example.com"))
            .build());
    var keyPolicy = kms.getIamPolicy(GetIamPolicyRequest.newBuilder().setResource(KEY).build());
    kms.setIamPolicy(
        SetIamPolicyRequest.newBuilder()
            .setResource(KEY)
            .setPolicy(
                keyPolicy.toBuilder()
                    .addBindings(
                        Binding.newBuilder().setRole("roles/cloudkms.admin").addMembers(MEMBER)))
            .build());

    CloudSetupPlan drift = plan();
    assertEquals(
        List.of("revoke roles/cloudkms.admin from " + MEMBER + " (broader than needed)"),
        drift.step("kms.key-iam").changes());
    assertEquals(
        List.of("revoke roles/storage.objectAdmin from " + MEMBER + " (broader than needed)"),
        drift.step("storage.bucket-iam").changes());
    apply();
    assertTrue(plan().changesNothing());
    Policy after = storage.getIamPolicy(BUCKET);
    assertEquals(
        Set.of(Identity.user("dba@example.com")),
        after.getBindings().get(Role.of("roles/storage.objectAdmin")));
  }

  @Test
  void softwareKeyUnderTheName_isAConflict_applyRefusesAndChangesNothingOnIt() {
    kms.createKeyRing(
        LocationName.of(PROJECT, "europe-west3"), "strongroom", KeyRing.getDefaultInstance());
    kms.createCryptoKey(
        "projects/strongroom-prod/locations/europe-west3/keyRings/strongroom",
        "kek",
        CryptoKey.newBuilder()
            .setPurpose(CryptoKey.CryptoKeyPurpose.ENCRYPT_DECRYPT)
            .setVersionTemplate(
                CryptoKeyVersionTemplate.newBuilder().setProtectionLevel(ProtectionLevel.SOFTWARE))
            .build());
    clearLogs();
    CloudSetupException e = assertThrows(CloudSetupException.class, this::apply);
    assertEquals("kms.crypto-key", e.stepId());
    assertEquals(
        "kms.crypto-key: cannot be applied: protection level is SOFTWARE, not HSM (immutable: use"
            + " another key)",
        e.getMessage());
    assertFalse(e.retriable());
    assertEquals(List.of(), kmsServer.mutatingCalls());

    Run dry = command("--dry-run");
    assertEquals(1, dry.exit());
    assertTrue(dry.out().contains("  conflict  kms.crypto-key"), dry.out());
    Run applied = command();
    assertEquals(1, applied.exit());
    assertTrue(applied.err().contains("protection level is SOFTWARE, not HSM"), applied.err());
  }

  @Test
  void existingOpenBucket_isHardenedLengthenedAndLocked() {
    storage.create(
        BucketInfo.newBuilder(BUCKET)
            .setLocation("EUROPE-WEST3")
            .setRetentionPeriodDuration(Duration.ofDays(1))
            .build());
    CloudSetupStep bucketStep = plan().step("storage.bucket");
    assertEquals(StepStatus.UPDATE, bucketStep.status());
    assertEquals(
        List.of(
            "uniform bucket-level access off -> on",
            "public access prevention INHERITED -> ENFORCED",
            "retention period P1D -> P400D"),
        bucketStep.changes());
    apply();
    Bucket b = storage.get(BUCKET);
    assertTrue(b.getIamConfiguration().isUniformBucketLevelAccessEnabled());
    assertEquals(Duration.ofDays(400), b.getRetentionPeriodDuration());
    assertTrue(b.retentionPolicyIsLocked());
  }

  @Test
  void bucketInAnotherLocation_isAConflict() {
    storage.create(BucketInfo.newBuilder(BUCKET).setLocation("US").build());
    CloudSetupPlan p = plan();
    assertTrue(p.hasConflicts());
    assertEquals(
        List.of("location is US, not EUROPE-WEST3 (immutable: use another bucket)"),
        p.step("storage.bucket").changes());
  }

  @Test
  void jsonDryRun_isMachineReadable() throws Exception {
    Run r = command("--dry-run", "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertTrue(j.get("dryRun").asBoolean());
    assertFalse(j.get("changed").asBoolean());
    assertEquals(6, j.get("steps").size());
    assertEquals("kms.key-ring", j.get("steps").get(0).get("id").asText());
    assertEquals("create", j.get("steps").get(0).get("status").asText());
    assertEquals(List.of(), gcs.mutatingRequests());
  }

  @Test
  void badSpecs_areUsageErrors() {
    assertEquals(
        "protection level must be HSM (the KEK never leaves an HSM), got SOFTWARE",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    CloudSetupSpec.builder()
                        .project(PROJECT)
                        .location("europe-west3")
                        .keyRing("r")
                        .keyName("k")
                        .protectionLevel(ProtectionLevel.SOFTWARE)
                        .bucket(BUCKET)
                        .retentionPeriod(Duration.ofDays(1))
                        .serviceAccount(SA)
                        .build())
            .getMessage());
    Run shortRotation = command("--rotation-period=PT12H", "--dry-run");
    assertEquals(2, shortRotation.exit());
    assertTrue(
        shortRotation
            .err()
            .contains(
                "rotation period must be whole seconds between 1 day and 876000 hours, got PT12H"),
        shortRotation.err());
    assertEquals(2, command("--bucket=Not_A_Bucket", "--dry-run").exit());
    assertEquals(List.of(), gcs.requests());
    assertEquals(List.of(), kmsServer.calls());
  }
}
