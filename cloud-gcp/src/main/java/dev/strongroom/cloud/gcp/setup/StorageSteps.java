package dev.strongroom.cloud.gcp.setup;

import static dev.strongroom.cloud.gcp.setup.KmsSteps.iso;
import static dev.strongroom.cloud.gcp.setup.KmsSteps.step;

import com.google.cloud.Binding;
import com.google.cloud.Policy;
import com.google.cloud.storage.Bucket;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.BucketInfo.IamConfiguration;
import com.google.cloud.storage.BucketInfo.PublicAccessPrevention;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.Storage.BucketTargetOption;
import com.google.cloud.storage.StorageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The Cloud Storage steps: the WORM bucket, its retention lock, the bucket's IAM bindings. */
final class StorageSteps {
  /**
   * The roles the service account gets on the bucket: create objects (never overwrite or delete),
   * read and list them, and read the bucket's metadata (the sink's start-up check reads the
   * retention policy). Nothing broader.
   */
  static final Set<String> BUCKET_ROLES =
      Set.of(
          "roles/storage.objectCreator",
          "roles/storage.objectViewer",
          "roles/storage.legacyBucketReader");

  private StorageSteps() {}

  static List<Step> all(CloudSetupSpec spec, Storage storage) {
    return List.of(
        new BucketStep(spec, storage),
        new RetentionLock(spec, storage),
        new BucketIam(spec, storage));
  }

  private static boolean locked(Bucket b) {
    return Boolean.TRUE.equals(b.retentionPolicyIsLocked());
  }

  private record BucketStep(CloudSetupSpec spec, Storage storage) implements Step {
    @Override
    public String id() {
      return "storage.bucket";
    }

    @Override
    public String resource() {
      return "gs://" + spec.bucket();
    }

    @Override
    public CloudSetupStep check() {
      Bucket b = storage.get(spec.bucket());
      if (b == null) {
        return step(
            this,
            StepStatus.CREATE,
            List.of(
                "create bucket in " + spec.bucketLocation().toUpperCase(Locale.ROOT),
                "uniform bucket-level access on",
                "public access prevention enforced",
                "retention period " + iso(spec.retentionPeriod())));
      }
      if (!b.getLocation().equalsIgnoreCase(spec.bucketLocation())) {
        return step(
            this,
            StepStatus.CONFLICT,
            List.of(
                "location is "
                    + b.getLocation()
                    + ", not "
                    + spec.bucketLocation().toUpperCase(Locale.ROOT)
                    + " (immutable: use another bucket)"));
      }
      List<String> changes = new ArrayList<>();
      IamConfiguration iam = b.getIamConfiguration();
      if (iam == null || !Boolean.TRUE.equals(iam.isUniformBucketLevelAccessEnabled())) {
        changes.add("uniform bucket-level access off -> on");
      }
      PublicAccessPrevention pap = iam == null ? null : iam.getPublicAccessPrevention();
      if (pap != PublicAccessPrevention.ENFORCED) {
        changes.add("public access prevention " + pap + " -> ENFORCED");
      }
      if (retentionToSet(b) != null) {
        Duration r = b.getRetentionPeriodDuration();
        changes.add(
            "retention period "
                + (r == null ? "none" : iso(r))
                + " -> "
                + iso(spec.retentionPeriod()));
      }
      return step(this, changes.isEmpty() ? StepStatus.UNCHANGED : StepStatus.UPDATE, changes);
    }

    /**
     * The retention period to set, or null: none or a shorter one gets the spec's; a longer one is
     * kept when locked (it can only be lengthened) and set to the spec's while still unlocked.
     */
    private Duration retentionToSet(Bucket b) {
      Duration r = b.getRetentionPeriodDuration();
      if (r == null || r.isZero() || r.compareTo(spec.retentionPeriod()) < 0) {
        return spec.retentionPeriod();
      }
      return r.equals(spec.retentionPeriod()) || locked(b) ? null : spec.retentionPeriod();
    }

    private static IamConfiguration worm() {
      return IamConfiguration.newBuilder()
          .setIsUniformBucketLevelAccessEnabled(true)
          .setPublicAccessPrevention(PublicAccessPrevention.ENFORCED)
          .build();
    }

    @Override
    public void apply() {
      Bucket b = storage.get(spec.bucket());
      if (b == null) {
        storage.create(
            BucketInfo.newBuilder(spec.bucket())
                .setLocation(spec.bucketLocation().toUpperCase(Locale.ROOT))
                .setIamConfiguration(worm())
                .setRetentionPeriodDuration(spec.retentionPeriod())
                .build());
        return;
      }
      Bucket.Builder next = b.toBuilder().setIamConfiguration(worm());
      Duration retention = retentionToSet(b);
      if (retention != null) {
        next.setRetentionPeriodDuration(retention);
      }
      storage.update(next.build(), BucketTargetOption.metagenerationMatch());
    }
  }

  private record RetentionLock(CloudSetupSpec spec, Storage storage) implements Step {
    @Override
    public String id() {
      return "storage.retention-lock";
    }

    @Override
    public String resource() {
      return "gs://" + spec.bucket();
    }

    private static String irreversible(Duration period) {
      return "lock the retention policy of "
          + iso(period)
          + " (IRREVERSIBLE: it can then be lengthened, never shortened or removed, and the"
          + " bucket cannot be deleted while it holds objects under retention)";
    }

    @Override
    public CloudSetupStep check() {
      Bucket b = storage.get(spec.bucket());
      if (b == null) {
        return step(this, StepStatus.CREATE, List.of(irreversible(spec.retentionPeriod())));
      }
      if (locked(b)) {
        return step(this, StepStatus.UNCHANGED, List.of());
      }
      Duration r = b.getRetentionPeriodDuration();
      return step(
          this,
          StepStatus.UPDATE,
          List.of(
              irreversible(
                  r == null || r.compareTo(spec.retentionPeriod()) < 0
                      ? spec.retentionPeriod()
                      : r)));
    }

    @Override
    public void apply() {
      Bucket b = storage.get(spec.bucket());
      storage.lockRetentionPolicy(b, BucketTargetOption.metagenerationMatch());
    }
  }

  private static final class BucketIam extends IamStep<Policy> {
    private final CloudSetupSpec spec;
    private final Storage storage;

    BucketIam(CloudSetupSpec spec, Storage storage) {
      super(spec.serviceAccountMember(), BUCKET_ROLES);
      this.spec = spec;
      this.storage = storage;
    }

    @Override
    public String id() {
      return "storage.bucket-iam";
    }

    @Override
    public String resource() {
      return "gs://" + spec.bucket();
    }

    @Override
    Policy read() {
      try {
        return storage.getIamPolicy(spec.bucket());
      } catch (StorageException e) {
        if (e.getCode() == 404) {
          return null;
        }
        throw e;
      }
    }

    @Override
    List<MemberRoles.RoleBinding> bindings(Policy p) {
      return p.getBindingsList().stream()
          .map(
              b ->
                  new MemberRoles.RoleBinding(
                      b.getRole(), b.getMembers(), b.getCondition() != null))
          .toList();
    }

    @Override
    void write(Policy p, List<MemberRoles.RoleBinding> unconditional) {
      List<Binding> next = new ArrayList<>();
      unconditional.forEach(
          b -> next.add(Binding.newBuilder().setRole(b.role()).setMembers(b.members()).build()));
      p.getBindingsList().stream().filter(b -> b.getCondition() != null).forEach(next::add);
      storage.setIamPolicy(spec.bucket(), p.toBuilder().setBindings(next).build());
    }

    @Override
    boolean concurrentChange(RuntimeException e) {
      return e instanceof StorageException se && se.getCode() == 412; // stale etag
    }
  }
}
