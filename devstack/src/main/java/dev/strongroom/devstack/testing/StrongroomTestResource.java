package dev.strongroom.devstack.testing;

import dev.strongroom.audit.checkpoint.Checkpoint;
import dev.strongroom.audit.note.Ed25519NoteSigner;
import dev.strongroom.audit.tree.MerkleTree;
import dev.strongroom.audit.verify.AuditLogVerifier;
import dev.strongroom.audit.worm.LocalDirWormStore;
import dev.strongroom.devstack.kafka.EmbeddedKafka;
import dev.strongroom.devstack.kafka.KafkaAccessPolicy;
import dev.strongroom.devstack.keys.AuditLogKey;
import dev.strongroom.devstack.keys.DevKeys;
import dev.strongroom.devstack.keys.ProvisionerSsh;
import dev.strongroom.provisioner.os.LoopbackPorts;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Quarkus test resource: a fresh PKI, a real KRaft broker (mutual TLS and ACLs, see {@link
 * EmbeddedKafka}) with every Strongroom topic, fresh dev keys, and a free HTTP port, handed to the
 * service under test as configuration. Init arg {@code service} names the identity the service runs
 * as: the key it signs events with and its TLS identity (e.g. {@code data-service}).
 *
 * <p>Used with {@code @QuarkusIntegrationTest}, so the packaged application runs as its own process
 * and the test talks to it only from outside, like an operator. The test reads the stack through
 * {@link #stack()} (same JVM as this resource).
 */
public class StrongroomTestResource implements QuarkusTestResourceLifecycleManager {
  /**
   * What a test needs to reach the service under test; {@link #kafka(String)} builds a Kafka
   * client's properties for one of the PKI's identities; {@code database} is the private database
   * when the resource was asked for one (always for the data-service).
   */
  public record Stack(
      String bootstrap,
      DevKeys keys,
      int httpPort,
      String service,
      PkiDirectory pki,
      java.util.Optional<TestDatabase> database) {
    /** Kafka client properties (bootstrap and mutual TLS) acting as identity {@code name}. */
    public Map<String, Object> kafka(String name) {
      return pki.identity(name).kafkaClient(bootstrap);
    }

    /** The service's base URL, {@code https://127.0.0.1:<port>}. */
    public String baseUrl() {
      return "https://127.0.0.1:" + httpPort;
    }

    /** An HTTPS client presenting identity {@code name}'s certificate. */
    public java.net.http.HttpClient http(String name) {
      return pki.identity(name).httpClient();
    }
  }

  private static volatile Stack current;
  private static volatile TlsSyslogCollector syslog;

  /**
   * The TLS syslog collector the audit-anchor-service sends its checkpoints to when the watch runs
   * (init arg {@code anchor-interval}).
   */
  public static TlsSyslogCollector syslogCollector() {
    if (syslog == null) {
      throw new IllegalStateException("no syslog collector: init arg anchor-interval not set");
    }
    return syslog;
  }

  private Path dir;
  private EmbeddedKafka kafka;
  private String service;
  private boolean withDatabase;
  private String backupSchedule;
  private String anchorInterval;
  private String secondApplication;
  private TestDatabase database;

  /**
   * The provisioner-service's SSH files and throwaway target root (service {@code
   * provisioner-service} only): {@code <dir>/provisioner} and {@code
   * <dir>/provisioner-target-root}.
   */
  public static ProvisionerSsh provisionerSsh() {
    return new ProvisionerSsh(
        stack().keys().registryFile().getParent().resolveSibling("provisioner"));
  }

  /**
   * The Vault token the provisioner-service under test writes at-rest key versions with (its token
   * file holds it); the test's Vault KV v2 server must accept it for writes.
   */
  public static final String PROVISIONER_VAULT_TOKEN = "s.provisioner-under-test";

  private static volatile int provisionerVaultPort;

  /**
   * The loopback port the provisioner-service under test expects its Vault on ({@code
   * https://127.0.0.1:<port>/v1/strongroom}, certificate from the stack's PKI): a test that rotates
   * at-rest keys starts its Vault there.
   */
  public static int provisionerVaultPort() {
    return provisionerVaultPort;
  }

  /** Where the provisioner-service under test applies plans on its targets. */
  public static Path provisionerTargetRoot() {
    return stack().keys().registryFile().getParent().resolveSibling("provisioner-target-root");
  }

  /** The stack of the running test resource. */
  public static Stack stack() {
    if (current == null) {
      throw new IllegalStateException("StrongroomTestResource is not running");
    }
    return current;
  }

  @Override
  public void init(Map<String, String> initArgs) {
    service = initArgs.getOrDefault("service", "data-service");
    // the data-service cannot start without its database; others may ask for one too
    withDatabase =
        Boolean.parseBoolean(
            initArgs.getOrDefault("database", Boolean.toString("data-service".equals(service))));
    backupSchedule = initArgs.getOrDefault("backup-schedule", "PT20S");
    anchorInterval = initArgs.get("anchor-interval");
    secondApplication = initArgs.get("second-application");
  }

  /**
   * With init arg {@code second-application} (a name, e.g. {@code other-app}): a second application
   * identity besides {@code demo-app}, with its own client certificate in the PKI, the Kafka grants
   * of an application ({@link KafkaAccessPolicy#application}), and its own event-signing key
   * ({@code <name>.key.pem}) registered for source {@code /apps/<name>} and encrypt and store
   * requests, bound to its own certificate.
   */
  public static String secondApplicationSource(String name) {
    return DevKeys.APPLICATION_SOURCE_PREFIX + name;
  }

  /**
   * With init arg {@code anchor-interval} (e.g. {@code PT1S}) and a database, the
   * audit-anchor-service runs its audit watch and publishes checkpoints every interval to {@code
   * <keys>/../worm} (the scheduled backup is then off), signed with a fresh log key ({@code
   * <keys>/audit-log.key}, verifier key in {@code <keys>/audit-log.vkey}), and sends each to a TLS
   * syslog collector ({@link #syslogCollector()}).
   */
  public static final String AUDIT_LOG_VKEY = "audit-log.vkey";

  /**
   * The backup signing key the audit-anchor-service signs scheduled backups with, when it runs
   * against a database (init arg {@code database=true}; schedule: init arg {@code backup-schedule},
   * default {@code PT20S}); backups go to {@code <keys>/../worm}.
   */
  public static final String BACKUP_SIGNING_KEY = "backup-signing.key.pem";

  /** Strong references: JUL keeps loggers weakly, and a collected logger forgets its level. */
  private static final java.util.List<java.util.logging.Logger> QUIET = new java.util.ArrayList<>();

  @Override
  public Map<String, String> start() {
    // The broker runs in the test JVM, whose log manager would print its INFO chatter into CI logs.
    for (String name : new String[] {"kafka", "org.apache.kafka", "state.change.logger"}) {
      java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
      logger.setLevel(java.util.logging.Level.WARNING);
      QUIET.add(logger);
    }
    try {
      dir = Files.createTempDirectory("strongroom-it-");
      List<String> extraApps = secondApplication == null ? List.of() : List.of(secondApplication);
      PkiDirectory pki =
          PkiDirectory.open(dir.resolve("pki"), PkiSpec.strongroom(List.of(), extraApps));
      pki.ensure();
      kafka = EmbeddedKafka.start(dir.resolve("kafka"), pki);
      kafka.createStrongroomTopics();
      List<DevKeys.Identity> identities = new java.util.ArrayList<>(DevKeys.STANDARD);
      for (String app : extraApps) {
        kafka.createAcls(KafkaAccessPolicy.bindingsOf(KafkaAccessPolicy.application(app)));
        identities.add(
            new DevKeys.Identity(
                app,
                secondApplicationSource(app),
                DevKeys.STANDARD.stream()
                    .filter(i -> i.name().equals(PkiSpec.DEMO_APP))
                    .findFirst()
                    .orElseThrow()
                    .types()));
      }
      DevKeys keys = DevKeys.generate(dir.resolve("keys"), identities, Duration.ofHours(2), pki);
      int port = LoopbackPorts.free();
      if (withDatabase) {
        database = TestDatabase.start(dir.resolve("db"), pki, keys.tenantTokenKey());
      }
      current =
          new Stack(
              kafka.bootstrapServers(),
              keys,
              port,
              service,
              pki,
              java.util.Optional.ofNullable(database));
      Map<String, String> config =
          new java.util.HashMap<>(
              Map.of(
                  "kafka.bootstrap.servers", kafka.bootstrapServers(),
                  "strongroom.events.key-registry", keys.registryFile().toString(),
                  "strongroom.events.signing-key", keys.keyFile(service).toString(),
                  "quarkus.http.port", Integer.toString(port),
                  "quarkus.http.test-port", Integer.toString(port)));
      // HTTPS only (serviceConfig): the same port serves TLS, the plain HTTP port is not opened.
      config.putAll(pki.identity(service).serviceConfig(port));
      // the CA's CRL: callers whose certificate is on it are refused (EndpointAccess)
      config.put("strongroom.tls.crl", pki.crlPem().toString());
      if ("crypto-service".equals(service)) {
        config.putAll(keys.cryptoServiceConfig());
      }
      if (database != null && "data-service".equals(service)) {
        config.putAll(database.dataServiceConfig());
      }
      if (database != null && "audit-anchor-service".equals(service) && anchorInterval != null) {
        AuditLogKey log = AuditLogKey.generate(dir.resolve("keys"));
        Files.writeString(
            dir.resolve("keys").resolve(AUDIT_LOG_VKEY),
            log.verifierKey() + "\n",
            java.nio.charset.StandardCharsets.US_ASCII);
        config.putAll(
            database.auditWatchConfig(
                anchorInterval, dir.resolve("audit-anchor"), dir.resolve("worm"), log.keyFile()));
        syslog = TlsSyslogCollector.start(pki);
        config.put("strongroom.audit-anchor.syslog.transport", "tls");
        config.put("strongroom.audit-anchor.syslog.host", "127.0.0.1");
        config.put("strongroom.audit-anchor.syslog.port", Integer.toString(syslog.port()));
        config.put("strongroom.audit-anchor.syslog.hostname", "strongroom-it");
      } else if (database != null && "audit-anchor-service".equals(service)) {
        Path signing = keys.registryFile().resolveSibling(BACKUP_SIGNING_KEY);
        dev.strongroom.provisioner.os.SecureFiles.writeText(
            signing,
            dev.strongroom.contracts.keys.SigningKey.generate().toPem(),
            dev.strongroom.provisioner.os.SecureFiles.SECRET);
        config.putAll(
            database.backupServiceConfig(
                backupSchedule,
                dir.resolve("worm"),
                dir.resolve("backup-work"),
                signing,
                DevKeys.DEV_KEK_NAME,
                keys.registryFile().resolveSibling(DevKeys.DEV_KEYRING)));
      }
      if (database != null && "proof-service".equals(service)) {
        config.putAll(
            database.proofServiceConfig(dir.resolve("evidence"), keys.tenantTokenKeyFile()));
        config.putAll(anchoredLog(dir));
      }
      if ("provisioner-service".equals(service)) {
        // plans over SSH with the resource's own key and pins (provisioner/ssh), applied under a
        // throwaway root on the (loopback) target, never the machine's own /
        Path root = Files.createDirectories(dir.resolve("provisioner-target-root"));
        config.putAll(ProvisionerSsh.ensure(dir.resolve("provisioner")).serviceConfig(root));
        // at-rest key rotations write to a Vault KV v2 API a test starts on this port
        provisionerVaultPort = LoopbackPorts.free();
        Path vaultToken = dir.resolve("provisioner").resolve("vault-token");
        dev.strongroom.provisioner.os.SecureFiles.writeText(
            vaultToken,
            PROVISIONER_VAULT_TOKEN + "\n",
            dev.strongroom.provisioner.os.SecureFiles.SECRET);
        config.put(
            "strongroom.provisioner.vault.url",
            "https://127.0.0.1:" + provisionerVaultPort + "/v1/strongroom");
        config.put("strongroom.provisioner.vault.token-file", vaultToken.toString());
        config.put("strongroom.provisioner.vault.ca", pki.caCertPem().toString());
        config.put("strongroom.provisioner.at-rest-reencrypt-wait", "PT2M");
      }
      return config;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The proof-service's {@code strongroom.proof.audit-log.*} (SR-DB-AUD-04): a WORM directory with
   * the one checkpoint (size 0) the audit-anchor-service's first quiet tick would leave, signed by
   * a fresh log key; the chain's events then all lie past the anchored size.
   */
  private static Map<String, String> anchoredLog(Path dir) throws IOException {
    AuditLogKey log = AuditLogKey.generate(dir.resolve("keys"));
    Ed25519NoteSigner signer =
        Ed25519NoteSigner.fromSignerKey(
            Files.readString(log.keyFile(), java.nio.charset.StandardCharsets.US_ASCII).trim());
    Path worm = dir.resolve("worm");
    LocalDirWormStore.open(worm)
        .put(
            AuditLogVerifier.checkpointPrefix(signer.name()) + "20261204T000000.000Z-0.note",
            Checkpoint.of(signer.name(), 0, new MerkleTree().root()).sign(signer));
    return Map.of(
        "strongroom.proof.audit-log.worm-dir", worm.toString(),
        "strongroom.proof.audit-log.verifier-key", log.verifierKey());
  }

  @Override
  public void stop() {
    current = null;
    if (syslog != null) {
      syslog.close();
      syslog = null;
    }
    if (kafka != null) {
      kafka.close();
    }
    if (database != null) {
      database.close();
    }
    if (dir != null) {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // temp dir; best effort
      }
    }
  }
}
