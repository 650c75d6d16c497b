package dev.strongroom.contracts.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.alert.AlertKind;
import dev.strongroom.contracts.alert.SecurityAlert;
import dev.strongroom.contracts.alert.Severity;
import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.EventVerifier;
import dev.strongroom.contracts.envelope.ReplayGuard;
import dev.strongroom.contracts.keys.KeyRegistry;
import dev.strongroom.contracts.schema.EventCatalog;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/** A small world for envelope tests: a registry, a signer per source, a movable clock. */
public final class Fixture {
  public static final String SERVICE = "/strongroom/data-service";
  public static final String ALERT = EventCatalog.SECURITY_ALERT.type();

  public final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T09:00:00Z"));
  public final KeyRegistry registry =
      KeyRegistry.of(
          List.of(
              TestKeys.entry("data-service", SERVICE, List.of(ALERT)),
              TestKeys.entry("crypto-service", "/strongroom/crypto-service", List.of(ALERT)),
              KeyRegistry.entry(
                  TestKeys.key("expired"),
                  "/strongroom/proof-service",
                  List.of(ALERT),
                  Instant.parse("2020-01-01T00:00:00Z"),
                  Instant.parse("2021-01-01T00:00:00Z"))));
  public final EventSigner signer = new EventSigner(TestKeys.key("data-service"), SERVICE, clock);
  public final ReplayGuard replayGuard = ReplayGuard.forSkew(EventVerifier.DEFAULT_SKEW, clock);
  public final EventVerifier verifier =
      new EventVerifier(
          registry, EventCatalog.standard(), EventVerifier.DEFAULT_SKEW, clock, replayGuard);

  public static ObjectNode alertData() {
    return new SecurityAlert(AlertKind.STALE, Severity.MEDIUM, "a test alert", Map.of("offset", 1L))
        .toData();
  }

  public byte[] validAlert() {
    return signer.sign(EventCatalog.SECURITY_ALERT, null, alertData()).bytes();
  }

  /** A clock tests can move. */
  public static final class MutableClock extends Clock {
    private Instant now;

    public MutableClock(Instant now) {
      this.now = now;
    }

    public void advance(java.time.Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
