package dev.strongroom.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.tls.TlsIdentity;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./strongroom revoke} on a stack {@code up} started (issue 11): the demo application's
 * identity ({@code demo-app}: Kafka and HTTPS) and the database identity {@code app_user} are
 * revoked in one command — no single identity of the stack reaches all three planes, and these two
 * are what an application's stolen credentials would be. {@code app_user} is the data-service's
 * database identity, so the stack's store path stops with it: that is the demonstration's price,
 * and the stack is thrown away after.
 *
 * <p>Before: an open {@code app_user} session bound to a tenant, a demo-app producer and consumer
 * that work, a demo-app HTTPS call answered. The command is started and each plane is probed from
 * that moment until it refuses: a new database login with the certificate, a produce with the open
 * producer, an HTTPS call. Then: the open session is gone (killed, its connection id not in {@code
 * PROCESSLIST}, no binding row), the open consumer is refused, a new producer is refused.
 */
class RevokeCommandIT {
  @TempDir Path state;

  @AfterEach
  void downWhateverIsUp() throws Exception {
    Cli.run(state, "down");
  }

  @Test
  void usageErrors_areExit2_beforeAnyStackIsRead() throws Exception {
    Cli.Result unknown = Cli.run(state, "revoke", "mallory");
    assertEquals(2, unknown.exit(), unknown.err());
    assertTrue(
        unknown.err().contains("strongroom: unknown identity 'mallory' (one of app_user, "),
        unknown.err());
    Cli.Result broker = Cli.run(state, "revoke", "kafka-broker");
    assertEquals(2, broker.exit(), broker.err());
    assertTrue(
        broker.err().contains("kafka-broker is the broker's super user (ACLs cannot refuse it)"),
        broker.err());
    Cli.Result reason = Cli.run(state, "revoke", "--reason", "bored", "demo-app");
    assertEquals(2, reason.exit(), reason.err());
    Cli.Result noStack = Cli.run(state, "revoke", "demo-app");
    assertEquals(3, noStack.exit(), noStack.err());
    assertTrue(noStack.err().contains("the stack is not up"), noStack.err());
  }

  @Test
  void revokedIdentities_areCutOffTheDatabaseKafkaAndTheServices_withinSeconds() throws Exception {
    Cli.Result up = Cli.run(state, "up");
    assertEquals(0, up.exit(), up.err());
    JsonNode stack = CanonicalJson.parse(Files.readAllBytes(state.resolve("stack.json")));
    Path pki = state.resolve("pki");
    TlsIdentity app =
        new TlsIdentity(
            "demo-app",
            pki.resolve("ca/ca.pem"),
            pki.resolve("clients/demo-app.pem"),
            pki.resolve("clients/demo-app.key"));
    String bootstrap = stack.at("/kafka/bootstrap").asText();
    String sealingKey = stack.at("/services/crypto").asText() + "/v1/sealing-key";

    // an open app_user session, bound to tenant acme, that stays open (SLEEP)
    String token = Cli.run(state, "token", "acme").out().strip();
    Process session =
        new ProcessBuilder(
                appUserLogin(
                    stack,
                    "SELECT CONNECTION_ID(); CALL strongroom.security_set_tenant('"
                        + token
                        + "'); SELECT SLEEP(600)"))
            .redirectErrorStream(false)
            .start();
    String connectionId =
        new java.io.BufferedReader(
                new java.io.InputStreamReader(session.getInputStream(), StandardCharsets.US_ASCII))
            .readLine();
    assertTrue(connectionId != null, "the session printed its connection id");
    assertTrue(connectionId.matches("[0-9]+"), connectionId);
    assertEquals(
        "1",
        root(
            stack,
            "SELECT COUNT(*) FROM strongroom_security.tenant_bindings WHERE connection_id = "
                + connectionId),
        "the open session is bound");

    try (KafkaProducer<byte[], byte[]> producer = producer(app, bootstrap);
        KafkaConsumer<byte[], byte[]> consumer = consumer(app, bootstrap)) {
      producer.send(probe()).get(30, TimeUnit.SECONDS);
      consumer.subscribe(List.of("strongroom.store.results"));
      consumer.poll(Duration.ofSeconds(5));
      HttpClient http = app.httpClient();
      assertEquals(200, get(http, sealingKey).statusCode(), "demo-app may fetch the sealing key");
      assertEquals(0, newLogin(stack).exit(), "app_user logs in before the revocation");

      // revoke, and probe each plane from the command's start until it refuses
      long t0 = System.nanoTime();
      Process revoke =
          new ProcessBuilder(Cli.command(state, "revoke", "--json", "demo-app", "app_user"))
              .directory(Cli.HOME.toFile())
              .redirectOutput(state.resolve("revoke.out").toFile())
              .redirectError(state.resolve("revoke.err").toFile())
              .start();
      long dbAt = 0;
      long kafkaAt = 0;
      long httpsAt = 0;
      Cli.Result dbRefusal = null;
      Throwable kafkaRefusal = null;
      HttpResponse<String> httpsRefusal = null;
      while ((dbAt == 0 || kafkaAt == 0 || httpsAt == 0)
          && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(60)) {
        if (httpsAt == 0) {
          HttpResponse<String> r = get(app.httpClient(), sealingKey);
          if (r.statusCode() != 200) {
            httpsAt = System.nanoTime();
            httpsRefusal = r;
          }
        }
        if (kafkaAt == 0) {
          try {
            producer.send(probe()).get(10, TimeUnit.SECONDS);
          } catch (ExecutionException e) {
            kafkaAt = System.nanoTime();
            kafkaRefusal = e.getCause();
          }
        }
        if (dbAt == 0) {
          Cli.Result r = newLogin(stack);
          if (r.exit() != 0) {
            dbAt = System.nanoTime();
            dbRefusal = r;
          }
        }
      }
      assertTrue(revoke.waitFor(120, TimeUnit.SECONDS), "revoke returns");
      long doneAt = System.nanoTime();
      String out = Files.readString(state.resolve("revoke.out"));
      String err = Files.readString(state.resolve("revoke.err"));
      assertEquals(0, revoke.exitValue(), out + err);
      assertTrue(dbAt > 0 && kafkaAt > 0 && httpsAt > 0, "every plane refuses within 60 s");
      System.out.printf(
          "[RevokeCommandIT] from the command's start: database refuses after %d ms, Kafka after"
              + " %d ms, HTTPS after %d ms; the command returned after %d ms (its own figure %s s)%n",
          ms(dbAt - t0),
          ms(kafkaAt - t0),
          ms(httpsAt - t0),
          ms(doneAt - t0),
          CanonicalJson.parse(out.strip().getBytes(StandardCharsets.UTF_8)).get("seconds"));

      // what else happened, all printed before anything is asserted
      String serial = serialOf(app.cert()).toString(16);
      assertTrue(session.waitFor(30, TimeUnit.SECONDS), "the killed session's client exits");
      String sessionErr =
          new String(session.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      Throwable consumed = null;
      long consumeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (consumed == null && System.nanoTime() < consumeDeadline) {
        try {
          consumer.poll(Duration.ofSeconds(2));
        } catch (KafkaException e) {
          consumed = e;
        }
      }
      Throwable freshRefusal = null;
      try (KafkaProducer<byte[], byte[]> fresh = producer(app, bootstrap)) {
        fresh.send(probe()).get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        freshRefusal = e.getCause();
      } catch (KafkaException e) {
        freshRefusal = e;
      }
      System.out.println("[RevokeCommandIT] database, new login: " + dbRefusal.err().strip());
      System.out.println("[RevokeCommandIT] database, the open session's client: " + sessionErr);
      System.out.println("[RevokeCommandIT] kafka, open producer: " + kafkaRefusal);
      System.out.println("[RevokeCommandIT] kafka, open consumer: " + consumed);
      System.out.println("[RevokeCommandIT] kafka, new producer: " + freshRefusal);
      System.out.println(
          "[RevokeCommandIT] https: " + httpsRefusal.statusCode() + " " + httpsRefusal.body());
      System.out.println("[RevokeCommandIT] revoke --json: " + out.strip());

      // the exact refusals
      String revokedAlert = "ERROR 2026 (HY000): TLS/SSL error: sslv3 alert certificate revoked";
      String resetAtAuth =
          "ERROR 2013 (HY000): Lost connection to server at 'sending authentication information',"
              + " system error: 104";
      // TLS 1.3: the server's alert races the client's first packet (MariaDbAttackIT)
      assertTrue(
          dbRefusal.err().contains(revokedAlert) || dbRefusal.err().contains(resetAtAuth),
          dbRefusal.err());
      assertInstanceOf(TopicAuthorizationException.class, kafkaRefusal, kafkaRefusal.toString());
      assertEquals(
          "Not authorized to access topics: [strongroom.encrypt.requests]",
          kafkaRefusal.getMessage());
      assertEquals(401, httpsRefusal.statusCode(), httpsRefusal.body());
      assertEquals(
          "{\"error\":\"REVOKED\",\"detail\":\"the certificate of demo-app (serial "
              + serial
              + ") is revoked\"}",
          httpsRefusal.body());

      // the open database session is gone, and its binding with it
      assertFalse(session.exitValue() == 0, sessionErr);
      assertEquals(
          "0",
          root(
              stack,
              "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " + connectionId));
      assertEquals(
          "0",
          root(
              stack,
              "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'app_user'"));
      assertEquals(
          "0",
          root(
              stack,
              "SELECT COUNT(*) FROM strongroom_security.tenant_bindings WHERE connection_id = "
                  + connectionId));

      // the open consumer is refused at its next request, a new producer from the start
      assertTrue(
          consumed instanceof GroupAuthorizationException
              || consumed instanceof TopicAuthorizationException,
          String.valueOf(consumed));
      assertInstanceOf(AuthorizationException.class, freshRefusal, String.valueOf(freshRefusal));

      // what the command said
      JsonNode json = CanonicalJson.parse(out.strip().getBytes(StandardCharsets.UTF_8));
      assertTrue(json.get("complete").asBoolean(), out);
      JsonNode demo = json.at("/revoked/0");
      JsonNode db = json.at("/revoked/1");
      assertEquals("demo-app", demo.get("identity").asText());
      assertEquals(serial, demo.get("serial").asText());
      assertEquals("key-compromise", demo.get("reason").asText());
      assertFalse(demo.at("/db/databaseUser").asBoolean(), out);
      assertEquals(8, demo.at("/kafka/denyAcls").asInt(), out);
      for (String s : List.of("crypto", "data", "audit", "provisioner", "proof")) {
        assertEquals("401 REVOKED", demo.at("/services/" + s).asText(), out);
      }
      assertEquals("app_user", db.get("identity").asText());
      assertEquals("FLUSH SSL", db.at("/db/reload").asText());
      List<String> killed = new ArrayList<>();
      db.at("/db/killed").forEach(k -> killed.add(k.asText()));
      assertTrue(killed.contains(connectionId), out);
      assertTrue(db.at("/db/bindingsRemoved").asInt() >= 1, out);
      String loginRefused = db.at("/db/loginRefused").asText();
      assertTrue(
          loginRefused.contains(revokedAlert) || loginRefused.contains(resetAtAuth), loginRefused);
    } finally {
      session.destroyForcibly();
    }
  }

  private static java.math.BigInteger serialOf(Path certPem) throws Exception {
    try (var in = Files.newInputStream(certPem)) {
      return ((java.security.cert.X509Certificate)
              java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in))
          .getSerialNumber();
    }
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  private static ProducerRecord<byte[], byte[]> probe() {
    // not an event: the crypto-service dead-letters it as MALFORMED (what matters is the produce)
    return new ProducerRecord<>(
        "strongroom.encrypt.requests",
        "revoke-probe".getBytes(StandardCharsets.US_ASCII),
        "not an event".getBytes(StandardCharsets.US_ASCII));
  }

  private static KafkaProducer<byte[], byte[]> producer(TlsIdentity id, String bootstrap) {
    Map<String, Object> p = id.kafkaClient(bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static KafkaConsumer<byte[], byte[]> consumer(TlsIdentity id, String bootstrap) {
    Map<String, Object> p = id.kafkaClient(bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "demo-app-revoke-it");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static HttpResponse<String> get(HttpClient http, String url)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> appUserLogin(JsonNode stack, String sql) {
    return List.of(
        "mariadb",
        "-h",
        stack.at("/db/host").asText(),
        "-P",
        stack.at("/db/port").asText(),
        "-u",
        "app_user",
        "--ssl-ca=" + stack.at("/db/caCert").asText(),
        "--ssl-cert=" + stack.at("/db/identities/app_user/cert").asText(),
        "--ssl-key=" + stack.at("/db/identities/app_user/key").asText(),
        "--ssl-verify-server-cert",
        "--unbuffered",
        "-N",
        "-B",
        "-e",
        sql);
  }

  private static Cli.Result newLogin(JsonNode stack) throws Exception {
    return Cli.exec(appUserLogin(stack, "SELECT 1"), 30);
  }

  private static String root(JsonNode stack, String sql) throws Exception {
    Cli.Result r =
        Cli.exec(
            List.of(
                "mariadb",
                "--socket=" + stack.at("/db/socket").asText(),
                "-u",
                "root",
                "-N",
                "-e",
                sql),
            30);
    assertEquals(0, r.exit(), r.err());
    return r.out().trim();
  }
}
