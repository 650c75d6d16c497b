package dev.strongroom.devstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.keys.KeyRegistry;
import dev.strongroom.contracts.keys.RegisteredKey;
import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.devstack.keys.DevKeys;
import dev.strongroom.devstack.keys.ProvisionerSsh;
import dev.strongroom.devstack.stack.StackDescriptor;
import dev.strongroom.devstack.stack.StackException;
import dev.strongroom.devstack.stack.StackProof;
import dev.strongroom.proof.bundle.BundleException;
import dev.strongroom.proof.bundle.BundleFiles;
import dev.strongroom.proof.bundle.BundleVerifier;
import dev.strongroom.proof.bundle.BundleWriter;
import dev.strongroom.proof.bundle.ChainRecord;
import dev.strongroom.proof.bundle.Ed25519Pem;
import dev.strongroom.proof.check.CheckResult;
import dev.strongroom.proof.drift.Drift;
import dev.strongroom.proof.host.HostTarget;
import dev.strongroom.proof.host.ScannerReports;
import dev.strongroom.proof.run.HostFacts;
import dev.strongroom.proof.run.ProofReport;
import dev.strongroom.proof.run.StandardCatalogue;
import dev.strongroom.proof.waiver.Waiver;
import dev.strongroom.proof.waiver.WaiverException;
import dev.strongroom.proof.waiver.WaiverFile;
import dev.strongroom.proof.waiver.Waivers;
import dev.strongroom.provisioner.host.InvalidHostOptionException;
import dev.strongroom.provisioner.host.plan.KnownHostsPins;
import dev.strongroom.provisioner.host.plan.SshException;
import dev.strongroom.provisioner.host.plan.Target;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code prove}, {@code verify-bundle} and {@code sign-waivers} (DESIGN §7; docs/proof.md). */
final class ProofCommands {
  /** The key registry's source of the key that signs bundles. */
  static final String PROOF_SOURCE = "/strongroom/proof-service";

  private ProofCommands() {}

  @Command(
      name = "prove",
      description =
          "Run every control against the stack, write a signed evidence bundle under"
              + " .strongroom/evidence/ and point stack.json's evidence.latest at it. Exit 1 if a"
              + " control fails or errors, or regressed since --against.")
  static final class Prove implements Callable<Integer> {
    @ParentCommand StrongroomCommand root;

    @Option(
        names = "--against",
        paramLabel = "OLD_BUNDLE",
        description =
            "An earlier bundle: verified first (refused, exit 1, if it does not), then the"
                + " controls whose status changed are listed and kept as drift.json; a control"
                + " that held and now fails or errors is a regression (exit 1).")
    Path against;

    @Option(
        names = "--against-key",
        paramLabel = "PEM",
        description =
            "The key OLD_BUNDLE is verified under (Ed25519 public key, PEM). Default: every"
                + " proof-service key of the stack's key registry.")
    Path againstKey;

    @Option(
        names = "--waivers",
        paramLabel = "FILE",
        description =
            "A waiver file signed by a waiver approver of the stack's key registry"
                + " (sign-waivers): an unexpired waiver turns its control's fail or error into"
                + " waived; an expired one leaves it failing. An edited, unsigned or foreign-signed"
                + " file is refused (exit 1) before any control runs.")
    Path waivers;

    @Option(
        names = "--scanners",
        paramLabel = "MODE",
        defaultValue = "auto",
        description =
            "Third-party host scanners whose reports go into the bundle as raw evidence (no"
                + " claim is made from them): auto (lynis and OpenSCAP, where installed, on a"
                + " host the provisioner hardened), lynis or openscap (that one wherever it is"
                + " installed; exit 3 if it is not, or if OpenSCAP has no content for this"
                + " release), none. Default: ${DEFAULT-VALUE}.")
    String scanners;

    @Option(
        names = "--host",
        paramLabel = "TARGET",
        description =
            "Where the host controls (SR-HOST-*) run: local (this machine) or"
                + " ssh://user@host[:port], reached the way provision reaches it: the provisioner's"
                + " SSH key and exactly one host key pinned for the target in the provisioner's"
                + " known_hosts (never learned on first use). Every host check's command runs on"
                + " the target and is kept with its output. A target named here must hold the"
                + " applied host bundle's manifest under --host-root: without it nothing is proved"
                + " (exit 3). On this machine at / the manifest is looked for under the state"
                + " directory first (<state>/host/MANIFEST.tsv: a host provisioned with another"
                + " config directory, proved with --state CONFIG_DIR), then at"
                + " /etc/strongroom/host/MANIFEST.tsv. Default: this machine, whose host controls"
                + " are not-applicable where the bundle was not applied.")
    String host;

    @Option(
        names = "--host-root",
        paramLabel = "DIR",
        defaultValue = "/",
        description =
            "Where the host bundle was applied on --host: / on a booted host (default), the"
                + " plan's root for a rehearsal or image root (provisioner root); there MAC-01 and"
                + " FIPS-01 are not-applicable (/proc and /sys belong to the machine holding DIR),"
                + " FW-01 needs the bundle's own nftables table in force, and fail2ban is asked on"
                + " DIR/run/fail2ban/fail2ban.sock.")
    Path hostRoot;

    @Option(
        names = "--host-identity",
        paramLabel = "KEY",
        description =
            "The private key for --host ssh://… (default: the stack's provisioner key,"
                + " <state>/provisioner/ssh/id_ecdsa).")
    Path hostIdentity;

    @Option(
        names = "--host-known-hosts",
        paramLabel = "FILE",
        description =
            "The known_hosts file pinning the --host ssh://… key (default: the provisioner's,"
                + " <state>/provisioner/ssh/known_hosts).")
    Path hostKnownHosts;

    @Override
    public Integer call() throws IOException {
      Target hostTarget;
      try {
        hostTarget = Target.parse(host != null ? host : "local");
      } catch (InvalidHostOptionException e) {
        root.err.println("strongroom: --host: " + e.detail());
        return StrongroomCommand.USAGE;
      }
      if (!hostRoot.isAbsolute() || !hostRoot.normalize().equals(hostRoot)) {
        root.err.println(
            "strongroom: --host-root must be an absolute, normalized path: " + hostRoot);
        return StrongroomCommand.USAGE;
      }
      // a target the operator names (--host, or a root other than /) is one they expect hardened
      boolean hostNamed = host != null || hostRoot.getNameCount() > 0;
      if (hostTarget.local() && (hostIdentity != null || hostKnownHosts != null)) {
        root.err.println(
            "strongroom: --host-identity and --host-known-hosts go with --host ssh://…");
        return StrongroomCommand.USAGE;
      }
      ScannerReports.Mode scannerMode;
      try {
        scannerMode = ScannerReports.Mode.parse(scanners);
      } catch (IllegalArgumentException e) {
        root.err.println("strongroom: " + e.getMessage());
        return StrongroomCommand.USAGE;
      }
      ScannerReports scannerReports = ScannerReports.standard();
      java.util.Optional<String> unavailable = scannerReports.whyUnavailable(scannerMode);
      if (unavailable.isPresent()) {
        root.err.println("strongroom: --scanners " + scanners + ": " + unavailable.get());
        return StrongroomCommand.UNUSABLE;
      }
      Path stackFile = root.launcher().stackFile();
      if (!Files.exists(stackFile)) {
        throw new StackException("the stack is not up (no " + stackFile + "); run ./strongroom up");
      }
      StackDescriptor stack = StackDescriptor.fromJson(Files.readAllBytes(stackFile));
      DevKeys keys = DevKeys.open(root.state().resolve("keys"));
      for (Path given : new Path[] {against, againstKey, waivers}) {
        if (given != null && !Files.isRegularFile(given)) {
          root.err.println("strongroom: no such file: " + given);
          return StrongroomCommand.USAGE;
        }
      }
      // Inputs are verified before anything runs: a refused input leaves no bundle behind.
      BundleVerifier.Verification earlier = null;
      if (against != null) {
        earlier = verifyEarlier(keys);
        if (!earlier.valid()) {
          return refused("--against " + against, "the bundle does not verify", earlier);
        }
      }
      WaiverFile waiverFile = null;
      if (waivers != null) {
        try {
          waiverFile =
              WaiverFile.verify(
                  Files.readAllBytes(waivers), registered(keys, DevKeys.WAIVER_APPROVER_SOURCE));
        } catch (WaiverException e) {
          return refused("--waivers " + waivers, e.getMessage(), null);
        }
      }
      ProofReport report;
      HostTarget hostOn;
      HostFacts facts;
      try {
        hostOn = openHost(hostTarget);
      } catch (SshException e) {
        root.err.println("strongroom: --host " + host + ": " + e.getMessage());
        return StrongroomCommand.UNUSABLE;
      }
      try (HostTarget on = hostOn) {
        // the state directory first: the prove unit passes the host's config directory as --state
        facts = HostFacts.detect(on, root.state());
        if (hostNamed && !facts.hardenedVm()) {
          // Not-applicable host controls on a named target would let one deleted file hide its
          // firewall from the evidence: a target the operator names must be a provisioned one.
          root.err.println(
              "strongroom: --host "
                  + hostTarget
                  + ": "
                  + facts.notApplicableReason()
                  + "; a target named with --host or --host-root must hold the applied bundle"
                  + " (provision it, or check --host-root): nothing proved");
          return StrongroomCommand.UNUSABLE;
        }
        report = StackProof.run(root.launcher(), stack, keys, facts);
      } catch (SshException e) {
        root.err.println("strongroom: --host " + host + ": " + e.getMessage());
        return StrongroomCommand.UNUSABLE;
      }
      Map<String, byte[]> extra = new LinkedHashMap<>();
      Waivers.Applied applied = null;
      if (waiverFile != null) {
        applied = Waivers.apply(report, waiverFile, Instant.now());
        report = applied.report();
        extra.putAll(applied.bundleFiles());
      }
      Path scannerScratch = Files.createTempDirectory(Path.of("/tmp"), "sr-scanners-");
      try {
        extra.putAll(
            scannerReports.collect(
                scannerMode,
                // the scanners examine this machine: only when it is the hardened host target
                hostOn.target().local() && !hostOn.rehearsalRoot() && facts.hardenedVm(),
                scannerScratch));
      } finally {
        try (java.util.stream.Stream<Path> tree = Files.walk(scannerScratch)) {
          tree.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
      Drift drift = null;
      if (earlier != null) {
        drift = Drift.between(earlier.files(), report);
        extra.put(Drift.FILE, drift.toJson());
      }
      Path bundle = root.state().resolve("evidence").resolve("proof-" + report.runId() + ".tar.gz");
      BundleWriter.Written w = BundleWriter.write(report, keys.key("proof-service"), bundle, extra);
      recordLatest(stackFile, w.path());
      // the bundle's digest goes on the audit chain, so the evidence itself is anchored
      ChainRecord.Recorded onChain = null;
      String chainProblem = null;
      if (stack.db().isPresent()) {
        try {
          onChain =
              ChainRecord.withDebianClient()
                  .record(StackProof.target(stack.db().get()), report, w.manifestSha256());
        } catch (BundleException e) {
          chainProblem = e.getMessage();
          root.err.println("strongroom: " + chainProblem);
        }
      } else {
        chainProblem = "the stack has no database: the bundle is not on an audit chain";
      }
      boolean ok =
          report.passed()
              && (drift == null || drift.regressions().isEmpty())
              && chainProblem == null;
      if (root.json) {
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        o.put("passed", ok);
        o.put("runId", report.runId());
        o.put("bundle", w.path().toString());
        o.put("manifestSha256", w.manifestSha256());
        o.put("hostTarget", hostOn.describe());
        ArrayNode scannerFiles = o.putArray("scannerFiles");
        extra.keySet().stream().filter(f -> f.startsWith("scanners/")).forEach(scannerFiles::add);
        ObjectNode chain = o.putObject("auditChain");
        if (onChain != null) {
          chain.put("recorded", true);
          onChain.eventId().ifPresent(id -> chain.put("eventId", id));
        } else {
          chain.put("recorded", false);
          chain.put("problem", chainProblem);
        }
        ObjectNode counts = o.putObject("counts");
        report.counts().forEach((s, n) -> counts.put(s.wireName(), n));
        ArrayNode arr = o.putArray("controls");
        for (CheckResult r : report.results()) {
          arr.addObject()
              .put("id", r.control().id())
              .put("status", r.status().wireName())
              .put("detail", r.detail());
        }
        if (applied != null) {
          ArrayNode ws = o.putArray("waivers");
          for (Waivers.Application a : applied.applications()) {
            ws.addObject()
                .put("control", a.waiver().control())
                .put("effect", a.effect().name().toLowerCase(Locale.ROOT))
                .put("expires", a.waiver().expires().toString())
                .put("approver", a.waiver().approver());
          }
        }
        if (drift != null) {
          o.set("drift", CanonicalJson.parse(drift.toJson()));
          o.put("regressions", drift.regressions().size());
        }
        root.printJson(o);
      } else {
        for (CheckResult r : report.results()) {
          root.out.printf("%-15s %-14s %s%n", r.control().id(), r.status().wireName(), r.detail());
        }
        if (applied != null) {
          for (Waivers.Application a : applied.applications()) {
            root.out.printf(
                "waiver %-15s %-8s until %s by %s%n",
                a.waiver().control(),
                a.effect().name().toLowerCase(Locale.ROOT),
                a.waiver().expires(),
                a.waiver().approver());
          }
        }
        if (drift != null) {
          root.out.println(
              "drift against run "
                  + drift.againstRunId()
                  + " of "
                  + drift.againstFinished()
                  + ": "
                  + drift.changes().size()
                  + " changed, "
                  + drift.regressions().size()
                  + " regressed");
          for (Drift.Change c : drift.changes()) {
            root.out.printf(
                "changed %-15s %s -> %s%s%n",
                c.control(), c.from(), c.to(), c.regression() ? "  REGRESSION" : "");
          }
        }
        StringBuilder sum = new StringBuilder();
        report
            .counts()
            .forEach((s, n) -> sum.append(' ').append(s.wireName()).append('=').append(n));
        if (drift != null) {
          sum.append(" regressions=").append(drift.regressions().size());
        }
        root.out.println((ok ? "PASSED" : "FAILED") + ":" + sum);
        root.out.println("host controls on " + hostOn.describe());
        root.out.println("bundle " + w.path());
        root.out.println("manifest sha256 " + w.manifestSha256());
        List<String> scannerFiles =
            extra.keySet().stream().filter(f -> f.startsWith("scanners/")).toList();
        root.out.println(
            scannerFiles.isEmpty()
                ? "scanner reports: none (--scanners "
                    + scannerMode.name().toLowerCase(Locale.ROOT)
                    + ")"
                : "scanner reports (raw evidence, no claim): " + String.join(" ", scannerFiles));
        root.out.println(
            onChain != null
                ? "on the audit chain as event "
                    + onChain.eventId().stream().mapToObj(Long::toString).findFirst().orElse("?")
                    + " (strongroom_audit.audit_evidence)"
                : "NOT on the audit chain: " + chainProblem);
      }
      return ok ? StrongroomCommand.OK : StrongroomCommand.PROBLEM;
    }

    /**
     * The host target: this machine, or an SSH connection with the provisioner's key to the host
     * key pinned for it (the stack's {@code provisioner/ssh} files unless given).
     */
    private HostTarget openHost(Target target) {
      if (target.local()) {
        return HostTarget.local(hostRoot);
      }
      ProvisionerSsh ssh = new ProvisionerSsh(root.state().resolve("provisioner"));
      Path knownHosts = hostKnownHosts != null ? hostKnownHosts : ssh.knownHosts();
      Path identity = hostIdentity != null ? hostIdentity : ssh.identity();
      return HostTarget.ssh(
          target,
          identity,
          KnownHostsPins.load(knownHosts).pinFor(target),
          hostRoot,
          java.time.Duration.ofSeconds(30));
    }

    private BundleVerifier.Verification verifyEarlier(DevKeys keys) throws IOException {
      List<byte[]> trusted =
          againstKey != null
              ? List.of(
                  Ed25519Pem.rawPublicKey(Files.readString(againstKey, StandardCharsets.US_ASCII)))
              : registered(keys, PROOF_SOURCE);
      BundleVerifier.Verification v = null;
      for (byte[] key : trusted) {
        v = BundleVerifier.verify(against, key);
        if (v.valid()) {
          return v;
        }
      }
      return v;
    }

    /** Exit 1 with why an input was refused; nothing ran and no bundle was written. */
    private int refused(String what, String why, BundleVerifier.Verification v) {
      if (root.json) {
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        o.put("passed", false);
        ObjectNode r = o.putObject("refused");
        r.put("input", what);
        r.put("reason", why);
        if (v != null) {
          ArrayNode arr = r.putArray("problems");
          v.problems().forEach(p -> arr.add(p.toString()));
        }
        root.printJson(o);
      }
      root.err.println("strongroom: " + what + " refused: " + why);
      if (v != null) {
        v.problems().forEach(p -> root.err.println("  " + p));
      }
      return StrongroomCommand.PROBLEM;
    }
  }

  @Command(
      name = "sign-waivers",
      description =
          "Sign a waiver file ({\"version\":1,\"waivers\":[{\"control\",\"reason\","
              + "\"expires\",\"approver\"}]}) with the waiver approver's key, for prove --waivers."
              + " Any signature in IN is replaced.")
  static final class SignWaivers implements Callable<Integer> {
    @ParentCommand StrongroomCommand root;

    @Parameters(index = "0", paramLabel = "IN", description = "The waivers to sign (JSON).")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "Where to write the signed file.")
    Path out;

    @Option(
        names = "--key",
        paramLabel = "PEM",
        description =
            "The approver's Ed25519 private key (PKCS#8 PEM). Default: the stack's"
                + " keys/waiver-approver.key.pem.")
    Path keyPem;

    @Override
    public Integer call() throws IOException {
      if (!Files.isRegularFile(in)) {
        root.err.println("strongroom: no such file: " + in);
        return StrongroomCommand.USAGE;
      }
      List<Waiver> list;
      try {
        list = WaiverFile.parseUnsigned(Files.readAllBytes(in));
      } catch (WaiverException e) {
        root.err.println("strongroom: " + in + ": " + e.getMessage());
        return StrongroomCommand.USAGE;
      }
      Path keyFile =
          keyPem != null
              ? keyPem
              : DevKeys.open(root.state().resolve("keys")).keyFile(DevKeys.WAIVER_APPROVER);
      if (!Files.isRegularFile(keyFile)) {
        throw new StackException(
            "no waiver approver key at "
                + keyFile
                + " (stacks started before sign-waivers existed have none: down and up again),"
                + " or give one with --key PEM");
      }
      SigningKey key = SigningKey.load(keyFile);
      Set<String> known = new TreeSet<>();
      StandardCatalogue.create().checks().forEach(c -> known.add(c.control().id()));
      Instant now = Instant.now();
      for (Waiver wv : list) {
        if (!known.contains(wv.control())) {
          root.err.println(
              "strongroom: warning: "
                  + wv.control()
                  + " is not in catalogue "
                  + StandardCatalogue.VERSION
                  + "; the waiver will be unused");
        }
        if (!wv.activeAt(now)) {
          root.err.println(
              "strongroom: warning: the waiver of " + wv.control() + " expired " + wv.expires());
        }
      }
      byte[] signed = WaiverFile.sign(list, key);
      Path parent = out.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path tmp = Files.createTempFile(parent, ".waivers-", ".tmp");
      Files.write(tmp, signed);
      Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      if (root.json) {
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        o.put("file", out.toAbsolutePath().toString());
        o.put("kid", key.kid());
        o.put("waivers", list.size());
        root.printJson(o);
      } else {
        root.out.println("signed " + list.size() + " waivers by " + key.kid() + " into " + out);
      }
      return StrongroomCommand.OK;
    }
  }

  /** The public keys the stack's key registry binds to {@code source}. */
  static List<byte[]> registered(DevKeys keys, String source) {
    Path registry = keys.registryFile();
    if (!Files.exists(registry)) {
      throw new StackException("no key registry at " + registry + "; run ./strongroom up");
    }
    List<byte[]> out =
        KeyRegistry.load(registry).keys().stream()
            .filter(k -> k.source().equals(source))
            .sorted(Comparator.comparing(RegisteredKey::notBefore).reversed())
            .map(RegisteredKey::publicKey)
            .toList();
    if (out.isEmpty()) {
      throw new StackException("the key registry holds no key for " + source);
    }
    return out;
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
      return registered(DevKeys.open(root.state().resolve("keys")), PROOF_SOURCE).get(0);
    }
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
}
