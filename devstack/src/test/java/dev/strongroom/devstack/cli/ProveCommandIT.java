package dev.strongroom.devstack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strongroom.audit.chain.ChainRow;
import dev.strongroom.audit.checkpoint.Checkpoint;
import dev.strongroom.audit.note.Ed25519NoteSigner;
import dev.strongroom.audit.tail.AuditorJdbc;
import dev.strongroom.audit.tiles.TileLogWriter;
import dev.strongroom.audit.tree.MerkleTree;
import dev.strongroom.audit.verify.AuditLogVerifier;
import dev.strongroom.audit.worm.LocalDirWormStore;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.devstack.keys.AuditLogKey;
import dev.strongroom.devstack.keys.DevKeys;
import dev.strongroom.devstack.keys.ProvisionerSsh;
import dev.strongroom.devstack.stack.StackDescriptor;
import dev.strongroom.devstack.testing.TestDatabase;
import dev.strongroom.proof.bundle.BundleReader;
import dev.strongroom.proof.bundle.BundleWriter;
import dev.strongroom.proof.host.ScannerReports;
import dev.strongroom.proof.run.HostFacts;
import dev.strongroom.proof.run.ProofReport;
import dev.strongroom.proof.testing.NistOscal;
import dev.strongroom.proof.waiver.Waiver;
import dev.strongroom.proof.waiver.WaiverFile;
import dev.strongroom.provisioner.host.HostBundle;
import dev.strongroom.provisioner.host.HostBundleRenderer;
import dev.strongroom.provisioner.host.HostOptions;
import dev.strongroom.provisioner.host.plan.TestSshd;
import dev.strongroom.provisioner.pki.Credential;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import gov.nist.secauto.oscal.lib.model.AssessmentResults;
import gov.nist.secauto.oscal.lib.model.Finding;
import gov.nist.secauto.oscal.lib.model.Observation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import picocli.CommandLine;

/**
 * {@code prove --against OLD_BUNDLE --waivers FILE} and {@code sign-waivers} as an operator runs
 * them, on a private hardened MariaDB described by a {@code stack.json} of its own (no Kafka, no
 * services: {@code prove} needs only {@code db.*} and the key registry, so no whole stack is
 * started): refused inputs exit 1 before anything runs; a healthy run, then a weakened instance
 * proved against it lists exactly the changed controls, the regressions, and what each waiver did.
 * The chain is anchored into a WORM directory the way the audit-anchor-service does it ({@code
 * stack.json worm.*} and {@code audit.verifierKey}), so SR-DB-AUD-04 passes, then fails with the
 * first divergent seq once root rewrites and re-chains an anchored row.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProveCommandIT {
  private Path base;
  private Path state;
  private DevKeys keys;
  private PkiDirectory pki;
  private TestDatabase db;
  private Path healthy;
  private Ed25519NoteSigner logKey;
  private LocalDirWormStore worm;
  private final MerkleTree tree = new MerkleTree();
  private final List<String> anchored = new ArrayList<>();
  private String newestCheckpoint;

  record Result(int exit, String out, String err) {
    JsonNode json() {
      return CanonicalJson.parse(out.trim().getBytes(StandardCharsets.UTF_8));
    }
  }

  @BeforeAll
  void start() throws IOException {
    base = Files.createTempDirectory(Path.of("/tmp"), "sr-prove-it-");
    state = base.resolve("state");
    keys = DevKeys.generate(state.resolve("keys"), DevKeys.STANDARD, Duration.ofHours(2));
    pki = PkiDirectory.open(base.resolve("pki"), PkiSpec.strongroom(List.of()));
    pki.ensure();
    db = TestDatabase.start(base, pki, keys.tenantTokenKey());
    AuditLogKey log = AuditLogKey.generate(state.resolve("keys"));
    Map<String, StackDescriptor.CertKey> ids = new LinkedHashMap<>();
    for (String id : PkiSpec.DB_IDENTITIES) {
      Credential c = pki.client(id);
      ids.put(id, new StackDescriptor.CertKey(c.certPem(), c.keyPem()));
    }
    StackDescriptor stack =
        new StackDescriptor(
            "127.0.0.1:9", // no broker: prove does not use Kafka
            base.resolve("kafka"),
            Optional.empty(),
            Optional.of(
                new StackDescriptor.Db(
                    "127.0.0.1",
                    db.instance().port(),
                    db.instance().socket(),
                    "mariadb-10.11",
                    "strongroom",
                    db.instance().layout().dataDir(),
                    pki.caCertPem(),
                    ids)),
            new java.util.EnumMap<>(dev.strongroom.devstack.stack.ServiceModule.class),
            Optional.empty(),
            base.resolve("logs"),
            Optional.of(new StackDescriptor.Worm("local-dir", base.resolve("worm").toString())),
            Optional.of(new StackDescriptor.AuditKey(log.verifierKey(), log.pemFile())));
    Files.write(state.resolve("stack.json"), stack.toJson());
    logKey =
        Ed25519NoteSigner.fromSignerKey(
            Files.readString(log.keyFile(), StandardCharsets.US_ASCII).trim());
    worm = LocalDirWormStore.open(base.resolve("worm"));
    anchor(); // what the audit-anchor-service does every tick: the chain so far, signed
  }

  /**
   * Anchors every sealed chain row as the audit-anchor-service does: new tiles and entry bundles,
   * then a signed checkpoint, create-only in the WORM store.
   */
  private void anchor() throws IOException {
    List<ChainRow> rows = chainAsAuditor();
    long from = tree.size();
    for (ChainRow r : rows.subList((int) from, rows.size())) {
      tree.append(HexFormat.of().parseHex(r.currHash()));
      anchored.add(r.currHash());
    }
    new TileLogWriter(worm)
        .write(tree, i -> HexFormat.of().parseHex(anchored.get((int) i)), from, tree.size());
    newestCheckpoint =
        AuditLogVerifier.checkpointPrefix(logKey.name())
            + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
                .withZone(ZoneOffset.UTC)
                .format(Instant.now())
            + "-"
            + tree.size()
            + ".note";
    worm.put(newestCheckpoint, Checkpoint.of(logKey.name(), tree.size(), tree.root()).sign(logKey));
  }

  private List<ChainRow> chainAsAuditor() {
    Credential a = pki.client("auditor");
    try (AuditorJdbc jdbc =
            new AuditorJdbc(
                new AuditorJdbc.Config(
                    "127.0.0.1",
                    db.instance().port(),
                    "auditor",
                    pki.caCertPem(),
                    a.certPem(),
                    a.keyPem()));
        Connection c = jdbc.connect()) {
      List<ChainRow> rows = new ArrayList<>();
      AuditLogVerifier.rows(c).forEachRemaining(rows::add);
      return rows;
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  @AfterAll
  void stop() throws IOException {
    try {
      if (db != null) {
        db.close();
      }
    } finally {
      try (Stream<Path> s = Files.walk(base)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      List<String> all = new ArrayList<>(List.of("--state", state.toString()));
      all.addAll(List.of(args));
      int exit = new CommandLine(new StrongroomCommand()).execute(all.toArray(String[]::new));
      return new Result(
          exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  private long bundles() throws IOException {
    Path dir = state.resolve("evidence");
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".tar.gz")).count();
    }
  }

  /** Writes {@code waivers} unsigned and signs them with {@code sign-waivers}. */
  private Path signed(String name, List<Waiver> waivers) throws IOException {
    StringBuilder in = new StringBuilder("{\"version\":1,\"waivers\":[");
    for (int i = 0; i < waivers.size(); i++) {
      Waiver w = waivers.get(i);
      in.append(i == 0 ? "" : ",")
          .append("{\"control\":\"")
          .append(w.control())
          .append("\",\"reason\":\"")
          .append(w.reason())
          .append("\",\"expires\":\"")
          .append(w.expires())
          .append("\",\"approver\":\"")
          .append(w.approver())
          .append("\"}");
    }
    Path unsigned = Files.writeString(base.resolve(name + ".in.json"), in + "]}");
    Path out = base.resolve(name + ".json");
    Result r = run("sign-waivers", unsigned.toString(), out.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(
        r.out()
            .startsWith(
                "signed "
                    + waivers.size()
                    + " waivers by "
                    + keys.key(DevKeys.WAIVER_APPROVER).kid()
                    + " into "),
        r.out());
    return out;
  }

  private static String status(JsonNode prove, String control) {
    for (JsonNode c : prove.get("controls")) {
      if (c.get("id").asText().equals(control)) {
        return c.get("status").asText();
      }
    }
    throw new AssertionError("no " + control + " in " + prove);
  }

  private static String detail(JsonNode prove, String control) {
    for (JsonNode c : prove.get("controls")) {
      if (c.get("id").asText().equals(control)) {
        return c.get("detail").asText();
      }
    }
    throw new AssertionError("no " + control + " in " + prove);
  }

  /**
   * The bundle's {@code oscal/*.json} checked by NIST, as OscalDocumentsTest checks a made-up
   * report: no violation of the OSCAL 1.1.3 JSON schemas, both read into liboscal's bound model,
   * one observation per control with its status, and one finding per control with a verdict whose
   * state follows docs/proof.md ({@code pass} satisfied, everything else not-satisfied; {@code
   * not-applicable} has none).
   */
  private void assertNistAcceptsTheOscal(Path bundle, JsonNode prove) throws IOException {
    Map<String, byte[]> files = BundleReader.read(bundle);
    assertEquals(List.of(), NistOscal.bundleSchemaViolations(files), bundle.toString());
    Path oscal = NistOscal.write(files, Files.createTempDirectory(base, "oscal-"));
    assertEquals("1.1.3", NistOscal.readPlan(oscal).getMetadata().getOscalVersion());
    AssessmentResults ar = NistOscal.readResults(oscal);
    assertEquals(1, ar.getResults().size());
    Map<String, String> observed = new TreeMap<>();
    for (Observation o : ar.getResults().get(0).getObservations()) {
      String id = null;
      String st = null;
      for (var prop : o.getProps()) {
        if (prop.getName().equals("control-id")) {
          id = prop.getValue();
        } else if (prop.getName().equals("status")) {
          st = prop.getValue();
        }
      }
      observed.put(id, st);
    }
    Map<String, String> expected = new TreeMap<>();
    Map<String, String> verdicts = new TreeMap<>();
    for (JsonNode c : prove.get("controls")) {
      String st = c.get("status").asText();
      expected.put(c.get("id").asText(), st);
      if (!st.equals("not-applicable")) {
        verdicts.put(
            c.get("id").asText(),
            switch (st) {
              case "pass" -> "satisfied/pass";
              case "fail" -> "not-satisfied/fail";
              default -> "not-satisfied/other"; // error, waived
            });
      }
    }
    assertEquals(expected, observed);
    Map<String, String> found = new TreeMap<>();
    for (Finding f : ar.getResults().get(0).getFindings()) {
      found.put(
          f.getTarget().getTargetId(),
          f.getTarget().getStatus().getState() + "/" + f.getTarget().getStatus().getReason());
    }
    assertEquals(verdicts, found);
  }

  @Test
  @Order(1)
  void refusedInputs_exitOne_beforeAnyControlRuns_andLeaveNoBundle() throws IOException {
    Instant tomorrow = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    Path good =
        signed("good", List.of(new Waiver("SR-DB-TLS-01", "ticket 7", tomorrow, "alice@example")));

    // unsigned: the same waivers without their signature
    Path unsigned = base.resolve("good.in.json");
    Result r = run("prove", "--waivers", unsigned.toString());
    assertEquals(1, r.exit(), r.err());
    assertEquals(
        "strongroom: --waivers "
            + unsigned
            + " refused: waiver file is not signed (no signature object)\n",
        r.err());

    // edited after signing: a later expiry
    Path edited = base.resolve("edited.json");
    Files.writeString(
        edited,
        Files.readString(good)
            .replace(tomorrow.toString(), tomorrow.plus(365, ChronoUnit.DAYS).toString()));
    r = run("prove", "--waivers", edited.toString());
    assertEquals(1, r.exit(), r.err());
    String approverKid = keys.key(DevKeys.WAIVER_APPROVER).kid();
    assertEquals(
        "strongroom: --waivers "
            + edited
            + " refused: waiver signature does not verify under "
            + approverKid
            + " (the file was edited)\n",
        r.err());

    // signed by a key the registry does not name as an approver: the operator's own key
    SigningKey operator = keys.key("operator");
    Path foreign =
        Files.write(
            base.resolve("foreign.json"),
            WaiverFile.sign(
                List.of(new Waiver("SR-DB-TLS-01", "ticket 7", tomorrow, "mallory")), operator));
    r = run("prove", "--json", "--waivers", foreign.toString());
    assertEquals(1, r.exit(), r.err());
    assertEquals(
        "waiver file is signed by " + operator.kid() + ", which may not approve waivers",
        r.json().at("/refused/reason").asText());
    assertFalse(r.json().get("passed").asBoolean());

    // an earlier bundle signed by another key than the proof-service's
    Path stranger = base.resolve("stranger.tar.gz");
    BundleWriter.write(
        new ProofReport(
            "01a24140-233b-7d47-b38a-4b598b7bdd0a",
            "0",
            "strongroom-controls-2",
            "x",
            Instant.EPOCH,
            Instant.EPOCH,
            List.of()),
        SigningKey.generate(),
        stranger,
        Map.of());
    r = run("prove", "--against", stranger.toString());
    assertEquals(1, r.exit(), r.err());
    assertTrue(
        r.err()
            .startsWith(
                "strongroom: --against "
                    + stranger
                    + " refused: the bundle does not verify\n  SIGNATURE_INVALID MANIFEST"),
        r.err());

    // usage errors: no such file, a waiver list that is not one
    assertEquals(2, run("prove", "--against", base.resolve("nope.tar.gz").toString()).exit());
    assertEquals(2, run("prove", "--waivers", base.resolve("nope.json").toString()).exit());
    Path notAList = Files.writeString(base.resolve("bad.in.json"), "{\"version\":1}");
    r = run("sign-waivers", notAList.toString(), base.resolve("bad.json").toString());
    assertEquals(2, r.exit());
    assertEquals(
        "strongroom: " + notAList + ": waiver file has no waivers array\n", r.err(), r.err());

    // a scanner asked for that cannot run here: exit 3 with its reason, nothing runs
    ScannerReports.Release host = ScannerReports.Release.read(Path.of("/etc/os-release"));
    if (!Files.isRegularFile(
        ScannerReports.SCAP_CONTENT.resolve(
            "ssg-" + host.id() + host.versionId().replaceFirst("\\..*$", "") + "-ds.xml"))) {
      r = run("prove", "--scanners", "openscap");
      assertEquals(3, r.exit(), r.err());
      assertTrue(
          r.err()
              .startsWith(
                  "strongroom: --scanners openscap: openscap was asked for and there is no SCAP"
                      + " content for "
                      + host.id()
                      + " "
                      + host.versionId()),
          r.err());
    }
    r = run("prove", "--scanners", "oscap");
    assertEquals(2, r.exit(), r.err());
    assertEquals(
        "strongroom: unknown scanner mode 'oscap' (auto, lynis, openscap or none)\n", r.err());

    assertEquals(0, bundles(), "nothing ran");
  }

  @Test
  @Order(2)
  void healthyInstance_passes() throws IOException {
    Result r = run("prove", "--json");
    assertEquals(0, r.exit(), r.out() + r.err());
    JsonNode j = r.json();
    assertTrue(j.get("passed").asBoolean(), r.out());
    assertEquals("pass", status(j, "SR-DB-TLS-01"));
    assertEquals("pass", status(j, "SR-DB-PRIV-04"));
    // the chain against its anchors, as verify-audit does
    assertEquals("pass", status(j, "SR-DB-AUD-04"), detail(j, "SR-DB-AUD-04"));
    assertTrue(
        detail(j, "SR-DB-AUD-04").matches("OK \\d+ events, 1 checkpoints, \\d+ events anchored"),
        detail(j, "SR-DB-AUD-04"));
    healthy = Path.of(j.get("bundle").asText());
    assertEquals(0, run("verify-bundle", healthy.toString()).exit());
    assertNistAcceptsTheOscal(healthy, j);
  }

  @Test
  @Order(3)
  void aTamperedBundle_failsVerifyBundle_namingTheEditedAddedAndMissingFiles() throws Exception {
    // what an assessor's copy could suffer: unpacked, one file edited, one added, one removed,
    // packed again with the stock tar
    Path x = Files.createDirectories(base.resolve("tampered"));
    exec(x, "tar", "xzf", healthy.toString());
    String manifest = Files.readString(x.resolve("MANIFEST"), StandardCharsets.US_ASCII);
    byte[] forged = "{\"passed\":true}\n".getBytes(StandardCharsets.UTF_8);
    Files.write(x.resolve("results.json"), forged);
    Files.writeString(x.resolve("evidence/SR-DB-ZZ-99.json"), "{\"status\":\"pass\"}\n");
    Files.delete(x.resolve("junit.xml"));
    Path tampered = base.resolve("tampered.tar.gz");
    exec(x, "tar", "czf", tampered.toString(), ".");

    Result r = run("verify-bundle", tampered.toString());
    assertEquals(1, r.exit(), r.out() + r.err());
    String listed =
        manifest
            .lines()
            .filter(l -> l.endsWith("  results.json"))
            .findFirst()
            .orElseThrow()
            .substring(0, 64);
    assertEquals(
        "MISSING junit.xml: listed in the manifest, not present\n"
            + "EDITED results.json: sha256 "
            + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(forged))
            + ", manifest says "
            + listed
            + "\n"
            + "ADDED evidence/SR-DB-ZZ-99.json: present, not listed in the manifest\n",
        r.out());
    Result j = run("verify-bundle", "--json", tampered.toString());
    assertEquals(1, j.exit());
    assertFalse(j.json().get("valid").asBoolean());
    List<String> named = new ArrayList<>();
    j.json()
        .get("problems")
        .forEach(p -> named.add(p.get("kind").asText() + " " + p.get("path").asText()));
    assertEquals(
        List.of("MISSING junit.xml", "EDITED results.json", "ADDED evidence/SR-DB-ZZ-99.json"),
        named);
    // the untouched original still verifies
    assertEquals(0, run("verify-bundle", healthy.toString()).exit());
  }

  private static void exec(Path cwd, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
  }

  @Test
  @Order(4)
  void weakenedInstance_againstTheHealthyBundle_listsTheChanges_andWaiversDecide()
      throws IOException {
    db.instance().sql("SET GLOBAL require_secure_transport = OFF");
    db.instance().sql("CREATE USER 'weak'@'%' IDENTIFIED BY 'Weak-pw-1'");
    Instant tomorrow = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    Instant yesterday = Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);

    // TLS-01 waived until tomorrow; PRIV-04's waiver expired yesterday: it fails again and, since
    // it passed in the healthy run, regresses
    Path mixed =
        signed(
            "mixed",
            List.of(
                new Waiver("SR-DB-TLS-01", "ticket 7", tomorrow, "alice@example"),
                new Waiver("SR-DB-PRIV-04", "ticket 8", yesterday, "bob@example"),
                new Waiver("SR-HOST-FIPS-01", "no FIPS kernel here", tomorrow, "alice@example")));
    Result r =
        run("prove", "--json", "--against", healthy.toString(), "--waivers", mixed.toString());
    assertEquals(1, r.exit(), r.out() + r.err());
    JsonNode j = r.json();
    assertFalse(j.get("passed").asBoolean());
    assertEquals("waived", status(j, "SR-DB-TLS-01"));
    assertTrue(
        detail(j, "SR-DB-TLS-01")
            .equals(
                "waived until "
                    + tomorrow
                    + " by alice@example: ticket 7 (was fail: a plaintext login with a correct"
                    + " password was accepted)"),
        detail(j, "SR-DB-TLS-01"));
    assertEquals("fail", status(j, "SR-DB-PRIV-04"));
    assertEquals(
        "wildcard or anonymous accounts: ['weak'@'%'] (waiver by bob@example expired "
            + yesterday
            + ")",
        detail(j, "SR-DB-PRIV-04"));
    assertEquals(
        "[{\"approver\":\"alice@example\",\"control\":\"SR-DB-TLS-01\",\"effect\":\"waived\","
            + "\"expires\":\""
            + tomorrow
            + "\"},{\"approver\":\"bob@example\",\"control\":\"SR-DB-PRIV-04\",\"effect\":"
            + "\"expired\",\"expires\":\""
            + yesterday
            + "\"},{\"approver\":\"alice@example\",\"control\":\"SR-HOST-FIPS-01\",\"effect\":"
            + "\"unused\",\"expires\":\""
            + tomorrow
            + "\"}]",
        CanonicalJson.canonicalString(j.get("waivers")));
    assertEquals(
        "[{\"control\":\"SR-DB-PRIV-04\",\"from\":\"pass\",\"regression\":true,\"to\":\"fail\"},"
            + "{\"control\":\"SR-DB-TLS-01\",\"from\":\"pass\",\"regression\":false,\"to\":"
            + "\"waived\"}]",
        CanonicalJson.canonicalString(j.at("/drift/changes")),
        r.out());
    assertEquals(1, j.get("regressions").asInt());
    // the bundle keeps the signed waiver file verbatim, what each waiver did, and the drift
    Path bundle = Path.of(j.get("bundle").asText());
    assertEquals(0, run("verify-bundle", bundle.toString()).exit());
    // its OSCAL (pass, fail, waived and not-applicable controls) is what NIST's library accepts
    assertNistAcceptsTheOscal(bundle, j);
    Map<String, byte[]> files = BundleReader.read(bundle);
    assertEquals(
        Files.readString(mixed),
        new String(files.get("waivers/waivers.json"), StandardCharsets.UTF_8));
    assertTrue(files.containsKey("waivers/applied.json"));
    assertEquals(
        healthy.getFileName().toString(),
        "proof-"
            + CanonicalJson.parse(files.get("drift.json")).at("/against/runId").asText()
            + ".tar.gz");

    // every failure waived and nothing regressed: the run passes; the human table says so
    Path both =
        signed(
            "both",
            List.of(
                new Waiver("SR-DB-TLS-01", "ticket 7", tomorrow, "alice@example"),
                new Waiver("SR-DB-PRIV-04", "ticket 8", tomorrow, "bob@example")));
    r = run("prove", "--against", healthy.toString(), "--waivers", both.toString());
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("\nchanged SR-DB-PRIV-04   pass -> waived\n"), r.out());
    assertTrue(r.out().contains("\nchanged SR-DB-TLS-01    pass -> waived\n"), r.out());
    assertTrue(r.out().contains(": 2 changed, 0 regressed\n"), r.out());
    assertTrue(r.out().contains("\nPASSED: pass="), r.out());
    assertTrue(r.out().contains(" waived=2 regressions=0\n"), r.out());
  }

  @Test
  @Order(5)
  void aChainRewrittenByRootAfterItWasAnchored_failsAud04_withTheFirstDivergentSeq()
      throws IOException {
    anchor(); // the rows the earlier proofs' probes added, anchored
    assertTrue(anchored.size() >= 2, "the probes' records are on the chain: " + anchored.size());
    Result ok = run("verify-audit");
    assertEquals(0, ok.exit(), ok.out() + ok.err());

    // root, as a DBA rewriting history would: drop the guards, edit event 2, re-chain from there
    // with the product's own sealer, so the chain is internally consistent again
    db.instance()
        .sqlScript(
            "DROP TRIGGER strongroom_audit.audit_events_no_update;"
                + " DROP TRIGGER strongroom_audit.audit_chain_no_delete;"
                + " UPDATE strongroom_audit.audit_events e JOIN strongroom_audit.audit_chain c"
                + " ON c.event_id = e.event_id SET e.tenant_id = 'someone-else' WHERE c.seq = 2;"
                + " DELETE FROM strongroom_audit.audit_chain WHERE seq >= 2;"
                + " CALL strongroom_audit.audit_seal(100000);");
    String rewritten = chainAsAuditor().get(1).currHash();
    assertFalse(rewritten.equals(anchored.get(1)), "seq 2 re-hashed");
    String expected =
        "DIVERGED at seq 2: the database's curr_hash "
            + rewritten
            + " is not the anchored "
            + anchored.get(1)
            + " (checkpoint "
            + newestCheckpoint
            + "): the chain was rewritten after it was anchored";

    Result r = run("prove", "--json");
    assertEquals(1, r.exit(), r.out() + r.err());
    JsonNode j = r.json();
    assertEquals("fail", status(j, "SR-DB-AUD-04"));
    assertEquals(expected, detail(j, "SR-DB-AUD-04"));
    // the raw evidence: what was verified, as whom, and the verifier's verbatim answer
    JsonNode evidence =
        CanonicalJson.parse(
            BundleReader.read(Path.of(j.get("bundle").asText())).get("evidence/SR-DB-AUD-04.json"));
    assertTrue(evidence.toString().contains("\"actor\":\"auditor\""), evidence.toString());
    assertTrue(evidence.toString().contains(expected), evidence.toString());
    // and verify-audit says the same
    Result v = run("verify-audit");
    assertEquals(1, v.exit());
    assertEquals(expected + "\n", v.out());
  }

  @Test
  @Order(6)
  void aHostTargetOverSsh_isReachedWithTheProvisionersKeyAndPin_andMeasuredThere()
      throws Exception {
    Result r = run("prove", "--host", "ftp://db1");
    assertEquals(2, r.exit(), r.err());
    assertEquals(
        "strongroom: --host: target 'ftp://db1' is neither 'local' nor ssh://user@host[:port]\n",
        r.err());
    r = run("prove", "--host-root", "relative/root");
    assertEquals(2, r.exit(), r.err());
    r = run("prove", "--host-known-hosts", base.resolve("kh").toString());
    assertEquals(2, r.exit(), r.err());
    assertEquals(
        "strongroom: --host-identity and --host-known-hosts go with --host ssh://…\n", r.err());

    long before = bundles();
    TestSshd sshd = new TestSshd(Files.createDirectories(base.resolve("sshd")));
    try {
      int port = sshd.startKeyOnly();
      String target = "ssh://root@127.0.0.1:" + port;
      ProvisionerSsh ssh = ProvisionerSsh.ensure(state.resolve("provisioner"));
      // nothing pinned for the target: refused before anything runs, no key learned
      r = run("prove", "--host", target);
      assertEquals(3, r.exit(), r.err());
      assertEquals(
          "strongroom: --host "
              + target
              + ": REFUSED: no host key pinned for "
              + target
              + " in "
              + ssh.knownHosts()
              + " (add the target's key, e.g. '[127.0.0.1]:"
              + port
              + " ecdsa-sha2-nistp256 AAAA…'; a key is never learned on first use)\n",
          r.err());
      // pinned, but the provisioner's key not authorized there
      Files.writeString(
          ssh.knownHosts(), sshd.knownHostsLine(port), java.nio.file.StandardOpenOption.APPEND);
      r = run("prove", "--host", target);
      assertEquals(3, r.exit(), r.err());
      assertEquals(
          "strongroom: --host "
              + target
              + ": REFUSED: "
              + target
              + " refused public-key authentication (no other method is tried)\n",
          r.err());
      assertEquals(before, bundles(), "nothing ran");

      // reachable, but the root it names was never provisioned: a named target without the
      // applied bundle's manifest is refused (its host controls are not silently not-applicable)
      sshd.authorize(ssh.identityPublic());
      Path hostRoot = Files.createDirectories(base.resolve("target-root"));
      String where = target + " (root " + hostRoot + ")";
      r = run("prove", "--json", "--host", target, "--host-root", hostRoot.toString());
      assertEquals(3, r.exit(), r.out() + r.err());
      assertEquals(
          "strongroom: --host "
              + target
              + ": "
              + where
              + " was not provisioned by the host-hardening bundle (no "
              + hostRoot
              + "/etc/strongroom/host/MANIFEST.tsv there); host controls apply only on a host"
              + " the bundle hardened; a target named with --host or --host-root must hold the"
              + " applied bundle (provision it, or check --host-root): nothing proved\n",
          r.err());
      assertEquals(before, bundles(), "nothing proved, no bundle");

      // the bundle's manifest there (as the host plan's last file step leaves it): the host
      // controls run on the target and are measured there
      Path manifest = hostRoot.resolve("etc/strongroom/host/MANIFEST.tsv");
      Files.createDirectories(manifest.getParent());
      Files.writeString(
          manifest,
          dev.strongroom.provisioner.host.HostBundleRenderer.render(
                  dev.strongroom.provisioner.host.HostOptions.builder().build())
              .manifest());
      r = run("prove", "--json", "--host", target, "--host-root", hostRoot.toString());
      assertTrue(r.exit() == 0 || r.exit() == 1, r.out() + r.err());
      JsonNode j = r.json();
      assertEquals(where, j.get("hostTarget").asText());
      // no firewall of that root is in force where its SSH answers, nor its fail2ban running
      assertEquals("fail", status(j, "SR-HOST-FW-01"), detail(j, "SR-HOST-FW-01"));
      assertTrue(detail(j, "SR-HOST-FW-01").contains(where), detail(j, "SR-HOST-FW-01"));
      assertEquals("fail", status(j, "SR-HOST-F2B-01"), detail(j, "SR-HOST-F2B-01"));
      assertTrue(
          detail(j, "SR-HOST-F2B-01").contains(hostRoot + "/run/fail2ban/fail2ban.sock"),
          detail(j, "SR-HOST-F2B-01"));
      for (String id : List.of("SR-HOST-MAC-01", "SR-HOST-FIPS-01")) {
        assertEquals("not-applicable", status(j, id), detail(j, id));
      }
    } finally {
      sshd.close();
    }
  }

  /**
   * {@code --state DIR prove --host local} where {@code DIR} is also the config directory the host
   * bundle was applied with (a devstack run as root on the host it provisions, here the test's
   * state directory): without the manifest there the named host is refused (exit 3, no bundle)
   * rather than proved with its host controls not-applicable; with the manifest the host plan
   * leaves for that config directory, the host controls run on this machine and name it.
   */
  @Test
  @Order(7)
  void proveHostLocal_looksUnderItsStateDirFirst_andRefusesWithoutTheManifest() throws Exception {
    assumeFalse(Files.exists(HostFacts.DEFAULT_MANIFEST), "this machine was provisioned");
    Path installed = HostBundle.installedManifest(state);
    long before = bundles();
    Result r = run("prove", "--host", "local", "--scanners", "none");
    assertEquals(3, r.exit(), r.out() + r.err());
    assertEquals(
        "strongroom: --host local: not a host provisioned by the host-hardening bundle (no "
            + installed
            + " nor /etc/strongroom/host/MANIFEST.tsv); host controls apply only on a hardened VM;"
            + " a target named with --host or --host-root must hold the applied bundle (provision"
            + " it, or check --host-root): nothing proved\n",
        r.err());
    assertEquals(before, bundles(), "nothing proved, no bundle");

    // the manifest where the host plan writes it for a host whose configDir is this state dir
    Files.createDirectories(installed.getParent());
    Files.writeString(
        installed,
        HostBundleRenderer.render(HostOptions.builder().configDir(state).build()).manifest());
    try {
      r = run("prove", "--json", "--host", "local", "--scanners", "none");
      // this machine is no hardened host: its host controls fail, but they run
      assertTrue(r.exit() == 0 || r.exit() == 1, r.out() + r.err());
      JsonNode j = r.json();
      assertEquals("local", j.get("hostTarget").asText());
      Map<String, byte[]> files = BundleReader.read(Path.of(j.get("bundle").asText()));
      for (String id :
          List.of("SR-HOST-FW-01", "SR-HOST-F2B-01", "SR-HOST-MAC-01", "SR-HOST-FIPS-01")) {
        assertNotEquals("not-applicable", status(j, id), detail(j, id));
        String evidence = new String(files.get("evidence/" + id + ".json"), StandardCharsets.UTF_8);
        assertTrue(evidence.contains(installed.toString()), evidence);
      }
    } finally {
      Files.delete(installed);
    }
  }
}
