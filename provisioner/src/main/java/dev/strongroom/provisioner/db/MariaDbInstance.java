package dev.strongroom.provisioner.db;

import dev.strongroom.provisioner.atrest.FileKeyManagementKeyring;
import dev.strongroom.provisioner.os.LoopbackPorts;
import dev.strongroom.provisioner.os.Processes;
import dev.strongroom.provisioner.os.SecureFiles;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A private MariaDB 10.11 server run as a child process: hardened option file, encrypted storage,
 * loopback TCP on its own port, its own Unix socket, its own data directory.
 *
 * <p>Life cycle: {@link #prepare} creates the directories (0700), the at-rest keyring (unless keys
 * come from Vault, see {@link VaultKeyManagement}) and the option file (0600), and initialises the
 * data directory once ({@code mariadb-install-db --defaults-file=…
 * --auth-root-authentication-method=socket --skip-test-db --skip-name-resolve}); {@link #start}
 * launches {@code mariadbd --defaults-file=…} and returns when the server answers on its socket
 * with a protocol-10 greeting; {@link #stop} sends SIGTERM and waits for a clean shutdown (all
 * dirty pages written). {@link #applyAccounts} sets up the identities as the installer over the
 * socket. {@link #close()} stops.
 *
 * <p>Guard rails: never the default port 3306 or the distribution's default socket; a data
 * directory whose pid file names a live process is refused by {@link #prepare} and {@link #start};
 * a port chosen automatically (settings port 0) is re-chosen when the server finds it taken.
 */
public final class MariaDbInstance implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  private static final Path DEFAULT_SOCKET = Path.of("/run/mysqld/mysqld.sock");
  private static final int PORT_ATTEMPTS = 5;

  private final MariaDbBinaries binaries;
  private final boolean autoPort;
  private final String installerUser;
  private final MariaDbClient client;
  private ServerSettings settings;
  private Process process;
  private Duration lastStart = Duration.ZERO;

  private MariaDbInstance(ServerSettings settings, MariaDbBinaries binaries, boolean autoPort) {
    this.settings = settings;
    this.binaries = binaries;
    this.autoPort = autoPort;
    this.installerUser = System.getProperty("user.name");
    this.client = new MariaDbClient(binaries.client());
  }

  /**
   * Prepares (idempotently) an instance for {@code settings}: directories, keyring, option file,
   * data directory. Port 0 in the settings means "pick a free loopback port".
   */
  public static MariaDbInstance prepare(ServerSettings settings, MariaDbBinaries binaries) {
    Objects.requireNonNull(settings, "settings");
    if (settings.dialect() != Dialect.MARIADB_10_11) {
      throw new InstanceException(
          "MariaDbInstance runs "
              + Dialect.MARIADB_10_11.id()
              + " only, not "
              + settings.dialect().id());
    }
    binaries.check();
    boolean auto = settings.port() == 0;
    ServerSettings s = auto ? settings.withPort(LoopbackPorts.free()) : settings;
    if (s.port() == 3306) {
      throw new InstanceException("a private instance never listens on the default port 3306");
    }
    if (s.layout().socket().equals(DEFAULT_SOCKET)) {
      throw new InstanceException(
          "a private instance never uses the default socket " + DEFAULT_SOCKET);
    }
    if (s.osUser().isEmpty() && "root".equals(System.getProperty("user.name"))) {
      s = s.withOsUser("root"); // mariadbd refuses to run as root unless told to
    }
    for (Path p : new Path[] {s.tls().ca(), s.tls().cert(), s.tls().key(), s.tls().crl()}) {
      if (!Files.isReadable(p)) {
        throw new InstanceException(
            "TLS file missing or unreadable: " + p + " (run PkiDirectory.ensure())");
      }
    }
    MariaDbInstance instance = new MariaDbInstance(s, binaries, auto);
    instance.refuseLiveStrayServer(); // never rewrite the files of a running server
    instance.writeFiles();
    instance.initialiseIfNeeded();
    return instance;
  }

  public ServerSettings settings() {
    return settings;
  }

  public InstanceLayout layout() {
    return settings.layout();
  }

  public int port() {
    return settings.port();
  }

  public Path socket() {
    return settings.layout().socket();
  }

  /** The database user the installer logs in as over the socket (the OS user, normally root). */
  public String installerUser() {
    return installerUser;
  }

  /** How long the last {@link #start()} took until the server answered. */
  public Duration lastStartDuration() {
    return lastStart;
  }

  public synchronized boolean running() {
    return process != null && process.isAlive();
  }

  /** The running server's process id. */
  public synchronized long pid() {
    if (!running()) {
      throw new InstanceException("instance is not running");
    }
    return process.pid();
  }

  // ------------------------------------------------------------------ life cycle

  /** Starts the server and waits until it answers on its socket. No-op when already running. */
  public synchronized void start() {
    if (running()) {
      return;
    }
    refuseLiveStrayServer();
    for (int attempt = 1; ; attempt++) {
      long t0 = System.nanoTime();
      long logOffset = size(layout().errorLog());
      try {
        ProcessBuilder pb =
            new ProcessBuilder(
                    binaries.server().toString(), "--defaults-file=" + layout().optionFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(layout().processOutput().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        // mariadbd's creation modes (mysys reads them at start): data, logs, binlogs owner-only.
        pb.environment().put("UMASK", "0600");
        pb.environment().put("UMASK_DIR", "0700");
        process = pb.start();
      } catch (IOException e) {
        throw new InstanceException("cannot launch " + binaries.server(), e);
      }
      Optional<String> failure = awaitReady();
      if (failure.isEmpty()) {
        lastStart = Duration.ofNanos(System.nanoTime() - t0);
        return;
      }
      String log = tail(layout().errorLog(), logOffset);
      if (process.isAlive()) {
        process.destroyForcibly();
      }
      boolean portTaken =
          log.contains("Address already in use") || log.contains("Bind on TCP/IP port");
      if (autoPort && portTaken && attempt < PORT_ATTEMPTS) {
        settings = settings.withPort(LoopbackPorts.free());
        writeOptionFile();
        continue;
      }
      throw new InstanceException(
          "mariadbd did not become ready (" + failure.get() + "); error log:\n" + log);
    }
  }

  /** SIGTERM, then wait for a clean shutdown; SIGKILL only if it does not come. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    Process p = process;
    process = null;
    if (!p.isAlive()) {
      return;
    }
    p.destroy(); // SIGTERM: mariadbd flushes and shuts down cleanly
    try {
      if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        throw new InstanceException(
            "mariadbd did not stop within "
                + STOP_TIMEOUT.toSeconds()
                + " s after SIGTERM; killed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new InstanceException("interrupted while stopping mariadbd", e);
    }
  }

  @Override
  public void close() {
    stop();
  }

  // ------------------------------------------------------------------ SQL as the installer

  /** Runs SQL as the installer over the Unix socket; throws {@link SqlException} on failure. */
  public ClientResult sql(String sql) {
    return client.require(ClientConnection.socket(socket(), installerUser), sql);
  }

  /**
   * Runs a script as the installer over the Unix socket, fed through a pipe to the client's
   * standard input (see {@link MariaDbClient#executeScript}); throws {@link SqlException} on
   * failure.
   */
  public ClientResult sqlScript(String script) {
    return client.requireScript(ClientConnection.socket(socket(), installerUser), script);
  }

  /**
   * Makes the running server re-read its TLS files ({@code FLUSH SSL}): the server certificate and
   * key, the CA and the CRL at the configured paths. Existing connections keep their session; new
   * ones see the new material. No restart.
   */
  public void reloadTls() {
    sql(DialectStatements.reloadTls(settings.dialect()));
  }

  /** The stock client, for connections other than the installer's. */
  public MariaDbClient client() {
    return client;
  }

  /**
   * Applies {@link AccountProvisioner#statements} and removes stray accounts; returns the accounts
   * that exist afterwards as {@code 'user'@'host'} strings.
   */
  public List<String> applyAccounts(List<DbAccount> accounts) {
    for (List<String> stray :
        sql(AccountProvisioner.strayAccountsQuery(settings.dialect(), accounts, installerUser))
            .rows()) {
      sql("DROP USER " + stray.get(0));
    }
    sql(
        String.join(
            ";\n",
            AccountProvisioner.statements(
                settings.dialect(), accounts, installerUser, settings.maxUserConnections())));
    List<List<String>> left =
        sql(AccountProvisioner.strayAccountsQuery(settings.dialect(), accounts, installerUser))
            .rows();
    if (!left.isEmpty()) {
      throw new InstanceException("stray accounts remain after provisioning: " + left);
    }
    List<String> out = new ArrayList<>();
    for (List<String> r :
        sql("SELECT CONCAT(QUOTE(User), '@', QUOTE(Host)) FROM mysql.global_priv ORDER BY 1")
            .rows()) {
      out.add(r.get(0));
    }
    return out;
  }

  // ------------------------------------------------------------------ internals

  private void writeFiles() {
    InstanceLayout l = layout();
    for (Path d :
        new Path[] {
          l.base(),
          l.dataDir(),
          l.runDir(),
          l.logDir(),
          l.binlogDir(),
          l.tmpDir(),
          l.secureFileDir(),
          l.keyringDir()
        }) {
      SecureFiles.privateDir(d);
    }
    if (settings.vault().isEmpty()) {
      FileKeyManagementKeyring.at(l.keyringDir()).ensure();
    }
    writeOptionFile();
  }

  private void writeOptionFile() {
    SecureFiles.writeText(
        layout().optionFile(),
        OptionFileRenderer.render(settings).optionFile(),
        SecureFiles.SECRET);
  }

  private void initialiseIfNeeded() {
    if (Files.isDirectory(layout().dataDir().resolve("mysql"))) {
      return;
    }
    List<String> cmd =
        List.of(
            binaries.installDb().toString(),
            "--defaults-file=" + layout().optionFile(),
            "--auth-root-authentication-method=socket",
            "--auth-root-socket-user=" + installerUser,
            "--skip-test-db",
            "--skip-name-resolve");
    Processes.Result r = Processes.run(cmd, null, Duration.ofMinutes(3));
    if (r.exitCode() != 0) {
      throw new InstanceException(
          "mariadb-install-db failed (exit "
              + r.exitCode()
              + "):\n"
              + lastLines(r.output(), 30)
              + "\nerror log:\n"
              + tail(layout().errorLog(), 0));
    }
  }

  private void refuseLiveStrayServer() {
    Path pid = layout().pidFile();
    if (!Files.exists(pid)) {
      return;
    }
    try {
      long p = Long.parseLong(Files.readString(pid).strip());
      if (ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)) {
        throw new InstanceException(
            "a server (pid "
                + p
                + ") is already running on "
                + layout().dataDir()
                + "; stop it first");
      }
    } catch (IOException | NumberFormatException e) {
      // unreadable pid file: the server overwrites it
    }
  }

  /** Empty when ready; otherwise why not. */
  private Optional<String> awaitReady() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        return Optional.of("exited with " + process.exitValue());
      }
      if (Files.exists(socket())) {
        try {
          greeting(socket());
          return Optional.empty();
        } catch (IOException e) {
          // not accepting yet
        }
      }
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.of("interrupted");
      }
    }
    return Optional.of("no greeting within " + START_TIMEOUT.toSeconds() + " s");
  }

  /**
   * Reads the server's initial handshake over the Unix socket — a "socket ping" that needs no
   * credentials — and returns the server version it announces.
   *
   * <p>Packet: 3-byte little-endian payload length, 1-byte sequence id, then the payload: protocol
   * version {@code 0x0a}, the server version NUL-terminated, … (an {@code 0xff} first byte is an
   * error packet, e.g. too many connections).
   */
  public static String greeting(Path socket) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        Selector sel = Selector.open()) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ch.configureBlocking(false);
      ch.register(sel, SelectionKey.OP_READ);
      ByteBuffer buf = ByteBuffer.allocate(512);
      long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      while (System.nanoTime() < deadline) {
        sel.select(200);
        if (ch.read(buf) < 0) {
          break;
        }
        if (buf.position() >= 5) {
          int len = (buf.get(0) & 0xff) | (buf.get(1) & 0xff) << 8 | (buf.get(2) & 0xff) << 16;
          if (buf.position() >= 4 + Math.min(len, 64) || buf.position() == buf.capacity()) {
            byte kind = buf.get(4);
            if (kind != 0x0a) {
              throw new IOException("server answered with packet type " + (kind & 0xff));
            }
            int end = 5;
            while (end < buf.position() && buf.get(end) != 0) {
              end++;
            }
            return new String(buf.array(), 5, end - 5, StandardCharsets.US_ASCII);
          }
        }
      }
      throw new IOException("no greeting from " + socket);
    }
  }

  private static long size(Path p) {
    try {
      return Files.exists(p) ? Files.size(p) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private static String tail(Path p, long fromOffset) {
    try {
      if (!Files.exists(p)) {
        return "(no " + p.getFileName() + ")";
      }
      byte[] all = Files.readAllBytes(p);
      int from = (int) Math.min(Math.max(fromOffset, 0), all.length);
      return lastLines(new String(all, from, all.length - from, StandardCharsets.UTF_8), 25);
    } catch (IOException e) {
      return "(cannot read " + p + ": " + e.getMessage() + ")";
    }
  }

  private static String lastLines(String text, int n) {
    String[] lines = text.split("\n");
    int from = Math.max(0, lines.length - n);
    return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
  }
}
