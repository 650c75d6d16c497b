package dev.strongroom.provisioner.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class HostOptionsTest {
  private static String refusal(Supplier<HostOptions> s) {
    return assertThrows(InvalidHostOptionException.class, s::get).detail();
  }

  @Test
  void defaults_areLoopbackOnly() {
    HostOptions o = HostOptions.builder().build();
    assertEquals(false, o.allowRemote());
    assertEquals(List.of(), o.allowedCidrs());
    assertEquals(22, o.sshPort());
    assertEquals(3306, o.dbPort());
    assertEquals(Path.of("/var/lib/strongroom/db/logs/error.log"), o.dbLayout().errorLog());
  }

  @Test
  void duplicateCidrs_collapse() {
    HostOptions o =
        HostOptions.builder()
            .allowRemote(true)
            .allowCidr("10.0.0.0/8")
            .allowCidr("10.0.0.0/8")
            .build();
    assertEquals(List.of(Cidr.parse("10.0.0.0/8")), o.allowedCidrs());
  }

  @Test
  void allowRemoteWithoutAllowlist_isRefused() {
    assertEquals(
        "allow-remote needs at least one allowed CIDR (the database port is never opened to"
            + " everyone)",
        refusal(() -> HostOptions.builder().allowRemote(true).build()));
  }

  @Test
  void allowlistWithoutAllowRemote_isRefused() {
    assertEquals(
        "allowed CIDRs given without allow-remote: the database listens on loopback only, so the"
            + " list would be ignored",
        refusal(() -> HostOptions.builder().allowCidr("10.0.0.0/8").build()));
  }

  @Test
  void wholeInternet_isRefused() {
    assertEquals(
        "allowed CIDR 0.0.0.0/0 is the whole Internet; list the networks that need the DB",
        refusal(() -> HostOptions.builder().allowRemote(true).allowCidr("0.0.0.0/0").build()));
    assertEquals(
        "allowed CIDR ::/0 is the whole Internet; list the networks that need the DB",
        refusal(() -> HostOptions.builder().allowRemote(true).allowCidr("::/0").build()));
  }

  @Test
  void badPortsUsersPathsAndDurations_areRefused() {
    assertEquals(
        "ssh-port must be 1..65535, not 0",
        refusal(() -> HostOptions.builder().sshPort(0).build()));
    assertEquals(
        "db-port must be 1..65535, not 70000",
        refusal(() -> HostOptions.builder().dbPort(70000).build()));
    assertEquals(
        "ssh-port and db-port are both 22",
        refusal(() -> HostOptions.builder().dbPort(22).build()));
    assertEquals(
        "service-user 'Root;rm' is not a portable system user name ([a-z_][a-z0-9_-]{0,30})",
        refusal(() -> HostOptions.builder().serviceUser("Root;rm").build()));
    assertEquals(
        "service-user and db-user must differ (the services never own the database's files)",
        refusal(() -> HostOptions.builder().dbUser("strongroom").build()));
    assertEquals(
        "config-dir must be an absolute normalized path: etc/strongroom",
        refusal(() -> HostOptions.builder().configDir(Path.of("etc/strongroom")).build()));
    assertEquals(
        "state-dir must be an absolute normalized path: /var/lib/../strongroom",
        refusal(() -> HostOptions.builder().stateDir(Path.of("/var/lib/../strongroom")).build()));
    assertEquals(
        "log-dir may hold only letters, digits, '/', '.', '_' and '-': /var/log/strong room",
        refusal(() -> HostOptions.builder().logDir(Path.of("/var/log/strong room")).build()));
    assertEquals(
        "max-retry must be 1..100, not 0",
        refusal(() -> HostOptions.builder().maxRetry(0).build()));
    assertEquals(
        "ban-time must be a positive whole number of seconds",
        refusal(() -> HostOptions.builder().banTime(Duration.ZERO).build()));
  }
}
