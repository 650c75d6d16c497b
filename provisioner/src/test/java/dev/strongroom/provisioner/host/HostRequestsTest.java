package dev.strongroom.provisioner.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.provision.ProvisionRequest;
import dev.strongroom.provisioner.db.Dialect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Host options survive the request form; a request's options are validated like the command's. */
class HostRequestsTest {
  @Test
  void options_roundTripThroughTheRequest_renderingTheSameBundle() {
    HostOptions o =
        HostOptions.builder()
            .allowRemote(true)
            .allowCidr("10.20.0.0/16")
            .allowCidr("2001:db8::/48")
            .dialect(Dialect.MYSQL_8_4)
            .sshPort(2222)
            .dbPort(3307)
            .configDir(Path.of("/etc/sr"))
            .banTime(Duration.ofMinutes(90))
            .build();
    HostOptions back = HostRequests.fromRequest(HostRequests.toRequest(o));
    assertEquals(
        HostBundleRenderer.render(o).manifest(), HostBundleRenderer.render(back).manifest());
    assertEquals(
        List.of("10.20.0.0/16", "2001:db8::/48"), HostRequests.toRequest(o).allowedCidrs());
  }

  @Test
  void aRequestTheCommandWouldRefuse_isRefusedTheSameWay() {
    ProvisionRequest.Host h = HostRequests.toRequest(HostOptions.builder().build());
    ProvisionRequest.Host wide =
        new ProvisionRequest.Host(
            true,
            List.of("0.0.0.0/0"),
            h.dialect(),
            h.sshPort(),
            h.dbPort(),
            h.serviceUser(),
            h.dbUser(),
            h.installDir(),
            h.configDir(),
            h.stateDir(),
            h.logDir(),
            h.maxRetry(),
            h.findTime(),
            h.banTime(),
            h.verifyAuditEvery());
    InvalidHostOptionException e =
        assertThrows(InvalidHostOptionException.class, () -> HostRequests.fromRequest(wide));
    assertEquals(ErrorCode.SCHEMA, e.code());
    assertEquals(
        "allowed CIDR 0.0.0.0/0 is the whole Internet; list the networks that need the DB",
        e.detail());
  }

  @Test
  void vaultOptions_roundTripThroughTheRequest_andAFileHostsRequestOmitsThem() {
    HostOptions o = HostBundles.vaultMariaDb();
    ProvisionRequest.Host h = HostRequests.toRequest(o);
    assertEquals("vault", h.atRestKeys());
    assertEquals("/etc/strongroom/db/vault-token.cnf", h.vaultTokenFile());
    HostOptions back = HostRequests.fromRequest(h);
    assertEquals(
        HostBundleRenderer.render(o).manifest(), HostBundleRenderer.render(back).manifest());
    ProvisionRequest.Host file = HostRequests.toRequest(HostOptions.builder().build());
    assertEquals(null, file.atRestKeys());
    assertEquals(null, file.vaultUrl());
  }
}
