package dev.strongroom.provisioner.db;

import java.util.Objects;
import java.util.Optional;

/**
 * Everything the option file depends on. Immutable; build with {@link #builder(Dialect,
 * InstanceLayout, TlsFiles)}. The hardening itself (TLS 1.3 only, the two suites, strict SQL mode,
 * encryption everywhere…) is not configurable: {@link OptionFileRenderer} always writes it.
 */
public final class ServerSettings {
  /** The only TLS 1.3 suites a client may negotiate (OpenSSL names, colon-separated). */
  public static final String TLS13_SUITES = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

  /** Strict mode and its companions; the same list for both dialects. */
  public static final String SQL_MODE =
      "STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
          + "NO_ENGINE_SUBSTITUTION,ONLY_FULL_GROUP_BY";

  private final Dialect dialect;
  private final InstanceLayout layout;
  private final TlsFiles tls;
  private final int port;
  private final String bindAddress;
  private final Optional<String> osUser;
  private final int serverId;
  private final int maxConnections;
  private final int maxUserConnections;
  private final int maxConnectErrors;
  private final int bufferPoolMb;
  private final int redoLogMb;
  private final int encryptionThreads;
  private final Optional<VaultKeyManagement> vault;

  private ServerSettings(Builder b) {
    this.dialect = b.dialect;
    this.layout = b.layout;
    this.tls = b.tls;
    this.port = b.port;
    this.bindAddress = b.bindAddress;
    this.osUser = b.osUser;
    this.serverId = b.serverId;
    this.maxConnections = b.maxConnections;
    this.maxUserConnections = b.maxUserConnections;
    this.maxConnectErrors = b.maxConnectErrors;
    this.bufferPoolMb = b.bufferPoolMb;
    this.redoLogMb = b.redoLogMb;
    this.encryptionThreads = b.encryptionThreads;
    this.vault = b.vault;
    if (!bindAddress.equals("127.0.0.1")
        && !bindAddress.equals("0.0.0.0")
        && !bindAddress.equals("*")) {
      throw new IllegalArgumentException(
          "bind address is 127.0.0.1 (default), 0.0.0.0 (a private container network) or *"
              + " (every IPv4 and IPv6 address of a host whose firewall holds the allowlist)");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range (0 = choose a free one): " + port);
    }
    if (vault.isPresent() && dialect != Dialect.MARIADB_10_11) {
      throw new IllegalArgumentException("Vault key management is rendered for MariaDB only");
    }
    if (maxUserConnections > maxConnections) {
      throw new IllegalArgumentException("maxUserConnections exceeds maxConnections");
    }
    int socketLen =
        layout.socket().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (socketLen > 107) {
      throw new IllegalArgumentException(
          "socket path is " + socketLen + " bytes; Unix sockets allow 107: " + layout.socket());
    }
  }

  public static Builder builder(Dialect dialect, InstanceLayout layout, TlsFiles tls) {
    return new Builder(dialect, layout, tls);
  }

  public Dialect dialect() {
    return dialect;
  }

  public InstanceLayout layout() {
    return layout;
  }

  public TlsFiles tls() {
    return tls;
  }

  /** The loopback TCP port; 0 until {@link MariaDbInstance#prepare} chose one. */
  /**
   * The address the server listens on: 127.0.0.1 (default; the devstack and tests); in a container
   * whose network is private to the stack, 0.0.0.0 with no published port; on a host provisioned
   * with remote access, {@code *} (every IPv4 and IPv6 address: the host bundle's firewall opens
   * the port to the allowlist only).
   */
  public String bindAddress() {
    return bindAddress;
  }

  public int port() {
    return port;
  }

  /** {@code user=} for the server when it is started by root; empty otherwise. */
  public Optional<String> osUser() {
    return osUser;
  }

  public int serverId() {
    return serverId;
  }

  public int maxConnections() {
    return maxConnections;
  }

  public int maxUserConnections() {
    return maxUserConnections;
  }

  public int maxConnectErrors() {
    return maxConnectErrors;
  }

  public int bufferPoolMb() {
    return bufferPoolMb;
  }

  public int redoLogMb() {
    return redoLogMb;
  }

  public int encryptionThreads() {
    return encryptionThreads;
  }

  /** Vault-held at-rest keys; empty means the local {@code file_key_management} keyring. */
  public Optional<VaultKeyManagement> vault() {
    return vault;
  }

  /** Copy with another port (a start retry after the port was taken). */
  public ServerSettings withPort(int newPort) {
    Builder b = toBuilder();
    b.port = newPort;
    return b.build();
  }

  /** Copy with another {@code user=} line (root must name the user the server runs as). */
  public ServerSettings withOsUser(String user) {
    Builder b = toBuilder();
    b.osUser(user);
    return b.build();
  }

  private Builder toBuilder() {
    Builder b = new Builder(dialect, layout, tls);
    b.port = port;
    b.bindAddress = bindAddress;
    b.osUser = osUser;
    b.serverId = serverId;
    b.maxConnections = maxConnections;
    b.maxUserConnections = maxUserConnections;
    b.maxConnectErrors = maxConnectErrors;
    b.bufferPoolMb = bufferPoolMb;
    b.redoLogMb = redoLogMb;
    b.encryptionThreads = encryptionThreads;
    b.vault = vault;
    return b;
  }

  /**
   * Builder. Defaults: port 3307, server id 1, 100 connections, 25 per user, 10 connect errors
   * before a host is blocked, 64 MiB buffer pool, 48 MiB redo log, 2 encryption threads.
   */
  public static final class Builder {
    private final Dialect dialect;
    private final InstanceLayout layout;
    private final TlsFiles tls;
    private int port = 3307;
    private String bindAddress = "127.0.0.1";
    private Optional<String> osUser = Optional.empty();
    private int serverId = 1;
    private int maxConnections = 100;
    private int maxUserConnections = 25;
    private int maxConnectErrors = 10;
    private int bufferPoolMb = 64;
    private int redoLogMb = 48;
    private int encryptionThreads = 2;
    private Optional<VaultKeyManagement> vault = Optional.empty();

    private Builder(Dialect dialect, InstanceLayout layout, TlsFiles tls) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
      this.layout = Objects.requireNonNull(layout, "layout");
      this.tls = Objects.requireNonNull(tls, "tls");
    }

    /** See {@link ServerSettings#bindAddress()}. */
    public Builder bindAddress(String v) {
      this.bindAddress = java.util.Objects.requireNonNull(v, "bindAddress");
      return this;
    }

    public Builder port(int v) {
      this.port = v;
      return this;
    }

    public Builder osUser(String v) {
      if (v != null && !v.matches("[a-z_][a-z0-9_\\-]{0,31}")) {
        throw new IllegalArgumentException("not an OS user name: " + v);
      }
      this.osUser = Optional.ofNullable(v);
      return this;
    }

    public Builder serverId(int v) {
      this.serverId = atLeast(1, v, "serverId");
      return this;
    }

    public Builder maxConnections(int v) {
      this.maxConnections = atLeast(10, v, "maxConnections");
      return this;
    }

    public Builder maxUserConnections(int v) {
      this.maxUserConnections = atLeast(1, v, "maxUserConnections");
      return this;
    }

    public Builder maxConnectErrors(int v) {
      this.maxConnectErrors = atLeast(1, v, "maxConnectErrors");
      return this;
    }

    public Builder bufferPoolMb(int v) {
      this.bufferPoolMb = atLeast(16, v, "bufferPoolMb");
      return this;
    }

    public Builder redoLogMb(int v) {
      this.redoLogMb = atLeast(8, v, "redoLogMb");
      return this;
    }

    public Builder encryptionThreads(int v) {
      this.encryptionThreads = atLeast(1, v, "encryptionThreads");
      return this;
    }

    /** Take at-rest keys from Vault (MariaDB only) instead of the local key file. */
    public Builder vault(VaultKeyManagement v) {
      this.vault = Optional.ofNullable(v);
      return this;
    }

    private static int atLeast(int min, int v, String what) {
      if (v < min) {
        throw new IllegalArgumentException(what + " must be at least " + min + ": " + v);
      }
      return v;
    }

    public ServerSettings build() {
      return new ServerSettings(this);
    }
  }
}
