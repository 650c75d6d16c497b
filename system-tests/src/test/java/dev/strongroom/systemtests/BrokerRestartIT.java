package dev.strongroom.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.devstack.kafka.KafkaAccessPolicy;
import dev.strongroom.devstack.stack.StackDescriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka broker restarted in the middle of a {@code load} on a stack {@code up} started (issue
 * 10): {@code ./strongroom restart kafka} stops the broker (SIGTERM) and starts it again on its log
 * directory and port; the application's producer, both services and the results consumer reconnect
 * by themselves. Every record is then either stored exactly once (one row, one result) or
 * dead-lettered with its reason — counted here — and none is missing.
 */
@Tag("slow") // one stack up, a load across a broker restart
class BrokerRestartIT {
  @TempDir Path state;

  @Test
  void brokerRestartedMidLoad_everyRecordStoredOnceOrDeadLettered_noneMissing() throws Exception {
    Cli.Result up = Cli.run(state, "up");
    assertEquals(0, up.exit(), up.err());
    try {
      JsonNode stack = CanonicalJson.parse(Files.readAllBytes(state.resolve("stack.json")));
      int records = 1500;
      CompletableFuture<Cli.Result> load =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return Cli.exec(
                      Cli.command(
                          state,
                          "load",
                          "--json",
                          "--tenant",
                          "brk",
                          "--records",
                          Integer.toString(records),
                          "--tenants",
                          "4",
                          "--in-flight",
                          "256",
                          "--timeout",
                          "PT300S"),
                      1500);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      awaitRows(stack, 100);
      long before = rows(stack, "COUNT(*)");
      Cli.Result restart = Cli.run(state, "restart", "--json", "kafka");
      assertEquals(0, restart.exit(), restart.err());
      JsonNode r = restart.json().get("restarted").get(0);
      assertTrue(r.get("pid").asLong() != r.get("oldPid").asLong(), restart.out());
      long between = rows(stack, "COUNT(*)");
      assertEquals(
          stack.at("/kafka/bootstrap").asText(),
          CanonicalJson.parse(Files.readAllBytes(state.resolve("stack.json")))
              .at("/kafka/bootstrap")
              .asText(),
          "the broker is back on its address");

      Cli.Result done = load.get();
      JsonNode f = done.json();
      assertEquals(records, f.get("records").asLong());
      long rows = rows(stack, "COUNT(*)");
      assertEquals(rows, rows(stack, "COUNT(DISTINCT request_id)"), "no request stored twice");
      Map<String, Integer> deadLettered = new TreeMap<>();
      long dlq =
          deadLetters(stack, "strongroom.encrypt.requests.dlq", deadLettered)
              + deadLetters(stack, "strongroom.store.requests.dlq", deadLettered);
      System.out.printf(
          "broker restart at %d rows (back at %d rows, %.1f s): %s; rows %d; dead-lettered %d %s%n",
          before, between, r.get("seconds").asDouble(), f, rows, dlq, deadLettered);
      // the figures that tell where a missing record stopped, in the failure line CI shows
      List<String> missingIds = new java.util.ArrayList<>();
      f.path("missingRequestIds").forEach(id -> missingIds.add("'" + id.asText() + "'"));
      long missingStored =
          missingIds.isEmpty()
              ? 0
              : rows(stack, "COUNT(*)", "request_id IN (" + String.join(",", missingIds) + ")");
      String where =
          String.format(
              "%s; rows %d; dead-lettered %d %s; of the missing named, %d stored; broker restart"
                  + " at %d rows (back at %d, %.1f s)",
              f,
              rows,
              dlq,
              deadLettered,
              missingStored,
              before,
              between,
              r.get("seconds").asDouble());
      assertEquals(0, f.get("missing").asLong(), where);
      assertEquals(
          records, rows + dlq, "every record stored exactly once or dead-lettered: " + where);
      assertEquals(f.get("stored").asLong() + f.get("duplicate").asLong(), rows, f.toString());
      assertEquals(f.get("rejected").asLong(), dlq, "each rejection is a dead letter");
      assertEquals(0, done.exit(), done.err() + done.out());
      assertTrue(before < records, "the broker restarted while the load ran");
    } finally {
      Cli.run(state, "down");
    }
  }

  /**
   * Dead letters of this run's requests ({@code data.requestId} starting {@code load-}) on {@code
   * topic}, read as the operator from the beginning; counts them by reason into {@code reasons}.
   */
  private static long deadLetters(JsonNode stackJson, String topic, Map<String, Integer> reasons)
      throws Exception {
    StackDescriptor stack =
        StackDescriptor.fromJson(stackJson.toString().getBytes(StandardCharsets.UTF_8));
    Properties p = new Properties();
    p.putAll(stack.operatorKafka());
    p.put(
        ConsumerConfig.GROUP_ID_CONFIG,
        KafkaAccessPolicy.groupFor("operator", "brk-" + UUID.randomUUID()));
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    long n = 0;
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      long last = System.nanoTime();
      while (System.nanoTime() - last < Duration.ofSeconds(5).toNanos()) {
        for (ConsumerRecord<byte[], byte[]> rec : c.poll(Duration.ofMillis(500))) {
          last = System.nanoTime();
          String id;
          try {
            id = CanonicalJson.parse(rec.value()).path("data").path("requestId").asText();
          } catch (RuntimeException notJson) {
            continue;
          }
          if (id.startsWith("load-")) {
            Header h = rec.headers().lastHeader("strongroom.dlq.reason");
            reasons.merge(
                topic + ":" + (h == null ? "?" : new String(h.value(), StandardCharsets.UTF_8)),
                1,
                Integer::sum);
            n++;
          }
        }
      }
    }
    return n;
  }

  private static void awaitRows(JsonNode stack, long n) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (System.nanoTime() < deadline) {
      if (rows(stack, "COUNT(*)") >= n) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("fewer than " + n + " rows after 300 s");
  }

  /** {@code what} over this run's rows of {@code users}, as the installer. */
  private static long rows(JsonNode stack, String what) throws Exception {
    return rows(stack, what, "TRUE");
  }

  /**
   * {@code what} over this run's rows of {@code users} matching {@code where}, as the installer.
   */
  private static long rows(JsonNode stack, String what, String where) throws Exception {
    Cli.Result r =
        Cli.exec(
            List.of(
                "mariadb",
                "--socket=" + stack.at("/db/socket").asText(),
                "-u",
                "root",
                "-N",
                "-e",
                "SELECT "
                    + what
                    + " FROM strongroom.users WHERE tenant_id LIKE 'brk-%' AND "
                    + where),
            30);
    assertEquals(0, r.exit(), r.err());
    return Long.parseLong(r.out().trim());
  }
}
