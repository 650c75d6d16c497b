package dev.strongroom.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.token.TenantToken;
import dev.strongroom.contracts.token.TenantTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DESIGN §7 from outside: up, stack.json, an outside Kafka client, idempotent up, status, down, exit codes. */
class StackCommandIT {
  @TempDir Path state;

  @Test
  void upStatusDown_lifecycle_asAnOperatorSeesIt() throws Exception {
    Cli.Result before = Cli.run(state, "status");
    assertEquals(3, before.exit(), "no stack yet: environment/stack not usable");
    assertTrue(before.err().contains("the stack is not up"), before.err());

    Cli.Result up = Cli.run(state, "up", "--json");
    assertEquals(0, up.exit(), up.err());
    assertEquals("up", up.json().get("status").asText());
    assertTrue(up.json().get("seconds").asDouble() < 120, "up within 120 s on a built tree");

    JsonNode stack = CanonicalJson.parse(Files.readAllBytes(state.resolve("stack.json")));
    assertEquals(Set.of("version", "kafka", "services", "logs"), names(stack), "only parts that exist are written");
    assertEquals(1, stack.get("version").asInt());
    assertTrue(stack.at("/kafka/bootstrap").asText().startsWith("127.0.0.1:"), "loopback only");
    assertTrue(Path.of(stack.at("/kafka/logDir").asText()).isAbsolute());
    assertTrue(Files.isDirectory(Path.of(stack.at("/logs/dir").asText())));
    assertEquals(Set.of("crypto", "data", "audit", "provisioner", "proof"), names(stack.get("services")));
    stack.get("services").forEach(u -> assertTrue(u.asText().startsWith("http://127.0.0.1:"), u.asText()));

    outsideClientPublishesAndConsumes(stack.at("/kafka/bootstrap").asText());

    Cli.Result token = Cli.run(state, "token", "acme", "--sub", "alice");
    assertEquals(0, token.exit(), token.err());
    String tokenText = token.out().trim();
    assertEquals(1, token.out().lines().count(), "token prints only the token");
    TenantToken claims = new TenantTokens(java.util.Base64.getUrlDecoder().decode(
        Files.readString(state.resolve("keys/tenant-token.key")).trim()), java.time.Clock.systemUTC()).verifyFor(tokenText, "acme");
    assertEquals("alice", claims.subject());
    assertEquals(2, Cli.run(state, "token", "acme", "--ttl", "PT2H").exit(), "lifetime over 1 h is a usage error");

    Cli.Result again = Cli.run(state, "up");
    assertEquals(0, again.exit());
    assertTrue(again.out().startsWith("already up"), again.out());

    Cli.Result status = Cli.run(state, "status", "--json");
    assertEquals(0, status.exit(), status.out());
    assertTrue(status.json().get("healthy").asBoolean());
    assertEquals(6, status.json().get("parts").size());

    Cli.Result down = Cli.run(state, "down", "--json");
    assertEquals(0, down.exit(), down.err());
    assertEquals(6, down.json().get("stopped").asInt());
    List<String> left = new ArrayList<>();
    ProcessHandle.allProcesses().forEach(h -> h.info().arguments()
        .filter(a -> String.join(" ", a).contains(state.toString())).ifPresent(a -> left.add(h.pid() + " " + String.join(" ", a))));
    assertEquals(List.of(), left, "down leaves no process");
    assertFalse(Files.exists(state.resolve("stack.json")));
    assertEquals(3, Cli.run(state, "status").exit());
    assertEquals(3, Cli.run(state, "token", "acme").exit(), "no stack, no tenant authority");
  }

  @Test
  void usageErrors_exitTwo() throws Exception {
    assertEquals(2, Cli.run(state, "frobnicate").exit());
    assertEquals(2, Cli.exec(List.of("bash", Cli.HOME.resolve("strongroom").toString(), "frobnicate"), 30).exit());
    assertEquals(2, Cli.exec(List.of("bash", Cli.HOME.resolve("strongroom").toString()), 30).exit());
  }

  private static void outsideClientPublishesAndConsumes(String bootstrap) throws Exception {
    String topic = "strongroom.security.alerts"; // auto-creation is off: topics exist because up made them
    try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
        new StringSerializer(), new StringSerializer())) {
      p.send(new ProducerRecord<>(topic, "outside", "hello from a plain client")).get();
    }
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, "outside", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
        new StringDeserializer(), new StringDeserializer())) {
      c.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
          if ("hello from a plain client".equals(r.value())) {
            return;
          }
        }
      }
    }
    throw new AssertionError("the outside client did not read its own record back");
  }

  private static Set<String> names(JsonNode obj) {
    Set<String> out = new TreeSet<>();
    for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
      out.add(it.next());
    }
    return out;
  }

}
