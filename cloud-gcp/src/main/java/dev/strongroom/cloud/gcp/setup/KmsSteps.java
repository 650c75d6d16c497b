package dev.strongroom.cloud.gcp.setup;

import com.google.api.gax.rpc.AbortedException;
import com.google.api.gax.rpc.AlreadyExistsException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionAlgorithm;
import com.google.cloud.kms.v1.CryptoKeyVersionTemplate;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.cloud.kms.v1.KeyRing;
import com.google.cloud.kms.v1.LocationName;
import com.google.cloud.kms.v1.UpdateCryptoKeyRequest;
import com.google.iam.v1.Binding;
import com.google.iam.v1.GetIamPolicyRequest;
import com.google.iam.v1.Policy;
import com.google.iam.v1.SetIamPolicyRequest;
import com.google.protobuf.FieldMask;
import com.google.protobuf.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The Cloud KMS steps: key ring, HSM key with its rotation schedule, the key's IAM binding. */
final class KmsSteps {
  /** The one role the service account gets on the key: encrypt and decrypt with it, no more. */
  static final Set<String> KEY_ROLES = Set.of(CloudSetup.KEY_ROLE);

  private KmsSteps() {}

  static List<Step> all(CloudSetupSpec spec, KeyManagementServiceClient kms, Clock clock) {
    return List.of(
        new KeyRingStep(spec, kms), new CryptoKeyStep(spec, kms, clock), new KeyIam(spec, kms));
  }

  static CloudSetupStep step(Step s, StepStatus status, List<String> changes) {
    return new CloudSetupStep(s.id(), s.resource(), status, changes);
  }

  /** {@code P90D} for whole days, else ISO-8601 as {@link Duration#toString()}. */
  static String iso(Duration d) {
    return d.toSeconds() % 86_400 == 0 && d.toNanosPart() == 0
        ? "P" + d.toDays() + "D"
        : d.toString();
  }

  private record KeyRingStep(CloudSetupSpec spec, KeyManagementServiceClient kms) implements Step {
    @Override
    public String id() {
      return "kms.key-ring";
    }

    @Override
    public String resource() {
      return spec.keyRingResource();
    }

    @Override
    public CloudSetupStep check() {
      try {
        kms.getKeyRing(resource());
        return step(this, StepStatus.UNCHANGED, List.of());
      } catch (NotFoundException e) {
        return step(this, StepStatus.CREATE, List.of("create key ring in " + spec.location()));
      }
    }

    @Override
    public void apply() {
      try {
        kms.createKeyRing(
            LocationName.of(spec.project(), spec.location()),
            spec.keyRing(),
            KeyRing.getDefaultInstance());
      } catch (AlreadyExistsException e) {
        // created meanwhile: the re-check decides
      }
    }
  }

  private record CryptoKeyStep(CloudSetupSpec spec, KeyManagementServiceClient kms, Clock clock)
      implements Step {
    @Override
    public String id() {
      return "kms.crypto-key";
    }

    @Override
    public String resource() {
      return spec.cryptoKeyResource();
    }

    private Instant firstRotation() {
      return clock.instant().plus(spec.rotationPeriod()).truncatedTo(ChronoUnit.SECONDS);
    }

    @Override
    public CloudSetupStep check() {
      CryptoKey k;
      try {
        k = kms.getCryptoKey(resource());
      } catch (NotFoundException e) {
        return step(
            this,
            StepStatus.CREATE,
            List.of(
                "create key: purpose ENCRYPT_DECRYPT, protection level "
                    + spec.protectionLevel()
                    + ", algorithm GOOGLE_SYMMETRIC_ENCRYPTION",
                "rotation period "
                    + iso(spec.rotationPeriod())
                    + ", next rotation time "
                    + firstRotation()));
      }
      List<String> conflicts = new ArrayList<>();
      if (k.getPurpose() != CryptoKey.CryptoKeyPurpose.ENCRYPT_DECRYPT) {
        conflicts.add(
            "purpose is " + k.getPurpose() + ", not ENCRYPT_DECRYPT (immutable: use another key)");
      }
      if (k.getVersionTemplate().getProtectionLevel() != spec.protectionLevel()) {
        conflicts.add(
            "protection level is "
                + k.getVersionTemplate().getProtectionLevel()
                + ", not "
                + spec.protectionLevel()
                + " (immutable: use another key)");
      }
      if (k.getVersionTemplate().getAlgorithm()
          != CryptoKeyVersionAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION) {
        conflicts.add(
            "algorithm is "
                + k.getVersionTemplate().getAlgorithm()
                + ", not GOOGLE_SYMMETRIC_ENCRYPTION (use another key)");
      }
      if (!conflicts.isEmpty()) {
        return step(this, StepStatus.CONFLICT, conflicts);
      }
      List<String> changes = new ArrayList<>();
      Duration period =
          k.hasRotationPeriod() ? Duration.ofSeconds(k.getRotationPeriod().getSeconds()) : null;
      if (!spec.rotationPeriod().equals(period)) {
        changes.add(
            "rotation period "
                + (period == null ? "none" : iso(period))
                + " -> "
                + iso(spec.rotationPeriod()));
      }
      if (nextRotationDrift(k) != null) {
        changes.add(nextRotationDrift(k) + " -> " + firstRotation());
      }
      return step(this, changes.isEmpty() ? StepStatus.UNCHANGED : StepStatus.UPDATE, changes);
    }

    /**
     * Why the key's next rotation time is wrong, or null: it must exist, lie in the future, and no
     * further than one rotation period ahead (a far-future time silently stops rotation).
     */
    private String nextRotationDrift(CryptoKey k) {
      if (!k.hasNextRotationTime()) {
        return "next rotation time none";
      }
      Instant next = instant(k.getNextRotationTime());
      Instant now = clock.instant();
      if (!next.isAfter(now)) {
        return "next rotation time " + next + " is past";
      }
      if (next.isAfter(now.plus(spec.rotationPeriod()))) {
        return "next rotation time " + next + " is more than one rotation period ahead";
      }
      return null;
    }

    @Override
    public void apply() {
      CryptoKey k;
      try {
        k = kms.getCryptoKey(resource());
      } catch (NotFoundException e) {
        kms.createCryptoKey(
            spec.keyRingResource(),
            spec.keyName(),
            CryptoKey.newBuilder()
                .setPurpose(CryptoKey.CryptoKeyPurpose.ENCRYPT_DECRYPT)
                .setVersionTemplate(
                    CryptoKeyVersionTemplate.newBuilder()
                        .setProtectionLevel(spec.protectionLevel())
                        .setAlgorithm(CryptoKeyVersionAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION))
                .setRotationPeriod(proto(spec.rotationPeriod()))
                .setNextRotationTime(timestamp(firstRotation()))
                .build());
        return;
      }
      Instant next =
          nextRotationDrift(k) == null ? instant(k.getNextRotationTime()) : firstRotation();
      kms.updateCryptoKey(
          UpdateCryptoKeyRequest.newBuilder()
              .setCryptoKey(
                  CryptoKey.newBuilder()
                      .setName(resource())
                      .setRotationPeriod(proto(spec.rotationPeriod()))
                      .setNextRotationTime(timestamp(next)))
              .setUpdateMask(
                  FieldMask.newBuilder().addPaths("rotation_period").addPaths("next_rotation_time"))
              .build());
    }
  }

  private static final class KeyIam extends IamStep<Policy> {
    private final CloudSetupSpec spec;
    private final KeyManagementServiceClient kms;

    KeyIam(CloudSetupSpec spec, KeyManagementServiceClient kms) {
      super(spec.serviceAccountMember(), KEY_ROLES);
      this.spec = spec;
      this.kms = kms;
    }

    @Override
    public String id() {
      return "kms.key-iam";
    }

    @Override
    public String resource() {
      return spec.cryptoKeyResource();
    }

    @Override
    Policy read() {
      try {
        return kms.getIamPolicy(GetIamPolicyRequest.newBuilder().setResource(resource()).build());
      } catch (NotFoundException e) {
        return null;
      }
    }

    @Override
    List<MemberRoles.RoleBinding> bindings(Policy p) {
      return p.getBindingsList().stream()
          .map(b -> new MemberRoles.RoleBinding(b.getRole(), b.getMembersList(), b.hasCondition()))
          .toList();
    }

    @Override
    void write(Policy p, List<MemberRoles.RoleBinding> unconditional) {
      Policy.Builder next = p.toBuilder().clearBindings();
      unconditional.forEach(
          b -> next.addBindings(Binding.newBuilder().setRole(b.role()).addAllMembers(b.members())));
      p.getBindingsList().stream().filter(Binding::hasCondition).forEach(next::addBindings);
      kms.setIamPolicy(
          SetIamPolicyRequest.newBuilder().setResource(resource()).setPolicy(next).build());
    }

    @Override
    boolean concurrentChange(RuntimeException e) {
      return e instanceof AbortedException; // Cloud IAM's answer to a stale etag
    }
  }

  static com.google.protobuf.Duration proto(Duration d) {
    return com.google.protobuf.Duration.newBuilder().setSeconds(d.toSeconds()).build();
  }

  static Timestamp timestamp(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }
}
