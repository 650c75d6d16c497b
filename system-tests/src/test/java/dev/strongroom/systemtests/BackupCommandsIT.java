package dev.strongroom.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.contracts.records.EncryptRequest;
import dev.strongroom.contracts.records.FieldSealer;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.tls.TlsIdentity;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.contracts.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backup}, {@code restore} and {@code restore-drill} on a stack {@code up} started (issue
 * 16), with records written the way an application writes them (sealed, signed encrypt requests
 * over Kafka through the crypto- and data-service): two backups, a point-in-time restore between
 * two batches, the drill passing every step, an edited part and a forged signature refused with the
 * part named, and no plaintext marker in any backup file.
 */
@Tag("slow")
class BackupCommandsIT {
  @TempDir Path state;
  @TempDir Path scratch;

  @Test
  void backupRestoreDrill_onUp() throws Exception {
    Cli.Result up = Cli.run(state, "up");
    assertEquals(0, up.exit(), up.err());
    try {
      // nothing to restore yet (up made the backup signing key, for the scheduled backup)
      Cli.Result none = Cli.run(state, "restore", "--to", scratch.resolve("x").toString());
      assertEquals(1, none.exit(), none.err());
      assertTrue(none.err().contains("NO_BACKUP"), none.err());
      String marker = "MARKER" + UUID.randomUUID().toString().replace("-", "");
      Writer w = new Writer(state);
      w.put("tenant-" + marker, marker + "-a", 6);
      w.awaitUsers(6);
      Cli.Result b1 = Cli.run(state, "backup", "--json");
      assertEquals(0, b1.exit(), b1.err() + b1.out());
      JsonNode first = b1.json();
      assertTrue(first.get("auditSize").asLong() > 0, first.toString());
      assertTrue(first.get("auditRoot").asText().endsWith("="), first.toString());

      w.put("tenant-" + marker, marker + "-b", 3);
      w.awaitUsers(9);
      Thread.sleep(1500);
      Instant between = Instant.now();
      Thread.sleep(1500);
      w.put("second-" + marker, marker + "-c", 2);
      w.awaitUsers(11);
      // the audit-anchor-service anchors a checkpoint each tick; the drill compares the restored
      // log with the largest one at or below the backup's size, so wait until one exists
      awaitAnchored(state);
      Cli.Result b2 = Cli.run(state, "backup", "--json");
      assertEquals(0, b2.exit(), b2.err() + b2.out());
      JsonNode second = b2.json();

      // point in time between the batches: the second batch is not there
      Cli.Result pitr =
          Cli.run(
              state,
              "restore",
              "--to",
              scratch.resolve("pitr").toString(),
              "--point-in-time",
              between.toString(),
              "--json");
      assertEquals(0, pitr.exit(), pitr.err() + pitr.out());
      assertEquals(first.get("backupId").asText(), pitr.json().get("backupId").asText());
      assertEquals(9, pitr.json().at("/tables/strongroom.users").asLong(), pitr.out());
      assertEquals(2, pitr.json().get("replayedBackups").size());

      // the drill: restore the newest backup into a throwaway instance and prove it
      Cli.Result drill = Cli.run(state, "restore-drill", "--sample", "5", "--json");
      assertEquals(0, drill.exit(), drill.err() + drill.out());
      JsonNode d = drill.json();
      assertTrue(d.get("passed").asBoolean(), d.toString());
      assertEquals(second.get("backupId").asText(), d.get("backupId").asText());
      assertTrue(d.get("rtoSeconds").asDouble() > 0);
      assertTrue(d.get("rpoSeconds").asDouble() >= 0);
      Map<String, JsonNode> steps = new java.util.LinkedHashMap<>();
      d.get("steps").forEach(s -> steps.put(s.get("name").asText(), s));
      assertEquals(
          List.of(
              "restore",
              "row-counts",
              "audit-chain",
              "audit-root",
              "anchor",
              "decrypt-sample",
              "proof-controls"),
          List.copyOf(steps.keySet()));
      for (String s : List.of("restore", "row-counts", "audit-chain", "audit-root")) {
        assertEquals("pass", steps.get(s).get("status").asText(), steps.get(s).toString());
      }
      assertEquals("pass", steps.get("proof-controls").get("status").asText());
      assertTrue(
          steps
              .get("decrypt-sample")
              .get("detail")
              .asText()
              .startsWith("5 records drawn at random, 5 fields decrypted"),
          steps.get("decrypt-sample").toString());
      assertEquals(
          "pass", steps.get("anchor").get("status").asText(), steps.get("anchor").toString());
      assertTrue(
          steps.get("anchor").get("detail").asText().startsWith("the restored log at size "),
          steps.get("anchor").toString());
      assertTrue(Files.exists(state.resolve("evidence/restore-drill-latest.json")));

      // an edited part and a forged signature: refused, the part named, nothing created
      Path worm =
          Path.of(
              CanonicalJson.parse(Files.readAllBytes(state.resolve("stack.json")))
                  .at("/worm/location")
                  .asText());
      Path dir = worm.resolve("backups").resolve(second.get("backupId").asText());
      Path copy = copyBackup(dir, scratch.resolve("edited"));
      flip(copy.resolve("dump.sql.gz.enc"));
      Cli.Result edited =
          Cli.run(
              state,
              "restore",
              "--from",
              copy.toString(),
              "--to",
              scratch.resolve("r-edited").toString(),
              "--json");
      assertEquals(1, edited.exit(), edited.err());
      assertEquals("PART_DIGEST_MISMATCH", edited.json().get("reason").asText());
      assertEquals("dump.sql.gz.enc", edited.json().get("part").asText());
      assertFalse(Files.exists(scratch.resolve("r-edited")));

      Path forged = copyBackup(dir, scratch.resolve("forged"));
      String sig = Files.readString(forged.resolve("manifest.sig")).strip();
      String[] f = sig.split(" ");
      byte[] raw = Base64Url.decode(f[2]);
      raw[0] ^= 1;
      Files.writeString(
          forged.resolve("manifest.sig"), f[0] + " " + f[1] + " " + Base64Url.encode(raw) + "\n");
      Cli.Result bad =
          Cli.run(
              state,
              "restore",
              "--from",
              forged.toString(),
              "--to",
              scratch.resolve("r-forged").toString(),
              "--json");
      assertEquals(1, bad.exit(), bad.err());
      assertEquals("SIGNATURE_INVALID", bad.json().get("reason").asText());
      assertEquals("manifest.sig", bad.json().get("part").asText());

      // data at rest stays encrypted in the backup: the marker (a tenant id, plaintext in the
      // database by design, and in every name) is in no stored file
      byte[] m = marker.getBytes(StandardCharsets.US_ASCII);
      try (Stream<Path> files = Files.walk(worm)) {
        for (Path p : files.filter(Files::isRegularFile).toList()) {
          assertFalse(contains(Files.readAllBytes(p), m), "plaintext marker in " + p);
        }
      }
    } finally {
      Cli.run(state, "down");
    }
  }

  static Path copyBackup(Path dir, Path store) throws Exception {
    Path to = store.resolve("backups").resolve(dir.getFileName().toString());
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.toList()) {
        Path dst = to.resolve(dir.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dst);
        } else {
          Files.copy(p, dst);
          dst.toFile().setWritable(true);
        }
      }
    }
    return to;
  }

  static void flip(Path p) throws Exception {
    byte[] b = Files.readAllBytes(p);
    b[b.length / 2] ^= 1;
    Files.write(p, b);
  }

  static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** Writes records as the demo application does: sealed, signed, over Kafka with mTLS. */
  /** Waits until {@code verify-audit} passes with at least one anchored event. */
  static void awaitAnchored(Path state) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      Cli.Result r = Cli.run(state, "verify-audit", "--json");
      last = r.out() + r.err();
      if (r.exit() == 0 && r.json().get("anchored").asLong() > 0) {
        return;
      }
      Thread.sleep(1000);
    }
    throw new AssertionError("no anchored checkpoint within 90 s: " + last);
  }

  static final class Writer {
    final Path state;
    final JsonNode stack;
    final TlsIdentity app;
    final TenantTokens tokens;
    final EventSigner signer;
    final byte[] sealTo;
    final SecureRandom random = new SecureRandom();

    Writer(Path state) throws Exception {
      this.state = state;
      stack = CanonicalJson.parse(Files.readAllBytes(state.resolve("stack.json")));
      Path pki = state.resolve("pki");
      app =
          new TlsIdentity(
              "demo-app",
              pki.resolve("ca/ca.pem"),
              pki.resolve("clients/demo-app.pem"),
              pki.resolve("clients/demo-app.key"));
      tokens =
          new TenantTokens(
              dev.strongroom.contracts.token.TenantTokenKeys.parse(
                  Files.readString(state.resolve("keys/tenant-token.key"))),
              Clock.systemUTC());
      signer =
          new EventSigner(
              SigningKey.load(state.resolve("keys/demo-app.key.pem")),
              "/apps/demo",
              Clock.systemUTC());
      var http = app.httpClient();
      String crypto = stack.at("/services/crypto").asText();
      JsonNode sealing =
          CanonicalJson.parse(
              http.send(
                      java.net.http.HttpRequest.newBuilder(
                              java.net.URI.create(crypto + "/v1/sealing-key"))
                          .build(),
                      java.net.http.HttpResponse.BodyHandlers.ofByteArray())
                  .body());
      sealTo = Base64Url.decode(sealing.get("publicKey").asText());
    }

    void put(String tenant, String name, int n) throws Exception {
      Map<String, Object> p = app.kafkaClient(stack.at("/kafka/bootstrap").asText());
      p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
        String token =
            tokens.issue(
                tenant,
                "backup-it",
                Duration.ofMinutes(15),
                TenantTokens.thumbprint(app.certificate()));
        for (int i = 0; i < n; i++) {
          String recordId = uuid7();
          String requestId = "bk-" + UUID.randomUUID();
          EncryptRequest req =
              new EncryptRequest(
                  requestId,
                  token,
                  recordId,
                  FieldSealer.seal(sealTo, tenant, recordId, requestId, Map.of("name", name + i)));
          producer
              .send(
                  new ProducerRecord<>(
                      Topics.ENCRYPT_REQUESTS,
                      tenant.getBytes(StandardCharsets.UTF_8),
                      signer.sign(EventCatalog.ENCRYPT_REQUESTED, tenant, req.toData()).bytes()))
              .get();
        }
      }
    }

    /** Waits until the database holds {@code n} records and the sealer chained every event. */
    void awaitUsers(int n) throws Exception {
      String socket = stack.at("/db/socket").asText();
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      String last = "";
      while (System.nanoTime() < deadline) {
        Cli.Result r =
            Cli.exec(
                List.of(
                    "mariadb",
                    "--no-defaults",
                    "-S",
                    socket,
                    "-u",
                    System.getProperty("user.name"),
                    "-N",
                    "-B",
                    "-e",
                    "SELECT (SELECT COUNT(*) FROM strongroom.users),"
                        + " (SELECT COUNT(*) FROM strongroom_audit.audit_events)"
                        + " - (SELECT COUNT(*) FROM strongroom_audit.audit_chain)"),
                30);
        last = r.out().strip();
        if (last.equals(n + "\t0")) {
          return;
        }
        Thread.sleep(300);
      }
      throw new AssertionError("records not stored: users, unsealed = " + last);
    }

    static String uuid7() {
      long ms = System.currentTimeMillis();
      UUID r = UUID.randomUUID();
      long hi = (ms << 16) | 0x7000L | (r.getMostSignificantBits() & 0x0FFFL);
      long lo = (r.getLeastSignificantBits() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
      return new UUID(hi, lo).toString();
    }
  }
}
