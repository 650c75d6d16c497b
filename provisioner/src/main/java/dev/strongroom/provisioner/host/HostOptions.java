package dev.strongroom.provisioner.host;

import dev.strongroom.provisioner.db.Dialect;
import dev.strongroom.provisioner.db.InstanceLayout;
import dev.strongroom.provisioner.db.ServerSettings;
import dev.strongroom.provisioner.db.TlsFiles;
import dev.strongroom.provisioner.db.VaultKeyManagement;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a host is provisioned with — the seed installer's options, validated. Built with {@link
 * #builder()}; every value is checked in {@link Builder#build()} and a bad one is an {@link
 * InvalidHostOptionException} naming it.
 *
 * <ul>
 *   <li>{@code allowRemote} (default false): the database listens beyond loopback and its port is
 *       opened to {@code allowedCidrs} only. Without it the allowlist must be empty (a list that
 *       would be silently ignored is refused); with it the list must not be empty, and {@code /0}
 *       (the whole Internet) is refused.
 *   <li>{@code dialect}: which server the units start ({@code mariadb-10.11} or {@code mysql-8.4}).
 *   <li>{@code sshPort} (22), {@code dbPort} (3306).
 *   <li>{@code serviceUser} ({@code strongroom}) runs the five services; {@code dbUser} ({@code
 *       strongroom-db}) runs the database server; both are system users without a login shell.
 *   <li>Paths: {@code installDir} (/opt/strongroom: jars), {@code configDir} (/etc/strongroom: PKI,
 *       event keys, option files), {@code stateDir} (/var/lib/strongroom: the database instance,
 *       WORM directory), {@code logDir} (/var/log/strongroom).
 *   <li>fail2ban: {@code maxRetry} (5) failures within {@code findTime} (10 min) ban for {@code
 *       banTime} (1 h).
 *   <li>{@code verifyAuditEvery} (15 min): how often the anchor check timer runs {@code
 *       verify-audit}.
 *   <li>{@code atRestKeys} ({@link AtRestKeys#FILE}): where the database's at-rest keys come from.
 *       With {@link AtRestKeys#VAULT} (MariaDB only: MySQL 8.4's Vault keyring is an Enterprise
 *       component), {@code vaultUrl} ({@code https://host[:port]/v1/<mount>}, the KV v2 mount),
 *       {@code vaultCa} (the CA file on the host that verifies Vault) and {@code vaultTokenFile}
 *       (the option file on the host, placed by the operator, whose {@code [mariadbd]} group holds
 *       {@code hashicorp_key_management_token=}) are all required; with {@code FILE} none may be
 *       given.
 * </ul>
 */
public final class HostOptions {
  private final boolean allowRemote;
  private final List<Cidr> allowedCidrs;
  private final Dialect dialect;
  private final int sshPort;
  private final int dbPort;
  private final String serviceUser;
  private final String dbUser;
  private final Path installDir;
  private final Path configDir;
  private final Path stateDir;
  private final Path logDir;
  private final int maxRetry;
  private final Duration findTime;
  private final Duration banTime;
  private final Duration verifyAuditEvery;
  private final AtRestKeys atRestKeys;
  private final URI vaultUrl;
  private final Path vaultCa;
  private final Path vaultTokenFile;

  /** Where the database's at-rest keys come from. */
  public enum AtRestKeys {
    /**
     * {@code file_key_management}: a key file the host plan's {@code db keyring} step generates.
     */
    FILE("file"),
    /**
     * {@code hashicorp_key_management}: versioned keys in a Vault KV v2 mount, rotatable in place
     * by {@code AtRestKeyPlan}.
     */
    VAULT("vault");

    private final String id;

    AtRestKeys(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }

    /**
     * The choice named {@code id} ({@code file} or {@code vault}).
     *
     * @throws InvalidHostOptionException for any other name
     */
    public static AtRestKeys fromId(String id) {
      for (AtRestKeys k : values()) {
        if (k.id.equals(id)) {
          return k;
        }
      }
      throw new InvalidHostOptionException("at-rest-keys must be file or vault, not '" + id + "'");
    }
  }

  private HostOptions(Builder b) {
    this.allowRemote = b.allowRemote;
    this.allowedCidrs = List.copyOf(new LinkedHashSet<>(b.allowedCidrs));
    this.dialect = b.dialect;
    this.sshPort = b.sshPort;
    this.dbPort = b.dbPort;
    this.serviceUser = b.serviceUser;
    this.dbUser = b.dbUser;
    this.installDir = b.installDir;
    this.configDir = b.configDir;
    this.stateDir = b.stateDir;
    this.logDir = b.logDir;
    this.maxRetry = b.maxRetry;
    this.findTime = b.findTime;
    this.banTime = b.banTime;
    this.verifyAuditEvery = b.verifyAuditEvery;
    this.atRestKeys = b.atRestKeys;
    this.vaultUrl = b.vaultUrl;
    this.vaultCa = b.vaultCa;
    this.vaultTokenFile = b.vaultTokenFile;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these values (to change one). */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.allowRemote = allowRemote;
    b.allowedCidrs.addAll(allowedCidrs);
    b.dialect = dialect;
    b.sshPort = sshPort;
    b.dbPort = dbPort;
    b.serviceUser = serviceUser;
    b.dbUser = dbUser;
    b.installDir = installDir;
    b.configDir = configDir;
    b.stateDir = stateDir;
    b.logDir = logDir;
    b.maxRetry = maxRetry;
    b.findTime = findTime;
    b.banTime = banTime;
    b.verifyAuditEvery = verifyAuditEvery;
    b.atRestKeys = atRestKeys;
    b.vaultUrl = vaultUrl;
    b.vaultCa = vaultCa;
    b.vaultTokenFile = vaultTokenFile;
    return b;
  }

  public boolean allowRemote() {
    return allowRemote;
  }

  public List<Cidr> allowedCidrs() {
    return allowedCidrs;
  }

  public Dialect dialect() {
    return dialect;
  }

  public int sshPort() {
    return sshPort;
  }

  public int dbPort() {
    return dbPort;
  }

  public String serviceUser() {
    return serviceUser;
  }

  public String dbUser() {
    return dbUser;
  }

  public Path installDir() {
    return installDir;
  }

  public Path configDir() {
    return configDir;
  }

  public Path stateDir() {
    return stateDir;
  }

  public Path logDir() {
    return logDir;
  }

  public int maxRetry() {
    return maxRetry;
  }

  public Duration findTime() {
    return findTime;
  }

  public Duration banTime() {
    return banTime;
  }

  public Duration verifyAuditEvery() {
    return verifyAuditEvery;
  }

  public AtRestKeys atRestKeys() {
    return atRestKeys;
  }

  /**
   * The Vault-held at-rest key configuration ({@code hashicorp_key_management}, the token included
   * from {@code vaultTokenFile}), present with {@link AtRestKeys#VAULT} only.
   */
  public Optional<VaultKeyManagement> vault() {
    if (atRestKeys != AtRestKeys.VAULT) {
      return Optional.empty();
    }
    return Optional.of(
        VaultKeyManagement.withTokenFile(vaultUrl, vaultTokenFile, vaultCa, VAULT_CACHE_MS));
  }

  /**
   * How long the server trusts a cached latest key version, in milliseconds of server CPU time (the
   * plugin measures it with {@code clock()}): short, so an idle server notices a rotation's new
   * versions promptly; the lookup is one small Vault read per key.
   */
  static final int VAULT_CACHE_MS = 1_000;

  /** The database instance's files on the host ({@code <stateDir>/db}). */
  public InstanceLayout dbLayout() {
    return new InstanceLayout(stateDir.resolve("db"));
  }

  /**
   * The database server's settings on the host: the embedded instance's hardening ({@link
   * ServerSettings}'s defaults) with the host's paths, port and TLS files, listening on loopback
   * only or, with remote access, on every address (the firewall admitting the allowlist only), and
   * the Vault key management when the at-rest keys are Vault's. One source for the option file
   * ({@code HostBundleRenderer}) and for the accounts' connection limit ({@code db schema}).
   */
  public ServerSettings dbSettings() {
    return ServerSettings.builder(dialect, dbLayout(), dbTlsFiles())
        .port(dbPort)
        .bindAddress(allowRemote ? "*" : "127.0.0.1")
        .vault(vault().orElse(null))
        .build();
  }

  /**
   * The tenant authority's key file on the host ({@code <configDir>/keys/tenant-token.key},
   * docs/tenant-tokens.md): the services that verify tokens read it ({@code
   * strongroom.crypto.tenant-token-key}, {@code strongroom.proof.tenant-token-key}) and the host
   * plan's {@code db schema} step installs its keys into the database.
   */
  public Path tenantTokenKeyFile() {
    return configDir.resolve("keys").resolve("tenant-token.key");
  }

  /** The database server's option file on the host. */
  public Path dbOptionFile() {
    return configDir.resolve("db").resolve("my.cnf");
  }

  /**
   * MySQL 8.4's init file on the host ({@code <configDir>/db/init.sql}): the SQL the {@code
   * strongroom-db} unit has the server run at every start ({@code mysqld --init-file=}).
   */
  public Path dbInitFile() {
    return configDir.resolve("db").resolve("init.sql");
  }

  /**
   * The database server's TLS files where {@code CertificatePlan} installs them: {@code
   * <configDir>/pki/ca/ca.pem}, {@code pki/server/server.pem}, {@code pki/server/server.key},
   * {@code pki/ca/crl.pem}.
   */
  public TlsFiles dbTlsFiles() {
    Path pki = configDir.resolve("pki");
    return new TlsFiles(
        pki.resolve("ca/ca.pem"),
        pki.resolve("server/server.pem"),
        pki.resolve("server/server.key"),
        pki.resolve("ca/crl.pem"));
  }

  public static final class Builder {
    private boolean allowRemote;
    private final List<Cidr> allowedCidrs = new ArrayList<>();
    private Dialect dialect = Dialect.MARIADB_10_11;
    private int sshPort = 22;
    private int dbPort = 3306;
    private String serviceUser = "strongroom";
    private String dbUser = "strongroom-db";
    private Path installDir = Path.of("/opt/strongroom");
    private Path configDir = Path.of("/etc/strongroom");
    private Path stateDir = Path.of("/var/lib/strongroom");
    private Path logDir = Path.of("/var/log/strongroom");
    private int maxRetry = 5;
    private Duration findTime = Duration.ofMinutes(10);
    private Duration banTime = Duration.ofHours(1);
    private Duration verifyAuditEvery = Duration.ofMinutes(15);
    private AtRestKeys atRestKeys = AtRestKeys.FILE;
    private URI vaultUrl;
    private Path vaultCa;
    private Path vaultTokenFile;

    private Builder() {}

    public Builder atRestKeys(AtRestKeys v) {
      this.atRestKeys = Objects.requireNonNull(v);
      return this;
    }

    public Builder vaultUrl(URI v) {
      this.vaultUrl = v;
      return this;
    }

    public Builder vaultCa(Path v) {
      this.vaultCa = v;
      return this;
    }

    public Builder vaultTokenFile(Path v) {
      this.vaultTokenFile = v;
      return this;
    }

    public Builder allowRemote(boolean v) {
      this.allowRemote = v;
      return this;
    }

    /** Adds a network to the database allowlist (strictly parsed, see {@link Cidr}). */
    public Builder allowCidr(String cidr) {
      this.allowedCidrs.add(Cidr.parse(cidr));
      return this;
    }

    public Builder allowCidr(Cidr cidr) {
      this.allowedCidrs.add(Objects.requireNonNull(cidr));
      return this;
    }

    public Builder dialect(Dialect v) {
      this.dialect = Objects.requireNonNull(v);
      return this;
    }

    public Builder sshPort(int v) {
      this.sshPort = v;
      return this;
    }

    public Builder dbPort(int v) {
      this.dbPort = v;
      return this;
    }

    public Builder serviceUser(String v) {
      this.serviceUser = v;
      return this;
    }

    public Builder dbUser(String v) {
      this.dbUser = v;
      return this;
    }

    public Builder installDir(Path v) {
      this.installDir = v;
      return this;
    }

    public Builder configDir(Path v) {
      this.configDir = v;
      return this;
    }

    public Builder stateDir(Path v) {
      this.stateDir = v;
      return this;
    }

    public Builder logDir(Path v) {
      this.logDir = v;
      return this;
    }

    public Builder maxRetry(int v) {
      this.maxRetry = v;
      return this;
    }

    public Builder findTime(Duration v) {
      this.findTime = v;
      return this;
    }

    public Builder banTime(Duration v) {
      this.banTime = v;
      return this;
    }

    public Builder verifyAuditEvery(Duration v) {
      this.verifyAuditEvery = v;
      return this;
    }

    public HostOptions build() {
      if (allowRemote && allowedCidrs.isEmpty()) {
        throw new InvalidHostOptionException(
            "allow-remote needs at least one allowed CIDR (the database port is never opened to"
                + " everyone)");
      }
      if (!allowRemote && !allowedCidrs.isEmpty()) {
        throw new InvalidHostOptionException(
            "allowed CIDRs given without allow-remote: the database listens on loopback only, so"
                + " the list would be ignored");
      }
      for (Cidr c : allowedCidrs) {
        if (c.prefixLength() == 0) {
          throw new InvalidHostOptionException(
              "allowed CIDR " + c + " is the whole Internet; list the networks that need the DB");
        }
      }
      port("ssh-port", sshPort);
      port("db-port", dbPort);
      if (sshPort == dbPort) {
        throw new InvalidHostOptionException("ssh-port and db-port are both " + sshPort);
      }
      user("service-user", serviceUser);
      user("db-user", dbUser);
      if (serviceUser.equals(dbUser)) {
        throw new InvalidHostOptionException(
            "service-user and db-user must differ (the services never own the database's files)");
      }
      absolute("install-dir", installDir);
      absolute("config-dir", configDir);
      absolute("state-dir", stateDir);
      absolute("log-dir", logDir);
      if (maxRetry < 1 || maxRetry > 100) {
        throw new InvalidHostOptionException("max-retry must be 1..100, not " + maxRetry);
      }
      positiveSeconds("find-time", findTime);
      positiveSeconds("ban-time", banTime);
      positiveSeconds("verify-audit-every", verifyAuditEvery);
      checkAtRestKeys();
      return new HostOptions(this);
    }

    private void checkAtRestKeys() {
      if (atRestKeys == AtRestKeys.FILE) {
        if (vaultUrl != null || vaultCa != null || vaultTokenFile != null) {
          throw new InvalidHostOptionException(
              "vault-url, vault-ca and vault-token-file need at-rest-keys vault (with file the"
                  + " keys come from the host's key file and they would be ignored)");
        }
        return;
      }
      if (dialect != Dialect.MARIADB_10_11) {
        throw new InvalidHostOptionException(
            "at-rest-keys vault needs mariadb-10.11: MySQL 8.4's Vault keyring"
                + " (component_keyring_hashicorp) is a MySQL Enterprise component, and"
                + " community MySQL 8.4 has component_keyring_file only");
      }
      if (vaultUrl == null || vaultCa == null || vaultTokenFile == null) {
        throw new InvalidHostOptionException(
            "at-rest-keys vault needs vault-url, vault-ca and vault-token-file");
      }
      checkVaultUrl(vaultUrl);
      absolute("vault-ca", vaultCa);
      absolute("vault-token-file", vaultTokenFile);
      if (vaultCa.equals(vaultTokenFile)) {
        throw new InvalidHostOptionException("vault-ca and vault-token-file are the same file");
      }
    }

    /**
     * https only (a host's server sends its token to Vault; plain http is for the embedded instance
     * on loopback), a host, no user info, query or fragment, and the path {@code /v1/<mount>}: one
     * or more segments of letters, digits, '.', '_' and '-', no trailing '/'.
     */
    private static void checkVaultUrl(URI u) {
      if (!"https".equals(u.getScheme())) {
        throw new InvalidHostOptionException("vault-url must be https: " + u);
      }
      if (u.getHost() == null
          || u.getRawUserInfo() != null
          || u.getRawQuery() != null
          || u.getRawFragment() != null) {
        throw new InvalidHostOptionException(
            "vault-url must be https://host[:port]/v1/<mount> with no user, query or fragment: "
                + u);
      }
      String path = u.getRawPath();
      if (path == null || !path.matches("/v1(/[A-Za-z0-9_-][A-Za-z0-9._-]*)+")) {
        throw new InvalidHostOptionException(
            "vault-url path must be /v1/<mount> (the KV v2 mount, no trailing '/'): " + u);
      }
    }

    private static void port(String name, int p) {
      if (p < 1 || p > 65535) {
        throw new InvalidHostOptionException(name + " must be 1..65535, not " + p);
      }
    }

    private static void user(String name, String u) {
      if (u == null || !u.matches("[a-z_][a-z0-9_-]{0,30}")) {
        throw new InvalidHostOptionException(
            name + " '" + u + "' is not a portable system user name ([a-z_][a-z0-9_-]{0,30})");
      }
    }

    private static void absolute(String name, Path p) {
      if (p == null || !p.isAbsolute() || !p.normalize().equals(p)) {
        throw new InvalidHostOptionException(name + " must be an absolute normalized path: " + p);
      }
      String s = p.toString();
      if (!s.matches("[A-Za-z0-9/._-]+")) {
        throw new InvalidHostOptionException(
            name + " may hold only letters, digits, '/', '.', '_' and '-': " + s);
      }
    }

    private static void positiveSeconds(String name, Duration d) {
      if (d == null || d.isNegative() || d.isZero() || d.toNanosPart() != 0) {
        throw new InvalidHostOptionException(name + " must be a positive whole number of seconds");
      }
    }
  }
}
