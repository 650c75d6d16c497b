package dev.strongroom.auditanchor.lease;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.audit.checkpoint.Checkpoint;
import dev.strongroom.audit.note.Ed25519NoteVerifier;
import dev.strongroom.audit.tail.AuditorJdbc;
import dev.strongroom.audit.tiles.TileLogReader;
import dev.strongroom.audit.tree.MerkleTree;
import dev.strongroom.audit.tree.Proofs;
import dev.strongroom.audit.verify.AuditLogVerifier;
import dev.strongroom.audit.worm.LocalDirWormStore;
import dev.strongroom.devstack.testing.StrongroomTestResource;
import dev.strongroom.devstack.testing.TestDatabase;
import dev.strongroom.provisioner.os.LoopbackPorts;
import dev.strongroom.provisioner.pki.Credential;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One writer across real processes (DESIGN §2, issue 12): two packaged audit-anchor-services, each
 * its own {@code java -jar target/quarkus-app/quarkus-run.jar} with its own holder name and state
 * directory, share one hardened MariaDB (whose sealer chains the events written all through the
 * test) and one WORM directory, ticking every second on a 6 s lease (3 s took over in 3.48 s, too
 * close to its 6 s bound on a loaded 2-core machine, and a cold first tick of ~3.8 s let the
 * writer's own lease lapse once). Started together, exactly one records and writes checkpoints
 * while the other stands by ({@code strongroom_audit_writer} 1 and 0); the writer is killed with
 * SIGKILL ({@link Process#destroyForcibly()}: no shutdown hook, no release) and the standby anchors
 * within two lease periods with the next epoch. The store then holds one log: every checkpoint
 * opens with the log key, each is consistent with the one before it (an RFC 6962 consistency proof
 * from the stored entries), no two of one size have different roots, every recorded anchor is in
 * the store byte for byte, and {@code verify-audit}'s verifier reads the store clean against the
 * database.
 */
class AnchorTakeoverIT {
  private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
  private static final Duration INTERVAL = Duration.ofSeconds(1);
  private static final Duration TTL = Duration.ofSeconds(6);
  private static final Pattern WRITER_GAUGE =
      Pattern.compile("(?m)^strongroom_audit_writer(?:\\{[^}]*})? (\\S+)$");

  private static StrongroomTestResource resource;
  private static Map<String, String> config;
  private final List<Process> instances = new ArrayList<>();

  @BeforeAll
  static void stack() {
    resource = new StrongroomTestResource();
    resource.init(
        Map.of(
            "service",
            "audit-anchor-service",
            "database",
            "true",
            "anchor-interval",
            INTERVAL.toString()));
    config = resource.start();
  }

  @AfterAll
  static void stopStack() {
    resource.stop();
  }

  @AfterEach
  void stopInstances() throws InterruptedException {
    for (Process p : instances) {
      p.destroy();
    }
    for (Process p : instances) {
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    instances.clear();
  }

  /** One service process: {@code holder} names it in the lease and in its log file. */
  private record Instance(String holder, Process process, int port) {}

  private Instance launch(String holder) throws Exception {
    StrongroomTestResource.Stack stack = StrongroomTestResource.stack();
    Path state = stack.keys().registryFile().getParent().resolveSibling("state-" + holder);
    int port = LoopbackPorts.free();
    Map<String, String> c = new HashMap<>(config);
    c.remove("quarkus.http.test-port");
    c.putAll(stack.pki().identity("audit-anchor-service").serviceConfig(port));
    c.put("quarkus.http.port", Integer.toString(port));
    c.put("strongroom.audit-anchor.holder", holder);
    c.put("strongroom.audit-anchor.state-dir", state.toString());
    c.put("strongroom.audit-anchor.interval", INTERVAL.toString());
    c.put("strongroom.audit-anchor.lease-ttl", TTL.toString());
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(List.of("-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    c.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.addAll(List.of("-jar", JAR.toString()));
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(Path.of("target", "takeover-" + holder + ".log").toFile())
            .start();
    instances.add(p);
    return new Instance(holder, p, port);
  }

  private static void awaitReady(Instance i) throws Exception {
    HttpClient operator = StrongroomTestResource.stack().http("operator");
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (System.nanoTime() < deadline) {
      if (!i.process().isAlive()) {
        throw new AssertionError(
            i.holder() + " exited; see target/takeover-" + i.holder() + ".log");
      }
      try {
        HttpResponse<String> r =
            operator.send(
                HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + i.port() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException e) {
        // not listening yet
      }
      Thread.sleep(300);
    }
    throw new AssertionError(i.holder() + " not ready in 180 s");
  }

  /** The instance's {@code strongroom_audit_writer} gauge (1: it holds the lease). */
  private static double writerGauge(Instance i) throws Exception {
    HttpResponse<String> r =
        StrongroomTestResource.stack()
            .http("operator")
            .send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + i.port() + "/q/metrics"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    Matcher m = WRITER_GAUGE.matcher(r.body());
    assertTrue(m.find(), "no strongroom_audit_writer in the metrics of " + i.holder());
    return Double.parseDouble(m.group(1));
  }

  /** A row of {@code audit_anchors}. */
  private record Anchor(
      long no,
      long epoch,
      String holder,
      long size,
      String root,
      String checkpoint,
      String object,
      Instant created) {}

  private static List<Anchor> anchors(AuditorJdbc jdbc) throws SQLException {
    List<Anchor> out = new ArrayList<>();
    try (Connection c = jdbc.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT anchor_no, epoch, holder, tree_size, root_hash, checkpoint, worm_object,"
                    + " DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%s.%fZ')"
                    + " FROM strongroom_audit.audit_anchors ORDER BY anchor_no");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(
            new Anchor(
                rs.getLong(1),
                rs.getLong(2),
                rs.getString(3),
                rs.getLong(4),
                rs.getString(5),
                rs.getString(6),
                rs.getString(7),
                Instant.parse(rs.getString(8))));
      }
    }
    return out;
  }

  /** {@code #no holder/epoch size +ms since the anchor before}, for the test's output. */
  private static String timeline(List<Anchor> anchors) {
    StringBuilder b = new StringBuilder();
    Instant prev = null;
    for (Anchor x : anchors) {
      b.append(" #")
          .append(x.no())
          .append(' ')
          .append(x.holder())
          .append('/')
          .append(x.epoch())
          .append(' ')
          .append(x.size());
      if (prev != null) {
        b.append(" +").append(Duration.between(prev, x.created()).toMillis()).append("ms");
      }
      prev = x.created();
    }
    return b.toString().strip();
  }

  private static long chainSize(TestDatabase db) {
    return Long.parseLong(
        db.instance()
            .sql("SELECT COALESCE(MAX(seq), 0) FROM strongroom_audit.audit_chain")
            .scalar());
  }

  @Test
  void twoProcesses_exactlyOneAnchors_theWriterKilled9_theOtherAnchorsWithinTwoLeasePeriods()
      throws Exception {
    StrongroomTestResource.Stack stack = StrongroomTestResource.stack();
    TestDatabase db = stack.database().orElseThrow();
    Path keys = stack.keys().registryFile().getParent();
    Path worm = keys.resolveSibling("worm");
    Ed25519NoteVerifier logKey =
        Ed25519NoteVerifier.parse(
            Files.readString(keys.resolve(StrongroomTestResource.AUDIT_LOG_VKEY)).strip());
    Credential auditor = stack.pki().client("auditor");
    AuditorJdbc jdbc =
        new AuditorJdbc(
            new AuditorJdbc.Config(
                "127.0.0.1",
                db.instance().port(),
                "auditor",
                stack.pki().caCertPem(),
                auditor.certPem(),
                auditor.keyPem()));

    // events arrive all through the test (root's inserts; the database's sealer chains them)
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicLong inserted = new AtomicLong();
    Thread events =
        new Thread(
            () -> {
              while (writing.get()) {
                long n = inserted.incrementAndGet();
                db.instance()
                    .sql(
                        "INSERT INTO strongroom.tenants VALUES ('takeover-"
                            + n
                            + "', UTC_TIMESTAMP(6))");
                try {
                  Thread.sleep(200);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "events");
    events.setDaemon(true);
    events.start();

    try {
      // two instances started together: exactly one anchors, the other stands by
      Instance a = launch("anchor-a");
      Instance b = launch("anchor-b");
      awaitReady(a);
      awaitReady(b);
      Thread.sleep(4 * TTL.toMillis());
      List<Anchor> together = anchors(jdbc);
      assertTrue(together.size() >= 3, "anchors while both run: " + together.size());
      String firstHolder = together.get(0).holder();
      System.out.println("AnchorTakeoverIT: while both run: " + timeline(together));
      assertTrue(
          together.stream().allMatch(x -> x.holder().equals(firstHolder)),
          "one writer while both run: " + timeline(together));
      boolean aWrites = firstHolder.equals(a.holder());
      Instance writer = aWrites ? a : b;
      Instance standby = aWrites ? b : a;
      assertEquals(1.0, writerGauge(writer), writer.holder() + " holds the lease");
      assertEquals(0.0, writerGauge(standby), standby.holder() + " stands by");
      assertTrue(standby.process().isAlive());

      // kill -9 the writer: no shutdown hook, the lease is not released
      List<Anchor> beforeKill = anchors(jdbc);
      long lastBeforeKill = beforeKill.get(beforeKill.size() - 1).no();
      long killedEpoch = beforeKill.get(beforeKill.size() - 1).epoch();
      Instant killed = Instant.now();
      writer.process().destroyForcibly();
      assertTrue(writer.process().waitFor(10, TimeUnit.SECONDS), "the writer is dead");

      // the standby's first anchor: recorded in the database and written to the store
      Anchor takeover = null;
      Instant recordedSeen = null;
      Instant writtenSeen = null;
      LocalDirWormStore store = LocalDirWormStore.open(worm);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline && writtenSeen == null) {
        if (takeover == null) {
          takeover =
              anchors(jdbc).stream()
                  .filter(x -> x.holder().equals(standby.holder()))
                  .findFirst()
                  .orElse(null);
          if (takeover != null) {
            recordedSeen = Instant.now();
          }
        }
        if (takeover != null && store.exists(takeover.object())) {
          writtenSeen = Instant.now();
        } else {
          Thread.sleep(50);
        }
      }
      assertTrue(writtenSeen != null, "the standby anchored nothing within 60 s of the kill");
      Duration toRecord = Duration.between(killed, recordedSeen);
      Duration toWorm = Duration.between(killed, writtenSeen);
      assertEquals(killedEpoch + 1, takeover.epoch(), "the next epoch");
      assertTrue(
          toWorm.compareTo(TTL.multipliedBy(2)) <= 0,
          "the standby's first checkpoint is in the store within two lease periods ("
              + TTL.multipliedBy(2)
              + ") of the kill: "
              + toWorm);

      // the log goes on growing under the new writer; then the events stop and it catches up
      Thread.sleep(3 * TTL.toMillis());
      writing.set(false);
      events.join();
      long expected = inserted.get();
      long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      long chained = chainSize(db);
      while (System.nanoTime() < until && chained < expected) {
        Thread.sleep(200);
        chained = chainSize(db);
      }
      assertEquals(expected, chained, "every insert chained by the sealer");
      List<Anchor> all = anchors(jdbc);
      while (System.nanoTime() < until && all.get(all.size() - 1).size() < chained) {
        Thread.sleep(200);
        all = anchors(jdbc);
      }
      assertEquals(chained, all.get(all.size() - 1).size(), "the log caught up with the chain");
      standby.process().destroy();
      assertTrue(standby.process().waitFor(20, TimeUnit.SECONDS));
      all = anchors(jdbc);

      // the anchors: numbered without a gap; the killed writer's, then only the standby's
      for (int i = 0; i < all.size(); i++) {
        assertEquals(i + 1, all.get(i).no(), "anchor numbers without a gap");
      }
      int firstOfStandby = (int) (takeover.no() - 1);
      assertTrue(
          all.subList(0, firstOfStandby).stream()
              .allMatch(x -> x.holder().equals(firstHolder) && x.epoch() <= killedEpoch),
          "before the takeover: the killed writer only: " + timeline(all));
      assertTrue(
          all.subList(firstOfStandby, all.size()).stream()
              .allMatch(x -> x.holder().equals(standby.holder()) && x.epoch() > killedEpoch),
          "after the takeover: the standby only, with a later epoch: " + timeline(all));
      System.out.println("AnchorTakeoverIT: all anchors: " + timeline(all));
      assertTrue(takeover.no() > lastBeforeKill, "the standby continues the numbering");

      // the WORM store: exactly the recorded checkpoints, byte for byte, one consistent log
      List<String> names = store.list(AuditLogVerifier.checkpointPrefix(logKey.name()));
      assertEquals(
          all.stream().map(Anchor::object).sorted().toList(),
          names,
          "the store holds exactly the recorded checkpoints");
      List<Checkpoint> cps = new ArrayList<>();
      for (Anchor x : all) {
        byte[] bytes = store.get(x.object());
        assertArrayEquals(
            x.checkpoint().getBytes(StandardCharsets.UTF_8), bytes, "anchor #" + x.no());
        Checkpoint cp = Checkpoint.open(bytes, logKey, List.of()).checkpoint();
        assertEquals(x.size(), cp.size());
        assertEquals(x.root(), HexFormat.of().formatHex(cp.root()));
        cps.add(cp);
      }
      Map<Long, String> rootOfSize = new HashMap<>();
      for (Checkpoint cp : cps) {
        String root = HexFormat.of().formatHex(cp.root());
        String seen = rootOfSize.putIfAbsent(cp.size(), root);
        assertTrue(
            seen == null || seen.equals(root), "two roots for size " + cp.size() + ": a fork");
      }
      Checkpoint newest = cps.get(cps.size() - 1);
      MerkleTree tree = new MerkleTree();
      new TileLogReader(store, newest.size()).verify(newest.root()).forEach(tree::append);
      for (int i = 1; i < cps.size(); i++) {
        Checkpoint prev = cps.get(i - 1);
        Checkpoint next = cps.get(i);
        assertTrue(next.size() >= prev.size(), "never smaller: anchor #" + (i + 1));
        if (prev.size() > 0) {
          Proofs.verifyConsistency(
              prev.size(),
              next.size(),
              tree.consistencyProof(prev.size(), next.size()),
              prev.root(),
              next.root());
        }
      }
      long strays;
      try (Stream<Path> files = Files.walk(worm)) {
        strays = files.filter(p -> p.getFileName().toString().endsWith(".part")).count();
      }

      // verify-audit's verifier: signatures, tiles, consistency, the database's rows
      AuditLogVerifier.Report report;
      try (Connection c = jdbc.connect()) {
        report = AuditLogVerifier.verify(store, logKey, c);
      }
      assertTrue(report.ok(), report.line());
      assertEquals(chained, report.events());
      assertEquals(all.size(), report.checkpoints());
      System.out.printf(
          "AnchorTakeoverIT: writer %s (epoch %d) killed -9 after anchor #%d; %s anchored #%d"
              + " (epoch %d): recorded %.2f s, in the WORM store %.2f s after the kill (lease %s,"
              + " interval %s); %d checkpoints (%d by the killed writer), %d events, %d stray"
              + " temp files; %s%n",
          writer.holder(),
          killedEpoch,
          lastBeforeKill,
          standby.holder(),
          takeover.no(),
          takeover.epoch(),
          toRecord.toMillis() / 1000.0,
          toWorm.toMillis() / 1000.0,
          TTL,
          INTERVAL,
          all.size(),
          firstOfStandby,
          chained,
          strays,
          report.line());
      assertFalse(writer.process().isAlive());
    } finally {
      writing.set(false);
      events.join(10_000);
      jdbc.close();
    }
  }
}
