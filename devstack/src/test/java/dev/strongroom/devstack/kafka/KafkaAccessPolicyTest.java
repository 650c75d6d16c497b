package dev.strongroom.devstack.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strongroom.provisioner.pki.PkiSpec;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.junit.jupiter.api.Test;

/**
 * What {@code ./strongroom revoke} adds on the broker: DENY of every operation for the principal on
 * every topic, group and transactional id and on the cluster — and nothing for the broker's super
 * user, which ACLs cannot refuse. The refusals themselves are asserted on a real stack ({@code
 * RevokeCommandIT}).
 */
class KafkaAccessPolicyTest {
  @Test
  void revocation_deniesEveryOperation_onEveryResourceType() {
    List<AclBinding> deny = KafkaAccessPolicy.revocation(PkiSpec.DEMO_APP);
    assertEquals(
        Set.of("TOPIC *", "GROUP *", "TRANSACTIONAL_ID *", "CLUSTER kafka-cluster"),
        deny.stream()
            .map(b -> b.pattern().resourceType() + " " + b.pattern().name())
            .collect(Collectors.toSet()));
    for (AclBinding b : deny) {
      assertEquals("User:demo-app", b.entry().principal());
      assertEquals("*", b.entry().host());
      assertEquals(AclOperation.ALL, b.entry().operation());
      assertEquals(AclPermissionType.DENY, b.entry().permissionType());
    }
  }

  @Test
  void theBrokersSuperUser_cannotBeRevokedByAcls() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> KafkaAccessPolicy.revocation(PkiSpec.KAFKA_BROKER));
    assertEquals("kafka-broker is the broker's super user: ACLs cannot refuse it", e.getMessage());
  }
}
