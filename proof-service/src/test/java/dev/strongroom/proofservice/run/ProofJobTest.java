package dev.strongroom.proofservice.run;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.alert.AlertKind;
import dev.strongroom.contracts.alert.SecurityAlert;
import dev.strongroom.contracts.alert.Severity;
import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.contracts.proof.ProofCompleted;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.proof.bundle.BundleVerifier;
import dev.strongroom.proof.check.Check;
import dev.strongroom.proof.check.Control;
import dev.strongroom.proof.check.Evidence;
import dev.strongroom.proof.check.Method;
import dev.strongroom.proof.check.Outcome;
import dev.strongroom.proof.drift.Drift;
import dev.strongroom.proof.run.Catalogue;
import dev.strongroom.proof.run.HostFacts;
import dev.strongroom.proof.run.ProofContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof job with a catalogue of three real checks (one passes, one fails, one throws): the
 * bundle it writes verifies, the completed data is schema-valid, the alert names exactly the failed
 * and errored controls, and a repeated request id returns the first run without running again.
 */
class ProofJobTest {
  @TempDir Path dir;

  private final AtomicInteger runs = new AtomicInteger();
  private final SigningKey key = SigningKey.generate();

  private record Fixed(Control control, Outcome outcome, AtomicInteger counter) implements Check {
    @Override
    public Outcome run(ProofContext context, Evidence evidence) {
      counter.incrementAndGet();
      evidence.note("host", "observe " + control.id(), outcome.detail());
      if (outcome.detail().equals("boom")) {
        throw new IllegalStateException("target unreachable");
      }
      return outcome;
    }
  }

  private static Control control(String id) {
    return new Control(id, "test control " + id, List.of("seed"), Method.MEASURED_FACT, "");
  }

  private ProofJob job(Outcome second) {
    Catalogue catalogue =
        new Catalogue(
            "test-catalogue-1",
            List.of(
                new Fixed(control("SR-TEST-A-01"), Outcome.pass("holds"), runs),
                new Fixed(control("SR-TEST-B-01"), second, runs),
                new Fixed(control("SR-TEST-C-01"), Outcome.pass("boom"), runs)));
    return new ProofJob(
        catalogue,
        scratch ->
            new ProofContext(
                Optional.empty(),
                Optional.empty(),
                new HostFacts(Optional.empty()),
                scratch,
                Clock.systemUTC()),
        key,
        dir.resolve("evidence"));
  }

  @Test
  void failedAndErroredControls_raiseOneProofFailedAlert_namingExactlyThem() {
    ProofJob.Result r = job(Outcome.fail("require_secure_transport = OFF")).scheduled();
    ProofCompleted c = r.completed();
    assertFalse(c.passed());
    assertEquals(
        Map.of("SR-TEST-A-01", "pass", "SR-TEST-B-01", "fail", "SR-TEST-C-01", "error"),
        c.controls());
    assertEquals(ProofCompleted.Trigger.SCHEDULE, c.trigger());
    assertTrue(
        EventCatalog.standard().validate(EventCatalog.PROOF_COMPLETED, c.toData()).isEmpty(),
        () ->
            EventCatalog.standard().validate(EventCatalog.PROOF_COMPLETED, c.toData()).toString());
    SecurityAlert a = r.alert().orElseThrow();
    assertEquals(AlertKind.PROOF_FAILED, a.kind());
    assertEquals(Severity.HIGH, a.severity());
    assertEquals(
        "proof run "
            + c.runId()
            + " of no-database: 1 failed, 1 errored: SR-TEST-B-01, SR-TEST-C-01",
        a.detail());
    assertEquals("SR-TEST-B-01", a.related().get("failed"));
    assertEquals("SR-TEST-C-01", a.related().get("errored"));
    assertEquals(c.manifestSha256(), a.related().get("manifestSha256"));
    assertTrue(EventCatalog.standard().validate(EventCatalog.SECURITY_ALERT, a.toData()).isEmpty());
  }

  @Test
  void theBundleWritten_verifiesUnderTheServiceKey_andItsDigestIsTheOnePublished()
      throws Exception {
    ProofJob.Result r = job(Outcome.pass("fine")).requested("req-1");
    assertEquals(dir.resolve("evidence").resolve(r.completed().bundleFile()), r.bundle());
    BundleVerifier.Verification v = BundleVerifier.verify(r.bundle(), key.publicKey());
    assertTrue(v.valid(), v.problems().toString());
    assertEquals(
        r.completed().manifestSha256(),
        java.util.HexFormat.of()
            .formatHex(
                java.security.MessageDigest.getInstance("SHA-256")
                    .digest(v.files().get("MANIFEST"))));
    // an errored control still fails the run
    assertFalse(r.completed().passed());
  }

  @Test
  void aRepeatedRequestId_returnsTheFirstResult_withoutRunningTheProofAgain() throws Exception {
    ProofJob job = job(Outcome.pass("fine"));
    ProofJob.Result first = job.requested("req-7");
    int checksRun = runs.get();
    assertEquals(3, checksRun);
    ProofJob.Result again = job.requested("req-7");
    assertTrue(again.repeated());
    assertEquals(first.completed(), again.completed());
    assertEquals(first.alert(), again.alert());
    assertEquals(checksRun, runs.get(), "a repeat must not run a single check");
    // the ledger survives a restart: a new job over the same directory still recalls it
    ProofJob.Result afterRestart = job(Outcome.pass("fine")).requested("req-7");
    assertEquals(first.completed(), afterRestart.completed());
    assertEquals(checksRun, runs.get());
    // another request id runs again
    ProofJob.Result other = job.requested("req-8");
    assertFalse(other.repeated());
    assertEquals(2 * checksRun, runs.get());
    try (var s = Files.list(dir.resolve("evidence"))) {
      assertEquals(2, s.filter(p -> p.toString().endsWith(".tar.gz")).count());
    }
  }

  @Test
  void eachRun_isComparedWithThePreviousOne_aRegressionIsNamed_andTheBundleKeepsTheDrift()
      throws Exception {
    ProofJob.Result first = job(Outcome.pass("holds")).scheduled();
    assertTrue(first.drift().isEmpty(), "nothing to compare the first run with");
    String before = first.completed().runId();

    // a restarted service (a new job over the same evidence directory) compares with it
    ProofJob.Result second = job(Outcome.fail("require_secure_transport = OFF")).requested("req-d");
    Drift d = second.drift().orElseThrow();
    assertEquals(before, d.againstRunId());
    assertEquals(first.completed().manifestSha256(), d.againstManifestSha256());
    assertEquals(List.of(new Drift.Change("SR-TEST-B-01", "pass", "fail")), d.changes());
    SecurityAlert a = second.alert().orElseThrow();
    assertEquals(
        "proof run "
            + second.completed().runId()
            + " of no-database: 1 failed, 1 errored: SR-TEST-B-01, SR-TEST-C-01; regressed since"
            + " run "
            + before
            + ": SR-TEST-B-01",
        a.detail());
    assertEquals(before, a.related().get("against"));
    assertEquals("SR-TEST-B-01", a.related().get("regressed"));
    assertTrue(EventCatalog.standard().validate(EventCatalog.SECURITY_ALERT, a.toData()).isEmpty());
    // the drift is in the signed bundle, so the published manifestSha256 binds it
    BundleVerifier.Verification v = BundleVerifier.verify(second.bundle(), key.publicKey());
    assertTrue(v.valid(), v.problems().toString());
    assertEquals(new String(d.toJson(), UTF_8), new String(v.files().get("drift.json"), UTF_8));
    // a repeated request gets the same alert, regression included, without running again
    ProofJob.Result again = job(Outcome.pass("holds")).requested("req-d");
    assertTrue(again.repeated());
    assertEquals(second.alert(), again.alert());

    // an edited previous bundle is not compared with, and the result says why
    Files.writeString(second.bundle(), "not a bundle");
    ProofJob.Result third = job(Outcome.pass("holds")).scheduled();
    assertTrue(third.drift().isEmpty());
    assertTrue(
        third
            .previousRefused()
            .orElseThrow()
            .startsWith(
                "the previous bundle "
                    + second.completed().bundleFile()
                    + " does not verify under this service's key: UNREADABLE"),
        third.previousRefused().toString());
    // and the run after it compares with the third again
    assertEquals(
        third.completed().runId(),
        job(Outcome.pass("holds")).scheduled().drift().orElseThrow().againstRunId());
  }
}
