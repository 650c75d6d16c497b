package dev.strongroom.provisionerservice.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.nio.file.Path;
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
}
