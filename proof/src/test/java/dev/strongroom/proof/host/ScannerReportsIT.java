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
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real lynis and OpenSCAP (Debian's packages; {@code ./strongroom test} installs them) run the
 * way {@code prove} runs them: their reports and console output land in the bundle verbatim with
 * run.json, the manifest and signature cover them, and an edit of a report is named. No claim is
 * made: a report adds no control.
 */
class ScannerReportsIT {
  private static final Path DEBIAN_11 = ScannerReports.SCAP_CONTENT.resolve("ssg-debian11-ds.xml");
  private static final ScannerReports.Release THIS_HOST =
      ScannerReports.Release.read(Path.of("/etc/os-release"));

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
    ScannerReports missing =
        new ScannerReports(
            tmp.resolve("no-lynis"),
            tmp.resolve("no-oscap"),
            ScannerReports.SCAP_CONTENT,
            THIS_HOST,
            Clock.systemUTC());
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
    assertEquals("unknown scanner mode 'oscap' (auto, lynis, openscap or none)", bad.getMessage());
    ScannerReports.ScannerUnavailable noOscap =
        assertThrows(
            ScannerReports.ScannerUnavailable.class,
            () -> missing.collect(ScannerReports.Mode.OPENSCAP, false, tmp));
    assertEquals(
        "openscap was asked for and is not installed at "
            + tmp.resolve("no-oscap")
            + " (apt-get install openscap-scanner ssg-debian)",
        noOscap.getMessage());
  }

  /**
   * The real oscap evaluating the SCAP Security Guide's Debian 11 data stream (the newest Debian 12
   * ships) as if this host were Debian 11: the report, ARF results and console output land in the
   * bundle verbatim, run.json names the content by its SHA-256 and counts the rule results as oscap
   * printed them, and an edit of the results is named. On this Debian 12 host oscap's own platform
   * check marks the rules not applicable: the report says what it says, no claim is made.
   */
  @Test
  void openscap_reportGoesIntoTheBundleVerbatim_andAnEditIsNamed() throws Exception {
    ScannerReports scanners =
        new ScannerReports(
            ScannerReports.LYNIS,
            ScannerReports.OSCAP,
            ScannerReports.SCAP_CONTENT,
            new ScannerReports.Release("debian", "11"),
            Clock.systemUTC());
    assertTrue(
        scanners.openscapInstalled() && Files.isRegularFile(DEBIAN_11),
        "oscap and ssg-debian must be installed (./strongroom test does it)");
    Map<String, byte[]> files = scanners.collect(ScannerReports.Mode.OPENSCAP, false, tmp);
    assertEquals(
        Set.of(
            "scanners/openscap/results-arf.xml",
            "scanners/openscap/report.html",
            "scanners/openscap/stdout.txt",
            "scanners/openscap/stderr.txt",
            "scanners/openscap/run.json"),
        files.keySet());
    JsonNode run = CanonicalJson.parse(files.get("scanners/openscap/run.json"));
    String stdout = new String(files.get("scanners/openscap/stdout.txt"), StandardCharsets.UTF_8);
    String version =
        Processes.run(List.of("/usr/bin/oscap", "--version"), null, Duration.ofSeconds(30))
            .stdout()
            .lines()
            .findFirst()
            .orElseThrow();
    assertTrue(version.endsWith(" " + run.path("version").asText()), version + " vs " + run);
    assertTrue(run.path("ran").asBoolean(), run.toString());
    assertEquals("ssg-debian11-ds.xml", run.path("content").asText());
    assertEquals(
        HexFormat.of()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(DEBIAN_11))),
        run.path("contentSha256").asText());
    assertEquals(ScannerReports.OPENSCAP_PROFILE, run.path("profile").asText());
    assertEquals(0, run.path("exitCode").asInt(), run.toString());
    long printed = Arrays.stream(stdout.split("\n")).filter(l -> l.startsWith("Result")).count();
    assertTrue(printed > 0, stdout);
    long counted = 0;
    for (JsonNode n : run.path("results")) {
      counted += n.asLong();
    }
    assertEquals(printed, counted, run.toString());
    assertTrue(run.path("claim").asText().startsWith("none: raw evidence only"), run.toString());
    String arf = new String(files.get("scanners/openscap/results-arf.xml"), StandardCharsets.UTF_8);
    assertTrue(arf.contains("asset-report-collection"), "an ARF report");
    assertTrue(arf.contains(ScannerReports.OPENSCAP_PROFILE), "of the profile evaluated");

    SigningKey key = SigningKey.generate();
    Path bundle = tmp.resolve("o.tar.gz");
    BundleWriter.write(noControls(), key, bundle, files);
    assertEquals(List.of(), BundleVerifier.verify(bundle, key.publicKey()).problems());
    Map<String, byte[]> inBundle = new TreeMap<>(BundleReader.read(bundle));
    inBundle.put(
        "scanners/openscap/results-arf.xml",
        arf.replace("notapplicable", "pass")
            .replace("fail", "pass")
            .getBytes(StandardCharsets.UTF_8));
    assertEquals(
        List.of("EDITED scanners/openscap/results-arf.xml"),
        BundleVerifier.verify(inBundle, key.publicKey()).problems().stream()
            .map(p -> p.kind() + " " + p.path())
            .toList());
  }

  /**
   * Without a data stream for this host's release (Debian 12 has none), {@code auto} on a hardened
   * host keeps run.json alone, saying why and what content there is; an explicit {@code openscap}
   * is refused with the same reason.
   */
  @Test
  void openscap_withoutContentForThisRelease_saysWhy_andAnExplicitRequestIsRefused()
      throws Exception {
    ScannerReports.Release future = new ScannerReports.Release("debian", "99");
    ScannerReports scanners =
        new ScannerReports(
            tmp.resolve("no-lynis"),
            ScannerReports.OSCAP,
            ScannerReports.SCAP_CONTENT,
            future,
            Clock.systemUTC());
    String why =
        "there is no SCAP content for debian 99 ("
            + ScannerReports.SCAP_CONTENT.resolve("ssg-debian99-ds.xml")
            + " is missing; there: ";
    Map<String, byte[]> files = scanners.collect(ScannerReports.Mode.AUTO, true, tmp);
    assertEquals(Set.of("scanners/openscap/run.json"), files.keySet());
    JsonNode run = CanonicalJson.parse(files.get("scanners/openscap/run.json"));
    assertEquals(false, run.path("ran").asBoolean(true), run.toString());
    assertTrue(run.path("reason").asText().startsWith(why), run.toString());
    assertTrue(run.path("reason").asText().contains("ssg-debian11-ds.xml"), run.toString());
    ScannerReports.ScannerUnavailable e =
        assertThrows(
            ScannerReports.ScannerUnavailable.class,
            () -> scanners.collect(ScannerReports.Mode.OPENSCAP, true, tmp));
    assertTrue(e.getMessage().startsWith("openscap was asked for and " + why), e.getMessage());
    assertEquals(Map.of(), scanners.collect(ScannerReports.Mode.AUTO, false, tmp));
  }

  private static ProofReport noControls() {
    return new ProofReport(
        "0190d5b0-0000-7000-8000-000000000002",
        "test",
        "test",
        "no-database",
        Instant.now(),
        Instant.now(),
        List.of());
  }
}
