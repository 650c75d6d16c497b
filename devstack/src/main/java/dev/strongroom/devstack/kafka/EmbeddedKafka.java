package dev.strongroom.devstack.kafka;

import dev.strongroom.contracts.tls.TlsIdentity;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.provisioner.os.LoopbackPorts;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, single-node Apache Kafka broker running in this JVM in KRaft mode.
 *
 * <p>The node plays both roles ({@code process.roles=broker,controller}) with {@code node.id=1} and
 * a static one-voter controller quorum. Both listeners bind to {@code 127.0.0.1} only, on free
 * ports chosen at every {@link #start(Path, PkiDirectory)}.
 *
 * <p>Zero trust: both listeners (client/inter-broker and controller) speak only TLS 1.3 with a
 * client certificate required, issued by the stack's {@link PkiDirectory}; the broker presents its
 * own {@link PkiSpec#KAFKA_BROKER} certificate. A peer's principal is its certificate's CN ({@code
 * User:crypto-service}); {@code StandardAuthorizer} with {@code
 * allow.everyone.if.no.acl.found=false} enforces {@link KafkaAccessPolicy}, whose ACLs are
 * (re)applied at every start; the broker is the only super user. Clients get their configuration
 * from {@link #clientConfig(String)} (that is, {@link TlsIdentity#kafkaClient(String)}). The log
 * directory is made 0700.
 *
 * <p>The log directory belongs to the caller: it is created if missing and formatted (fresh cluster
 * id, {@code MetadataVersion.LATEST_PRODUCTION}, see {@link KRaftStorage}) only when it holds no
 * {@code meta.properties}, so a broker restarted on the same directory keeps its topics and
 * records. The metadata log lives in the same directory.
 *
 * <p>Broker defaults suit tests and a local stack: replication factor 1 everywhere, no topic
 * auto-creation, three partitions per topic, no initial rebalance delay, and few threads and small
 * buffers so that the broker fits in a test JVM capped at a few hundred megabytes.
 *
 * <p>Instances are thread-safe. {@link #close()} stops the broker, waits for it, and releases its
 * ports; it is idempotent.
 */
public final class EmbeddedKafka implements AutoCloseable {

  /** The node id of the single broker/controller. */
  public static final int NODE_ID = 1;

  /** Name of the client (and inter-broker) listener. */
  public static final String BROKER_LISTENER = "SSL";

  /** Name of the KRaft controller listener. */
  public static final String CONTROLLER_LISTENER = "CONTROLLER";

  /** How long {@link #start(Path, PkiDirectory)} waits for the broker to serve requests. */
  public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

  /** Partitions of every Strongroom topic and of its dead-letter topic. */
  public static final int STRONGROOM_PARTITIONS = 3;

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  private static final String HOST = "127.0.0.1";

  /** How long topic creation waits for the new partitions to have a leader. */
  private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(30);

  /** Start attempts: a free port may be taken by someone else before the broker binds it. */
  private static final int MAX_START_ATTEMPTS = 3;

  private static final long POLL_INTERVAL_MS = 100;

  private final Path logDir;
  private final String bootstrapServers;
  private final String controllerAddress;
  private final KafkaRaftServer server;
  private final PkiDirectory pki;
  private boolean closed;

  private EmbeddedKafka(
      Path logDir,
      String bootstrapServers,
      String controllerAddress,
      KafkaRaftServer server,
      PkiDirectory pki) {
    this.logDir = logDir;
    this.bootstrapServers = bootstrapServers;
    this.controllerAddress = controllerAddress;
    this.server = server;
    this.pki = pki;
  }

  /**
   * Starts a broker on {@code logDir} and returns once it serves client requests.
   *
   * @param logDir the log directory; created if missing (0700), formatted if it has no {@code
   *     meta.properties}
   * @param pki the stack's PKI, already {@link PkiDirectory#ensure() ensured}: the broker's
   *     certificate, the CA clients must chain to, and the identities {@link #clientConfig} serves
   * @return the running broker
   * @throws IllegalStateException if the directory cannot be formatted, or the broker fails to
   *     start or is not ready within {@link #STARTUP_TIMEOUT}
   * @throws UncheckedIOException if the directory cannot be created
   */
  public static EmbeddedKafka start(Path logDir, PkiDirectory pki) {
    return start(logDir, pki, 0);
  }

  /**
   * As {@link #start(Path, PkiDirectory)}, with the client listener on {@code brokerPort} (0: a
   * free one). A broker restarted on its log directory and its old port keeps its bootstrap
   * address, so its clients reconnect by themselves ({@code ./strongroom restart kafka}).
   */
  public static EmbeddedKafka start(Path logDir, PkiDirectory pki, int brokerPort) {
    return start(logDir, pki, brokerPort, Map.of());
  }

  /**
   * As {@link #start(Path, PkiDirectory, int)}, with {@code extra} broker properties set last (a
   * test's broker plug-in, e.g. a {@code principal.builder.class} that also checks the CA's CRL).
   */
  public static EmbeddedKafka start(
      Path logDir, PkiDirectory pki, int brokerPort, Map<String, String> extra) {
    Objects.requireNonNull(logDir, "logDir");
    Objects.requireNonNull(extra, "extra");
    Objects.requireNonNull(pki, "pki");
    TlsIdentity broker = pki.identity(PkiSpec.KAFKA_BROKER);
    String organization = pki.spec().caSubject().organization();
    long startNanos = System.nanoTime();
    long deadlineNanos = startNanos + STARTUP_TIMEOUT.toNanos();
    Path dir = logDir.toAbsolutePath().normalize();
    prepareLogDir(dir);

    for (int attempt = 1; ; attempt++) {
      int[] ports = LoopbackPorts.free(2);
      if (brokerPort > 0) {
        ports[0] = brokerPort;
        if (ports[1] == brokerPort) {
          continue; // the free one picked for the controller is the broker's own
        }
      }
      String bootstrap = HOST + ":" + ports[0];
      Properties properties =
          brokerProperties(dir, ports[0], ports[1], remainingMillis(deadlineNanos));
      properties.putAll(securityProperties(broker, organization));
      properties.putAll(extra);
      KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(properties, false), Time.SYSTEM);
      try {
        server.startup(); // bounded by server.max.startup.time.ms
        awaitReady(bootstrap, broker, deadlineNanos);
        applyAcls(bootstrap, broker, deadlineNanos);
      } catch (RuntimeException e) {
        stopQuietly(server);
        if (isBindFailure(e) && attempt < MAX_START_ATTEMPTS) {
          LOG.warn(
              "A port chosen for the embedded Kafka broker was taken, retrying: {}", e.toString());
          continue;
        }
        throw startupFailure(dir, bootstrap, e);
      } catch (Error e) {
        stopQuietly(server);
        throw e;
      }
      LOG.info(
          "Embedded Kafka broker ready at {} (log dir {}) in {} ms",
          bootstrap,
          dir,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
      return new EmbeddedKafka(dir, bootstrap, HOST + ":" + ports[1], server, pki);
    }
  }

  /** The client bootstrap address, {@code 127.0.0.1:<port>}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /**
   * The controller listener's address, {@code 127.0.0.1:<port>} (KRaft's own quorum traffic; mutual
   * TLS like the client listener, not advertised to clients).
   */
  public String controllerAddress() {
    return controllerAddress;
  }

  /** The PKI whose identities this broker admits. */
  public PkiDirectory pki() {
    return pki;
  }

  /** The mutual-TLS identity {@code name} of this broker's PKI. */
  public TlsIdentity identity(String name) {
    return pki.identity(name);
  }

  /**
   * Kafka client properties (producer, consumer or admin) for identity {@code name}: this broker's
   * bootstrap address and the identity's mTLS settings. What the client may then do is {@link
   * KafkaAccessPolicy}'s business.
   */
  public Map<String, Object> clientConfig(String name) {
    return identity(name).kafkaClient(bootstrapServers);
  }

  /** The absolute log directory (also the metadata log directory). */
  public Path logDir() {
    return logDir;
  }

  /**
   * Creates topics with {@code partitions} partitions and replication factor 1, and waits until
   * every partition has a leader. Topics that already exist are left as they are.
   *
   * @throws IllegalStateException if a topic cannot be created or does not become available
   */
  public void createTopics(Collection<String> names, int partitions) {
    Objects.requireNonNull(names, "names");
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be positive: " + partitions);
    }
    Set<String> topics = new LinkedHashSet<>(names);
    if (topics.isEmpty()) {
      return;
    }
    List<NewTopic> newTopics = new ArrayList<>();
    for (String name : topics) {
      newTopics.add(
          new NewTopic(Objects.requireNonNull(name, "topic name"), partitions, (short) 1));
    }
    long deadlineNanos = System.nanoTime() + TOPIC_TIMEOUT.toNanos();
    try (Admin admin = admin()) {
      CreateTopicsResult result = admin.createTopics(newTopics);
      for (Map.Entry<String, KafkaFuture<Void>> entry : result.values().entrySet()) {
        try {
          entry.getValue().get(remainingMillis(deadlineNanos), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException(
                "Cannot create topic " + entry.getKey() + ": " + e.getCause(), e.getCause());
          }
        }
      }
      awaitLeaders(admin, topics, deadlineNanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topics " + topics, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "Topics " + topics + " not available within " + TOPIC_TIMEOUT.toSeconds() + " s", e);
    }
  }

  /**
   * Adds ACL bindings as the broker (its only super user), e.g. {@link
   * KafkaAccessPolicy#bindingsOf} for an application identity beyond the policy's table.
   */
  public void createAcls(List<org.apache.kafka.common.acl.AclBinding> bindings) {
    try (Admin admin = admin(bootstrapServers, pki.identity(PkiSpec.KAFKA_BROKER))) {
      admin.createAcls(bindings).all().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating ACLs", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Cannot create ACLs: " + e, e);
    }
  }

  /**
   * Creates every topic of {@link Topics#ALL} and its dead-letter topic ({@link Topics#dlq}), with
   * {@link #STRONGROOM_PARTITIONS} partitions each. Idempotent.
   */
  public void createStrongroomTopics() {
    List<String> names = new ArrayList<>();
    for (String topic : Topics.ALL) {
      names.add(topic);
      names.add(Topics.dlq(topic));
    }
    createTopics(names, STRONGROOM_PARTITIONS);
  }

  /**
   * Shuts the broker down and waits until it has stopped and released its ports. Calling it again
   * does nothing.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long startNanos = System.nanoTime();
    server.shutdown();
    server.awaitShutdown();
    LOG.info(
        "Embedded Kafka broker at {} stopped in {} ms",
        bootstrapServers,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
  }

  @Override
  public String toString() {
    return "EmbeddedKafka[" + bootstrapServers + ", " + logDir + "]";
  }

  // ---------------------------------------------------------------- configuration and formatting

  /**
   * The broker configuration; {@code startupTimeoutMs} bounds {@link KafkaRaftServer#startup()}.
   */
  private static Properties brokerProperties(
      Path dir, int brokerPort, int controllerPort, long startupTimeoutMs) {
    Properties p = new Properties();
    // Identity and roles: one combined node, static single-voter quorum (kraft.version 0), so a
    // restart on other ports needs no quorum reconfiguration.
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    // Listeners: loopback only.
    String brokerEndpoint = BROKER_LISTENER + "://" + HOST + ":" + brokerPort;
    p.put(
        "listeners",
        brokerEndpoint + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
    p.put("advertised.listeners", brokerEndpoint);
    p.put(
        "listener.security.protocol.map", BROKER_LISTENER + ":SSL," + CONTROLLER_LISTENER + ":SSL");
    p.put("inter.broker.listener.name", BROKER_LISTENER);
    // Storage: the caller's directory holds data and the metadata log.
    p.put("log.dirs", dir.toString());
    p.put("metadata.log.dir", dir.toString());
    // One node: replication factor 1 for everything, including internal topics.
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "3");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "3");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("share.coordinator.state.topic.num.partitions", "3");
    // Topic behaviour.
    p.put("auto.create.topics.enable", "false");
    p.put("num.partitions", "3");
    p.put("group.initial.rebalance.delay.ms", "0");
    // Small footprint: few threads, small cleaner buffer (the default allocates 128 MiB of heap),
    // small preallocated index files.
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "2");
    p.put("background.threads", "2");
    p.put("num.replica.fetchers", "1");
    p.put("num.recovery.threads.per.data.dir", "1");
    p.put("log.cleaner.threads", "1");
    p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
    p.put("log.cleaner.io.buffer.size", Integer.toString(256 * 1024));
    p.put("log.index.size.max.bytes", Integer.toString(1024 * 1024));
    p.put("queued.max.requests", "100");
    // Fail rather than hang if the node cannot start.
    p.put("server.max.startup.time.ms", Long.toString(startupTimeoutMs));
    return p;
  }

  /**
   * TLS on both listeners with a client certificate required, principals from the certificate's CN,
   * and the standard authorizer denying whatever no ACL allows.
   */
  static Properties securityProperties(TlsIdentity broker, String organization) {
    Properties p = new Properties();
    broker.kafkaSecurity().forEach((k, v) -> p.put(k, v));
    p.remove("security.protocol"); // a client setting; listeners name their protocol
    p.putAll(authorizationProperties(broker.name(), organization));
    return p;
  }

  /**
   * The listener settings that make the broker zero-trust, whatever its TLS material: a client
   * certificate required, the principal taken from the CN of a certificate of {@code organization}
   * (any other subject keeps its full DN and so has no grant), {@code StandardAuthorizer} denying
   * what no ACL allows, and {@code brokerName} the only super user. The embedded broker and the
   * production topology's {@code deploy/kafka/server.properties} both use exactly these.
   */
  public static Map<String, String> authorizationProperties(
      String brokerName, String organization) {
    Map<String, String> p = new java.util.LinkedHashMap<>();
    p.put("ssl.client.auth", "required");
    // CN=<name>,OU=<unit>,O=<organization> -> <name>; anything else keeps its full DN (no grants).
    p.put(
        "ssl.principal.mapping.rules",
        "RULE:^CN=([a-z][a-z0-9_-]*),OU=[a-z]+,O="
            + organization.replace(".", "\\.") // [A-Za-z0-9 _.-] only (CertificateSubject)
            + "$/$1/,DEFAULT");
    p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    p.put("allow.everyone.if.no.acl.found", "false");
    p.put("super.users", "User:" + brokerName);
    return p;
  }

  /** Creates the ACLs of {@link KafkaAccessPolicy} (idempotent: an existing ACL stays as it is). */
  private static void applyAcls(String bootstrap, TlsIdentity broker, long deadlineNanos) {
    try (Admin admin = admin(bootstrap, broker)) {
      admin
          .createAcls(KafkaAccessPolicy.bindings())
          .all()
          .get(remainingMillis(deadlineNanos), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating the broker's ACLs", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Cannot create the broker's ACLs: " + e, e);
    }
  }

  /**
   * Creates {@code dir} if needed (0700) and formats it unless it already holds {@code
   * meta.properties}.
   */
  private static void prepareLogDir(Path dir) {
    try {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create Kafka log directory " + dir, e);
    }
    if (KRaftStorage.isFormatted(dir)) {
      LOG.debug("Kafka log directory {} is already formatted", dir);
      return;
    }
    String clusterId = Uuid.randomUuid().toString();
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      KRaftStorage.format(dir, NODE_ID, clusterId, CONTROLLER_LISTENER, printStream);
    } catch (Exception e) {
      throw new IllegalStateException(
          "Cannot format Kafka log directory " + dir + ": " + e.getMessage(), e);
    }
    String report = output.toString(StandardCharsets.UTF_8).trim();
    LOG.info("Formatted {} with cluster id {}: {}", dir, clusterId, report);
  }

  // ------------------------------------------------------------------------------------ readiness

  /** Waits until the broker answers {@code describeCluster} and lists itself as an alive broker. */
  private static void awaitReady(String bootstrap, TlsIdentity broker, long deadlineNanos) {
    Throwable last = null;
    try (Admin admin = admin(bootstrap, broker)) {
      while (System.nanoTime() < deadlineNanos) {
        try {
          long waitMs = Math.min(5_000, remainingMillis(deadlineNanos));
          Collection<Node> nodes =
              admin.describeCluster().nodes().get(waitMs, TimeUnit.MILLISECONDS);
          if (nodes.stream().anyMatch(node -> node.id() == NODE_ID)) {
            return;
          }
        } catch (ExecutionException e) {
          last = e.getCause();
        } catch (TimeoutException e) {
          last = e;
        }
        Thread.sleep(POLL_INTERVAL_MS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "Interrupted while waiting for the Kafka broker at " + bootstrap, e);
    }
    TimeoutException timeout =
        new TimeoutException("no answer to describeCluster listing node " + NODE_ID);
    if (last != null) {
      timeout.initCause(last);
    }
    throw new StartupTimeout(timeout);
  }

  /** Waits until every partition of {@code topics} has a leader. */
  private static void awaitLeaders(Admin admin, Set<String> topics, long deadlineNanos)
      throws InterruptedException, TimeoutException {
    Throwable last = null;
    while (System.nanoTime() < deadlineNanos) {
      try {
        Map<String, TopicDescription> descriptions =
            admin
                .describeTopics(topics)
                .allTopicNames()
                .get(remainingMillis(deadlineNanos), TimeUnit.MILLISECONDS);
        boolean allLed =
            descriptions.values().stream()
                .flatMap(description -> description.partitions().stream())
                .map(TopicPartitionInfo::leader)
                .allMatch(leader -> leader != null && !leader.isEmpty());
        if (allLed && descriptions.keySet().containsAll(topics)) {
          return;
        }
      } catch (ExecutionException e) {
        last = e.getCause(); // typically UnknownTopicOrPartitionException while metadata propagates
      }
      Thread.sleep(POLL_INTERVAL_MS);
    }
    TimeoutException timeout = new TimeoutException("partitions of " + topics + " have no leader");
    if (last != null) {
      timeout.initCause(last);
    }
    throw timeout;
  }

  private Admin admin() {
    return admin(bootstrapServers, pki.identity(PkiSpec.KAFKA_BROKER));
  }

  /** An admin client acting as the broker itself (the super user). */
  private static Admin admin(String bootstrap, TlsIdentity broker) {
    Map<String, Object> p = broker.kafkaClient(bootstrap);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "strongroom-embedded-kafka");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
    return Admin.create(p);
  }

  private static long remainingMillis(long deadlineNanos) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }

  private static boolean isBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      // Kafka wraps the BindException: "Socket server failed to bind to 127.0.0.1:<port>: ..."
      if (t instanceof BindException
          || (t.getMessage() != null && t.getMessage().contains("failed to bind"))) {
        return true;
      }
    }
    return false;
  }

  private static void stopQuietly(KafkaRaftServer server) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException e) {
      LOG.warn("Error while stopping a Kafka broker that failed to start", e);
    }
  }

  /**
   * The exception {@link #start(Path, PkiDirectory)} throws for {@code failure}: a timeout, whether
   * ours or the broker's own ({@code server.max.startup.time.ms}), is reported as such.
   */
  private static IllegalStateException startupFailure(
      Path dir, String bootstrap, RuntimeException failure) {
    Throwable cause = failure instanceof StartupTimeout ? failure.getCause() : failure;
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException
          || t instanceof org.apache.kafka.common.errors.TimeoutException) {
        return new IllegalStateException(
            "Embedded Kafka broker at "
                + bootstrap
                + " (log dir "
                + dir
                + ") not ready within "
                + STARTUP_TIMEOUT.toSeconds()
                + " s: "
                + cause.getMessage(),
            cause);
      }
    }
    return new IllegalStateException(
        "Embedded Kafka broker at "
            + bootstrap
            + " (log dir "
            + dir
            + ") failed to start: "
            + cause,
        cause);
  }

  /** Carries the readiness timeout out of {@link #awaitReady}. */
  private static final class StartupTimeout extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StartupTimeout(TimeoutException cause) {
      super(cause.getMessage(), cause);
    }
  }
}
