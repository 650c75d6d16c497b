package dev.strongroom.cloud.gcp.setup;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import dev.strongroom.cloud.gcp.GcpClients;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The cloud setup as code: {@link #plan()} checks every step read-only (what {@code --dry-run}
 * prints); {@link #apply()} checks each step again, applies only those that differ, and re-checks
 * them. Re-applying on a set-up project changes nothing and says so. Steps, in order:
 *
 * <ol>
 *   <li>{@code kms.key-ring}: the key ring exists;
 *   <li>{@code kms.crypto-key}: a symmetric ({@code ENCRYPT_DECRYPT}, {@code
 *       GOOGLE_SYMMETRIC_ENCRYPTION}) key, protection level HSM, with {@code rotation_period} = the
 *       spec's and a {@code next_rotation_time} in the future and at most one period ahead — drift
 *       is fixed with UpdateCryptoKey; a wrong purpose or protection level is a conflict
 *       (immutable);
 *   <li>{@code kms.key-iam}: the service account holds exactly {@value #KEY_ROLE} on the key;
 *   <li>{@code storage.bucket}: the bucket exists in the spec's location with uniform bucket-level
 *       access, public access prevention enforced, and a retention period at least the spec's;
 *   <li>{@code storage.retention-lock}: the retention policy is locked (irreversible);
 *   <li>{@code storage.bucket-iam}: the service account holds exactly {@link #BUCKET_ROLES} on the
 *       bucket.
 * </ol>
 *
 * Any other role the service account holds on the key or the bucket is revoked (broader than
 * needed); other members' bindings and conditional bindings are left alone. Production: {@link
 * #connect} with {@link GcpClients#forGcp} (Application Default Credentials of an operator allowed
 * to administer KMS, Storage and their IAM); tests: the same clients against the fakes.
 */
public final class CloudSetup implements AutoCloseable {
  /** The service account's one role on the key. */
  public static final String KEY_ROLE = "roles/cloudkms.cryptoKeyEncrypterDecrypter";

  /** The service account's roles on the bucket, and nothing broader. */
  public static final Set<String> BUCKET_ROLES = StorageSteps.BUCKET_ROLES;

  private final CloudSetupSpec spec;
  private final List<Step> steps;
  private final Runnable owned;

  /**
   * The setup with the caller's clients (the caller closes them).
   *
   * @param storage a client for the spec's project
   */
  public CloudSetup(
      CloudSetupSpec spec, Storage storage, KeyManagementServiceClient kms, Clock clock) {
    this(spec, storage, kms, clock, null);
  }

  private CloudSetup(
      CloudSetupSpec spec,
      Storage storage,
      KeyManagementServiceClient kms,
      Clock clock,
      Runnable owned) {
    this.spec = Objects.requireNonNull(spec, "spec");
    if (!spec.project().equals(storage.getOptions().getProjectId())) {
      throw new IllegalArgumentException(
          "the storage client is for project "
              + storage.getOptions().getProjectId()
              + ", the spec for "
              + spec.project());
    }
    List<Step> all = new ArrayList<>(KmsSteps.all(spec, kms, clock));
    all.addAll(StorageSteps.all(spec, storage));
    this.steps = List.copyOf(all);
    this.owned = owned;
  }

  /** Opens clients from {@code clients} (their project must be the spec's); close() closes them. */
  public static CloudSetup connect(CloudSetupSpec spec, GcpClients clients) {
    Storage storage = clients.storage();
    KeyManagementServiceClient kms = clients.kms();
    return new CloudSetup(
        spec,
        storage,
        kms,
        Clock.systemUTC(),
        () -> {
          kms.close();
          try {
            storage.close();
          } catch (Exception e) {
            throw new IllegalStateException("closing the Cloud Storage client failed", e);
          }
        });
  }

  public CloudSetupSpec spec() {
    return spec;
  }

  /** Checks every step; calls no mutating API. */
  public CloudSetupPlan plan() {
    List<CloudSetupStep> checked = new ArrayList<>();
    for (Step s : steps) {
      checked.add(call(s, "check", s::check));
    }
    return new CloudSetupPlan(spec, checked);
  }

  /**
   * Brings the project to the spec, step by step: a step found as specified is left alone; one that
   * differs is applied and must then check as unchanged.
   *
   * @throws CloudSetupException at the first conflict, failed call, or step still differing after
   *     apply (the steps before it stay applied; re-run after fixing the cause)
   */
  public CloudSetupResult apply() {
    List<CloudSetupStep> done = new ArrayList<>();
    for (Step s : steps) {
      CloudSetupStep before = call(s, "check", s::check);
      switch (before.status()) {
        case UNCHANGED -> done.add(before);
        case CONFLICT ->
            throw new CloudSetupException(
                s.id(), "cannot be applied: " + String.join("; ", before.changes()), false, null);
        case CREATE, UPDATE -> {
          call(
              s,
              "apply",
              () -> {
                s.apply();
                return null;
              });
          CloudSetupStep after = call(s, "re-check", s::check);
          if (after.status() != StepStatus.UNCHANGED) {
            throw new CloudSetupException(
                s.id(),
                "still differs after apply: " + String.join("; ", after.changes()),
                false,
                null);
          }
          done.add(before);
        }
      }
    }
    return new CloudSetupResult(done);
  }

  private static <T> T call(Step s, String what, Supplier<T> action) {
    try {
      return action.get();
    } catch (ApiException e) {
      StatusCode.Code code = e.getStatusCode().getCode();
      throw new CloudSetupException(
          s.id(),
          what + " of " + s.resource() + " failed: Cloud KMS " + code + ": " + e.getMessage(),
          switch (code) {
            case UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED -> true;
            default -> false;
          },
          e);
    } catch (StorageException e) {
      int code = e.getCode();
      throw new CloudSetupException(
          s.id(),
          what + " of " + s.resource() + " failed: Cloud Storage " + code + ": " + e.getMessage(),
          e.isRetryable() || code <= 0 || code == 429 || code >= 500,
          e);
    }
  }

  @Override
  public void close() {
    if (owned != null) {
      owned.run();
    }
  }
}
