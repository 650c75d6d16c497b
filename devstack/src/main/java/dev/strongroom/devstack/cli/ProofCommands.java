package dev.strongroom.devstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.keys.KeyRegistry;
import dev.strongroom.contracts.keys.RegisteredKey;
import dev.strongroom.devstack.keys.DevKeys;
import dev.strongroom.devstack.stack.StackDescriptor;
import dev.strongroom.devstack.stack.StackException;
import dev.strongroom.proof.bundle.BundleFiles;
import dev.strongroom.proof.bundle.BundleVerifier;
import dev.strongroom.proof.bundle.BundleWriter;
import dev.strongroom.proof.bundle.Ed25519Pem;
import dev.strongroom.proof.check.CheckResult;
import dev.strongroom.proof.run.DbTarget;
import dev.strongroom.proof.run.HostFacts;
import dev.strongroom.proof.run.ProofContext;
import dev.strongroom.proof.run.ProofReport;
import dev.strongroom.proof.run.ProofRunner;
import dev.strongroom.proof.run.StandardCatalogue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code prove} and {@code verify-bundle} (DESIGN §7; docs/proof.md). */
final class ProofCommands {
  /** The key registry's source of the key that signs bundles. */
  static final String PROOF_SOURCE = "/strongroom/proof-service";

  private ProofCommands() {}

  @Command(
      name = "prove",
      description =
          "Run every control against the stack, write a signed evidence bundle under"
              + " .strongroom/evidence/ and point stack.json's evidence.latest at it.")
  static final class Prove implements Callable<Integer> {
    @ParentCommand StrongroomCommand root;

    @Override
    public Integer call() throws IOException {
      Path stackFile = root.launcher().stackFile();
      if (!Files.exists(stackFile)) {
        throw new StackException("the stack is not up (no " + stackFile + "); run ./strongroom up");
      }
      StackDescriptor stack = StackDescriptor.fromJson(Files.readAllBytes(stackFile));
      DevKeys keys = DevKeys.open(root.state().resolve("keys"));
      Optional<DbTarget> db = stack.db().map(ProofCommands::target);
      Path scratch = Files.createTempDirectory(Path.of("/tmp"), "sr-prove-");
      ProofReport report;
      try {
        ProofContext ctx =
            new ProofContext(
                db,
                Optional.of(keys.tenantTokens(Clock.systemUTC())),
                HostFacts.detect(),
                scratch,
                Clock.systemUTC());
        report = new ProofRunner(StandardCatalogue.create()).run(ctx);
      } finally {
        deleteTree(scratch);
      }
      Path bundle = root.state().resolve("evidence").resolve("proof-" + report.runId() + ".tar.gz");
      BundleWriter.Written w =
          BundleWriter.write(report, keys.key("proof-service"), bundle, Map.of());
      recordLatest(stackFile, w.path());
      if (root.json) {
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        o.put("passed", report.passed());
        o.put("runId", report.runId());
        o.put("bundle", w.path().toString());
        o.put("manifestSha256", w.manifestSha256());
        ObjectNode counts = o.putObject("counts");
        report.counts().forEach((s, n) -> counts.put(s.wireName(), n));
        ArrayNode arr = o.putArray("controls");
        for (CheckResult r : report.results()) {
          arr.addObject()
              .put("id", r.control().id())
              .put("status", r.status().wireName())
              .put("detail", r.detail());
        }
        root.printJson(o);
      } else {
        for (CheckResult r : report.results()) {
          root.out.printf("%-15s %-14s %s%n", r.control().id(), r.status().wireName(), r.detail());
        }
        StringBuilder sum = new StringBuilder();
        report
            .counts()
            .forEach((s, n) -> sum.append(' ').append(s.wireName()).append('=').append(n));
        root.out.println((report.passed() ? "PASSED" : "FAILED") + ":" + sum);
        root.out.println("bundle " + w.path());
        root.out.println("manifest sha256 " + w.manifestSha256());
      }
      return report.passed() ? StrongroomCommand.OK : StrongroomCommand.PROBLEM;
    }
  }

  @Command(
      name = "verify-bundle",
      description =
          "Verify an evidence bundle offline: the signature over MANIFEST under the proof-service"
              + " key, then every file; names any edited, added or missing file.")
  static final class VerifyBundle implements Callable<Integer> {
    @ParentCommand StrongroomCommand root;

    @Parameters(index = "0", paramLabel = "PATH", description = "The bundle (.tar.gz).")
    Path path;

    @Option(
        names = "--key",
        paramLabel = "PEM",
        description =
            "The trusted Ed25519 public key (PEM). Default: the proof-service key of the stack's"
                + " key registry.")
    Path keyPem;

    @Override
    public Integer call() throws IOException {
      if (!Files.isRegularFile(path)) {
        root.err.println("strongroom: no such bundle: " + path);
        return StrongroomCommand.USAGE;
      }
      byte[] trusted = trustedKey();
      BundleVerifier.Verification v = BundleVerifier.verify(path, trusted);
      JsonNode run =
          v.files().containsKey(BundleFiles.RUN)
              ? CanonicalJson.parse(v.files().get(BundleFiles.RUN))
              : CanonicalJson.mapper().createObjectNode();
      if (root.json) {
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        o.put("valid", v.valid());
        o.put("runId", run.path("runId").asText());
        ArrayNode arr = o.putArray("problems");
        v.problems()
            .forEach(
                p ->
                    arr.addObject()
                        .put("kind", p.kind().name())
                        .put("path", p.path())
                        .put("detail", p.detail()));
        root.printJson(o);
      } else if (v.valid()) {
        root.out.println(
            "OK "
                + (v.files().size() - 2)
                + " files signed by "
                + run.path("signer").path("kid").asText()
                + ", run "
                + run.path("runId").asText()
                + " of "
                + run.path("target").asText()
                + " at "
                + run.path("finished").asText()
                + " ("
                + run.path("tool").asText()
                + " "
                + run.path("toolVersion").asText()
                + ", "
                + run.path("catalogueVersion").asText()
                + ")");
      } else {
        v.problems().forEach(p -> root.out.println(p));
      }
      return v.valid() ? StrongroomCommand.OK : StrongroomCommand.PROBLEM;
    }

    private byte[] trustedKey() throws IOException {
      if (keyPem != null) {
        return Ed25519Pem.rawPublicKey(Files.readString(keyPem, StandardCharsets.US_ASCII));
      }
      Path registry = root.state().resolve("keys").resolve("registry.json");
      if (!Files.exists(registry)) {
        throw new StackException(
            "no key registry at " + registry + "; give the trusted key with --key PEM");
      }
      return KeyRegistry.load(registry).keys().stream()
          .filter(k -> k.source().equals(PROOF_SOURCE))
          .max(Comparator.comparing(RegisteredKey::notBefore))
          .map(RegisteredKey::publicKey)
          .orElseThrow(
              () -> new StackException("the key registry holds no key for " + PROOF_SOURCE));
    }
  }

  static DbTarget target(StackDescriptor.Db d) {
    Map<String, DbTarget.CertKey> ids = new LinkedHashMap<>();
    d.identities().forEach((n, ck) -> ids.put(n, new DbTarget.CertKey(ck.cert(), ck.key())));
    return new DbTarget(
        d.host(),
        d.port(),
        Optional.of(d.socket()),
        d.dialect(),
        d.database(),
        Optional.of(d.dataDir()),
        d.caCert(),
        ids);
  }

  /** Sets {@code evidence.latest} in stack.json, keeping every other member as it is. */
  static void recordLatest(Path stackFile, Path bundle) throws IOException {
    ObjectNode root = (ObjectNode) CanonicalJson.parse(Files.readAllBytes(stackFile));
    root.putObject("evidence").put("latest", bundle.toAbsolutePath().toString());
    byte[] bytes =
        (CanonicalJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n")
            .getBytes(StandardCharsets.UTF_8);
    Path tmp = Files.createTempFile(stackFile.getParent(), ".stack-", ".tmp");
    Files.write(tmp, bytes);
    Files.move(tmp, stackFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
