package dev.strongroom.devstack.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.kafka.DeadLetterHeaders;
import dev.strongroom.contracts.kafka.RecordGate;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.devstack.keys.DevKeys;
import dev.strongroom.devstack.stack.StackLauncher;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code ./strongroom demo}: an isolated stack in a private state directory (never the one {@code up}
 * started), the main job shown end to end with what exists so far, then everything is stopped and
 * removed. Each step compares what happened with what must happen; any mismatch makes the demo fail.
 */
public final class Demo {
  /** One demonstrated fact. */
  public record Step(String name, boolean ok, String observed) {}

  private final Path home;
  private final PrintStream out;
  private final PrintStream progress;
  private final List<Step> steps = new ArrayList<>();

  public Demo(Path home, PrintStream out, PrintStream progress) {
    this.home = home;
    this.out = out;
    this.progress = progress;
  }

  /** Runs the demo; returns its steps. The stack is always stopped and its directory removed. */
  public List<Step> run(boolean print) throws Exception {
    Path state = Files.createTempDirectory("strongroom-demo-");
    StackLauncher launcher = new StackLauncher(home, state, progress);
    try {
      StackLauncher.UpResult up = launcher.up();
      say(print, "Strongroom demo: isolated stack in " + state + " (up in " + up.took().toMillis() / 100 / 10.0 + " s)");
      scenario(up.stack().kafkaBootstrap(), DevKeys.open(state.resolve("keys")), print);
    } finally {
      launcher.down();
      deleteTree(state);
    }
    return steps;
  }

  private void scenario(String bootstrap, DevKeys keys, boolean print) throws Exception {
    EventSigner app = new EventSigner(keys.key("demo-app"), "/apps/demo", Clock.systemUTC());
    String storeType = "dev.strongroom.store.requested.v1";
    try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap);
        AlertMonitor siem = new AlertMonitor(bootstrap, keys.registry(), keys.key("operator"), "/strongroom/devstack").start();
        KafkaConsumer<byte[], byte[]> dlq = consumer(bootstrap, Topics.dlq(Topics.STORE_REQUESTS));
        KafkaConsumer<byte[], byte[]> alertsDlq = consumer(bootstrap, Topics.dlq(Topics.SECURITY_ALERTS))) {
      byte[] tenant = "tenant-acme".getBytes(StandardCharsets.UTF_8);

      say(print, "\n1. An application sends signed events to the data-service (strongroom.store.requests):");
      byte[] good = app.sign(storeType, "tenant-acme", data(), newId(), Instant.now()).bytes();
      byte[] forged = new String(good, StandardCharsets.UTF_8).replace("\"recordId\":\"r-1\"", "\"recordId\":\"r-2\"").getBytes(StandardCharsets.UTF_8);
      byte[] stale = app.sign(storeType, "tenant-acme", data(), newId(), Instant.now().minus(Duration.ofMinutes(10))).bytes();
      byte[] malformed = "{\"specversion\":\"1.0\",".getBytes(StandardCharsets.UTF_8);
      record Probe(String label, byte[] value, String reason, boolean alert) {}
      List<Probe> probes = List.of(
          new Probe("forged (a field changed after signing)", forged, "SIGNATURE_INVALID", true),
          new Probe("stale (signed 10 minutes ago)", stale, "STALE", true),
          new Probe("malformed (not JSON)", malformed, "MALFORMED", false));
      List<RecordMetadata> sent = new ArrayList<>();
      for (Probe p : probes) {
        sent.add(producer.send(new ProducerRecord<>(Topics.STORE_REQUESTS, tenant, p.value())).get());
      }
      for (int i = 0; i < probes.size(); i++) {
        Probe p = probes.get(i);
        RecordMetadata m = sent.get(i);
        ConsumerRecord<byte[], byte[]> dead = await(dlq, r -> header(r, DeadLetterHeaders.OFFSET).equals(Long.toString(m.offset()))
            && header(r, DeadLetterHeaders.PARTITION).equals(Integer.toString(m.partition())));
        String reason = dead == null ? "(nothing dead-lettered)" : header(dead, DeadLetterHeaders.REASON);
        String detail = dead == null ? "" : header(dead, DeadLetterHeaders.DETAIL);
        step(print, p.label() + " -> " + Topics.dlq(Topics.STORE_REQUESTS), p.reason().equals(reason), reason + ": " + detail);
      }

      say(print, "\n2. The SIEM verifies the alerts the data-service signed (producer -> broker -> consumer):");
      String firstAlertId = null;
      byte[] firstAlert = null;
      for (Probe p : probes.stream().filter(Probe::alert).toList()) {
        AlertMonitor.Seen s = siem.await(x -> x.decision() instanceof RecordGate.Admit a
            && a.event().source().equals("/strongroom/data-service")
            && a.event().data().path("kind").asText().equals(p.reason()), Duration.ofSeconds(60));
        boolean ok = s != null;
        String observed = "(no verified alert)";
        if (ok) {
          RecordGate.Admit a = (RecordGate.Admit) s.decision();
          JsonNode d = a.event().data();
          observed = "verified " + d.get("kind").asText() + " alert, severity " + d.get("severity").asText() + ", signed by "
              + a.event().source() + " (kid " + a.event().sigkid().substring(0, 12) + "…)";
          if (firstAlert == null) {
            firstAlert = s.record().value();
            firstAlertId = a.event().id();
          }
        }
        step(print, p.reason() + " alert", ok, observed);
      }

      say(print, "\n3. An attacker replays a captured alert (same bytes, new offset):");
      boolean replayOk = false;
      String replayObserved = "(no alert to replay)";
      if (firstAlert != null) {
        RecordMetadata m = producer.send(new ProducerRecord<>(Topics.SECURITY_ALERTS, "replayer".getBytes(StandardCharsets.UTF_8), firstAlert)).get();
        ConsumerRecord<byte[], byte[]> dead = await(alertsDlq, r -> header(r, DeadLetterHeaders.OFFSET).equals(Long.toString(m.offset()))
            && header(r, DeadLetterHeaders.PARTITION).equals(Integer.toString(m.partition())));
        String id = firstAlertId;
        AlertMonitor.Seen replayAlert = siem.await(x -> x.decision() instanceof RecordGate.Admit a
            && a.event().data().path("kind").asText().equals("REPLAY")
            && a.event().data().path("related").path("eventId").asText().equals(id), Duration.ofSeconds(30));
        replayOk = dead != null && "REPLAY".equals(header(dead, DeadLetterHeaders.REASON)) && replayAlert != null;
        replayObserved = (dead == null ? "(not dead-lettered)" : header(dead, DeadLetterHeaders.REASON) + ": " + header(dead, DeadLetterHeaders.DETAIL))
            + (replayAlert == null ? "; no REPLAY alert" : "; REPLAY alert signed by " + ((RecordGate.Admit) replayAlert.decision()).event().source());
      }
      step(print, "replayed alert -> " + Topics.dlq(Topics.SECURITY_ALERTS), replayOk, replayObserved);
    }
    long passed = steps.stream().filter(Step::ok).count();
    say(print, "\nSummary: " + passed + "/" + steps.size() + " checks passed"
        + (passed == steps.size() ? "; every refused record was dead-lettered with its reason, nothing was dropped." : "."));
  }

  private static ObjectNode data() {
    ObjectNode d = CanonicalJson.mapper().createObjectNode();
    d.put("requestId", "req-1").put("recordId", "r-1");
    return d;
  }

  private void step(boolean print, String name, boolean ok, String observed) {
    steps.add(new Step(name, ok, observed));
    say(print, "   " + (ok ? "OK  " : "FAIL") + " " + name + "\n        " + observed);
  }

  private void say(boolean print, String line) {
    if (print) {
      out.println(line);
    }
  }

  private static String newId() {
    return com.github.f4b6a3.uuid.UuidCreator.getTimeOrderedEpoch().toString();
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
        new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String topic) {
    KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, "demo-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    c.subscribe(List.of(topic));
    return c;
  }

  /** Records polled so far per consumer: a wait for one record must not lose the others it polled. */
  private final Map<KafkaConsumer<byte[], byte[]>, List<ConsumerRecord<byte[], byte[]>>> polled = new java.util.IdentityHashMap<>();

  private ConsumerRecord<byte[], byte[]> await(KafkaConsumer<byte[], byte[]> c, Predicate<ConsumerRecord<byte[], byte[]>> match) {
    List<ConsumerRecord<byte[], byte[]>> buffer = polled.computeIfAbsent(c, k -> new ArrayList<>());
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      for (ConsumerRecord<byte[], byte[]> r : buffer) {
        if (match.test(r)) {
          return r;
        }
      }
      if (System.nanoTime() > deadline) {
        return null;
      }
      c.poll(Duration.ofMillis(200)).forEach(buffer::add);
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
