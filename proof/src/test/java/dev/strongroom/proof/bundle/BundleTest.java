package dev.strongroom.proof.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.proof.bundle.BundleVerifier.Kind;
import dev.strongroom.proof.bundle.BundleVerifier.Problem;
import dev.strongroom.proof.check.Check;
import dev.strongroom.proof.check.Control;
import dev.strongroom.proof.check.Evidence;
import dev.strongroom.proof.check.Method;
import dev.strongroom.proof.check.Outcome;
import dev.strongroom.proof.check.Status;
import dev.strongroom.proof.run.Catalogue;
import dev.strongroom.proof.run.HostFacts;
import dev.strongroom.proof.run.ProofContext;
import dev.strongroom.proof.run.ProofReport;
import dev.strongroom.proof.run.ProofRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundle end to end: a small catalogue of checks that measure real files, written, signed,
 * verified by our verifier and by {@code openssl pkeyutl -verify -rawin} plus {@code sha256sum
 * --strict -c} (the recipe in docs/proof.md), then tampered with and named.
 */
class BundleTest {
  @TempDir Path dir;
  private final SigningKey key = SigningKey.generate();
  private Path bundle;
  private ProofReport report;

  /** Measures whether a file is private to its owner (mode 0600). */
  private record PrivateFileCheck(Control control, Path file) implements Check {
    @Override
    public Outcome run(ProofContext context, Evidence evidence) throws IOException {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      evidence.note("host", "stat " + file, perms.toString());
      return Outcome.of(
          perms.equals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)),
          "mode 0600",
          "mode is " + java.nio.file.attribute.PosixFilePermissions.toString(perms));
    }
  }

  private static Control control(String id) {
    return new Control(
        id, "key file private to its owner", List.of("seed"), Method.MEASURED_FACT, "");
  }

  @BeforeEach
  void run() throws IOException {
    Path good = Files.writeString(dir.resolve("good.key"), "k");
    Files.setPosixFilePermissions(
        good, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    Path bad = Files.writeString(dir.resolve("bad.key"), "k");
    Files.setPosixFilePermissions(
        bad, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    Check hostOnly =
        new Check() {
          @Override
          public Control control() {
            return new Control(
                "SR-HOST-FW-01", "host firewall", List.of("seed"), Method.ATTACK, "");
          }

          @Override
          public Outcome run(ProofContext c, Evidence e) {
            return c.host().hardenedVm()
                ? Outcome.pass("checked")
                : Outcome.notApplicable(c.host().notApplicableReason());
          }
        };
    Check missing = new PrivateFileCheck(control("SR-TEST-03"), dir.resolve("absent.key"));
    Catalogue cat =
        new Catalogue(
            "test-1",
            List.of(
                new PrivateFileCheck(control("SR-TEST-01"), good),
                new PrivateFileCheck(control("SR-TEST-02"), bad),
                missing,
                hostOnly));
    ProofContext ctx =
        new ProofContext(
            Optional.empty(),
            Optional.empty(),
            new HostFacts(Optional.empty()),
            dir,
            Clock.systemUTC());
    report = new ProofRunner(cat).run(ctx);
    bundle = dir.resolve("out/bundle.tar.gz");
    BundleWriter.write(report, key, bundle, Map.of());
  }

  @Test
  void runner_givesEachStatus_withItsDetail() {
    List<Status> statuses = report.results().stream().map(r -> r.status()).toList();
    assertEquals(List.of(Status.PASS, Status.FAIL, Status.ERROR, Status.NOT_APPLICABLE), statuses);
    assertEquals("mode is rw-r--r--", report.results().get(1).detail());
    assertTrue(report.results().get(2).detail().startsWith("NoSuchFileException: "));
    assertTrue(report.results().get(3).detail().contains("only on a hardened VM"));
    assertEquals(false, report.passed());
  }

  @Test
  void freshBundle_verifies() {
    var v = BundleVerifier.verify(bundle, key.publicKey());
    assertEquals(List.of(), v.problems());
    assertTrue(v.files().containsKey("evidence/SR-TEST-02.json"));
    assertTrue(
        new String(v.files().get("junit.xml"), StandardCharsets.UTF_8)
            .contains("<failure message=\"mode is rw-r--r--\"></failure>"));
  }

  @Test
  void opensslAndSha256sumAlone_verifyTheBundle() throws Exception {
    Path x = Files.createDirectory(dir.resolve("x"));
    exec(x, "tar", "xzf", bundle.toString());
    Files.writeString(dir.resolve("trusted.pem"), Ed25519Pem.publicKeyPem(key.publicKey()));
    String v =
        exec(
            x,
            "openssl",
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            dir.resolve("trusted.pem").toString(),
            "-rawin",
            "-in",
            "MANIFEST",
            "-sigfile",
            "MANIFEST.sig");
    assertEquals("Signature Verified Successfully", v.strip());
    String sums = exec(x, "sha256sum", "--strict", "-c", "MANIFEST");
    assertTrue(sums.contains("results.json: OK"), sums);
    // the attack: an edited file is caught by the same two commands
    Files.writeString(x.resolve("results.json"), "{}\n");
    Process p =
        new ProcessBuilder("sha256sum", "--strict", "-c", "MANIFEST")
            .directory(x.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(1, p.waitFor());
    assertTrue(out.contains("results.json: FAILED"), out);
  }

  @Test
  void editedAddedAndRemovedFiles_areNamed_afterRepackingWithTar() throws Exception {
    Path x = Files.createDirectory(dir.resolve("y"));
    exec(x, "tar", "xzf", bundle.toString());
    Files.writeString(x.resolve("evidence/SR-TEST-02.json"), "{\"status\":\"pass\"}\n");
    Files.writeString(x.resolve("extra.txt"), "planted\n");
    Files.delete(x.resolve("junit.xml"));
    Path repacked = dir.resolve("repacked.tar.gz");
    exec(x, "tar", "czf", repacked.toString(), ".");
    var v = BundleVerifier.verify(repacked, key.publicKey());
    assertEquals(
        List.of(
            new Problem(Kind.EDITED, "evidence/SR-TEST-02.json", v.problems().get(0).detail()),
            new Problem(Kind.MISSING, "junit.xml", "listed in the manifest, not present"),
            new Problem(Kind.ADDED, "extra.txt", "present, not listed in the manifest")),
        v.problems());
  }

  @Test
  void editedManifest_failsTheSignature() {
    Map<String, byte[]> files = new TreeMap<>(BundleReader.read(bundle));
    String m = new String(files.get("MANIFEST"), StandardCharsets.UTF_8);
    // re-hash an edited results.json into the manifest: only the signature can catch this
    byte[] forged = "{\"passed\":true}\n".getBytes(StandardCharsets.UTF_8);
    String line = m.lines().filter(l -> l.endsWith("  results.json")).findFirst().orElseThrow();
    m = m.replace(line, Manifest.sha256Hex(forged) + "  results.json");
    files.put("MANIFEST", m.getBytes(StandardCharsets.UTF_8));
    files.put("results.json", forged);
    var v = BundleVerifier.verify(files, key.publicKey());
    assertEquals(
        List.of(Kind.SIGNATURE_INVALID), v.problems().stream().map(Problem::kind).toList());
    assertEquals("MANIFEST", v.problems().get(0).path());
  }

  @Test
  void bundleSignedByAnotherKey_failsAgainstThePinnedKey() {
    var v = BundleVerifier.verify(bundle, SigningKey.generate().publicKey());
    assertEquals(
        List.of(Kind.SIGNATURE_INVALID), v.problems().stream().map(Problem::kind).toList());
  }

  @Test
  void pathTraversalEntry_isRefused() {
    Map<String, byte[]> files = new HashMap<>();
    files.put("../evil", new byte[] {1});
    BundleException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            BundleException.class, () -> Manifest.of(files));
    assertEquals("unsafe bundle path: ../evil", e.getMessage());
  }

  @Test
  void bundle_isDeterministic_forTheSameReport() {
    Path again = dir.resolve("again.tar.gz");
    BundleWriter.write(report, key, again, Map.of());
    assertEquals(Manifest.sha256Hex(read(bundle)), Manifest.sha256Hex(read(again)));
  }

  private static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String exec(Path cwd, String... cmd) throws Exception {
    Process p =
        new ProcessBuilder(new ArrayList<>(List.of(cmd)))
            .directory(cwd.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(
        p.waitFor(Duration.ofSeconds(20).toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
    return out;
  }
}
