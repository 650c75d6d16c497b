package dev.strongroom.devstack.cli;

import dev.strongroom.provisioner.db.Dialect;
import dev.strongroom.provisioner.host.HostOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The seed installer's options as {@code ./strongroom provision} takes them (a picocli mixin);
 * {@link #toOptions()} validates them through {@link HostOptions.Builder#build()}. Durations are
 * ISO-8601 ({@code PT10M}).
 */
public final class HostOptionsMixin {
  @Option(
      names = "--allow-remote",
      description = "Open the database port beyond loopback, to --allow-cidr networks only.")
  boolean allowRemote;

  @Option(
      names = "--allow-cidr",
      split = ",",
      paramLabel = "CIDR",
      description = "A network allowed to reach the database (repeatable or comma-separated).")
  List<String> allowCidrs = new ArrayList<>();

  @Option(
      names = "--dialect",
      paramLabel = "DIALECT",
      description = "mariadb-10.11 (default) or mysql-8.4.")
  String dialect = Dialect.MARIADB_10_11.id();

  @Option(names = "--ssh-port", description = "SSH port the firewall opens (default 22).")
  int sshPort = 22;

  @Option(names = "--db-port", description = "Database port (default 3306).")
  int dbPort = 3306;

  @Option(names = "--service-user", description = "User the services run as (default strongroom).")
  String serviceUser = "strongroom";

  @Option(
      names = "--db-user",
      description = "User the database server runs as (default strongroom-db).")
  String dbUser = "strongroom-db";

  @Option(names = "--install-dir", description = "Jars (default /opt/strongroom).")
  Path installDir = Path.of("/opt/strongroom");

  @Option(
      names = "--config-dir",
      description = "PKI, keys, option files (default /etc/strongroom).")
  Path configDir = Path.of("/etc/strongroom");

  @Option(names = "--state-dir", description = "Database and WORM (default /var/lib/strongroom).")
  Path stateDir = Path.of("/var/lib/strongroom");

  @Option(names = "--log-dir", description = "Service logs (default /var/log/strongroom).")
  Path logDir = Path.of("/var/log/strongroom");

  @Option(names = "--max-retry", description = "fail2ban: failures before a ban (default 5).")
  int maxRetry = 5;

  @Option(names = "--find-time", description = "fail2ban: window for --max-retry (default PT10M).")
  Duration findTime = Duration.ofMinutes(10);

  @Option(names = "--ban-time", description = "fail2ban: ban length (default PT1H).")
  Duration banTime = Duration.ofHours(1);

  @Option(
      names = "--verify-audit-every",
      description = "Interval of the anchor check timer (default PT15M).")
  Duration verifyAuditEvery = Duration.ofMinutes(15);

  @Option(
      names = "--at-rest-keys",
      paramLabel = "file|vault",
      description =
          "Where the database's at-rest keys come from: file (default; a key file generated on"
              + " the host) or vault (MariaDB only; rotatable with --rotate-at-rest-keys).")
  String atRestKeys = HostOptions.AtRestKeys.FILE.id();

  @Option(
      names = "--vault-url",
      paramLabel = "URL",
      description = "With --at-rest-keys vault: the KV v2 mount, https://host[:port]/v1/<mount>.")
  String vaultUrl;

  @Option(
      names = "--vault-ca",
      paramLabel = "PATH",
      description = "With --at-rest-keys vault: the CA file on the host that verifies Vault.")
  Path vaultCa;

  @Option(
      names = "--vault-token-file",
      paramLabel = "PATH",
      description =
          "With --at-rest-keys vault: the option file on the host (placed by the operator,"
              + " root:<db-user> 0640) holding hashicorp_key_management_token=; never read here.")
  Path vaultTokenFile;

  /** The validated options; {@code InvalidHostOptionException} names a bad one. */
  public HostOptions toOptions() {
    Dialect d;
    try {
      d = Dialect.fromId(dialect);
    } catch (IllegalArgumentException e) {
      throw new dev.strongroom.provisioner.host.InvalidHostOptionException(e.getMessage());
    }
    HostOptions.Builder b =
        HostOptions.builder()
            .allowRemote(allowRemote)
            .dialect(d)
            .sshPort(sshPort)
            .dbPort(dbPort)
            .serviceUser(serviceUser)
            .dbUser(dbUser)
            .installDir(installDir)
            .configDir(configDir)
            .stateDir(stateDir)
            .logDir(logDir)
            .maxRetry(maxRetry)
            .findTime(findTime)
            .banTime(banTime)
            .verifyAuditEvery(verifyAuditEvery);
    allowCidrs.forEach(b::allowCidr);
    b.atRestKeys(HostOptions.AtRestKeys.fromId(atRestKeys));
    if (vaultUrl != null) {
      try {
        b.vaultUrl(java.net.URI.create(vaultUrl));
      } catch (IllegalArgumentException e) {
        throw new dev.strongroom.provisioner.host.InvalidHostOptionException(
            "vault-url is not a URL: " + vaultUrl);
      }
    }
    b.vaultCa(vaultCa).vaultTokenFile(vaultTokenFile);
    return b.build();
  }
}
