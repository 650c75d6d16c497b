package dev.strongroom.cloud.gcp.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strongroom.cloud.gcp.setup.MemberRoles.RoleBinding;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MemberRolesTest {
  private static final String SA = "serviceAccount:sa@p.iam.gserviceaccount.com";

  private final List<RoleBinding> policy =
      List.of(
          new RoleBinding("roles/storage.objectAdmin", List.of(SA, "user:dba@example.com"), false),
          new RoleBinding(
              "roles/storage.objectViewer", List.of("group:readers@example.com"), false),
          new RoleBinding("roles/storage.objectCreator", List.of(SA), true)); // conditional

  @Test
  void held_countsUnconditionalBindingsOnly() {
    assertEquals(Set.of("roles/storage.objectAdmin"), MemberRoles.held(policy, SA));
  }

  @Test
  void changes_grantMissingAndRevokeBroaderRoles() {
    assertEquals(
        List.of(
            "grant roles/storage.objectCreator to " + SA,
            "grant roles/storage.objectViewer to " + SA,
            "revoke roles/storage.objectAdmin from " + SA + " (broader than needed)"),
        MemberRoles.changes(
            MemberRoles.held(policy, SA),
            Set.of("roles/storage.objectViewer", "roles/storage.objectCreator"),
            SA));
  }

  @Test
  void withExactly_keepsOtherMembers_dropsEmptyBindings_andLeavesConditionalOnesOut() {
    List<RoleBinding> next =
        MemberRoles.withExactly(
            policy, SA, Set.of("roles/storage.objectViewer", "roles/storage.objectCreator"));
    assertEquals(
        List.of(
            new RoleBinding("roles/storage.objectAdmin", List.of("user:dba@example.com"), false),
            new RoleBinding(
                "roles/storage.objectViewer", List.of("group:readers@example.com", SA), false),
            new RoleBinding("roles/storage.objectCreator", List.of(SA), false)),
        next);
    assertEquals(
        List.of(),
        MemberRoles.changes(
            MemberRoles.held(next, SA),
            Set.of("roles/storage.objectViewer", "roles/storage.objectCreator"),
            SA));
  }
}
