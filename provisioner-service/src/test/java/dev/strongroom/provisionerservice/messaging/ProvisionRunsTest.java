package dev.strongroom.provisionerservice.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Settings the service refuses at start, before a request could find them wrong. */
class ProvisionRunsTest {
  @Test
  void httpsVaultWithoutCa_isRefusedAtStart() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                ProvisionRuns.requireCaForHttps(
                    URI.create("https://vault.example:8200/v1/kv"), Optional.empty()));
    assertEquals(
        "strongroom.provisioner.vault.ca is required with an https"
            + " strongroom.provisioner.vault.url (https://vault.example:8200/v1/kv): it is the"
            + " only CA that verifies Vault's certificate",
        e.getMessage());
  }

  @Test
  void httpsVaultWithCa_andLoopbackHttp_areAccepted() {
    assertEquals(
        Path.of("/etc/ca.pem"),
        ProvisionRuns.requireCaForHttps(
            URI.create("https://vault.example:8200/v1/kv"), Optional.of(Path.of("/etc/ca.pem"))));
    assertNull(
        ProvisionRuns.requireCaForHttps(
            URI.create("http://127.0.0.1:8200/v1/kv"), Optional.empty()));
  }

  @Test
  void reencryptWaitReachingTheConsumerLimits_isRefusedAtStart() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                ProvisionRuns.requireReencryptWaitBelow(Duration.ofMinutes(14), 900_000, 900_000));
    assertEquals(
        "strongroom.provisioner.at-rest-reencrypt-wait PT14M must be positive and at most PT12M:"
            + " the request consumer's"
            + " mp.messaging.incoming.provision-requests.max.poll.interval.ms (900000) and"
            + " mp.messaging.incoming.provision-requests.throttled.unprocessed-record-max-age.ms"
            + " (900000) less PT3M for the rest of the run; a longer wait gets the consumer evicted"
            + " and the request redelivered into a concurrent run (applying again waits again"
            + " instead)",
        e.getMessage());
    assertThrows(
        IllegalStateException.class,
        () -> ProvisionRuns.requireReencryptWaitBelow(Duration.ofMinutes(10), 900_000, 600_000),
        "the smaller limit counts");
    assertThrows(
        IllegalStateException.class,
        () -> ProvisionRuns.requireReencryptWaitBelow(Duration.ZERO, 900_000, 900_000));
  }

  @Test
  void defaultReencryptWait_fitsTheDefaultLimits() {
    assertEquals(
        Duration.ofMinutes(10),
        ProvisionRuns.requireReencryptWaitBelow(Duration.ofMinutes(10), 900_000, 900_000));
    assertEquals(
        Duration.ofMinutes(12),
        ProvisionRuns.requireReencryptWaitBelow(Duration.ofMinutes(12), 900_000, 900_000));
  }
}
