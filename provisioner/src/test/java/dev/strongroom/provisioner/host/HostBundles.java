package dev.strongroom.provisioner.host;

import dev.strongroom.provisioner.db.Dialect;
import java.time.Duration;

/** The option sets the golden files and the tool checks use. */
final class HostBundles {
  private HostBundles() {}

  /** Defaults: MariaDB, database on loopback only. */
  static HostOptions localMariaDb() {
    return HostOptions.builder().build();
  }

  /** MySQL 8.4, remote access from two IPv4 networks and one IPv6 network, other ports. */
  static HostOptions remoteMySql() {
    return HostOptions.builder()
        .dialect(Dialect.MYSQL_8_4)
        .allowRemote(true)
        .allowCidr("10.20.0.0/16")
        .allowCidr("192.0.2.0/24")
        .allowCidr("2001:db8:42::/48")
        .sshPort(2222)
        .dbPort(3406)
        .maxRetry(3)
        .banTime(Duration.ofHours(24))
        .verifyAuditEvery(Duration.ofMinutes(5))
        .build();
  }

  /** MariaDB with at-rest keys in Vault (the token file and CA placed by the operator). */
  static HostOptions vaultMariaDb() {
    return HostOptions.builder()
        .atRestKeys(HostOptions.AtRestKeys.VAULT)
        .vaultUrl(java.net.URI.create("https://vault.example.internal:8200/v1/strongroom"))
        .vaultCa(java.nio.file.Path.of("/etc/strongroom/db/vault-ca.pem"))
        .vaultTokenFile(java.nio.file.Path.of("/etc/strongroom/db/vault-token.cnf"))
        .build();
  }
}
