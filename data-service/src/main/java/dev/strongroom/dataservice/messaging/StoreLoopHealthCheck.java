package dev.strongroom.dataservice.messaging;

import dev.strongroom.dataservice.store.StoreLoop;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the store loop runs and its last Kafka transaction committed. */
@Readiness
@ApplicationScoped
public class StoreLoopHealthCheck implements HealthCheck {
  private final StoreService service;

  public StoreLoopHealthCheck(StoreService service) {
    this.service = service;
  }

  @Override
  public HealthCheckResponse call() {
    StoreLoop loop = service.loop();
    boolean up = loop != null && loop.healthy();
    return HealthCheckResponse.named("store-loop")
        .status(up)
        .withData("detail", loop == null ? "not started" : loop.problem())
        .build();
  }
}
