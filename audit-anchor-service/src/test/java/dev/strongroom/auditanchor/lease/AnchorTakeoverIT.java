package dev.strongroom.auditanchor.lease;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strongroom.audit.checkpoint.Checkpoint;
import dev.strongroom.audit.note.Ed25519NoteVerifier;
import dev.strongroom.audit.tail.AuditorJdbc;
import dev.strongroom.audit.tiles.TileLogReader;
import dev.strongroom.audit.tree.MerkleTree;
import dev.strongroom.audit.tree.Proofs;
import dev.strongroom.audit.verify.AuditLogVerifier;
import dev.strongroom.audit.worm.LocalDirWormStore;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.devstack.kafka.KafkaAccessPolicy;
import dev.strongroom.devstack.testing.StrongroomTestResource;
import dev.strongroom.devstack.testing.TestDatabase;
import dev.strongroom.devstack.testing.TlsSyslogCollector;
import dev.strongroom.provisioner.os.LoopbackPorts;
import dev.strongroom.provisioner.pki.Credential;
import dev.strongroom.provisioner.pki.PkiSpec;
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
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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
 *
 * <p>The SIEM sinks across the kill (DESIGN §5: "retried until written, never skipped"): before the
 * kill the stack's TLS syslog collector dies and the broker refuses {@code
 * strongroom.audit.anchors} to the service (a DENY ACL), so the writer is killed with checkpoints
 * written that neither sink took; the standby anchors with both still down for a lease period
 * (ANCHOR_GAP for each), then both come back. Every anchor recorded reaches the collector and the
 * topic — at least once (the cursor moves after the send; the dedupe key is {@code (origin,
 * anchorNo)}), none missing — and {@code audit_sink_deliveries} shows each sink's start and both
 * writers' deliveries.
 */
class AnchorTakeoverIT {
  private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
  private static final Duration INTERVAL = Duration.ofSeconds(1);
  private static final Duration TTL = Duration.ofSeconds(6);
  private static final Pattern SYSLOG_ANCHOR = Pattern.compile("anchorNo=\"(\\d+)\"");
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

  /** The anchor numbers the stack's syslog collector received, in arrival order. */
  private static List<Long> syslogAnchors() {
    List<Long> out = new ArrayList<>();
    for (TlsSyslogCollector.Message m : StrongroomTestResource.syslogCollector().messages()) {
      Matcher x = SYSLOG_ANCHOR.matcher(m.text());
      assertTrue(x.find(), "a checkpoint message: " + m.text());
      out.add(Long.parseLong(x.group(1)));
    }
    return out;
  }

  /** Reads {@code topic} from the start as the SIEM; returns each record's value as JSON. */
  private static List<JsonNode> readTopic(String topic, long minimum) throws Exception {
    Properties p = new Properties();
    p.putAll(StrongroomTestResource.stack().kafka("siem"));
    p.put(
        ConsumerConfig.GROUP_ID_CONFIG,
        KafkaAccessPolicy.groupFor("siem", "takeover-it-" + System.nanoTime()));
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<JsonNode> out = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      int empty = 0;
      while (System.nanoTime() < deadline && (out.size() < minimum || empty < 4)) {
        var polled = consumer.poll(Duration.ofMillis(500));
        empty = polled.isEmpty() ? empty + 1 : 0;
        for (ConsumerRecord<byte[], byte[]> r : polled) {
          out.add(json.readTree(r.value()));
        }
      }
    }
    return out;
  }

  /**
   * The broker refuses (or again allows) the service's writes to {@code strongroom.audit.anchors}:
   * a DENY ACL for its principal, added or removed by the broker's own identity, waited for until
   * the broker shows it.
   */
  private static void anchorsTopicRefused(boolean refused) throws Exception {
    StrongroomTestResource.Stack stack = StrongroomTestResource.stack();
    AclBinding deny =
        new AclBinding(
            new ResourcePattern(ResourceType.TOPIC, Topics.AUDIT_ANCHORS, PatternType.LITERAL),
            new AccessControlEntry(
                "User:audit-anchor-service", "*", AclOperation.WRITE, AclPermissionType.DENY));
    Map<String, Object> p =
        stack.pki().identity(PkiSpec.KAFKA_BROKER).kafkaClient(stack.bootstrap());
    try (Admin admin = Admin.create(p)) {
      if (refused) {
        admin.createAcls(List.of(deny)).all().get(10, TimeUnit.SECONDS);
      } else {
        admin.deleteAcls(List.of(deny.toFilter())).all().get(10, TimeUnit.SECONDS);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (admin.describeAcls(deny.toFilter()).values().get(10, TimeUnit.SECONDS).contains(deny)
          != refused) {
        assertTrue(System.nanoTime() < deadline, "the broker shows the ACL change");
        Thread.sleep(50);
      }
    }
  }

  /** {@code sink kind holder} of every row of {@code audit_sink_deliveries}, by sink and number. */
  private static List<String> deliveries(AuditorJdbc jdbc) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = jdbc.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT sink, anchor_no, kind, holder FROM strongroom_audit.audit_sink_deliveries"
                    + " ORDER BY sink, anchor_no");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(
            rs.getString(1) + " " + rs.getLong(2) + " " + rs.getString(3) + " " + rs.getString(4));
      }
    }
    return out;
  }

  /** True when {@code got} holds every number 1..{@code last}. */
  private static boolean coversAll(List<Long> got, long last) {
    return java.util.stream.LongStream.rangeClosed(1, last).allMatch(n -> got.contains(n));
  }

  /** The numbers 1..{@code last} of {@code got}, as they arrived (duplicates kept). */
  private static List<Long> upTo(List<Long> got, long last) {
    return got.stream().filter(n -> n <= last).toList();
  }

  /** The numbers 1..{@code last} in the order they first arrived. */
  private static List<Long> firstArrivals(List<Long> got, long last) {
    return got.stream().filter(n -> n <= last).distinct().toList();
  }

  private static long chainSize(TestDatabase db) {
    return Long.parseLong(
        db.instance()
            .sql("SELECT COALESCE(MAX(seq), 0) FROM strongroom_audit.audit_chain")
            .scalar());
  }

  @Test
  void
      twoProcesses_exactlyOneAnchors_theWriterKilled9_theOtherAnchorsWithinTwoLeasePeriods_andTheSinksMissNothing()
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

      // the SIEM sinks go down: the collector dies, the broker refuses the anchors topic
      TlsSyslogCollector collector = StrongroomTestResource.syslogCollector();
      collector.stop();
      anchorsTopicRefused(true);
      long sinksDownAfter = anchors(jdbc).size();
      Thread.sleep(3 * INTERVAL.toMillis());

      // kill -9 the writer: no shutdown hook, the lease is not released
      List<Anchor> beforeKill = anchors(jdbc);
      assertTrue(
          beforeKill.size() > sinksDownAfter,
          "the writer anchored while the sinks were down: " + timeline(beforeKill));
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

      // the new writer anchors with both sinks still down for a lease period; then they are back
      Thread.sleep(TTL.toMillis());
      collector.restart();
      anchorsTopicRefused(false);
      Instant sinksBack = Instant.now();
      List<Anchor> atReturn = anchors(jdbc);
      long backlogNo = atReturn.get(atReturn.size() - 1).no();
      long backlogDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < backlogDeadline && !coversAll(syslogAnchors(), backlogNo)) {
        Thread.sleep(50);
      }
      Duration syslogCaughtUp = Duration.between(sinksBack, Instant.now());
      assertTrue(
          coversAll(syslogAnchors(), backlogNo),
          "syslog caught up with anchors 1.." + backlogNo + ": " + syslogAnchors());

      // the log goes on growing under the new writer; then the events stop and it catches up
      Thread.sleep(Math.max(0, 2 * TTL.toMillis() - syslogCaughtUp.toMillis()));
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

      // every anchor recorded so far reaches both sinks: the ones the killed writer never sent
      // (its queue died with it) come from the sinks' cursors in the database
      long lastNo = all.get(all.size() - 1).no();
      List<Long> syslog = syslogAnchors();
      long sinksDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < sinksDeadline && !coversAll(syslog, lastNo)) {
        Thread.sleep(200);
        syslog = syslogAnchors();
      }
      List<Long> topic = new ArrayList<>();
      for (JsonNode r : readTopic(Topics.AUDIT_ANCHORS, lastNo)) {
        topic.add(r.path("data").path("anchorNo").asLong());
      }
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
      // the sinks: every anchor 1..lastNo at least once, in order of first arrival
      assertTrue(coversAll(syslog, lastNo), "syslog has every anchor 1.." + lastNo + ": " + syslog);
      assertTrue(
          coversAll(topic, lastNo), "the topic has every anchor 1.." + lastNo + ": " + topic);
      assertEquals(
          java.util.stream.LongStream.rangeClosed(1, lastNo).boxed().toList(),
          firstArrivals(syslog, lastNo),
          "syslog: first arrivals in anchor order");
      assertEquals(
          java.util.stream.LongStream.rangeClosed(1, lastNo).boxed().toList(),
          firstArrivals(topic, lastNo),
          "topic: first arrivals in anchor order");
      // each sink: a start before anchor 1, deliveries by the killed writer, then by the standby
      List<String> rows = deliveries(jdbc);
      String syslogSink = "syslog:tls://127.0.0.1:" + collector.port();
      for (String sink : List.of(Topics.AUDIT_ANCHORS, syslogSink)) {
        List<String> of = rows.stream().filter(r -> r.startsWith(sink + " ")).toList();
        assertEquals(sink + " 0 start " + firstHolder, of.get(0), "the sink's start: " + of);
        assertTrue(of.stream().anyMatch(r -> r.endsWith(" sent " + firstHolder)), sink + ": " + of);
        assertTrue(
            of.stream().anyMatch(r -> r.endsWith(" sent " + standby.holder())), sink + ": " + of);
      }
      // ANCHOR_GAP for each sink while it was down
      List<JsonNode> alerts = readTopic(Topics.SECURITY_ALERTS, 1);
      for (String sink : List.of(Topics.AUDIT_ANCHORS, syslogSink)) {
        assertTrue(
            alerts.stream()
                .anyMatch(
                    alert ->
                        alert.path("data").path("kind").asText().equals("ANCHOR_GAP")
                            && alert.toString().contains(sink)),
            "an ANCHOR_GAP alert for " + sink);
      }
      System.out.printf(
          "AnchorTakeoverIT: sinks down from anchor #%d to after the takeover; back after #%d,"
              + " syslog had 1..#%d %.2f s later; of anchors 1..#%d: syslog %d messages (%d"
              + " duplicates), topic %d records (%d duplicates)%n",
          sinksDownAfter + 1,
          backlogNo,
          backlogNo,
          syslogCaughtUp.toMillis() / 1000.0,
          lastNo,
          upTo(syslog, lastNo).size(),
          upTo(syslog, lastNo).size() - lastNo,
          upTo(topic, lastNo).size(),
          upTo(topic, lastNo).size() - lastNo);
      assertFalse(writer.process().isAlive());
    } finally {
      writing.set(false);
      events.join(10_000);
      jdbc.close();
    }
  }
}
