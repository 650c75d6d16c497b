package dev.strongroom.kit.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.kafka.ReloadingSslEngineFactory;
import dev.strongroom.contracts.tls.TlsIdentity;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.devstack.kafka.EmbeddedKafka;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import dev.strongroom.provisioner.pki.RevocationReason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, Kafka clients take a rotated certificate without a restart, against a real KRaft broker
 * with mutual TLS and the stack's ACLs. A service's producer and consumer run with the service's
 * Kafka security ({@link ReloadingSslEngineFactory#kafkaSecurity}, what {@link ServiceKafkaConfig}
 * gives every service client); a second producer of the same identity runs with the stock PEM
 * properties ({@link TlsIdentity#kafkaClient}). The identity's files are rotated and the old
 * certificate revoked, and the broker — which here refuses a certificate on the CA's CRL ({@link
 * CrlCheckingPrincipalBuilder}) — is restarted, so every client must connect again: the service's
 * clients, still the same objects, present the new certificate and go on producing and consuming;
 * the stock producer presents the old one and is refused.
 */
class KafkaCertificateRotationIT {
  private static final String SERVICE = "crypto-service";

  @Test
  void rotatedCertificate_reachesTheBrokerOnTheNextConnection_withoutAClientRestart(
      @TempDir Path tmp) throws Exception {
    PkiDirectory pki = PkiDirectory.open(tmp.resolve("pki"), PkiSpec.strongroom(List.of()));
    pki.ensure();
    Map<String, String> broker =
        Map.of(
            "principal.builder.class",
            CrlCheckingPrincipalBuilder.class.getName(),
            CrlCheckingPrincipalBuilder.CRL,
            pki.crlPem().toString());
    Path logDir = tmp.resolve("kafka");
    EmbeddedKafka kafka = EmbeddedKafka.start(logDir, pki, 0, broker);
    String bootstrap = kafka.bootstrapServers();
    int port = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
    TlsIdentity service = pki.identity(SERVICE);
    Map<String, Object> live = new HashMap<>(ReloadingSslEngineFactory.kafkaSecurity(service));
    live.put("bootstrap.servers", bootstrap);
    try (KafkaProducer<byte[], byte[]> liveProducer = producer(live);
        KafkaProducer<byte[], byte[]> stockProducer = producer(service.kafkaClient(bootstrap));
        KafkaProducer<byte[], byte[]> app =
            producer(pki.identity("demo-app").kafkaClient(bootstrap));
        KafkaConsumer<byte[], byte[]> liveConsumer = consumer(live)) {
      kafka.createStrongroomTopics();
      liveConsumer.subscribe(List.of(Topics.ENCRYPT_REQUESTS));
      X509Certificate before = service.certificate();
      String oldSerial = before.getSerialNumber().toString(16);

      send(liveProducer, "before (service client)");
      send(stockProducer, "before (stock client)");
      send(app, Topics.ENCRYPT_REQUESTS, "first");
      assertEquals("first", receive(liveConsumer, "first"));
      assertTrue(
          CrlCheckingPrincipalBuilder.SEEN.stream()
              .anyMatch(s -> s.serial().equals(oldSerial) && s.principal().equals(SERVICE)),
          "the broker saw the first certificate: " + CrlCheckingPrincipalBuilder.SEEN);

      long t0 = System.nanoTime();
      X509Certificate after = pki.rotateClient(SERVICE, false).certificate();
      String newSerial = after.getSerialNumber().toString(16);
      pki.revoke(before, RevocationReason.SUPERSEDED);
      kafka.close(); // every connection ends; the clients connect again by themselves
      kafka = EmbeddedKafka.start(logDir, pki, port, broker);
      long restarted = System.nanoTime();

      send(liveProducer, "after (service client)");
      send(app, Topics.ENCRYPT_REQUESTS, "second");
      assertEquals("second", receive(liveConsumer, "second"));
      ExecutionException refused =
          assertThrows(ExecutionException.class, () -> send(stockProducer, "after (stock client)"));
      assertInstanceOf(TopicAuthorizationException.class, refused.getCause());
      assertEquals(
          "Not authorized to access topics: [" + Topics.STORE_REQUESTS + "]",
          refused.getCause().getMessage());

      List<CrlCheckingPrincipalBuilder.Seen> since =
          CrlCheckingPrincipalBuilder.SEEN.stream().filter(s -> s.nanoTime() >= t0).toList();
      Optional<CrlCheckingPrincipalBuilder.Seen> firstNew =
          since.stream().filter(s -> s.serial().equals(newSerial)).findFirst();
      assertTrue(firstNew.isPresent(), "the broker saw the new certificate: " + since);
      assertTrue(
          since.stream()
              .filter(s -> s.serial().equals(newSerial))
              .allMatch(s -> s.principal().equals(SERVICE)));
      assertFalse(
          since.stream()
              .anyMatch(s -> s.serial().equals(oldSerial) && s.principal().equals(SERVICE)),
          "no connection since the rotation was let in with the old certificate: " + since);
      assertTrue(
          since.stream().anyMatch(s -> s.principal().equals("revoked-" + oldSerial)),
          "the stock client presented the old one and was named revoked: " + since);
      long connections = since.stream().filter(s -> s.serial().equals(newSerial)).count();
      System.out.printf(
          "Kafka rotation: the service's producer and consumer presented serial %s on %d new"
              + " connections after the broker restart (first %d ms after it came back, %d ms"
              + " after the files were rotated), no client restarted; the stock client presented"
              + " %s and was refused%n",
          newSerial,
          connections,
          Math.max(0, TimeUnit.NANOSECONDS.toMillis(firstNew.get().nanoTime() - restarted)),
          TimeUnit.NANOSECONDS.toMillis(firstNew.get().nanoTime() - t0),
          oldSerial);
    } finally {
      kafka.close();
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(Map<String, Object> security) {
    Map<String, Object> p = new HashMap<>(security);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> security) {
    Map<String, Object> p = new HashMap<>(security);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, SERVICE);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String value) throws Exception {
    send(producer, Topics.STORE_REQUESTS, value);
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String value)
      throws Exception {
    producer
        .send(
            new ProducerRecord<>(
                topic,
                "tenant-a".getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8)))
        .get(90, TimeUnit.SECONDS);
  }

  private static String receive(KafkaConsumer<byte[], byte[]> consumer, String value) {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
        String v = new String(r.value(), StandardCharsets.UTF_8);
        if (v.equals(value)) {
          consumer.commitSync();
          return v;
        }
      }
    }
    throw new AssertionError("not consumed within 90 s: " + value);
  }
}
