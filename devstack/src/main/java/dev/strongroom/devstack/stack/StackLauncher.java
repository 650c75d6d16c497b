package dev.strongroom.devstack.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.tls.TlsIdentity;
import dev.strongroom.devstack.keys.AuditLogKey;
import dev.strongroom.devstack.keys.DevKeys;
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
 * part is healthy), {@code processes.json} (pids and what they are, for {@code down}), {@code
 * keys/} (dev event keys and registry), {@code kafka/} (broker log dir), {@code logs/} (one log per
 * part).
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
      DevKeys keys = DevKeys.generate(state.resolve("keys"), DevKeys.STANDARD, Duration.ofDays(30));

      progress.println(
          "provisioning the PKI and the hardened database (TLS 1.3, mTLS, encrypted at rest) …");
      StackDescriptor.Db db = startDatabase(launched, keys);
      progress.println("database ready at 127.0.0.1:" + db.port() + " (" + db.dialect() + ")");

      progress.println("starting kafka (KRaft, loopback) …");
      Path ready = state.resolve("kafka.ready");
      Files.deleteIfExists(ready);
      Path kafkaDir = state.resolve("kafka");
      launched.add(
          spawn(
              "kafka",
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
                  ready.toString()),
              logs.resolve("kafka.log")));
      writeProcesses(launched);
      String bootstrap = awaitFile(ready, KAFKA_READY, launched.get(0), logs.resolve("kafka.log"));
      progress.println("kafka ready at " + bootstrap);

      // the audit log: its key and the create-only directory the checkpoints and tiles go to
      AuditLogKey logKey = AuditLogKey.generate(state.resolve("keys"));
      Path worm = privateDir(state.resolve("worm"));
      privateDir(state.resolve("evidence")); // bundles, drill reports: the operator's alone
      Map<ServiceModule, String> urls = new java.util.EnumMap<>(ServiceModule.class);
      for (ServiceModule s : ServiceModule.values()) {
        int port = LoopbackPorts.free();
        urls.put(s, "https://127.0.0.1:" + port);
        List<String> args =
            new ArrayList<>(
                List.of(
                    "-Xmx160m",
                    "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1",
                    "-Dquarkus.http.host=127.0.0.1",
                    "-Dkafka.bootstrap.servers=" + bootstrap,
                    "-Dstrongroom.events.key-registry=" + keys.registryFile(),
                    "-Dstrongroom.events.signing-key=" + keys.keyFile(s.module()),
                    "-Dquarkus.log.file.enable=true",
                    "-Dquarkus.log.file.path=" + logs.resolve(s.module() + ".log"),
                    "-Dstrongroom.state=" + state)); // marks the process as ours for down
        // The service's own mTLS identity (paths only): its Kafka clients and its HTTPS port.
        pki()
            .identity(s.module())
            .serviceConfig(port)
            .forEach((k, v) -> args.add("-D" + k + "=" + v));
        if (s == ServiceModule.CRYPTO) {
          Duration kmsLatency = kmsAddedLatency();
          writeAtomically(
              state.resolve(KMS_LATENCY_FILE),
              kmsLatency.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          keys.cryptoServiceConfig(kmsLatency).forEach((k, v) -> args.add("-D" + k + "=" + v));
        }
        if (s == ServiceModule.DATA) {
          dataServiceDbArgs(db).forEach(a -> args.add(a));
        }
        if (s == ServiceModule.AUDIT) {
          // the audit watch: tails and verifies the chain as the auditor every second, raises
          // CHAIN_BREAK / SCHEMA_DRIFT / GRANT_CHANGE (docs/audit-anchor-service.md)
          StackDescriptor.CertKey auditor = db.identities().get("auditor");
          args.add("-Dstrongroom.audit-anchor.enabled=true");
          args.add("-Dstrongroom.audit-anchor.holder=audit-anchor-1");
          args.add("-Dstrongroom.audit-anchor.interval=PT1S");
          args.add("-Dstrongroom.audit-anchor.lease-ttl=PT5S");
          args.add("-Dstrongroom.audit-anchor.state-dir=" + state.resolve("audit-anchor"));
          args.add("-Dstrongroom.audit-anchor.db.host=" + db.host());
          args.add("-Dstrongroom.audit-anchor.db.port=" + db.port());
          args.add("-Dstrongroom.audit-anchor.db.ca-cert=" + db.caCert());
          args.add("-Dstrongroom.audit-anchor.db.cert=" + auditor.cert());
          args.add("-Dstrongroom.audit-anchor.db.key=" + auditor.key());
          args.add("-Dstrongroom.audit-anchor.worm.kind=local-dir");
          args.add("-Dstrongroom.audit-anchor.worm.location=" + worm);
          args.add("-Dstrongroom.audit-anchor.log-key=" + logKey.keyFile());
          // the nightly backup (docs/backups.md): as the backup identity over mutual TLS, the
          // key wrapped by the stack's KMS, signed with the stack's backup key, create-only to
          // the same WORM store as the checkpoints and as ./strongroom backup
          StackDescriptor.CertKey backup = db.identities().get("backup");
          Path backupKey = state.resolve("keys").resolve(DevKeys.BACKUP_SIGNING_KEY);
          if (!Files.exists(backupKey)) {
            dev.strongroom.provisioner.os.SecureFiles.writeText(
                backupKey,
                dev.strongroom.contracts.keys.SigningKey.generate().toPem(),
                dev.strongroom.provisioner.os.SecureFiles.SECRET);
          }
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
        launched.add(spawn(s.module(), args, logs.resolve(s.module() + ".out")));
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
        instance, keys.tenantTokenKey(), new AuditInstaller.Options(Duration.ofSeconds(1)));
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

  /** One part's health. */
  public record PartStatus(
      String name, String address, boolean healthy, String detail, long rssBytes) {}

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
    if (!Files.exists(stackFile())) {
      throw new StackException("the stack is not up (no " + stackFile() + "); run ./strongroom up");
    }
    StackDescriptor stack;
    try {
      stack = StackDescriptor.fromJson(Files.readAllBytes(stackFile()));
    } catch (IOException e) {
      throw new StackException("unreadable " + stackFile() + ": " + e.getMessage(), e);
    }
    Map<String, Long> pids = new LinkedHashMap<>();
    readProcesses().forEach(l -> pids.put(l.name(), l.pid()));
    List<PartStatus> parts = new ArrayList<>();
    stack.db().ifPresent(db -> parts.add(dbStatus(db, rss(pids.get("mariadb")))));
    parts.add(kafkaStatus(stack, rss(pids.get("kafka"))));
    for (ServiceModule s : ServiceModule.values()) {
      String url = stack.services().get(s);
      Optional<String> problem = readiness(url);
      parts.add(
          new PartStatus(
              s.module(),
              url,
              problem.isEmpty(),
              problem.orElse("ready"),
              rss(pids.get(s.module()))));
    }
    return new StatusReport(stack, parts);
  }

  private static PartStatus dbStatus(StackDescriptor.Db db, long rss) {
    String address = db.host() + ":" + db.port();
    try {
      String greeting = MariaDbInstance.greeting(db.socket());
      return new PartStatus("mariadb", address, true, greeting, rss);
    } catch (IOException | RuntimeException e) {
      return new PartStatus("mariadb", address, false, "unreachable", rss);
    }
  }

  private PartStatus kafkaStatus(StackDescriptor stack, long rss) {
    String bootstrap = stack.kafkaBootstrap();
    if (stack.kafkaSecurity().isEmpty()) {
      return new PartStatus("kafka", bootstrap, false, "no kafka.security in stack.json", rss);
    }
    Properties p = new Properties();
    p.putAll(stack.operatorKafka());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
    try (Admin admin = Admin.create(p)) {
      int nodes = admin.describeCluster().nodes().get(6, TimeUnit.SECONDS).size();
      return new PartStatus("kafka", bootstrap, true, nodes + " broker(s)", rss);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new PartStatus("kafka", bootstrap, false, "interrupted", rss);
    } catch (ExecutionException | TimeoutException e) {
      return new PartStatus("kafka", bootstrap, false, "unreachable", rss);
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

  private record Launched(String name, long pid) {}

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
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
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

  private void writeProcesses(List<Launched> launched) throws IOException {
    ObjectNode root = CanonicalJson.mapper().createObjectNode();
    ObjectNode procs = root.putObject("processes");
    launched.forEach(l -> procs.put(l.name(), l.pid()));
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
      root.path("processes")
          .properties()
          .forEach(e -> out.add(new Launched(e.getKey(), e.getValue().asLong())));
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

  private static long rss(Long pid) {
    if (pid == null) {
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
