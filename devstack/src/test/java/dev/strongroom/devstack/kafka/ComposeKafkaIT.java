package dev.strongroom.devstack.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.devstack.deploy.ComposeTopology;
import dev.strongroom.provisioner.os.LoopbackPorts;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production topology's broker, for real: a KRaft node started from {@code
 * deploy/kafka/server.properties} as {@link ComposeTopology} renders it (the same text, with a
 * test's PKI directory, loopback host and free ports in place of the container's), its PEM material
 * read through Kafka's {@code DirectoryConfigProvider}; {@code deploy/kafka/setup.sh}'s commands
 * replayed through the admin client of {@code deploy/kafka/admin.properties}. Then attacked: no
 * client certificate, a service reading another's topic, the operator writing a request topic.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ComposeKafkaIT {
  @TempDir static Path tmp;

  private PkiDirectory pki;
  private ComposeTopology.Layout layout;
  private KafkaRaftServer server;

  @BeforeAll
  void startFromTheRenderedConfiguration() throws Exception {
    pki = PkiDirectory.open(tmp.resolve("pki"), PkiSpec.strongroom(List.of()));
    pki.ensure();
    int[] ports = LoopbackPorts.free(2);
    Path data = tmp.resolve("kafka");
    layout =
        new ComposeTopology.Layout(
            pki.root().toString(), "127.0.0.1", "127.0.0.1", ports[0], ports[1], data.toString());
    Properties p = load(ComposeTopology.brokerProperties(layout));
    // Heap only (not security): the cleaner's default 128 MiB buffer does not fit a test JVM.
    p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
    p.put("num.partitions", "1");
    java.nio.file.Files.createDirectories(data);
    KRaftStorage.format(
        data,
        EmbeddedKafka.NODE_ID,
        Uuid.randomUuid().toString(),
        EmbeddedKafka.CONTROLLER_LISTENER,
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    server = new KafkaRaftServer(new KafkaConfig(p, false), Time.SYSTEM);
    server.startup();
    try (Admin admin = setupAdmin()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        try {
          admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
          break;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          if (System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(200);
        }
      }
      replaySetup(admin);
      aclsOnBroker(admin);
    }
  }

  /**
   * The ACLs the broker answers with, once it holds at least as many as the policy has: {@code
   * createAcls} completes when the controller commits them, and the broker answers from its own
   * copy of the metadata, which may lag a moment behind (it read back empty once on a loaded
   * machine). Every test starts after this, so none sees a half-applied policy.
   */
  private static Set<AclBinding> aclsOnBroker(Admin admin) throws Exception {
    int want = KafkaAccessPolicy.bindings().size();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      Set<AclBinding> onBroker =
          new HashSet<>(
              admin.describeAcls(AclBindingFilter.ANY).values().get(20, TimeUnit.SECONDS));
      if (onBroker.size() >= want || System.nanoTime() > deadline) {
        return onBroker;
      }
      Thread.sleep(200);
    }
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
    }
  }

  @Test
  void setupScript_leavesExactlyThePolicysAcls() throws Exception {
    try (Admin admin = setupAdmin()) {
      Set<AclBinding> onBroker = aclsOnBroker(admin);
      assertEquals(new HashSet<>(KafkaAccessPolicy.bindings()), onBroker);
      Set<String> topics = admin.listTopics().names().get(20, TimeUnit.SECONDS);
      for (String t : Topics.ALL) {
        assertTrue(topics.contains(t) && topics.contains(Topics.dlq(t)), t + " in " + topics);
      }
    }
  }

  @Test
  void clientWithoutACertificate_isRefusedAtTheHandshake() {
    Map<String, Object> p = client("operator");
    p.remove("ssl.keystore.type");
    p.remove("ssl.keystore.certificate.chain");
    p.remove("ssl.keystore.key");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 8_000);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 4_000);
    try (Admin admin = Admin.create(p)) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class, () -> admin.listTopics().names().get(30, TimeUnit.SECONDS));
      assertInstanceOf(SslAuthenticationException.class, e.getCause(), e.toString());
    }
  }

  /**
   * The same as {@code KafkaZeroTrustIT}'s cheap ones, on the rendered configuration: a producer
   * without a certificate (as demo-app, which may write the topic) is refused at the handshake; on
   * the controller listener an admin client without a certificate is too, and a plaintext one gets
   * no answer.
   */
  @Test
  void clientWithoutACertificate_isRefusedProduce_andTheControllerListenerRefusesItAndPlaintext() {
    Map<String, Object> p = client(PkiSpec.DEMO_APP);
    p.remove("ssl.keystore.type");
    p.remove("ssl.keystore.certificate.chain");
    p.remove("ssl.keystore.key");
    Map<String, Object> producerConfig = new HashMap<>(p);
    producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
    producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
    producerConfig.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () ->
                  producer
                      .send(
                          new ProducerRecord<>(
                              Topics.ENCRYPT_REQUESTS, "x".getBytes(StandardCharsets.UTF_8)))
                      .get(20, TimeUnit.SECONDS));
      assertInstanceOf(SslAuthenticationException.class, e.getCause(), "produce: " + e);
    }

    String controller = "127.0.0.1:" + layout.controllerPort();
    Map<String, Object> noCert = new HashMap<>(p);
    noCert.remove(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
    noCert.put(AdminClientConfig.BOOTSTRAP_CONTROLLERS_CONFIG, controller);
    assertInstanceOf(SslAuthenticationException.class, describeClusterFailure(noCert));
    Map<String, Object> plaintext =
        new HashMap<>(Map.of(AdminClientConfig.BOOTSTRAP_CONTROLLERS_CONFIG, controller));
    assertInstanceOf(
        org.apache.kafka.common.errors.TimeoutException.class, describeClusterFailure(plaintext));
  }

  /** What {@code describeCluster} fails with for an admin client configured as {@code p}. */
  private static Throwable describeClusterFailure(Map<String, Object> p) {
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 8_000);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 4_000);
    try (Admin admin = Admin.create(p)) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS));
      return e.getCause();
    }
  }

  @Test
  void serviceReadingAnotherServicesTopic_isRefusedThatTopic() {
    Map<String, Object> p = client("crypto-service");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "crypto-service");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(Topics.STORE_RESULTS));
      TopicAuthorizationException e =
          assertThrows(
              TopicAuthorizationException.class,
              () -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < deadline) {
                  c.poll(java.time.Duration.ofMillis(200));
                }
              });
      assertEquals(Set.of(Topics.STORE_RESULTS), e.unauthorizedTopics());
    }
  }

  @Test
  void operatorWritingARequestTopic_isRefused_andTheApplicationIsNot() throws Exception {
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> send("operator", Topics.ENCRYPT_REQUESTS));
    TopicAuthorizationException t =
        assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.toString());
    assertEquals(Set.of(Topics.ENCRYPT_REQUESTS), t.unauthorizedTopics());
    send(PkiSpec.DEMO_APP, Topics.ENCRYPT_REQUESTS);
  }

  // ------------------------------------------------------------------ helpers

  private Map<String, Object> client(String identity) {
    return pki.identity(identity).kafkaClient(layout.bootstrap());
  }

  private void send(String identity, String topic) throws Exception {
    Map<String, Object> p = client(identity);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer
          .send(new ProducerRecord<>(topic, "x".getBytes(StandardCharsets.UTF_8)))
          .get(20, TimeUnit.SECONDS);
    }
  }

  /** The admin client exactly as {@code deploy/kafka/admin.properties} configures it. */
  private Admin setupAdmin() throws Exception {
    Properties p = load(ComposeTopology.adminProperties(layout));
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, layout.bootstrap());
    return Admin.create(p);
  }

  private static final Pattern ARG = Pattern.compile("'([^']*)'");

  /** Runs setup.sh's kafka-topics.sh and kafka-acls.sh lines through the admin client. */
  private void replaySetup(Admin admin) throws Exception {
    String script = ComposeTopology.setupScript(layout, "admin.properties");
    List<NewTopic> topics = new ArrayList<>();
    List<AclBinding> acls = new ArrayList<>();
    for (String line : script.lines().toList()) {
      if (line.startsWith("#") || !line.startsWith("/opt/kafka/bin/")) {
        continue;
      }
      Map<String, String> opts = new HashMap<>();
      List<String> args = new ArrayList<>();
      Matcher m = ARG.matcher(line);
      while (m.find()) {
        args.add(m.group(1));
      }
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        boolean valued = i + 1 < args.size() && !args.get(i + 1).startsWith("--");
        opts.put(a, valued ? args.get(++i) : "");
      }
      assertEquals(layout.bootstrap(), opts.get("--bootstrap-server"), line);
      if (line.startsWith("/opt/kafka/bin/kafka-topics.sh")) {
        assertTrue(opts.containsKey("--create") && opts.containsKey("--if-not-exists"), line);
        topics.add(new NewTopic(opts.get("--topic"), 1, (short) 1));
      } else if (line.startsWith("/opt/kafka/bin/kafka-acls.sh")) {
        assertTrue(opts.containsKey("--add"), line);
        ResourceType type =
            opts.containsKey("--topic")
                ? ResourceType.TOPIC
                : opts.containsKey("--group") ? ResourceType.GROUP : ResourceType.TRANSACTIONAL_ID;
        String name =
            opts.getOrDefault(
                "--topic", opts.getOrDefault("--group", opts.get("--transactional-id")));
        acls.add(
            new AclBinding(
                new ResourcePattern(
                    type,
                    name,
                    PatternType.fromString(
                        opts.get("--resource-pattern-type").toUpperCase(Locale.ROOT))),
                new AccessControlEntry(
                    opts.get("--allow-principal"),
                    opts.get("--allow-host"),
                    AclOperation.fromString(opts.get("--operation")),
                    AclPermissionType.ALLOW)));
      } else {
        throw new AssertionError("unexpected command in setup.sh: " + line);
      }
    }
    admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
    admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
  }

  private static Properties load(String text) throws java.io.IOException {
    Properties p = new Properties();
    p.load(new StringReader(text));
    return p;
  }
}
