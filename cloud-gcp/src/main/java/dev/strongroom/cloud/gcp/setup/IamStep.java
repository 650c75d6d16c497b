package dev.strongroom.cloud.gcp.setup;

import java.util.List;
import java.util.Set;

/**
 * A step that gives one member exactly the wanted roles in one resource's IAM policy (missing ones
 * granted, any other role of that member revoked), whatever the client's policy type {@code P}.
 */
abstract class IamStep<P> implements Step {
  private static final int ATTEMPTS = 3;

  private final String member;
  private final Set<String> wanted;

  IamStep(String member, Set<String> wanted) {
    this.member = member;
    this.wanted = Set.copyOf(wanted);
  }

  /** The resource's policy, or null when the resource does not exist (yet). */
  abstract P read();

  abstract List<MemberRoles.RoleBinding> bindings(P policy);

  /**
   * Writes {@code policy} (its etag guarding against concurrent changes) with these unconditional
   * bindings, keeping its conditional ones.
   */
  abstract void write(P policy, List<MemberRoles.RoleBinding> unconditional);

  /** True for the failure an etag mismatch (a concurrent policy change) causes. */
  abstract boolean concurrentChange(RuntimeException e);

  @Override
  public CloudSetupStep check() {
    P p = read();
    Set<String> held = p == null ? Set.of() : MemberRoles.held(bindings(p), member);
    List<String> changes = MemberRoles.changes(held, wanted, member);
    StepStatus status =
        p == null
            ? StepStatus.CREATE
            : changes.isEmpty() ? StepStatus.UNCHANGED : StepStatus.UPDATE;
    return new CloudSetupStep(id(), resource(), status, changes);
  }

  @Override
  public void apply() {
    for (int attempt = 1; ; attempt++) {
      P p = read();
      if (p == null) {
        throw new CloudSetupException(id(), resource() + " does not exist", false, null);
      }
      try {
        write(p, MemberRoles.withExactly(bindings(p), member, wanted));
        return;
      } catch (RuntimeException e) {
        if (!concurrentChange(e) || attempt == ATTEMPTS) {
          throw e;
        }
      }
    }
  }
}
