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

  private static HostOptions.Builder vault() {
    return HostOptions.builder()
        .atRestKeys(HostOptions.AtRestKeys.VAULT)
        .vaultUrl(java.net.URI.create("https://vault.example:8200/v1/strongroom"))
        .vaultCa(Path.of("/etc/strongroom/db/vault-ca.pem"))
        .vaultTokenFile(Path.of("/etc/strongroom/db/vault-token.cnf"));
  }

  @Test
  void vault_rendersTheTokenFileVariant_ofTheEmbeddedInstancesVaultSettings() {
    HostOptions o = vault().build();
    dev.strongroom.provisioner.db.VaultKeyManagement v = o.vault().orElseThrow();
    assertEquals(java.net.URI.create("https://vault.example:8200/v1/strongroom"), v.url());
    assertEquals(null, v.token());
    assertEquals(Path.of("/etc/strongroom/db/vault-token.cnf"), v.tokenFile());
    assertEquals(Path.of("/etc/strongroom/db/vault-ca.pem"), v.caFile());
    assertEquals(java.util.Optional.empty(), HostOptions.builder().build().vault());
    assertEquals(o.vault(), o.toBuilder().build().vault());
  }

  @Test
  void vaultOptionsWithoutVault_areRefused() {
    String why =
        "vault-url, vault-ca and vault-token-file need at-rest-keys vault (with file the keys"
            + " come from the host's key file and they would be ignored)";
    assertEquals(why, refusal(() -> vault().atRestKeys(HostOptions.AtRestKeys.FILE).build()));
    assertEquals(
        why, refusal(() -> HostOptions.builder().vaultTokenFile(Path.of("/etc/t.cnf")).build()));
  }

  @Test
  void vault_withMySql_isRefused() {
    assertEquals(
        "at-rest-keys vault needs mariadb-10.11: MySQL 8.4's Vault keyring"
            + " (component_keyring_hashicorp) is a MySQL Enterprise component, and community"
            + " MySQL 8.4 has component_keyring_file only",
        refusal(() -> vault().dialect(dev.strongroom.provisioner.db.Dialect.MYSQL_8_4).build()));
  }

  @Test
  void vault_withoutEveryVaultOption_isRefused() {
    String why = "at-rest-keys vault needs vault-url, vault-ca and vault-token-file";
    assertEquals(why, refusal(() -> vault().vaultUrl(null).build()));
    assertEquals(why, refusal(() -> vault().vaultCa(null).build()));
    assertEquals(why, refusal(() -> vault().vaultTokenFile(null).build()));
  }

  @Test
  void vaultUrl_mustBeHttpsToAMount() {
    assertEquals(
        "vault-url must be https: http://127.0.0.1:8200/v1/strongroom",
        refusal(
            () ->
                vault()
                    .vaultUrl(java.net.URI.create("http://127.0.0.1:8200/v1/strongroom"))
                    .build()));
    for (String bad :
        List.of(
            "https://vault:8200/strongroom",
            "https://vault:8200/v1",
            "https://vault:8200/v1/",
            "https://vault:8200/v1/strongroom/",
            "https://vault:8200/v1/../sys",
            "https://vault:8200/v1/a/./b")) {
      assertEquals(
          "vault-url path must be /v1/<mount> (the KV v2 mount, no trailing '/'): " + bad,
          refusal(() -> vault().vaultUrl(java.net.URI.create(bad)).build()),
          bad);
    }
    for (String bad :
        List.of(
            "https://user@vault:8200/v1/strongroom",
            "https://vault:8200/v1/strongroom?x=1",
            "https://vault:8200/v1/strongroom#f")) {
      assertEquals(
          "vault-url must be https://host[:port]/v1/<mount> with no user, query or fragment: "
              + bad,
          refusal(() -> vault().vaultUrl(java.net.URI.create(bad)).build()),
          bad);
    }
    assertEquals(
        "https://vault:8200/v1/kv/strongroom",
        vault()
            .vaultUrl(java.net.URI.create("https://vault:8200/v1/kv/strongroom"))
            .build()
            .vault()
            .orElseThrow()
            .url()
            .toString());
  }

  @Test
  void vaultFiles_mustBeAbsoluteDistinctPaths() {
    assertEquals(
        "vault-ca must be an absolute normalized path: ca.pem",
        refusal(() -> vault().vaultCa(Path.of("ca.pem")).build()));
    assertEquals(
        "vault-token-file must be an absolute normalized path: /etc/../t.cnf",
        refusal(() -> vault().vaultTokenFile(Path.of("/etc/../t.cnf")).build()));
    assertEquals(
        "vault-token-file may hold only letters, digits, '/', '.', '_' and '-': /etc/t k.cnf",
        refusal(() -> vault().vaultTokenFile(Path.of("/etc/t k.cnf")).build()));
    assertEquals(
        "vault-ca and vault-token-file are the same file",
        refusal(() -> vault().vaultCa(Path.of("/etc/strongroom/db/vault-token.cnf")).build()));
  }

  @Test
  void atRestKeys_fromId() {
    assertEquals(HostOptions.AtRestKeys.VAULT, HostOptions.AtRestKeys.fromId("vault"));
    assertEquals(HostOptions.AtRestKeys.FILE, HostOptions.AtRestKeys.fromId("file"));
    assertEquals(
        "at-rest-keys must be file or vault, not 'kms'",
        assertThrows(InvalidHostOptionException.class, () -> HostOptions.AtRestKeys.fromId("kms"))
            .detail());
  }
}
