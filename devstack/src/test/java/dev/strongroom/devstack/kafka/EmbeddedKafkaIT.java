package dev.strongroom.devstack.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(EmbeddedKafkaExtension.class)
class EmbeddedKafkaIT {

  private static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(30);

  @Test
  void producesAndConsumesRecords(EmbeddedKafka kafka) throws Exception {
    Map<String, String> sent = new HashMap<>();
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    try (KafkaProducer<String, String> producer = producer(kafka.clientConfig("siem"))) {
      for (int i = 0; i < 100; i++) {
        String key = "alert-" + i;
        String value = "{\"n\":" + i + "}";
        sent.put(key, value);
        acks.add(producer.send(new ProducerRecord<>(Topics.SECURITY_ALERTS, key, value)));
      }
      producer.flush();
      for (Future<RecordMetadata> ack : acks) {
        assertEquals(Topics.SECURITY_ALERTS, ack.get(30, TimeUnit.SECONDS).topic());
      }
    }

    List<Map.Entry<String, String>> received =
        consume(kafka.clientConfig("operator"), "operator", Topics.SECURITY_ALERTS, 100);

    assertEquals(100, received.size());
    Map<String, String> receivedByKey = new HashMap<>();
    received.forEach(r -> receivedByKey.put(r.getKey(), r.getValue()));
    assertEquals(sent, receivedByKey);
  }

  @Test
  void listensOnLoopbackOnly(EmbeddedKafka kafka) {
    String bootstrap = kafka.bootstrapServers();
    int colon = bootstrap.lastIndexOf(':');
    assertEquals("127.0.0.1", bootstrap.substring(0, colon));
    int port = Integer.parseInt(bootstrap.substring(colon + 1));
    assertTrue(port > 0 && port < 65536, bootstrap);
  }

  @Test
  void createsEveryStrongroomTopicAndItsDeadLetterTopic(EmbeddedKafka kafka) throws Exception {
    try (Admin admin = Admin.create(kafka.clientConfig("operator"))) {
      Set<String> topics = admin.listTopics().names().get(10, TimeUnit.SECONDS);
      for (String topic : Topics.ALL) {
        assertTrue(topics.contains(topic), topic + " missing from " + topics);
        assertTrue(
            topics.contains(Topics.dlq(topic)), Topics.dlq(topic) + " missing from " + topics);
      }
      Map<String, TopicDescription> descriptions =
          admin.describeTopics(Topics.ALL).allTopicNames().get(10, TimeUnit.SECONDS);
      descriptions.values().forEach(d -> assertEquals(3, d.partitions().size(), d.name()));
    }
  }

  @Test
  void createTopicsIsIdempotent(EmbeddedKafka kafka) {
    kafka.createStrongroomTopics();
    kafka.createTopics(List.of(Topics.SECURITY_ALERTS, "strongroom.test.idempotent"), 1);
    kafka.createTopics(List.of("strongroom.test.idempotent"), 1);
  }

  @Test
  void restartsOnTheSameDirectoryAndKeepsRecords(@TempDir Path dir) throws Exception {
    String topic = "strongroom.test.restart";
    String firstBootstrap;
    long startNanos = System.nanoTime();
    PkiDirectory pki = PkiDirectory.open(dir.resolve("pki"), PkiSpec.strongroom(List.of()));
    pki.ensure();
    Path logDir = dir.resolve("kafka");
    EmbeddedKafka first = EmbeddedKafka.start(logDir, pki);
    try {
      long readyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
      System.out.println("embedded Kafka (fresh directory) ready in " + readyMs + " ms");
      assertEquals(logDir.toAbsolutePath().normalize(), first.logDir());
      assertTrue(Files.exists(logDir.resolve("meta.properties")));
      firstBootstrap = first.bootstrapServers();
      first.createTopics(List.of(topic), 1);
      try (KafkaProducer<String, String> producer =
          producer(first.clientConfig(PkiSpec.KAFKA_BROKER))) {
        Future<RecordMetadata> sent =
            producer.send(new ProducerRecord<>(topic, "before", "restart"));
        sent.get(30, TimeUnit.SECONDS);
      }
    } finally {
      first.close();
    }
    first.close(); // idempotent

    int port = Integer.parseInt(firstBootstrap.substring(firstBootstrap.lastIndexOf(':') + 1));
    assertThrows(
        IOException.class, () -> connect(port), "port " + port + " still accepts connections");

    String clusterId = Files.readString(logDir.resolve("meta.properties"));
    startNanos = System.nanoTime();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(logDir, pki)) {
      long readyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
      System.out.println("embedded Kafka (restart) ready in " + readyMs + " ms");
      assertEquals(
          clusterId,
          Files.readString(logDir.resolve("meta.properties")),
          "directory was reformatted");
      kafka.createTopics(List.of(topic), 1); // already exists: fine
      assertEquals(
          List.of(Map.entry("before", "restart")),
          consume(kafka.clientConfig(PkiSpec.KAFKA_BROKER), PkiSpec.KAFKA_BROKER, topic, 1));
    }
  }

  private static void connect(int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 1_000);
    }
  }

  /** A producer with {@code client} (bootstrap and mutual TLS of one identity). */
  static KafkaProducer<String, String> producer(Map<String, Object> client) {
    Properties p = new Properties();
    p.putAll(client);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    return new KafkaProducer<>(p);
  }

  /**
   * Reads {@code topic} from the beginning until {@code expected} records arrived or time is up.
   */
  static List<Map.Entry<String, String>> consume(
      Map<String, Object> client, String principal, String topic, int expected) {
    Properties p = new Properties();
    p.putAll(client);
    p.put(
        ConsumerConfig.GROUP_ID_CONFIG,
        KafkaAccessPolicy.grantsOf(principal).isPresent()
            ? KafkaAccessPolicy.groupFor(principal, UUID.randomUUID().toString())
            : "test-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    List<Map.Entry<String, String>> received = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + CONSUME_TIMEOUT.toNanos();
      while (received.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          received.add(Map.entry(record.key(), record.value()));
        }
      }
    }
    return received;
  }
}
