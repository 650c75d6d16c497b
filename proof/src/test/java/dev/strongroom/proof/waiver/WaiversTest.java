package dev.strongroom.proof.waiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.proof.check.CheckResult;
import dev.strongroom.proof.check.Control;
import dev.strongroom.proof.check.Method;
import dev.strongroom.proof.check.Status;
import dev.strongroom.proof.run.ProofReport;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Waivers: a signed, unexpired waiver turns a failing control into waived (the run passes); an
 * expired one fails it again; an edited, unsigned or foreign-signed file is refused with its
 * reason.
 */
class WaiversTest {
  private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
  private final SigningKey approver = SigningKey.generate();

  static ProofReport report() {
    return new ProofReport(
        "01a24140-233b-7d47-b38a-4b598b7bdd0a",
        "0.1.0-SNAPSHOT",
        "strongroom-controls-2",
        "mariadb-10.11@127.0.0.1:3306/strongroom",
        NOW,
        NOW.plusSeconds(30),
        List.of(
            result("SR-DB-TLS-01", Status.PASS, "refused"),
            result("SR-HOST-FIPS-01", Status.FAIL, "fips_enabled = '0'"),
            result("SR-DB-REST-08", Status.FAIL, "marker found in ib_logfile0")));
  }

  private static CheckResult result(String id, Status s, String detail) {
    return new CheckResult(
        new Control(id, "t", List.of("seed"), Method.MEASURED_FACT, ""),
        s,
        detail,
        NOW,
        NOW,
        List.of());
  }

  private byte[] signed(Waiver... waivers) {
    return WaiverFile.sign(List.of(waivers), approver);
  }

  private static Map<String, Status> statuses(ProofReport r) {
    Map<String, Status> m = new TreeMap<>();
    r.results().forEach(c -> m.put(c.control().id(), c.status()));
    return m;
  }

  @Test
  void anUnexpiredWaiver_waivesItsFailingControl_andTheRunPasses() {
    byte[] file =
        signed(
            new Waiver(
                "SR-HOST-FIPS-01",
                "FIPS kernel arrives with the Q1 image",
                Instant.parse("2027-01-31T00:00:00Z"),
                "alice@example.com"),
            new Waiver(
                "SR-DB-REST-08",
                "redo log rotation pending",
                Instant.parse("2027-01-31T00:00:00Z"),
                "bob@example.com"));
    Waivers.Applied a =
        Waivers.apply(report(), WaiverFile.verify(file, List.of(approver.publicKey())), NOW);
    assertEquals(
        Map.of(
            "SR-DB-REST-08", Status.WAIVED,
            "SR-DB-TLS-01", Status.PASS,
            "SR-HOST-FIPS-01", Status.WAIVED),
        statuses(a.report()));
    assertTrue(a.report().passed());
    assertEquals(
        "waived until 2027-01-31T00:00:00Z by alice@example.com: FIPS kernel arrives with the Q1"
            + " image (was fail: fips_enabled = '0')",
        a.report().results().get(1).detail());
    assertEquals(2, a.report().counts().get(Status.WAIVED));
    String applied = new String(a.bundleFiles().get(Waivers.APPLIED), StandardCharsets.UTF_8);
    assertTrue(applied.contains("\"effect\" : \"waived\""), applied);
    assertEquals(List.of(Waivers.FILE, Waivers.APPLIED), List.copyOf(a.bundleFiles().keySet()));
  }

  @Test
  void anExpiredWaiver_failsTheControlAgain_andSaysSo() {
    byte[] file =
        signed(
            new Waiver(
                "SR-HOST-FIPS-01",
                "FIPS kernel arrives with the Q1 image",
                Instant.parse("2026-12-01T00:00:00Z"),
                "alice@example.com"));
    Waivers.Applied a =
        Waivers.apply(report(), WaiverFile.verify(file, List.of(approver.publicKey())), NOW);
    assertEquals(Status.FAIL, statuses(a.report()).get("SR-HOST-FIPS-01"));
    assertFalse(a.report().passed());
    assertEquals(
        "fips_enabled = '0' (waiver by alice@example.com expired 2026-12-01T00:00:00Z)",
        a.report().results().get(1).detail());
    assertEquals(Waivers.Effect.EXPIRED, a.applications().get(0).effect());
  }

  @Test
  void aWaiverOfAPassingOrUnknownControl_isUnused_andChangesNothing() {
    byte[] file =
        signed(
            new Waiver("SR-DB-TLS-01", "r", Instant.parse("2027-01-01T00:00:00Z"), "a"),
            new Waiver("SR-GONE-01", "r", Instant.parse("2027-01-01T00:00:00Z"), "a"));
    Waivers.Applied a =
        Waivers.apply(report(), WaiverFile.verify(file, List.of(approver.publicKey())), NOW);
    assertEquals(Status.PASS, statuses(a.report()).get("SR-DB-TLS-01"));
    assertEquals(
        List.of(Waivers.Effect.UNUSED, Waivers.Effect.UNUSED),
        a.applications().stream().map(Waivers.Application::effect).toList());
  }

  @Test
  void anEditedWaiver_anotherSigner_orNoSignature_isRefused() {
    byte[] file =
        signed(new Waiver("SR-HOST-FIPS-01", "r", Instant.parse("2026-12-31T00:00:00Z"), "a"));
    // the attack: push the expiry out by a year after signing
    byte[] edited =
        new String(file, StandardCharsets.UTF_8)
            .replace("2026-12-31T00:00:00Z", "2027-12-31T00:00:00Z")
            .getBytes(StandardCharsets.UTF_8);
    WaiverException e1 =
        assertThrows(
            WaiverException.class, () -> WaiverFile.verify(edited, List.of(approver.publicKey())));
    assertEquals(
        "waiver signature does not verify under " + approver.kid() + " (the file was edited)",
        e1.getMessage());

    SigningKey stranger = SigningKey.generate();
    byte[] foreign =
        WaiverFile.sign(
            List.of(new Waiver("SR-HOST-FIPS-01", "r", Instant.parse("2027-01-01T00:00:00Z"), "a")),
            stranger);
    WaiverException e2 =
        assertThrows(
            WaiverException.class, () -> WaiverFile.verify(foreign, List.of(approver.publicKey())));
    assertEquals(
        "waiver file is signed by " + stranger.kid() + ", which may not approve waivers",
        e2.getMessage());

    byte[] unsigned = "{\"version\":1,\"waivers\":[]}".getBytes(StandardCharsets.UTF_8);
    WaiverException e3 =
        assertThrows(
            WaiverException.class,
            () -> WaiverFile.verify(unsigned, List.of(approver.publicKey())));
    assertEquals("waiver file is not signed (no signature object)", e3.getMessage());
  }

  @Test
  void parseUnsigned_readsWhatSignWrites_ignoringTheSignature_withTheSameStrictRules() {
    Waiver w = new Waiver("SR-HOST-FIPS-01", "no FIPS kernel", NOW.plusSeconds(60), "alice");
    byte[] file = signed(w);
    assertEquals(List.of(w), WaiverFile.parseUnsigned(file));
    byte[] body =
        "{\"version\":1,\"waivers\":[{\"control\":\"SR-HOST-FIPS-01\",\"reason\":\"r\",\"expires\":\"2027-01-01T00:00:00+01:00\",\"approver\":\"a\"}]}"
            .getBytes(StandardCharsets.UTF_8);
    WaiverException e = assertThrows(WaiverException.class, () -> WaiverFile.parseUnsigned(body));
    assertEquals(
        "expires of SR-HOST-FIPS-01 is not an RFC 3339 UTC instant: 2027-01-01T00:00:00+01:00",
        e.getMessage());
    // re-signing what was parsed verifies under the approver
    assertEquals(
        List.of(w),
        WaiverFile.verify(
                WaiverFile.sign(WaiverFile.parseUnsigned(file), approver),
                List.of(approver.publicKey()))
            .waivers());
  }
}
