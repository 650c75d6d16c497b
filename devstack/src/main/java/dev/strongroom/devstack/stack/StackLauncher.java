package dev.strongroom.devstack.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.tls.TlsIdentity;
import dev.strongroom.devstack.keys.AuditLogKey;
import dev.strongroom.devstack.keys.DevKeys;
import dev.strongroom.devstack.keys.DevWitness;
import dev.strongroom.provisioner.db.AccountProvisioner;
import dev.strongroom.provisioner.db.DbAccount;
import dev.strongroom.provisioner.db.Dialect;
import dev.strongroom.provisioner.db.InstanceLayout;
import dev.strongroom.provisioner.db.MariaDbBinaries;
import dev.strongroom.provisioner.db.MariaDbInstance;
import dev.strongroom.provisioner.db.ServerSettings;
import dev.strongroom.provisioner.db.TlsFiles;
import dev.strongroom.provisioner.os.LoopbackPorts;
import dev.strongroom.provisioner.pki.Credential;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import dev.strongroom.provisioner.schema.AuditInstaller;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Starts and stops a local stack in a state directory: the KRaft broker ({@code KafkaMain}) and the
 * five packaged services, each a detached process in its own session (so a Ctrl-C on the terminal
 * that ran {@code up} does not take them down), listening on loopback ports picked at start.
 *
 * <p>Files in the state directory: {@code stack.json} (DESIGN §7, written last, only once every
 * part is healthy), {@code processes.json} (pids and what they are, for {@code down}, and each
 * service instance's port), {@code keys/} (dev event keys and registry), {@code kafka/} (broker log
 * dir), {@code logs/} (one log per part).
 */
public final class StackLauncher {
  private static final Duration KAFKA_READY = Duration.ofSeconds(90);
  private static final Duration SERVICE_READY = Duration.ofSeconds(100);

  private final Path home;
  private final Path state;
  private final PrintStream progress;
  private HttpClient http; // the operator's, once the PKI exists

  /**
   * @param home the repository root (where the built modules are)
   * @param state the state directory ({@code .strongroom} for {@code up}; a private one for {@code
   *     demo})
   * @param progress where progress lines go (stderr)
   */
  public StackLauncher(Path home, Path state, PrintStream progress) {
    this.home = home.toAbsolutePath().normalize();
    this.state = state.toAbsolutePath().normalize();
    this.progress = progress;
  }

  public Path stackFile() {
    return state.resolve("stack.json");
  }

  /** Outcome of {@link #up()}. */
  public record UpResult(boolean alreadyUp, StackDescriptor stack, Duration took) {}

  /** Brings the stack up, or reports that it already is. */
  public UpResult up() {
    long t0 = System.nanoTime();
    if (Files.exists(stackFile())) {
      StatusReport report = status();
      // a readiness probe can time out on a saturated machine (3 s each): look twice more before
      // stopping a running stack (a second up restarted a healthy stack under load 16)
      for (int look = 0; look < 2 && !report.healthy(); look++) {
        sleep(2000);
        report = status();
      }
      if (report.healthy()) {
        return new UpResult(true, report.stack(), Duration.ofNanos(System.nanoTime() - t0));
      }
      progress.println(
          "found a stack that is not healthy; stopping its leftovers and starting afresh");
      down();
    } else if (Files.exists(processesFile())) {
      down(); // a start that died half-way
    }
    checkBuilt();
    List<Launched> launched = new ArrayList<>();
    try {
      privateDir(state);
      Path logs = privateDir(state.resolve("logs"));
      // the PKI first: an application's event key is bound to its certificate (renewed here when
      // due), docs/tenant-tokens.md
      pki().ensure();
      // keys of an earlier up are kept: the KEK wraps the stored records' data keys, the log key
      // signs the anchored checkpoints (a fresh state directory gets new ones)
      DevKeys keys =
          DevKeys.openOrGenerate(
              state.resolve("keys"), DevKeys.STANDARD, Duration.ofDays(30), pki());

      progress.println(
          "provisioning the PKI and the hardened database (TLS 1.3, mTLS, encrypted at rest) …");
      StackDescriptor.Db db = startDatabase(launched, keys);
      progress.println("database ready at 127.0.0.1:" + db.port() + " (" + db.dialect() + ")");

      progress.println("starting kafka (KRaft, loopback) …");
      Path ready = state.resolve("kafka.ready");
      Files.deleteIfExists(ready);
      Path kafkaDir = state.resolve("kafka");
      launched.add(spawn("kafka", kafkaArgs(kafkaDir, ready, 0), logs.resolve("kafka.log")));
      writeProcesses(launched);
      String bootstrap = awaitFile(ready, KAFKA_READY, launched.get(0), logs.resolve("kafka.log"));
      progress.println("kafka ready at " + bootstrap);

      // the audit log: its key and the create-only directory the checkpoints and tiles go to
      AuditLogKey logKey = AuditLogKey.openOrGenerate(state.resolve("keys"));
      Path worm = privateDir(state.resolve("worm"));
      privateDir(state.resolve("evidence")); // bundles, drill reports: the operator's alone
      Map<ServiceModule, String> urls = new java.util.EnumMap<>(ServiceModule.class);
      Duration kmsLatency = kmsAddedLatency();
      writeAtomically(
          state.resolve(KMS_LATENCY_FILE),
          kmsLatency.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      Path backupKey = state.resolve("keys").resolve(DevKeys.BACKUP_SIGNING_KEY);
      if (!Files.exists(backupKey)) {
        dev.strongroom.provisioner.os.SecureFiles.writeText(
            backupKey,
            dev.strongroom.contracts.keys.SigningKey.generate().toPem(),
            dev.strongroom.provisioner.os.SecureFiles.SECRET);
      }
      // the stack's own C2SP witness, in its own process: it cosigns every checkpoint the
      // audit-anchor-service anchors; like the log key it outlives down and up, and so does what
      // it cosigned last (its state), so a log rewritten meanwhile is refused after a restart too
      DevWitness witness = DevWitness.openOrGenerate(state.resolve("keys"), LoopbackPorts.free());
      Path witnessState = state.resolve("witness");
      launched.add(
          spawn(
              "witness",
              List.of(
                  "-Xmx48m",
                  "-XX:+UseSerialGC",
                  "-cp",
                  devstackJar().toString(),
                  "dev.strongroom.audit.witness.WitnessServer",
                  "--port",
                  Integer.toString(witness.port()),
                  "--state",
                  witnessState.toString(),
                  "--name",
                  DevWitness.NAME,
                  "--seed-file",
                  witness.seedFile().toString(),
                  "--log",
                  logKey.verifierKey()),
              logs.resolve("witness.log")));
      writeProcesses(launched);
      awaitLine(
          logs.resolve("witness.log"),
          "witness listening on " + witness.port() + " ",
          launched.get(launched.size() - 1));
      writeAtomically(
          state.resolve(WITNESS_PORT_FILE),
          Integer.toString(witness.port()).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      progress.println("witness ready at " + witness.url() + " (" + DevWitness.NAME + ")");
      ServiceContext ctx =
          new ServiceContext(bootstrap, keys, db, worm, logKey, witness, kmsLatency, logs);
      for (ServiceModule s : ServiceModule.values()) {
        int port = LoopbackPorts.free();
        urls.put(s, "https://127.0.0.1:" + port);
        launched.add(spawnService(s, 1, port, ctx));
        writeProcesses(launched);
      }
      progress.println("starting " + ServiceModule.values().length + " services …");
      for (ServiceModule s : ServiceModule.values()) {
        Launched l =
            launched.stream().filter(x -> x.name().equals(s.module())).findFirst().orElseThrow();
        awaitReady(s, urls.get(s), l, logs.resolve(s.module() + ".out"));
        progress.println("  " + s.module() + " ready at " + urls.get(s));
      }
      Credential operator = pki().client("operator");
      StackDescriptor stack =
          new StackDescriptor(
              bootstrap,
              kafkaDir,
              Optional.of(
                  new StackDescriptor.KafkaSecurity(
                      "SSL", pki().caCertPem(), operator.certPem(), operator.keyPem())),
              Optional.of(db),
              urls,
              Optional.of(operatorCredential()),
              logs,
              Optional.of(new StackDescriptor.Worm("local-dir", worm.toAbsolutePath().toString())),
              Optional.of(new StackDescriptor.AuditKey(logKey.verifierKey(), logKey.pemFile())));
      writeAtomically(stackFile(), stack.toJson());
      tighten(state);
      return new UpResult(false, stack, Duration.ofNanos(System.nanoTime() - t0));
    } catch (IOException e) {
      down();
      throw new StackException("cannot start the stack: " + e.getMessage(), e);
    } catch (StackException e) {
      down();
      throw e;
    }
  }

  /** What a service instance is started from: the running stack's parts and keys. */
  private record ServiceContext(
      String bootstrap,
      DevKeys keys,
      StackDescriptor.Db db,
      Path worm,
      AuditLogKey logKey,
      DevWitness witness,
      Duration kmsLatency,
      Path logs) {}

  /** Where {@code up} records the witness's port (for {@code scale} and {@code restart}). */
  public static final String WITNESS_PORT_FILE = "witness.port";

  /** Waits until {@code log} holds a line starting with {@code prefix}. */
  private void awaitLine(Path log, String prefix, Launched l) throws IOException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log)
          && Files.readAllLines(log).stream().anyMatch(line -> line.startsWith(prefix))) {
        return;
      }
      if (!ProcessHandle.of(l.pid()).map(ProcessHandle::isAlive).orElse(false)) {
        throw new StackException(
            l.name() + " exited during start; last lines of " + log + ":\n" + tail(log));
      }
      sleep(100);
    }
    throw new StackException(l.name() + " not ready after 30 s; see " + log);
  }

  /**
   * The running stack's {@link ServiceContext}, rebuilt from {@code stack.json} and the state
   * directory (for {@code scale} and {@code restart}: an instance starts exactly as {@code up}
   * started the first).
   */
  private ServiceContext runningContext(StackDescriptor stack) {
    Path keyDir = state.resolve("keys");
    StackDescriptor.AuditKey audit =
        stack.audit().orElseThrow(() -> new StackException("stack.json has no audit key"));
    return new ServiceContext(
        stack.kafkaBootstrap(),
        DevKeys.open(keyDir),
        stack.db().orElseThrow(() -> new StackException("stack.json has no db")),
        Path.of(
            stack
                .worm()
                .orElseThrow(() -> new StackException("stack.json has no worm"))
                .location()),
        new AuditLogKey(
            keyDir.resolve("audit-log.key"), audit.verifierKeyPem(), audit.verifierKey()),
        runningWitness(keyDir),
        runningKmsLatency(),
        stack.logsDir());
  }

  /**
   * The witness of the stack {@code up} started (its verifier key cosigns the checkpoints), empty
   * for a stack started before it had one.
   */
  public Optional<DevWitness> witness() {
    return Optional.ofNullable(runningWitness(state.resolve("keys")));
  }

  /** The stack's witness, or null for a stack started before it had one (no witness.port). */
  private DevWitness runningWitness(Path keyDir) {
    if (!Files.exists(state.resolve(WITNESS_PORT_FILE))) {
      return null;
    }
    try {
      int port =
          Integer.parseInt(
              Files.readString(
                      state.resolve(WITNESS_PORT_FILE), java.nio.charset.StandardCharsets.US_ASCII)
                  .strip());
      return DevWitness.open(keyDir, port);
    } catch (IOException | RuntimeException e) {
      throw new StackException("the stack's witness is not recorded: " + e.getMessage(), e);
    }
  }

  /**
   * The name of instance {@code n} of a service in {@code processes.json} and of its log files: the
   * module for the first ({@code data-service}, as before there were instances), {@code
   * <module>-<n>} for the others.
   */
  static String instanceName(ServiceModule s, int n) {
    return n == 1 ? s.module() : s.module() + "-" + n;
  }

  /** Starts instance {@code n} of {@code s} on {@code port}; returns at once (not yet ready). */
  private Launched spawnService(ServiceModule s, int n, int port, ServiceContext ctx)
      throws IOException {
    String name = instanceName(s, n);
    Path logs = ctx.logs();
    DevKeys keys = ctx.keys();
    StackDescriptor.Db db = ctx.db();
    Path worm = ctx.worm();
    AuditLogKey logKey = ctx.logKey();
    List<String> args =
        new ArrayList<>(
            List.of(
                "-Xmx160m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dkafka.bootstrap.servers=" + ctx.bootstrap(),
                "-Dstrongroom.events.key-registry=" + keys.registryFile(),
                "-Dstrongroom.events.signing-key=" + keys.keyFile(s.module()),
                "-Dquarkus.log.file.enable=true",
                "-Dquarkus.log.file.path=" + logs.resolve(name + ".log"),
                "-Dstrongroom.state=" + state)); // marks the process as ours for down
    // The service's own mTLS identity (paths only): its Kafka clients and its HTTPS port.
    pki().identity(s.module()).serviceConfig(port).forEach((k, v) -> args.add("-D" + k + "=" + v));
    // the CA's CRL, re-read when it changes: a revoked caller is refused (EndpointAccess, revoke)
    args.add("-Dstrongroom.tls.crl=" + pki().crlPem());
    if (s == ServiceModule.CRYPTO) {
      keys.cryptoServiceConfig(ctx.kmsLatency()).forEach((k, v) -> args.add("-D" + k + "=" + v));
    }
    if (s == ServiceModule.DATA) {
      dataServiceDbArgs(db).forEach(a -> args.add(a));
    }
    if (s == ServiceModule.AUDIT) {
      // the audit watch: tails and verifies the chain every second as the service's own
      // identity anchor_writer (the only one that may take the lease, append anchors and move
      // the sinks' cursors), raises CHAIN_BREAK / SCHEMA_DRIFT / GRANT_CHANGE
      // (docs/audit-anchor-service.md)
      StackDescriptor.CertKey writer = db.identities().get("anchor_writer");
      args.add("-Dstrongroom.audit-anchor.enabled=true");
      args.add("-Dstrongroom.audit-anchor.holder=audit-anchor-1");
      args.add("-Dstrongroom.audit-anchor.interval=PT1S");
      args.add("-Dstrongroom.audit-anchor.lease-ttl=PT5S");
      args.add("-Dstrongroom.audit-anchor.state-dir=" + state.resolve("audit-anchor"));
      args.add("-Dstrongroom.audit-anchor.db.host=" + db.host());
      args.add("-Dstrongroom.audit-anchor.db.port=" + db.port());
      args.add("-Dstrongroom.audit-anchor.db.ca-cert=" + db.caCert());
      args.add("-Dstrongroom.audit-anchor.db.user=anchor_writer");
      args.add("-Dstrongroom.audit-anchor.db.cert=" + writer.cert());
      args.add("-Dstrongroom.audit-anchor.db.key=" + writer.key());
      args.add("-Dstrongroom.audit-anchor.worm.kind=local-dir");
      args.add("-Dstrongroom.audit-anchor.worm.location=" + worm);
      args.add("-Dstrongroom.audit-anchor.log-key=" + logKey.keyFile());
      // the stack's witness cosigns every checkpoint (cosignatures/ in the WORM store)
      args.add(
          "-Dstrongroom.audit-anchor.witnesses."
              + DevWitness.LABEL
              + ".url="
              + ctx.witness().url());
      args.add(
          "-Dstrongroom.audit-anchor.witnesses."
              + DevWitness.LABEL
              + ".key="
              + ctx.witness().verifierKey());
      // the nightly backup (docs/backups.md): as the backup identity over mutual TLS, the
      // key wrapped by the stack's KMS, signed with the stack's backup key, create-only to
      // the same WORM store as the checkpoints and as ./strongroom backup
      StackDescriptor.CertKey backup = db.identities().get("backup");
      Path backupKey = state.resolve("keys").resolve(DevKeys.BACKUP_SIGNING_KEY);
      args.add("-Dstrongroom.backup.enabled=true");
      args.add("-Dstrongroom.backup.schedule=daily@02:00");
      args.add("-Dstrongroom.backup.work-dir=" + state.resolve("backup-work-service"));
      args.add("-Dstrongroom.backup.signing-key=" + backupKey);
      args.add("-Dstrongroom.backup.kms.kind=INSECURE_LOCAL_KEYRING");
      args.add("-Dstrongroom.backup.kms.key-name=" + DevKeys.DEV_KEK_NAME);
      args.add(
          "-Dstrongroom.backup.kms.keyring-file="
              + state.resolve("keys").resolve(DevKeys.DEV_KEYRING));
      args.add("-Dstrongroom.backup.db.host=" + db.host());
      args.add("-Dstrongroom.backup.db.port=" + db.port());
      args.add("-Dstrongroom.backup.db.ca-cert=" + db.caCert());
      args.add("-Dstrongroom.backup.db.cert=" + backup.cert());
      args.add("-Dstrongroom.backup.db.key=" + backup.key());
    }
    if (s == ServiceModule.PROOF) {
      // proofs on request (strongroom.proof.requests), bundles beside prove's
      // (docs/proof.md); the schedule stays off on a developer's stack
      proofServiceDbArgs(db, keys, state.resolve("evidence")).forEach(args::add);
      // SR-DB-AUD-04: the chain against the anchors the audit-anchor-service writes
      args.add("-Dstrongroom.proof.audit-log.worm-dir=" + worm);
      args.add("-Dstrongroom.proof.audit-log.verifier-key=" + logKey.verifierKey());
    }
    if (s == ServiceModule.PROVISIONER) {
      // plans on request over SSH with the stack's provisioner key and the operator's pins
      // (<state>/provisioner/ssh, docs/ops-plane.md); the local target stays refused
      dev.strongroom.devstack.keys.ProvisionerSsh.ensure(state.resolve("provisioner"))
          .serviceConfig(java.nio.file.Path.of("/"))
          .forEach((k, v) -> args.add("-D" + k + "=" + v));
    }
    args.add("-jar");
    args.add(serviceJar(s).toString());
    return new Launched(name, spawn(name, args, logs.resolve(name + ".out")).pid(), port);
  }

  /** {@code KafkaMain} on {@code kafkaDir}, its client listener on {@code port} (0: a free one). */
  private List<String> kafkaArgs(Path kafkaDir, Path ready, int port) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "-Xmx256m",
                "-cp",
                devstackJar().toString(),
                "dev.strongroom.devstack.kafka.KafkaMain",
                "--log-dir",
                kafkaDir.toString(),
                "--pki",
                pki().root().toString(),
                "--ready-file",
                ready.toString()));
    if (port > 0) {
      a.add("--port");
      a.add(Integer.toString(port));
    }
    return a;
  }

  /**
   * Restarts the Kafka broker: SIGTERM (a clean shutdown), then the same broker on its log
   * directory and its client port, so {@code kafka.bootstrap} stays good and every client
   * reconnects by itself; returns once it is ready again. Records already on the broker stay (they
   * are on disk); producers retry what they could not send meanwhile.
   *
   * @throws StackException when there is no stack or the broker does not come back
   */
  public Restarted restartKafka() {
    StackDescriptor stack = readStack();
    try (StateLock lock = lock()) {
      lock.held(); // restart holds it throughout
      long t0 = System.nanoTime();
      List<Launched> all = new ArrayList<>(readProcesses());
      Launched old =
          all.stream()
              .filter(l -> l.name().equals("kafka"))
              .findFirst()
              .orElseThrow(() -> new StackException("processes.json has no kafka"));
      progress.println("restarting kafka (pid " + old.pid() + ") …");
      stop(old.pid());
      Path ready = state.resolve("kafka.ready");
      Files.deleteIfExists(ready);
      String bootstrap = stack.kafkaBootstrap();
      int port = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
      Path log = stack.logsDir().resolve("kafka.log");
      Launched l = spawn("kafka", kafkaArgs(stack.kafkaLogDir(), ready, port), log);
      all.set(all.indexOf(old), l);
      writeProcesses(all);
      String back = awaitFile(ready, KAFKA_READY, l, log);
      if (!back.equals(bootstrap)) {
        throw new StackException("kafka came back at " + back + ", not " + bootstrap);
      }
      progress.println("  kafka ready at " + back + " (pid " + l.pid() + ")");
      return new Restarted(1, old.pid(), l.pid(), Duration.ofNanos(System.nanoTime() - t0));
    } catch (IOException e) {
      throw new StackException("cannot restart kafka: " + e.getMessage(), e);
    }
  }

  /** The data-service's {@code app_user} connection: TLS 1.3 with the identity's certificate. */
  private static List<String> dataServiceDbArgs(StackDescriptor.Db db) {
    StackDescriptor.CertKey app = db.identities().get("app_user");
    return List.of(
        "-Dstrongroom.data.db.host=" + db.host(),
        "-Dstrongroom.data.db.port=" + db.port(),
        "-Dstrongroom.data.db.database=" + db.database(),
        "-Dstrongroom.data.db.ca-cert=" + db.caCert(),
        "-Dstrongroom.data.db.cert=" + app.cert(),
        "-Dstrongroom.data.db.key=" + app.key());
  }

  /** The proof-service's target: every identity, the installer's socket, the data directory. */
  private static List<String> proofServiceDbArgs(
      StackDescriptor.Db db, DevKeys keys, Path evidence) {
    List<String> a = new ArrayList<>();
    a.add("-Dstrongroom.proof.enabled=true");
    a.add("-Dstrongroom.proof.evidence-dir=" + evidence);
    a.add("-Dstrongroom.proof.tenant-token-key=" + keys.tenantTokenKeyFile());
    a.add("-Dstrongroom.proof.db.host=" + db.host());
    a.add("-Dstrongroom.proof.db.port=" + db.port());
    a.add("-Dstrongroom.proof.db.socket=" + db.socket());
    a.add("-Dstrongroom.proof.db.dialect=" + db.dialect());
    a.add("-Dstrongroom.proof.db.database=" + db.database());
    a.add("-Dstrongroom.proof.db.data-dir=" + db.dataDir());
    a.add("-Dstrongroom.proof.db.ca-cert=" + db.caCert());
    db.identities()
        .forEach(
            (name, ck) -> {
              a.add("-Dstrongroom.proof.db.identities." + name + ".cert=" + ck.cert());
              a.add("-Dstrongroom.proof.db.identities." + name + ".key=" + ck.key());
            });
    return a;
  }

  /** State file holding the wait the crypto-service adds before each KMS call (ISO-8601). */
  public static final String KMS_LATENCY_FILE = "kms-added-latency";

  /** The default wait: 30 ms, the low end of Cloud KMS's published latency. */
  public static final Duration DEFAULT_KMS_LATENCY = Duration.ofMillis(30);

  /**
   * The wait the development keyring adds before each call, so a KMS round trip costs what it does
   * in production: {@code STRONGROOM_KMS_LATENCY_MS} (0 turns it off), else {@link
   * #DEFAULT_KMS_LATENCY}.
   */
  static Duration kmsAddedLatency() {
    String v = System.getenv("STRONGROOM_KMS_LATENCY_MS");
    if (v == null || v.isBlank()) {
      return DEFAULT_KMS_LATENCY;
    }
    try {
      long ms = Long.parseLong(v.trim());
      if (ms < 0 || ms > 10_000) {
        throw new NumberFormatException();
      }
      return Duration.ofMillis(ms);
    } catch (NumberFormatException e) {
      throw new StackException(
          "STRONGROOM_KMS_LATENCY_MS must be a whole number of milliseconds from 0 to 10000, not '"
              + v
              + "'");
    }
  }

  /** The KMS wait the running stack's crypto-service was started with. */
  public Duration runningKmsLatency() {
    try {
      return Duration.parse(Files.readString(state.resolve(KMS_LATENCY_FILE)).trim());
    } catch (IOException e) {
      throw new StackException("the stack is not up (no " + KMS_LATENCY_FILE + ")", e);
    }
  }

  /**
   * The PKI (CA, server and client certificates, CRL) and a hardened MariaDB instance of this state
   * directory, with the DB identities and the proc-only schema applied; the server's pid joins
   * {@code processes.json}.
   */
  private StackDescriptor.Db startDatabase(List<Launched> launched, DevKeys keys)
      throws IOException {
    PkiDirectory pki = pki();
    pki.ensure();
    ServerSettings settings =
        ServerSettings.builder(
                Dialect.MARIADB_10_11, new InstanceLayout(state.resolve("db")), TlsFiles.of(pki))
            .port(0)
            .bufferPoolMb(64)
            .redoLogMb(32)
            .build();
    MariaDbInstance instance = MariaDbInstance.prepare(settings, MariaDbBinaries.debian().check());
    instance.start();
    launched.add(new Launched("mariadb", instance.pid()));
    writeProcesses(launched);
    instance.applyAccounts(DbAccount.strongroomIdentities(pki));
    // The proc-only schema and the audit chain (sealed every second by the event scheduler); the
    // database verifies the tokens of the stack's tenant authority itself.
    AuditInstaller.install(
        instance, keys.tenantTokenKeys(), new AuditInstaller.Options(Duration.ofSeconds(1)));
    Map<String, StackDescriptor.CertKey> identities = new LinkedHashMap<>();
    for (String id : PkiSpec.DB_IDENTITIES) {
      Credential c = pki.client(id);
      identities.put(id, new StackDescriptor.CertKey(c.certPem(), c.keyPem()));
    }
    return new StackDescriptor.Db(
        "127.0.0.1",
        instance.port(),
        instance.socket(),
        Dialect.MARIADB_10_11.id(),
        AccountProvisioner.DATABASE,
        instance.layout().dataDir(),
        pki.caCertPem(),
        identities);
  }

  /**
   * The mutual-TLS identity {@code name} of this stack's PKI (a service, {@code operator}, an
   * operator tool, {@code demo-app}).
   */
  public TlsIdentity identity(String name) {
    return pki().identity(name);
  }

  /** This state directory's PKI (CA, certificates, CRL). */
  public PkiDirectory pkiDirectory() {
    return pki();
  }

  private PkiDirectory pki() {
    return PkiDirectory.open(state.resolve("pki"), PkiSpec.strongroom(List.of()));
  }

  private StackDescriptor.CertKey operatorCredential() {
    Credential c = pki().client("operator");
    return new StackDescriptor.CertKey(c.certPem(), c.keyPem());
  }

  /** Stops every process this state directory started; returns how many were running. */
  public int down() {
    int stopped = 0;
    List<ProcessHandle> handles = new ArrayList<>();
    for (Launched l : readProcesses()) {
      Optional<ProcessHandle> h =
          ProcessHandle.of(l.pid()).filter(ProcessHandle::isAlive).filter(this::isOurs);
      h.ifPresent(handles::add);
    }
    handles.forEach(ProcessHandle::destroy); // SIGTERM: Kafka and Quarkus shut down cleanly
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    for (ProcessHandle h : handles) {
      try {
        h.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        h.destroyForcibly();
      }
      stopped++;
    }
    try {
      Files.deleteIfExists(stackFile());
      Files.deleteIfExists(processesFile());
      Files.deleteIfExists(state.resolve("kafka.ready"));
    } catch (IOException e) {
      throw new StackException("cannot clean " + state + ": " + e.getMessage(), e);
    }
    return stopped;
  }

  /** Most instances {@code scale} starts of one service (each is a JVM of ~160 MiB heap). */
  public static final int MAX_INSTANCES = 8;

  /**
   * Whether {@code s} may run more than one instance: the stateless consumers, crypto-service and
   * data-service, each one consumer group (DESIGN §2). The audit-anchor-service must have a single
   * writer per lease holder and keeps its tail state in one directory; the provisioner- and
   * proof-service keep their request ledgers and evidence in theirs, so a second instance of them
   * would need its own state, which this stack does not give them.
   */
  public static boolean scalable(ServiceModule s) {
    return s == ServiceModule.CRYPTO || s == ServiceModule.DATA;
  }

  /** Outcome of {@link #scale}: the instances before and after, and how long it took. */
  public record ScaleResult(
      ServiceModule service, List<Instance> before, List<Instance> after, Duration took) {}

  /**
   * Runs exactly {@code n} instances of {@code s} on its consumer group: starts the missing ones
   * (numbered after the last, each on its own loopback port, started as {@code up} started the
   * first) and waits until each is ready, or stops the highest-numbered ones (SIGTERM: their
   * partitions move to the others in the group's rebalance; nothing they consumed is committed
   * before it is done). Instance 1 is never stopped, so {@code services.<s>} in {@code stack.json}
   * stays its address.
   *
   * @throws IllegalArgumentException if {@code n} is outside 1..{@link #MAX_INSTANCES}, or above 1
   *     for a service that is not {@link #scalable}
   * @throws StackException when there is no stack or an instance cannot start
   */
  public ScaleResult scale(ServiceModule s, int n) {
    if (n < 1 || n > MAX_INSTANCES) {
      throw new IllegalArgumentException("N must be from 1 to " + MAX_INSTANCES + ", not " + n);
    }
    if (n > 1 && !scalable(s)) {
      throw new IllegalArgumentException(
          s.key() + " runs one instance (only crypto and data scale: DESIGN §2)");
    }
    long t0 = System.nanoTime();
    StackDescriptor stack = readStack();
    try (StateLock lock = lock()) {
      lock.held(); // scale holds it throughout
      List<Instance> before = instances(stack, s);
      List<Launched> all = new ArrayList<>(readProcesses());
      ServiceContext ctx = null;
      for (int k = before.size() + 1; k <= n; k++) {
        if (ctx == null) {
          ctx = runningContext(stack);
        }
        int port = LoopbackPorts.free();
        progress.println("starting " + instanceName(s, k) + " …");
        Launched l = spawnService(s, k, port, ctx);
        all.add(l);
        writeProcesses(all);
        awaitInstance(s, l, all, ctx.logs());
        progress.println("  " + instanceName(s, k) + " ready at https://127.0.0.1:" + port);
      }
      for (int k = before.size(); k > n; k--) {
        String name = instanceName(s, k);
        Launched l = all.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
        progress.println("stopping " + name + " (pid " + l.pid() + ") …");
        stop(l.pid());
        all.remove(l);
        writeProcesses(all);
      }
      return new ScaleResult(
          s, before, instances(stack, s), Duration.ofNanos(System.nanoTime() - t0));
    } catch (IOException e) {
      throw new StackException("cannot scale " + s.module() + ": " + e.getMessage(), e);
    }
  }

  /** One instance {@link #restart} replaced: its number, old and new pid, and how long it took. */
  public record Restarted(int instance, long oldPid, long newPid, Duration took) {}

  /**
   * Restarts every instance of {@code s}, one after another (the next only once the new one is
   * ready, so a scaled service keeps serving): SIGTERM (SIGKILL after 30 s), then the same instance
   * on the same port, started as {@code up} started it. A consumer's uncommitted records are
   * consumed again by whoever gets its partitions; the store is idempotent by request id, so they
   * are neither lost nor doubled (docs/data-plane.md). An instance whose process had died is simply
   * started.
   *
   * @throws StackException when there is no stack or an instance cannot start again
   */
  public List<Restarted> restart(ServiceModule s) {
    StackDescriptor stack = readStack();
    List<Restarted> out = new ArrayList<>();
    try (StateLock lock = lock()) {
      lock.held(); // restart holds it throughout
      ServiceContext ctx = runningContext(stack);
      for (Instance i : instances(stack, s)) {
        long t0 = System.nanoTime();
        String name = instanceName(s, i.number());
        progress.println("restarting " + name + " (pid " + i.pid() + ") …");
        if (i.alive()) {
          stop(i.pid());
        }
        List<Launched> all = new ArrayList<>(readProcesses());
        all.removeIf(x -> x.name().equals(name));
        int port = URI.create(i.address()).getPort();
        Launched l = spawnService(s, i.number(), port, ctx);
        all.add(l);
        writeProcesses(all);
        awaitInstance(s, l, all, ctx.logs());
        progress.println("  " + name + " ready at " + i.address() + " (pid " + l.pid() + ")");
        out.add(
            new Restarted(i.number(), i.pid(), l.pid(), Duration.ofNanos(System.nanoTime() - t0)));
      }
      return out;
    } catch (IOException e) {
      throw new StackException("cannot restart " + s.module() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Waits until the new instance {@code l} is ready; if it is not, stops it, takes it out of {@code
   * processes.json} and throws.
   */
  private void awaitInstance(ServiceModule s, Launched l, List<Launched> all, Path logs)
      throws IOException {
    try {
      awaitReady(s, "https://127.0.0.1:" + l.port(), l, logs.resolve(l.name() + ".out"));
    } catch (StackException e) {
      stop(l.pid());
      all.remove(l);
      writeProcesses(all);
      throw e;
    }
  }

  /** SIGTERM, then SIGKILL if the process has not exited after 30 s; only a process of ours. */
  private void stop(long pid) {
    Optional<ProcessHandle> h =
        ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(this::isOurs);
    if (h.isEmpty()) {
      return;
    }
    h.get().destroy();
    try {
      h.get().onExit().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StackException("interrupted");
    } catch (ExecutionException | TimeoutException e) {
      h.get().destroyForcibly();
      try {
        h.get().onExit().get(10, TimeUnit.SECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new StackException("interrupted");
      } catch (ExecutionException | TimeoutException ignored) {
        throw new StackException("pid " + pid + " survived SIGKILL");
      }
    }
  }

  /** Serialises {@code scale} and {@code restart} on one state directory. */
  private StateLock lock() throws IOException {
    java.nio.channels.FileChannel ch =
        java.nio.channels.FileChannel.open(
            state.resolve("stack.lock"),
            java.util.Set.of(
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      var unused = ch.lock(); // held until the channel closes
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    return new StateLock(ch);
  }

  /** An exclusive lock on {@code <state>/stack.lock}; closing the channel releases it. */
  private record StateLock(java.nio.channels.FileChannel channel) implements AutoCloseable {
    void held() {
      if (!channel.isOpen()) {
        throw new IllegalStateException("the state lock was released");
      }
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  /**
   * One part's health: a service has one part per running instance ({@code instance} 1, 2, …); the
   * database and Kafka are instance 1. {@code pid} is -1 when the part's process is not known.
   */
  public record PartStatus(
      String name,
      int instance,
      long pid,
      String address,
      boolean healthy,
      String detail,
      long rssBytes) {}

  /** Health of the whole stack. */
  public record StatusReport(StackDescriptor stack, List<PartStatus> parts) {
    public boolean healthy() {
      return parts.stream().allMatch(PartStatus::healthy);
    }
  }

  /**
   * Checks every part.
   *
   * @throws StackException when there is no stack
   */
  public StatusReport status() {
    StackDescriptor stack = readStack();
    Map<String, Long> pids = new LinkedHashMap<>();
    readProcesses().forEach(l -> pids.put(l.name(), l.pid()));
    List<PartStatus> parts = new ArrayList<>();
    stack.db().ifPresent(db -> parts.add(dbStatus(db, pid(pids.get("mariadb")))));
    parts.add(kafkaStatus(stack, pid(pids.get("kafka"))));
    DevWitness witness = runningWitness(state.resolve("keys"));
    if (witness != null) {
      parts.add(witnessStatus(witness, pid(pids.get("witness"))));
    }
    for (ServiceModule s : ServiceModule.values()) {
      for (Instance i : instances(stack, s)) {
        Optional<String> problem =
            i.alive() ? readiness(i.address()) : Optional.of("process not running");
        parts.add(
            new PartStatus(
                s.module(),
                i.number(),
                i.pid(),
                i.address(),
                problem.isEmpty(),
                problem.orElse("ready"),
                rss(i.pid())));
      }
    }
    return new StatusReport(stack, parts);
  }

  private static long pid(Long pid) {
    return pid == null ? -1 : pid;
  }

  private StackDescriptor readStack() {
    if (!Files.exists(stackFile())) {
      throw new StackException("the stack is not up (no " + stackFile() + "); run ./strongroom up");
    }
    try {
      return StackDescriptor.fromJson(Files.readAllBytes(stackFile()));
    } catch (IOException e) {
      throw new StackException("unreadable " + stackFile() + ": " + e.getMessage(), e);
    }
  }

  /**
   * A running (or crashed) instance of a service: its number, pid (-1 if unknown), address and
   * whether its process is alive and ours.
   */
  public record Instance(int number, long pid, String address, boolean alive) {}

  /**
   * The instances of {@code s} in {@code processes.json}, by number. Instance 1 is at {@code
   * services.<s>} of {@code stack.json} (its port never changes, so that address stays good across
   * scale and restart); the others at the port {@code processes.json} records for them.
   */
  private List<Instance> instances(StackDescriptor stack, ServiceModule s) {
    Map<String, Launched> byName = new LinkedHashMap<>();
    readProcesses().forEach(l -> byName.put(l.name(), l));
    List<Instance> out = new ArrayList<>();
    for (int n = 1; ; n++) {
      Launched l = byName.get(instanceName(s, n));
      if (l == null && n > 1) {
        return out;
      }
      String address =
          n == 1 || l.port() == 0 ? stack.services().get(s) : "https://127.0.0.1:" + l.port();
      long pid = l == null ? -1 : l.pid();
      boolean alive =
          l != null
              && ProcessHandle.of(pid)
                  .filter(ProcessHandle::isAlive)
                  .filter(this::isOurs)
                  .isPresent();
      out.add(new Instance(n, pid, address, alive));
    }
  }

  private static PartStatus dbStatus(StackDescriptor.Db db, long pid) {
    String address = db.host() + ":" + db.port();
    long rss = rss(pid);
    try {
      String greeting = MariaDbInstance.greeting(db.socket());
      return new PartStatus("mariadb", 1, pid, address, true, greeting, rss);
    } catch (IOException | RuntimeException e) {
      return new PartStatus("mariadb", 1, pid, address, false, "unreachable", rss);
    }
  }

  /**
   * The stack's C2SP witness: its process alive and its {@code /add-checkpoint} answering (a GET is
   * refused with 405 by a witness that serves; nothing is submitted).
   */
  private PartStatus witnessStatus(DevWitness witness, long pid) {
    long rss = rss(pid);
    boolean alive =
        ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(this::isOurs).isPresent();
    if (!alive) {
      return new PartStatus("witness", 1, pid, witness.url(), false, "process not running", rss);
    }
    try {
      int code =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(witness.url() + "/add-checkpoint"))
                      .timeout(Duration.ofSeconds(3))
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode();
      return code == 405
          ? new PartStatus(
              "witness", 1, pid, witness.url(), true, "cosigns as " + DevWitness.NAME, rss)
          : new PartStatus("witness", 1, pid, witness.url(), false, "unexpected HTTP " + code, rss);
    } catch (IOException e) {
      return new PartStatus("witness", 1, pid, witness.url(), false, "unreachable", rss);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new PartStatus("witness", 1, pid, witness.url(), false, "interrupted", rss);
    }
  }

  private PartStatus kafkaStatus(StackDescriptor stack, long pid) {
    long rss = rss(pid);
    String bootstrap = stack.kafkaBootstrap();
    if (stack.kafkaSecurity().isEmpty()) {
      return new PartStatus(
          "kafka", 1, pid, bootstrap, false, "no kafka.security in stack.json", rss);
    }
    Properties p = new Properties();
    p.putAll(stack.operatorKafka());
    // A new admin client's TLS handshake and first request took over 5 s on a machine at load 15
    // and reported a healthy broker "unreachable"; a slow answer is better than a false one.
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 8000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 12000);
    try (Admin admin = Admin.create(p)) {
      int nodes = admin.describeCluster().nodes().get(13, TimeUnit.SECONDS).size();
      return new PartStatus("kafka", 1, pid, bootstrap, true, nodes + " broker(s)", rss);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new PartStatus("kafka", 1, pid, bootstrap, false, "interrupted", rss);
    } catch (ExecutionException | TimeoutException e) {
      return new PartStatus("kafka", 1, pid, bootstrap, false, "unreachable", rss);
    }
  }

  /** The operator's HTTPS client (health and metrics are the operator's). */
  private synchronized HttpClient http() {
    if (http == null) {
      http = pki().identity("operator").httpClient();
    }
    return http;
  }

  /** Empty when ready, else why not. */
  private Optional<String> readiness(String baseUrl) {
    try {
      HttpResponse<String> r =
          http()
              .send(
                  HttpRequest.newBuilder(URI.create(baseUrl + "/q/health/ready"))
                      .timeout(Duration.ofSeconds(3))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        return Optional.empty();
      }
      return Optional.of("not ready (HTTP " + r.statusCode() + ")");
    } catch (IOException e) {
      return Optional.of("unreachable");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    }
  }

  private void awaitReady(ServiceModule s, String url, Launched l, Path log) {
    long deadline = System.nanoTime() + SERVICE_READY.toNanos();
    Optional<String> problem = Optional.of("not started");
    while (System.nanoTime() < deadline) {
      if (!ProcessHandle.of(l.pid()).map(ProcessHandle::isAlive).orElse(false)) {
        throw new StackException(
            s.module() + " exited during start; last lines of " + log + ":\n" + tail(log));
      }
      problem = readiness(url);
      if (problem.isEmpty()) {
        return;
      }
      sleep(250);
    }
    throw new StackException(
        s.module()
            + " not ready after "
            + SERVICE_READY.toSeconds()
            + " s ("
            + problem.get()
            + "); see "
            + log
            + ":\n"
            + tail(log));
  }

  private String awaitFile(Path file, Duration timeout, Launched l, Path log) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(file)) {
        return Files.readString(file).trim();
      }
      if (!ProcessHandle.of(l.pid()).map(ProcessHandle::isAlive).orElse(false)) {
        throw new StackException(
            l.name() + " exited during start; last lines of " + log + ":\n" + tail(log));
      }
      sleep(100);
    }
    throw new StackException(
        l.name() + " not ready after " + timeout.toSeconds() + " s; see " + log);
  }

  /**
   * A process this state directory started: its name in {@code processes.json} ({@code mariadb},
   * {@code kafka}, {@link #instanceName}), pid and, for a service instance, its HTTPS port (else
   * 0).
   */
  private record Launched(String name, long pid, int port) {
    Launched(String name, long pid) {
      this(name, pid, 0);
    }
  }

  private Launched spawn(String name, List<String> javaArgs, Path log) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add("setsid");
    // umask 077: whatever the part writes (broker segments, logs) is 0600 in 0700 directories.
    cmd.add("sh");
    cmd.add("-c");
    cmd.add("umask 077 && exec \"$0\" \"$@\"");
    cmd.add(javaBinary());
    cmd.addAll(javaArgs);
    if (!Files.exists(log)) {
      Files.createFile(
          log, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    // appended: a restarted part keeps the log of the one before it
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    Process p = pb.start();
    return new Launched(name, p.pid());
  }

  private boolean isOurs(ProcessHandle h) {
    // never signal a recycled pid: the command line must name this state directory
    return h.info()
        .arguments()
        .map(args -> String.join(" ", args).contains(state.toString()))
        .orElse(false);
  }

  private Path processesFile() {
    return state.resolve("processes.json");
  }

  /**
   * {@code processes.json}: {@code processes} (name → pid, every process {@code down} stops) and
   * {@code ports} (service instance name → its HTTPS port).
   */
  private void writeProcesses(List<Launched> launched) throws IOException {
    ObjectNode root = CanonicalJson.mapper().createObjectNode();
    ObjectNode procs = root.putObject("processes");
    ObjectNode ports = root.putObject("ports");
    launched.forEach(
        l -> {
          procs.put(l.name(), l.pid());
          if (l.port() > 0) {
            ports.put(l.name(), l.port());
          }
        });
    writeAtomically(
        processesFile(),
        CanonicalJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
  }

  private List<Launched> readProcesses() {
    if (!Files.exists(processesFile())) {
      return List.of();
    }
    try {
      JsonNode root = CanonicalJson.mapper().readTree(Files.readAllBytes(processesFile()));
      List<Launched> out = new ArrayList<>();
      JsonNode ports = root.path("ports");
      root.path("processes")
          .properties()
          .forEach(
              e ->
                  out.add(
                      new Launched(
                          e.getKey(), e.getValue().asLong(), ports.path(e.getKey()).asInt(0))));
      return out;
    } catch (IOException e) {
      throw new StackException("unreadable " + processesFile() + ": " + e.getMessage(), e);
    }
  }

  private void checkBuilt() {
    List<String> missing = new ArrayList<>();
    if (!Files.exists(devstackJar())) {
      missing.add(devstackJar().toString());
    }
    for (ServiceModule s : ServiceModule.values()) {
      if (!Files.exists(serviceJar(s))) {
        missing.add(serviceJar(s).toString());
      }
    }
    if (!missing.isEmpty()) {
      throw new StackException(
          "not built (run ./strongroom up, which builds first): missing "
              + String.join(", ", missing));
    }
  }

  private Path devstackJar() {
    return home.resolve("devstack/target/devstack.jar");
  }

  private Path serviceJar(ServiceModule s) {
    return home.resolve(s.module() + "/target/quarkus-app/quarkus-run.jar");
  }

  private static String javaBinary() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  private static long rss(long pid) {
    if (pid <= 0) {
      return -1;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  /**
   * Makes every directory under {@code root} 0700 and every file 0600 (what was written before the
   * parts started under {@code umask 077}: keys, certificates, the database's bootstrap files).
   */
  static void tighten(Path root) throws IOException {
    var dirMode = PosixFilePermissions.fromString("rwx------");
    var fileMode = PosixFilePermissions.fromString("rw-------");
    try (var walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (Files.isSymbolicLink(p) || p.startsWith(root.resolve("worm"))) {
          continue;
        }
        try {
          Files.setPosixFilePermissions(p, Files.isDirectory(p) ? dirMode : fileMode);
        } catch (java.nio.file.NoSuchFileException e) {
          // a temporary file that went away meanwhile
        }
      }
    }
  }

  /** Creates {@code dir} if needed and makes it 0700. */
  private static Path privateDir(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    return dir;
  }

  /** Writes {@code bytes} to {@code file} (mode 0600) so readers see all of it or none. */
  static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(
        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(tmp, bytes);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StackException("interrupted");
    }
  }
}
