package dev.strongroom.proof.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.proof.bundle.BundleVerifier;
import dev.strongroom.proof.bundle.BundleWriter;
import dev.strongroom.proof.check.CheckResult;
import dev.strongroom.proof.check.Control;
import dev.strongroom.proof.check.Method;
import dev.strongroom.proof.check.Status;
import dev.strongroom.proof.run.ProofReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drift against a real, signed earlier bundle: a control that passed and now fails is a regression;
 * a fixed one and a new one are changes, not regressions; an unchanged one is absent.
 */
class DriftTest {
  @TempDir Path dir;

  private static ProofReport report(String runId, Map<String, Status> statuses) {
    Instant t = Instant.parse("2026-12-04T12:00:00Z");
    return new ProofReport(
        runId,
        "0.1.0-SNAPSHOT",
        "strongroom-controls-2",
        "mariadb-10.11@127.0.0.1:3306/strongroom",
        t,
        t.plusSeconds(30),
        statuses.entrySet().stream()
            .map(
                e ->
                    new CheckResult(
                        new Control(e.getKey(), "t", List.of("seed"), Method.ATTACK, ""),
                        e.getValue(),
                        "d",
                        t,
                        t,
                        List.of()))
            .toList());
  }

  @Test
  void aControlThatPassedAndNowFails_isARegression_againstAVerifiedEarlierBundle() {
    SigningKey key = SigningKey.generate();
    ProofReport before =
        report(
            "01a24140-233b-7d47-b38a-4b598b7bdd0a",
            new java.util.LinkedHashMap<>(
                Map.of(
                    "SR-DB-TLS-01", Status.PASS,
                    "SR-DB-PRIV-04", Status.FAIL,
                    "SR-DB-REST-01", Status.PASS)));
    BundleWriter.Written old = BundleWriter.write(before, key, dir.resolve("old.tar.gz"), Map.of());
    BundleVerifier.Verification v = BundleVerifier.verify(old.path(), key.publicKey());
    assertTrue(v.valid());

    ProofReport now =
        report(
            "01a24141-0000-7000-8000-000000000001",
            new java.util.LinkedHashMap<>(
                Map.of(
                    "SR-DB-TLS-01", Status.FAIL,
                    "SR-DB-PRIV-04", Status.PASS,
                    "SR-DB-REST-01", Status.PASS,
                    "SR-DB-AUD-05", Status.PASS)));
    Drift d = Drift.between(v.files(), now);
    assertEquals(
        List.of(
            new Drift.Change("SR-DB-AUD-05", "absent", "pass"),
            new Drift.Change("SR-DB-PRIV-04", "fail", "pass"),
            new Drift.Change("SR-DB-TLS-01", "pass", "fail")),
        d.changes());
    assertEquals(List.of(new Drift.Change("SR-DB-TLS-01", "pass", "fail")), d.regressions());
    assertEquals(old.manifestSha256(), d.againstManifestSha256());
    assertEquals(before.runId(), d.againstRunId());
    String json = new String(d.toJson(), StandardCharsets.UTF_8);
    assertTrue(json.contains("\"regression\" : true"), json);
  }
}
