package dev.strongroom.cloud.gcp.setup;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The roles one member holds in an IAM policy, and the policy with exactly the wanted roles for
 * that member: missing roles granted, any other role of that member on the resource revoked (it
 * would be broader than needed). Conditional bindings are not touched.
 */
final class MemberRoles {
  private MemberRoles() {}

  /** A binding of either client's policy type, reduced to what we compare. */
  record RoleBinding(String role, List<String> members, boolean conditional) {
    RoleBinding {
      members = List.copyOf(members);
    }
  }

  /** The unconditional roles {@code member} holds. */
  static Set<String> held(List<RoleBinding> bindings, String member) {
    Set<String> roles = new TreeSet<>();
    for (RoleBinding b : bindings) {
      if (!b.conditional() && b.members().contains(member)) {
        roles.add(b.role());
      }
    }
    return roles;
  }

  /** One line per grant and revocation that would give {@code member} exactly {@code wanted}. */
  static List<String> changes(Set<String> held, Set<String> wanted, String member) {
    List<String> lines = new ArrayList<>();
    for (String r : new TreeSet<>(wanted)) {
      if (!held.contains(r)) {
        lines.add("grant " + r + " to " + member);
      }
    }
    for (String r : held) {
      if (!wanted.contains(r)) {
        lines.add("revoke " + r + " from " + member + " (broader than needed)");
      }
    }
    return lines;
  }

  /**
   * The unconditional bindings with {@code member} holding exactly {@code wanted}; conditional
   * bindings are not returned (the writer keeps the policy's own).
   */
  static List<RoleBinding> withExactly(
      List<RoleBinding> bindings, String member, Set<String> wanted) {
    List<RoleBinding> out = new ArrayList<>();
    Set<String> granted = new TreeSet<>();
    for (RoleBinding b : bindings) {
      if (b.conditional()) {
        continue;
      }
      Set<String> members = new LinkedHashSet<>(b.members());
      if (wanted.contains(b.role())) {
        members.add(member);
        granted.add(b.role());
      } else {
        members.remove(member);
      }
      if (!members.isEmpty()) {
        out.add(new RoleBinding(b.role(), List.copyOf(members), false));
      }
    }
    for (String r : new TreeSet<>(wanted)) {
      if (!granted.contains(r)) {
        out.add(new RoleBinding(r, List.of(member), false));
      }
    }
    return out;
  }
}
