package dev.strongroom.devstack.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.tls.TlsIdentity;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker's zero-trust controls, attacked: a client without a certificate, with a stranger's
 * certificate or over plaintext is refused at the handshake; an authenticated principal is refused
 * every topic, group and operation {@link KafkaAccessPolicy} does not grant it — each with the
 * exact error Kafka reports for it.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class KafkaZeroTrustIT {

  @TempDir Path tmp;

  // ------------------------------------------------------------------ authentication

  @Test
  void clientWithoutACertificate_isRefusedAtTheHandshake(EmbeddedKafka kafka) {
    Throwable refused = listTopicsFailure(withoutCertificate(kafka, PkiSpec.DEMO_APP));
    assertInstanceOf(SslAuthenticationException.class, refused, refused.toString());
  }

  /**
   * A client that trusts the broker's CA but presents no certificate, configured as demo-app
   * otherwise (the identity that may produce, consume its results and join its groups): every
   * operation ends at the handshake, before any authorization is asked.
   */
  @Test
  void clientWithoutACertificate_isRefusedProduceConsumeGroupJoinAndDeleteRecords(
      EmbeddedKafka kafka) throws Exception {
    Map<String, Object> p = withoutCertificate(kafka, PkiSpec.DEMO_APP);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () ->
                  producer
                      .send(
                          new ProducerRecord<>(
                              Topics.ENCRYPT_REQUESTS, "x".getBytes(StandardCharsets.UTF_8)))
                      .get(20, TimeUnit.SECONDS),
              "produce");
      assertInstanceOf(SslAuthenticationException.class, e.getCause(), "produce: " + e);
    }

    Map<String, Object> c = withoutCertificate(kafka, PkiSpec.DEMO_APP);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, KafkaAccessPolicy.groupFor(PkiSpec.DEMO_APP, "nocert"));
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.STORE_RESULTS)); // a group join, then a fetch
      assertThrows(
          SslAuthenticationException.class, () -> pollUntilFailure(consumer), "consume (group)");
    }

    Map<String, Object> a = withoutCertificate(kafka, PkiSpec.DEMO_APP);
    a.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 8_000);
    a.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 4_000);
    try (Admin admin = Admin.create(a)) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () ->
                  admin
                      .deleteRecords(
                          Map.of(
                              new TopicPartition(Topics.SECURITY_ALERTS, 0),
                              RecordsToDelete.beforeOffset(Long.MAX_VALUE)))
                      .all()
                      .get(30, TimeUnit.SECONDS),
              "DeleteRecords");
      assertInstanceOf(SslAuthenticationException.class, e.getCause(), "DeleteRecords: " + e);
    }
  }

  /**
   * The controller listener (KRaft's quorum port, not advertised but reachable on loopback) is
   * mutual TLS too: an admin client bootstrapping from it ({@code bootstrap.controllers}, KIP-919)
   * without a certificate is refused at the handshake, a plaintext one gets no answer.
   */
  @Test
  void controllerListener_refusesAClientWithoutACertificate_andPlaintext(EmbeddedKafka kafka) {
    Map<String, Object> noCert = withoutCertificate(kafka, "operator");
    noCert.remove(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
    noCert.put(AdminClientConfig.BOOTSTRAP_CONTROLLERS_CONFIG, kafka.controllerAddress());
    Throwable refused = describeClusterFailure(noCert);
    assertInstanceOf(SslAuthenticationException.class, refused, refused.toString());

    Map<String, Object> plaintext =
        new java.util.HashMap<>(
            Map.of(AdminClientConfig.BOOTSTRAP_CONTROLLERS_CONFIG, kafka.controllerAddress()));
    Throwable unanswered = describeClusterFailure(plaintext);
    assertInstanceOf(TimeoutException.class, unanswered, unanswered.toString());
  }

  @Test
  void clientWithAStrangersCertificate_isRefusedAtTheHandshake(EmbeddedKafka kafka) {
    PkiDirectory stranger =
        PkiDirectory.open(tmp.resolve("stranger-pki"), PkiSpec.strongroom(List.of()));
    stranger.ensure();
    // Same name as a real service, issued by another CA; it even trusts the right CA.
    TlsIdentity forged = stranger.identity("crypto-service");
    TlsIdentity real = kafka.identity("crypto-service");
    Map<String, Object> p =
        new TlsIdentity(forged.name(), real.caCert(), forged.cert(), forged.key())
            .kafkaClient(kafka.bootstrapServers());
    Throwable refused = listTopicsFailure(p);
    assertInstanceOf(SslAuthenticationException.class, refused, refused.toString());
  }

  @Test
  void plaintextClient_getsNoAnswer(EmbeddedKafka kafka) {
    Map<String, Object> p =
        new java.util.HashMap<>(Map.of("bootstrap.servers", kafka.bootstrapServers()));
    Throwable refused = listTopicsFailure(p);
    assertInstanceOf(TimeoutException.class, refused, refused.toString());
  }

  // ------------------------------------------------------------------ authorization

  @Test
  void serviceReadingAnotherServicesTopic_isRefusedThatTopic(EmbeddedKafka kafka) {
    try (KafkaConsumer<byte[], byte[]> c = consumer(kafka, "crypto-service", "crypto-service")) {
      c.subscribe(List.of(Topics.STORE_RESULTS));
      TopicAuthorizationException e =
          assertThrows(TopicAuthorizationException.class, () -> pollUntilFailure(c));
      assertEquals(Set.of(Topics.STORE_RESULTS), e.unauthorizedTopics());
    }
  }

  @Test
  void serviceJoiningAnotherServicesGroup_isRefusedThatGroup(EmbeddedKafka kafka) {
    // data-service may read store.requests, but not as the crypto-service's group: a stranger in
    // that group would take its partitions and the encrypt requests would never be processed.
    try (KafkaConsumer<byte[], byte[]> c = consumer(kafka, "data-service", "crypto-service")) {
      c.subscribe(List.of(Topics.STORE_REQUESTS));
      GroupAuthorizationException e =
          assertThrows(GroupAuthorizationException.class, () -> pollUntilFailure(c));
      assertEquals("crypto-service", e.groupId());
    }
  }

  @Test
  void deleteRecordsOnTheAlertsTopic_isRefused_evenToItsWriters(EmbeddedKafka kafka)
      throws Exception {
    send(kafka, "crypto-service", Topics.SECURITY_ALERTS, "evidence");
    for (String who : List.of("crypto-service", "siem", "operator")) {
      try (Admin admin = Admin.create(kafka.clientConfig(who))) {
        ExecutionException e =
            assertThrows(
                ExecutionException.class,
                () ->
                    admin
                        .deleteRecords(
                            Map.of(
                                new TopicPartition(Topics.SECURITY_ALERTS, 0),
                                RecordsToDelete.beforeOffset(Long.MAX_VALUE)))
                        .all()
                        .get(20, TimeUnit.SECONDS),
                who);
        assertInstanceOf(TopicAuthorizationException.class, e.getCause(), who + ": " + e);
      }
    }
  }

  @Test
  void alteringATopic_isRefused(EmbeddedKafka kafka) throws Exception {
    try (Admin admin = Admin.create(kafka.clientConfig("crypto-service"))) {
      ConfigResource alerts = new ConfigResource(ConfigResource.Type.TOPIC, Topics.SECURITY_ALERTS);
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () ->
                  admin
                      .incrementalAlterConfigs(
                          Map.of(
                              alerts,
                              List.of(
                                  new AlterConfigOp(
                                      new ConfigEntry("retention.ms", "1"),
                                      AlterConfigOp.OpType.SET))))
                      .all()
                      .get(20, TimeUnit.SECONDS));
      assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.toString());
    }
  }

  @Test
  void operatorWritingARequestTopic_isRefused(EmbeddedKafka kafka) {
    for (String topic :
        List.of(Topics.ENCRYPT_REQUESTS, Topics.STORE_REQUESTS, Topics.SECURITY_ALERTS)) {
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> send(kafka, "operator", topic, "x"), topic);
      TopicAuthorizationException t =
          assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.toString());
      assertEquals(Set.of(topic), t.unauthorizedTopics());
    }
  }

  @Test
  void aValidCertificateWithNoGrants_isRefusedEveryTopic(EmbeddedKafka kafka) {
    // app_user is a database identity of the same CA: authenticated, authorized for nothing.
    try (KafkaConsumer<byte[], byte[]> c = consumer(kafka, "app_user", "app_user")) {
      c.subscribe(List.of(Topics.SECURITY_ALERTS));
      TopicAuthorizationException t =
          assertThrows(TopicAuthorizationException.class, () -> pollUntilFailure(c));
      assertEquals(Set.of(Topics.SECURITY_ALERTS), t.unauthorizedTopics());
    }
    ExecutionException e =
        assertThrows(
            ExecutionException.class, () -> send(kafka, "app_user", Topics.ENCRYPT_REQUESTS, "x"));
    assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.toString());
  }

  @Test
  void applicationPublishesRequests_andOperatorReadsEveryTopic(EmbeddedKafka kafka)
      throws Exception {
    String marker = "zt-" + UUID.randomUUID();
    send(kafka, PkiSpec.DEMO_APP, Topics.ENCRYPT_REQUESTS, marker);
    try (Admin admin = Admin.create(kafka.clientConfig("operator"))) {
      Set<String> visible = admin.listTopics().names().get(20, TimeUnit.SECONDS);
      for (String t : Topics.ALL) {
        assertTrue(visible.contains(t) && visible.contains(Topics.dlq(t)), t + " in " + visible);
      }
    }
    try (KafkaConsumer<byte[], byte[]> c =
        consumer(kafka, "operator", KafkaAccessPolicy.groupFor("operator", "zt"))) {
      c.subscribe(List.of(Topics.ENCRYPT_REQUESTS));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      boolean seen = false;
      while (!seen && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          seen |= marker.equals(new String(r.value(), StandardCharsets.UTF_8));
        }
      }
      assertTrue(seen, "the operator reads what the application published");
    }
  }

  @Test
  void brokerDataIsNotWorldReadable(EmbeddedKafka kafka) throws Exception {
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(kafka.logDir())),
        kafka.logDir().toString());
  }

  // ------------------------------------------------------------------ helpers

  /** {@code identity}'s client settings (the CA trusted) without its certificate and key. */
  private static Map<String, Object> withoutCertificate(EmbeddedKafka kafka, String identity) {
    Map<String, Object> p = kafka.clientConfig(identity);
    p.remove("ssl.keystore.type");
    p.remove("ssl.keystore.certificate.chain");
    p.remove("ssl.keystore.key");
    return p;
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

  /** What {@code listTopics} fails with for a client configured as {@code p}. */
  private static Throwable listTopicsFailure(Map<String, Object> p) {
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 8_000);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 4_000);
    try (Admin admin = Admin.create(p)) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class, () -> admin.listTopics().names().get(30, TimeUnit.SECONDS));
      return e.getCause();
    }
  }

  private static KafkaConsumer<byte[], byte[]> consumer(
      EmbeddedKafka kafka, String identity, String group) {
    Map<String, Object> p = kafka.clientConfig(identity);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Polls until the consumer throws (the test asserts which), for at most 30 s. */
  private static void pollUntilFailure(KafkaConsumer<byte[], byte[]> c) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      c.poll(Duration.ofMillis(200)).forEach(got::add);
    }
    throw new AssertionError("not refused within 30 s; received " + got.size() + " records");
  }

  /** Sends one record as {@code identity} without idempotence, so a refusal names the topic. */
  private static void send(EmbeddedKafka kafka, String identity, String topic, String value)
      throws Exception {
    Map<String, Object> p = kafka.clientConfig(identity);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer
          .send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8)))
          .get(20, TimeUnit.SECONDS);
    }
  }
}
