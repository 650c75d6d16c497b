package dev.strongroom.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scale} and {@code restart} on a stack {@code up} started (DESIGN §7, issue 10): a second
 * data-service instance joins the consumer group and {@code status --json} lists each instance with
 * its pid; one {@code load} runs across a rolling restart of every data-service instance and
 * another across a restart of the crypto-service, and every record is stored exactly once; {@code
 * down} stops every instance.
 */
@Tag("slow") // one stack up, three instance starts, a load across restarts
class ScaleRestartIT {
  @TempDir Path state;

  @Test
  void badArguments_areUsageErrors_beforeAnyStackIsConsulted() throws Exception {
    assertRefused("strongroom: expected SERVICE=N (e.g. data=2), not 'data'\n", "scale", "data");
    assertRefused(
        "strongroom: unknown service 'ledger' (one of crypto, data, audit, provisioner, proof)\n",
        "scale",
        "ledger=2");
    assertRefused("strongroom: N must be a whole number from 1 to 8, not '0'\n", "scale", "data=0");
    assertRefused(
        "strongroom: N must be a whole number from 1 to 8, not '9'\n", "scale", "crypto=9");
    assertRefused(
        "strongroom: N must be a whole number from 1 to 8, not '-1'\n", "scale", "data=-1");
    assertRefused(
        "strongroom: audit runs one instance: only crypto and data are stateless consumers that"
            + " scale (DESIGN §2)\n",
        "scale",
        "audit=2");
    assertRefused(
        "strongroom: unknown part 'ledger' (one of kafka, crypto, data, audit, provisioner,"
            + " proof)\n",
        "restart",
        "ledger");
    Cli.Result noStack = Cli.run(state, "scale", "data=2");
    assertEquals(3, noStack.exit(), noStack.err());
    assertEquals(3, Cli.run(state, "restart", "data").exit());
  }

  private void assertRefused(String message, String... args) throws Exception {
    Cli.Result r = Cli.run(state, args);
    assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.err());
    assertEquals(message, r.err(), String.join(" ", args));
    assertEquals("", r.out());
  }

  @Test
  void scaleAndRestart_underLoad_loseNothing() throws Exception {
    Cli.Result up = Cli.run(state, "up");
    assertEquals(0, up.exit(), up.err());
    try {
      JsonNode stack = CanonicalJson.parse(Files.readAllBytes(state.resolve("stack.json")));
      String dataUrl = stack.at("/services/data").asText();

      Cli.Result scaled = Cli.run(state, "scale", "--json", "data=2");
      assertEquals(0, scaled.exit(), scaled.err());
      assertEquals(1, scaled.json().get("before").asInt());
      assertEquals(2, scaled.json().get("instances").asInt());

      JsonNode status = status();
      assertEquals(9, status.get("parts").size(), status.toString());
      for (JsonNode p : status.get("parts")) {
        assertEquals(
            Set.of("name", "instance", "pid", "address", "healthy", "detail", "rssBytes"),
            fieldNames(p),
            "exactly DESIGN §7's keys");
        assertTrue(p.get("healthy").asBoolean(), p.toString());
        assertTrue(p.get("pid").asLong() > 0, p.toString());
      }
      List<JsonNode> data = parts(status, "data-service");
      assertEquals(2, data.size());
      assertEquals(1, data.get(0).get("instance").asInt());
      assertEquals(2, data.get(1).get("instance").asInt());
      assertEquals(dataUrl, data.get(0).get("address").asText(), "services.data is instance 1");
      assertNotEquals(data.get(0).get("pid").asLong(), data.get(1).get("pid").asLong());
      assertNotEquals(data.get(0).get("address").asText(), data.get(1).get("address").asText());

      // a load across a rolling restart of both data-service instances, then another across a
      // restart of the crypto-service: each restart starts once its load has stored 50 rows, so it
      // overlaps the load however long the other restart took on a busy machine
      int records = 1500;
      CompletableFuture<Cli.Result> load = startLoad("restart", records);
      awaitRows(stack, "tenant_id LIKE 'restart-%'", 50);
      long before = rows(stack, "tenant_id LIKE 'restart-%'");
      Cli.Result restartData = Cli.run(state, "restart", "--json", "data");
      assertEquals(0, restartData.exit(), restartData.err());
      assertEquals(2, restartData.json().get("restarted").size());
      List<Long> oldPids = new ArrayList<>();
      List<Long> newPids = new ArrayList<>();
      for (JsonNode r : restartData.json().get("restarted")) {
        oldPids.add(r.get("oldPid").asLong());
        newPids.add(r.get("pid").asLong());
      }
      JsonNode f = assertEveryRecordStoredOnce(stack, load.get(), "restart", records);

      CompletableFuture<Cli.Result> load2 = startLoad("recrypt", records);
      awaitRows(stack, "tenant_id LIKE 'recrypt-%'", 50);
      long between = rows(stack, "tenant_id LIKE 'recrypt-%'");
      Cli.Result restartCrypto = Cli.run(state, "restart", "--json", "crypto");
      assertEquals(0, restartCrypto.exit(), restartCrypto.err());
      assertEquals(1, restartCrypto.json().get("restarted").size());
      // the restart began before the load was through: when it returns (the new instance
      // ready), records of the load are still waiting for it
      long afterCrypto = rows(stack, "tenant_id LIKE 'recrypt-%'");
      assertTrue(
          afterCrypto < records,
          "the crypto restart overlapped its load: " + afterCrypto + " rows when it returned");
      JsonNode f2 = assertEveryRecordStoredOnce(stack, load2.get(), "recrypt", records);
      assertTrue(
          before < records && between < records,
          "each restart began while its load ran: " + before + ", " + between);
      System.out.printf(
          "load across the data restart: %s (rows before it %d; %s); load across the crypto"
              + " restart: %s (rows before it %d; %s)%n",
          f, before, restartData.json(), f2, between, restartCrypto.json());

      status = status();
      List<JsonNode> after = parts(status, "data-service");
      assertEquals(2, after.size());
      for (int i = 0; i < 2; i++) {
        assertEquals(newPids.get(i), after.get(i).get("pid").asLong());
        assertFalse(ProcessHandle.of(oldPids.get(i)).map(ProcessHandle::isAlive).orElse(false));
      }
      assertEquals(dataUrl, after.get(0).get("address").asText(), "same address after restart");

      Cli.Result down1 = Cli.run(state, "scale", "--json", "data=1");
      assertEquals(0, down1.exit(), down1.err());
      assertEquals(1, down1.json().get("instances").asInt());
      assertFalse(ProcessHandle.of(newPids.get(1)).map(ProcessHandle::isAlive).orElse(false));
      assertEquals(8, status().get("parts").size()); // mariadb, kafka, the witness, 5 services

      assertEquals(0, Cli.run(state, "scale", "crypto=2").exit());
      assertEquals(9, status().get("parts").size());
    } finally {
      Cli.Result down = Cli.run(state, "down", "--json");
      assertEquals(0, down.exit(), down.err());
      List<String> left = new ArrayList<>();
      ProcessHandle.allProcesses()
          .forEach(
              h ->
                  h.info()
                      .arguments()
                      .filter(a -> String.join(" ", a).contains(state.toString()))
                      .ifPresent(a -> left.add(h.pid() + " " + String.join(" ", a))));
      assertEquals(List.of(), left, "down stops every instance");
    }
  }

  private CompletableFuture<Cli.Result> startLoad(String tenant, int records) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return Cli.exec(
                Cli.command(
                    state,
                    "load",
                    "--json",
                    "--tenant",
                    tenant,
                    "--records",
                    Integer.toString(records),
                    "--tenants",
                    "4",
                    "--in-flight",
                    "256",
                    "--timeout",
                    "PT240S"),
                1500);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  private static JsonNode assertEveryRecordStoredOnce(
      JsonNode stack, Cli.Result done, String tenant, int records) throws Exception {
    assertEquals(0, done.exit(), done.err() + done.out());
    JsonNode f = done.json();
    assertEquals(records, f.get("records").asLong());
    assertEquals(0, f.get("missing").asLong(), f.toString());
    assertEquals(0, f.get("rejected").asLong(), f.toString());
    assertEquals(records, f.get("stored").asLong() + f.get("duplicate").asLong(), f.toString());
    assertEquals(
        records, rows(stack, "tenant_id LIKE '" + tenant + "-%'"), "exactly one row per record");
    return f;
  }

  private JsonNode status() throws Exception {
    Cli.Result r = Cli.run(state, "status", "--json");
    assertEquals(0, r.exit(), r.out() + r.err());
    return r.json();
  }

  private static List<JsonNode> parts(JsonNode status, String name) {
    List<JsonNode> out = new ArrayList<>();
    status
        .get("parts")
        .forEach(
            p -> {
              if (p.get("name").asText().equals(name)) {
                out.add(p);
              }
            });
    return out;
  }

  private static Set<String> fieldNames(JsonNode n) {
    Set<String> out = new TreeSet<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static void awaitRows(JsonNode stack, String where, long n) throws Exception {
    long deadline = System.nanoTime() + 300_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (rows(stack, where) >= n) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("fewer than " + n + " rows after 300 s");
  }

  /** Rows of {@code users}, counted as the installer (root over the local socket only). */
  private static long rows(JsonNode stack, String where) throws Exception {
    Cli.Result r =
        Cli.exec(
            List.of(
                "mariadb",
                "--socket=" + stack.at("/db/socket").asText(),
                "-u",
                "root",
                "-N",
                "-e",
                "SELECT COUNT(*) FROM strongroom.users WHERE " + where),
            30);
    assertEquals(0, r.exit(), r.err());
    return Long.parseLong(r.out().trim());
  }
}
