package dev.strongroom.proof.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.proof.bundle.BundleReader;
import dev.strongroom.proof.bundle.BundleVerifier;
import dev.strongroom.proof.bundle.BundleWriter;
import dev.strongroom.proof.run.ProofReport;
import dev.strongroom.provisioner.os.Processes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real lynis (Debian's package; {@code ./strongroom test} installs it) run the way {@code
 * prove} runs it: its report, log and console output land in the bundle verbatim with run.json, the
 * manifest and signature cover them, and an edit of the report is named. No claim is made: the
 * report adds no control.
 */
class ScannerReportsIT {
  @TempDir Path tmp;

  @Test
  void lynis_reportGoesIntoTheBundleVerbatim_andAnEditIsNamed() throws Exception {
    ScannerReports scanners = ScannerReports.standard();
    assertTrue(scanners.lynisInstalled(), "lynis must be installed (./strongroom test does it)");
    Map<String, byte[]> files = scanners.collect(ScannerReports.Mode.LYNIS, false, tmp);
    assertEquals(
        Set.of(
            "scanners/lynis/report.dat",
            "scanners/lynis/lynis.log",
            "scanners/lynis/stdout.txt",
            "scanners/lynis/stderr.txt",
            "scanners/lynis/run.json"),
        files.keySet());
    String report = new String(files.get("scanners/lynis/report.dat"), StandardCharsets.UTF_8);
    JsonNode run = CanonicalJson.parse(files.get("scanners/lynis/run.json"));
    String installed =
        Processes.run(List.of("/usr/sbin/lynis", "--version"), null, Duration.ofSeconds(30))
            .stdout()
            .strip();
    assertEquals(installed, run.path("version").asText(), run.toString());
    assertEquals(0, run.path("exitCode").asInt(), run.toString());
    assertTrue(report.contains("hardening_index="), "lynis wrote its report");
    assertEquals(
        ScannerReports.value(report, "hardening_index").orElseThrow(),
        run.path("hardeningIndex").asText());
    assertTrue(run.path("claim").asText().startsWith("none: raw evidence only"), run.toString());

    ProofReport noControls =
        new ProofReport(
            "0190d5b0-0000-7000-8000-000000000001",
            "test",
            "test",
            "no-database",
            Instant.now(),
            Instant.now(),
            List.of());
    SigningKey key = SigningKey.generate();
    Path bundle = tmp.resolve("b.tar.gz");
    BundleWriter.write(noControls, key, bundle, files);
    assertEquals(List.of(), BundleVerifier.verify(bundle, key.publicKey()).problems());
    Map<String, byte[]> inBundle = new TreeMap<>(BundleReader.read(bundle));
    assertEquals(
        report, new String(inBundle.get("scanners/lynis/report.dat"), StandardCharsets.UTF_8));

    // an edited report (a better hardening index) is named
    inBundle.put(
        "scanners/lynis/report.dat",
        report
            .replaceFirst("(?m)^hardening_index=.*$", "hardening_index=100")
            .getBytes(StandardCharsets.UTF_8));
    List<String> problems =
        BundleVerifier.verify(inBundle, key.publicKey()).problems().stream()
            .map(p -> p.kind() + " " + p.path())
            .toList();
    assertEquals(List.of("EDITED scanners/lynis/report.dat"), problems);
  }

  @Test
  void auto_offAHardenedHost_addsNothing_andAnExplicitMissingScannerIsRefused() {
    ScannerReports missing = new ScannerReports(tmp.resolve("no-lynis"), Clock.systemUTC());
    assertEquals(Map.of(), missing.collect(ScannerReports.Mode.AUTO, true, tmp));
    assertEquals(Map.of(), ScannerReports.standard().collect(ScannerReports.Mode.AUTO, false, tmp));
    assertEquals(Map.of(), ScannerReports.standard().collect(ScannerReports.Mode.NONE, true, tmp));
    ScannerReports.ScannerUnavailable e =
        assertThrows(
            ScannerReports.ScannerUnavailable.class,
            () -> missing.collect(ScannerReports.Mode.LYNIS, false, tmp));
    assertEquals(
        "lynis was asked for and is not installed at "
            + tmp.resolve("no-lynis")
            + " (apt-get install lynis)",
        e.getMessage());
    IllegalArgumentException bad =
        assertThrows(IllegalArgumentException.class, () -> ScannerReports.Mode.parse("oscap"));
    assertEquals("unknown scanner mode 'oscap' (auto, lynis or none)", bad.getMessage());
  }
}
