package dev.strongroom.auditanchor;

import dev.strongroom.devstack.testing.ServiceContract;
import dev.strongroom.devstack.testing.StrongroomTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.util.Optional;

/**
 * The packaged audit-anchor-service against a real broker: readiness, metrics, and the acceptance
 * rules from outside.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(
    value = StrongroomTestResource.class,
    initArgs = @ResourceArg(name = "service", value = "audit-anchor-service"),
    restrictToAnnotatedClass = true)
class AuditAnchorServiceIT extends ServiceContract {
  @Override
  protected Optional<String> inboundTopic() {
    return Optional.empty();
  }
}
