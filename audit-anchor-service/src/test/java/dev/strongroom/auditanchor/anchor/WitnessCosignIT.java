package dev.strongroom.auditanchor.anchor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.audit.checkpoint.Checkpoint;
import dev.strongroom.audit.note.CosignatureV1Verifier;
import dev.strongroom.audit.note.Ed25519NoteSigner;
import dev.strongroom.audit.note.NoteSignature;
import dev.strongroom.audit.note.Notes;
import dev.strongroom.audit.tail.AuditorJdbc;
import dev.strongroom.audit.witness.WitnessClient;
import dev.strongroom.audit.witness.WitnessServer;
import dev.strongroom.audit.worm.LocalDirWormStore;
import dev.strongroom.auditanchor.lease.AnchorLease;
import dev.strongroom.contracts.alert.AlertKind;
import dev.strongroom.contracts.alert.SecurityAlert;
import dev.strongroom.contracts.alert.Severity;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.provisioner.db.MariaDbInstance;
import dev.strongroom.provisioner.db.TestInstances;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.schema.AuditInstaller;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Witness cosigning in the publisher's tick, against a private MariaDB (as {@code anchor_writer})
 * and a c2sp.org/tlog-witness of our own in a separate {@code java} process ({@link WitnessServer},
 * its size kept on disk): every written checkpoint is cosigned and the cosigned note stored beside
 * it ({@code cosignatures/…}) opens with the log key and the witness key; the witness keeps its
 * size across its own restart and the service's; and, as an attacker would, root erases the chain,
 * the events and the anchor records, writes a longer history and points the service at a fresh
 * store — the forked checkpoint is refused by the witness with 422 (after its 409 names the size it
 * cosigned), ANCHOR_MISMATCH, and nothing cosigned is stored for it.
 */
class WitnessCosignIT {
  private static final Duration TTL = Duration.ofSeconds(30);
  private static final String ORIGIN = "strongroom.local/witness-it";
  private static final String WITNESS = "witness.example/w1";
  private static Path base;
  private static PkiDirectory pki;
  private static MariaDbInstance db;
  private static AuditorJdbc jdbc;
  private static Ed25519NoteSigner key;
  private static Process witness;
  private static int port;
  private static CosignatureV1Verifier wkey;
  private static final List<SecurityAlert> alerts = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void start() throws Exception {
    base = TestInstances.tempBase("sr-witness-");
    pki = TestInstances.pki(base);
    db = TestInstances.startWithAccounts(TestInstances.settings(base, pki), pki);
    AuditInstaller.install(db, TenantTokens.generateKey(), AuditInstaller.Options.manualSealing());
    var cred = pki.client("anchor_writer");
    jdbc =
        new AuditorJdbc(
            new AuditorJdbc.Config(
                "127.0.0.1",
                db.port(),
                "anchor_writer",
                pki.caCertPem(),
                cred.certPem(),
                cred.keyPem()));
    key = Ed25519NoteSigner.generate(ORIGIN, new SecureRandom());
    byte[] seed = new byte[32];
    new SecureRandom().nextBytes(seed);
    Files.writeString(base.resolve("witness-seed"), Base64.getEncoder().encodeToString(seed));
    startWitness(0);
  }

  @AfterAll
  static void stop() throws Exception {
    stopWitness();
    if (jdbc != null) {
      jdbc.close();
    }
    if (db != null) {
      db.stop();
    }
    if (base != null) {
      TestInstances.deleteTree(base);
    }
  }

  /** The witness in its own process: {@code java -cp … WitnessServer}. */
  private static void startWitness(int onPort) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    witness =
        new ProcessBuilder(
                java,
                "-Xmx64m",
                "-cp",
                System.getProperty("java.class.path"),
                WitnessServer.class.getName(),
                "--port",
                Integer.toString(onPort),
                "--state",
                base.resolve("witness-state").toString(),
                "--name",
                WITNESS,
                "--seed-file",
                base.resolve("witness-seed").toString(),
                "--log",
                key.verifierKey())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(witness.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    assertTrue(line != null && line.startsWith("witness listening on "), String.valueOf(line));
    String[] p = line.substring("witness listening on ".length()).split(" ");
    port = Integer.parseInt(p[0]);
    wkey = CosignatureV1Verifier.parse(p[1]);
  }

  private static void stopWitness() throws InterruptedException {
    if (witness != null) {
      witness.destroy();
      witness.waitFor();
      witness = null;
    }
  }

  private static AnchorPublisher publisher(LocalDirWormStore worm) {
    WitnessClient client = new WitnessClient(URI.create("http://127.0.0.1:" + port), wkey);
    return new AnchorPublisher(
        key,
        worm,
        new AnchorLease("wit-a", TTL),
        Clock.systemUTC(),
        alerts::add,
        List.of(new AnchorPublisher.Witnessing(wkey, client)));
  }

  private static AnchorPublisher.Outcome tick(AnchorPublisher p) throws Exception {
    try (Connection c = jdbc.connect()) {
      AnchorLease.Grant g = new AnchorLease("wit-a", TTL).acquire(c);
      assertTrue(g.acquired(), g.toString());
      return p.tick(c, g.epoch());
    }
  }

  private static void writeAndSeal(String prefix, int n) {
    StringBuilder sql = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sql.append("INSERT INTO strongroom.tenants VALUES ('")
          .append(prefix)
          .append('-')
          .append(i)
          .append("', UTC_TIMESTAMP(6));");
    }
    db.sql(sql + " CALL strongroom_audit.audit_seal(100000)");
  }

  /** The cosigned note of {@code a}: the stored note, then the witness's valid cosignature. */
  private static void assertCosigned(LocalDirWormStore worm, AnchorPublisher.Anchor a) {
    String name = AnchorPublisher.cosignedName(a.object(), WITNESS);
    assertTrue(
        name.matches(
            "cosignatures/strongroom\\.local_witness-it/\\d{8}T\\d{6}\\.\\d{3}Z-"
                + a.size()
                + "/witness\\.example_w1\\.note"),
        name);
    byte[] cosigned = worm.get(name);
    byte[] note = worm.get(a.object());
    assertArrayEquals(note, java.util.Arrays.copyOf(cosigned, note.length), "the note, then more");
    Checkpoint.Signed s = Checkpoint.open(cosigned, key.verifier(), List.of(wkey));
    assertEquals(a.size(), s.checkpoint().size());
    List<NoteSignature> byWitness =
        Notes.open(cosigned, List.of(wkey)).verified().stream()
            .filter(x -> x.name().equals(WITNESS))
            .toList();
    assertEquals(1, byWitness.size(), "one cosignature/v1 of the witness");
    assertTrue(wkey.verify(Notes.parse(note).text(), byWitness.get(0)));
  }

  private static HttpResponse<String> postOldZero(byte[] note) throws Exception {
    byte[] head = "old 0\n\n".getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[head.length + note.length];
    System.arraycopy(head, 0, body, 0, head.length);
    System.arraycopy(note, 0, body, head.length, note.length);
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/add-checkpoint"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyCheckpointCosigned_theWitnessKeepsItsSize_andRefusesAForkedLog() throws Exception {
    LocalDirWormStore worm = LocalDirWormStore.open(base.resolve("worm"));
    AnchorPublisher p = publisher(worm);

    // 1. a growing log, each checkpoint cosigned (the empty one too), quiet ticks as well
    AnchorPublisher.Outcome empty = tick(p);
    assertCosigned(worm, empty.written().get(0));
    writeAndSeal("a", 20);
    AnchorPublisher.Outcome o20 = tick(p);
    assertEquals(20, o20.recorded().size());
    assertCosigned(worm, o20.written().get(0));
    AnchorPublisher.Outcome quiet = tick(p);
    assertCosigned(worm, quiet.written().get(0));
    writeAndSeal("b", 10);
    AnchorPublisher.Outcome o30 = tick(p);
    assertEquals(30, o30.recorded().size());
    assertCosigned(worm, o30.written().get(0));
    assertEquals(List.of(), alerts);

    // 2. the witness restarts (same state) and so does the service: 409 tells it 30, it goes on
    stopWitness();
    startWitness(port);
    assertEquals(409, postOldZero(worm.get(o30.written().get(0).object())).statusCode());
    assertEquals("30\n", postOldZero(worm.get(o30.written().get(0).object())).body());
    AnchorPublisher restarted = publisher(worm);
    writeAndSeal("c", 5);
    AnchorPublisher.Outcome o35 = tick(restarted);
    assertEquals(35, o35.recorded().size());
    assertCosigned(worm, o35.written().get(0));
    assertEquals(List.of(), alerts);

    // 3. by attack: root erases the chain, the events and the anchor records, writes a longer
    // history and points the service at a fresh store; the log key signs the fork, the witness
    // (at 35) refuses it
    db.sqlScript(
        "SET foreign_key_checks = 0; TRUNCATE TABLE strongroom_audit.audit_chain;"
            + " TRUNCATE TABLE strongroom_audit.audit_events;"
            + " TRUNCATE TABLE strongroom_audit.audit_anchors; SET foreign_key_checks = 1;");
    writeAndSeal("fork", 50);
    LocalDirWormStore fresh = LocalDirWormStore.open(base.resolve("fresh-worm"));
    AnchorPublisher forked = publisher(fresh);
    AnchorPublisher.Outcome f = tick(forked);
    assertEquals(50, f.recorded().size(), "the forked log is written to the fresh store");
    String object = f.written().get(0).object();
    assertEquals(1, f.raised().size(), f.raised().toString());
    SecurityAlert a = f.raised().get(0);
    assertEquals(AlertKind.ANCHOR_MISMATCH, a.kind());
    assertEquals(Severity.CRITICAL, a.severity());
    assertTrue(
        a.detail()
            .startsWith(
                "witness "
                    + WITNESS
                    + " refused checkpoint "
                    + object
                    + " (size 50) with 422: it does not extend what the witness cosigned before —"
                    + " the log was forked or rewritten (witness refused with 422: not consistent"
                    + " with size 35: "),
        a.detail());
    assertEquals(WITNESS, a.related().get("witness"));
    assertEquals(422, a.related().get("status"));
    assertEquals(object, a.related().get("object"));
    assertFalse(
        fresh.exists(AnchorPublisher.cosignedName(object, WITNESS)), "nothing cosigned stored");
    // the witness still stands at 35
    assertEquals("35\n", postOldZero(fresh.get(object)).body());
    // and the refusal is raised once, not every interval
    AnchorPublisher.Outcome again = tick(forked);
    assertEquals(List.of(), again.raised());
  }
}
