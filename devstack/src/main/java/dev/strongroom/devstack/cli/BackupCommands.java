package dev.strongroom.devstack.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.audit.note.Ed25519NoteVerifier;
import dev.strongroom.audit.worm.LocalDirWormStore;
import dev.strongroom.backup.AnchoredCheckpoints;
import dev.strongroom.backup.BackupException;
import dev.strongroom.backup.BackupKeys;
import dev.strongroom.backup.BackupWriter;
import dev.strongroom.backup.Backups;
import dev.strongroom.backup.DbTools;
import dev.strongroom.backup.Manifest;
import dev.strongroom.backup.RestoreDrill;
import dev.strongroom.backup.Restorer;
import dev.strongroom.backup.WormBackupStore;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.crypto.kms.InsecureLocalKeyring;
import dev.strongroom.devstack.keys.DevKeys;
import dev.strongroom.devstack.stack.StackDescriptor;
import dev.strongroom.devstack.stack.StackException;
import dev.strongroom.proof.check.CheckResult;
import dev.strongroom.proof.check.Status;
import dev.strongroom.proof.run.DbTarget;
import dev.strongroom.proof.run.HostFacts;
import dev.strongroom.proof.run.ProofContext;
import dev.strongroom.proof.run.ProofReport;
import dev.strongroom.proof.run.ProofRunner;
import dev.strongroom.proof.run.StandardCatalogue;
import dev.strongroom.provisioner.db.Dialect;
import dev.strongroom.provisioner.db.InstanceLayout;
import dev.strongroom.provisioner.db.MariaDbBinaries;
import dev.strongroom.provisioner.db.MariaDbInstance;
import dev.strongroom.provisioner.db.ServerSettings;
import dev.strongroom.provisioner.db.TlsFiles;
import dev.strongroom.provisioner.os.SecureFiles;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code backup}, {@code restore} and {@code restore-drill} against the running stack (issue 16,
 * docs/runbook-backup.md): backups go create-only to the stack's WORM store ({@code worm.*} in
 * stack.json, a local create-only directory {@code <state>/worm} on the embedded stack), encrypted
 * under a fresh key the stack's KMS wraps, signed with the stack's backup signing key.
 */
final class BackupCommands {
  /** The backup signing key (PKCS#8 PEM, 0600) in the stack's key directory. */
  static final String BACKUP_SIGNING_KEY = DevKeys.BACKUP_SIGNING_KEY;

  /** The last drill report (JSON), kept as evidence; {@code prove} adds it to its bundle. */
  static final String DRILL_LATEST = "restore-drill-latest.json";

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private BackupCommands() {}

  /** What every backup command needs from the stack. */
  record Env(
      StackDescriptor stack,
      Path stackFile,
      Path keysDir,
      PkiDirectory pki,
      Path wormDir,
      WormBackupStore store,
      BackupKeys keys) {
    static Env open(StrongroomCommand root, boolean signing) throws IOException {
      Path stackFile = root.launcher().stackFile();
      if (!Files.exists(stackFile)) {
        throw new StackException("the stack is not up (no " + stackFile + "); run ./strongroom up");
      }
      StackDescriptor stack = StackDescriptor.fromJson(Files.readAllBytes(stackFile));
      if (stack.db().isEmpty()) {
        throw new StackException("stack.json has no database");
      }
      Path keysDir = root.state().resolve("keys");
      Path keyring = keysDir.resolve(DevKeys.DEV_KEYRING);
      if (!Files.exists(keyring)) {
        throw new StackException("no KMS keyring at " + keyring + "; run ./strongroom up");
      }
      Path signerFile = keysDir.resolve(BACKUP_SIGNING_KEY);
      if (!Files.exists(signerFile)) {
        if (!signing) {
          throw new StackException(
              "no backup signing key at " + signerFile + ": no backup was ever made here");
        }
        SecureFiles.writeText(signerFile, SigningKey.generate().toPem(), SecureFiles.SECRET);
      }
      SigningKey signer = SigningKey.load(signerFile);
      Path worm = wormLocation(root, stackFile);
      WormBackupStore store = new WormBackupStore(LocalDirWormStore.open(worm));
      BackupKeys keys =
          new BackupKeys(
              InsecureLocalKeyring.load(DevKeys.DEV_KEK_NAME, keyring, new SecureRandom()),
              signing ? Optional.of(signer) : Optional.empty(),
              signer.publicKey());
      PkiDirectory pki =
          PkiDirectory.open(root.state().resolve("pki"), PkiSpec.strongroom(List.of()));
      return new Env(stack, stackFile, keysDir, pki, worm, store, keys);
    }

    ServerSettings settings(Path dir) {
      return ServerSettings.builder(
              Dialect.MARIADB_10_11, new InstanceLayout(dir), TlsFiles.of(pki))
          .port(0)
          .bufferPoolMb(64)
          .redoLogMb(32)
          .build();
    }

    DbTools.Server server() {
      return new DbTools.Server(stack.db().orElseThrow().socket(), System.getProperty("user.name"));
    }
  }

  /**
   * stack.json's {@code worm.location} (kind {@code local-dir}), or {@code <state>/worm}, recorded
   * in stack.json as {@code worm.kind} and {@code worm.location} (every other member kept).
   */
  static Path wormLocation(StrongroomCommand root, Path stackFile) throws IOException {
    ObjectNode json = (ObjectNode) CanonicalJson.parse(Files.readAllBytes(stackFile));
    var w = json.get("worm");
    if (w != null && w.hasNonNull("location")) {
      if (!"local-dir".equals(w.path("kind").asText())) {
        throw new StackException(
            "worm.kind " + w.path("kind").asText() + ": the command writes only to local-dir");
      }
      return Path.of(w.get("location").asText());
    }
    Path dir = root.state().resolve("worm").toAbsolutePath();
    json.putObject("worm").put("kind", "local-dir").put("location", dir.toString());
    byte[] bytes =
        (CanonicalJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n")
            .getBytes(StandardCharsets.UTF_8);
    Path tmp = Files.createTempFile(stackFile.getParent(), ".stack-", ".tmp");
    Files.write(tmp, bytes);
    Files.move(tmp, stackFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return dir;
  }

  static int refused(StrongroomCommand root, BackupException e) {
    if (root.json) {
      ObjectNode o = CanonicalJson.mapper().createObjectNode();
      o.put("ok", false);
      o.put("reason", e.reason().name());
      o.put("part", e.part().orElse(null));
      o.put("detail", e.getMessage());
      root.printJson(o);
    }
    root.err.println(
        "strongroom: "
            + e.reason()
            + e.part().map(p -> " (" + p + ")").orElse("")
            + ": "
            + e.getMessage());
    return e.reason() == BackupException.Reason.TOOL_FAILED
        ? StrongroomCommand.UNUSABLE
        : StrongroomCommand.PROBLEM;
  }

  static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
  }

  @Command(
      name = "backup",
      description =
          "Back up the data, security and audit schemas and the binary logs since the last backup:"
              + " compressed, encrypted under a KMS-wrapped key, signed, create-only to the WORM"
              + " store under backups/.")
  static final class Backup implements Callable<Integer> {
    @ParentCommand StrongroomCommand root;

    @Override
    public Integer call() throws IOException {
      Env env = Env.open(root, true);
      BackupWriter.Result r;
      try {
        r =
            new BackupWriter(
                    DbTools.debian(), Backups.SCHEMAS, Backups.AUDIT_SCHEMA, Clock.systemUTC())
                .backup(env.server(), env.keys(), env.store(), root.state().resolve("backup-work"));
      } catch (BackupException e) {
        return refused(root, e);
      }
      Manifest m = r.manifest();
      long rows = m.tables().values().stream().mapToLong(Long::longValue).sum();
      Path dir = env.wormDir().resolve(r.directory());
      if (root.json) {
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        o.put("ok", true);
        o.put("backupId", m.backupId());
        o.put("directory", dir.toString());
        o.put("bytes", r.storedBytes());
        o.put("seconds", r.took().toMillis() / 1000.0);
        o.put("rows", rows);
        o.put("auditSize", m.auditSize());
        m.auditRoot().ifPresent(x -> o.put("auditRoot", x));
        ArrayNode bl = o.putArray("binlogs");
        m.binlogFiles().forEach(bl::add);
        root.printJson(o);
      } else {
        root.out.printf(
            "backup %s: %d rows in %d tables, audit log size %d, %d binary logs, %d bytes in %s s%n",
            m.backupId(),
            rows,
            m.tables().size(),
            m.auditSize(),
            m.binlogFiles().size(),
            r.storedBytes(),
            seconds(r.took()));
        root.out.println(dir);
      }
      return StrongroomCommand.OK;
    }
  }

  @Command(
      name = "restore",
      description =
          "Restore a backup (default: the newest) into a fresh hardened instance in DIR, never over"
              + " the running one; with --point-in-time, binary logs are replayed up to TS. A"
              + " backup whose manifest, signature or parts do not verify is refused, the part"
              + " named.")
  static final class Restore implements Callable<Integer> {
    @ParentCommand StrongroomCommand root;

    @Option(
        names = "--from",
        paramLabel = "BACKUP_DIR",
        description = "A backup directory (<worm>/backups/<id>). Default: the newest backup.")
    Path from;

    @Option(
        names = "--to",
        paramLabel = "DIR",
        required = true,
        description = "An empty or absent directory for the new instance.")
    Path to;

    @Option(
        names = "--point-in-time",
        paramLabel = "TS",
        description =
            "Replay binary logs up to this UTC instant (RFC 3339, e.g. 2026-12-04T10:00:00Z).")
    String pointInTime;

    @Override
    public Integer call() throws IOException {
      Optional<Instant> at = Optional.empty();
      if (pointInTime != null) {
        try {
          at = Optional.of(Instant.parse(pointInTime));
        } catch (DateTimeParseException e) {
          root.err.println("strongroom restore: --point-in-time is not an RFC 3339 UTC instant");
          return StrongroomCommand.USAGE;
        }
      }
      Env env = Env.open(root, false);
      Optional<String> id = Optional.empty();
      var store = env.store();
      if (from != null) {
        Path dir = from.toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve(Manifest.FILE))
            || dir.getParent() == null
            || !dir.getParent().getFileName().toString().equals("backups")) {
          root.err.println(
              "strongroom restore: --from must name a backup directory <store>/backups/<id>");
          return StrongroomCommand.USAGE;
        }
        id = Optional.of(dir.getFileName().toString());
        store = new WormBackupStore(LocalDirWormStore.open(dir.getParent().getParent()));
      }
      Path target = to.toAbsolutePath().normalize();
      Restorer.Restored r;
      try {
        r =
            new Restorer(DbTools.debian(), MariaDbBinaries.debian())
                .restore(store, env.keys(), new Restorer.Request(id, at), env.settings(target));
      } catch (BackupException e) {
        return refused(root, e);
      }
      MariaDbInstance db = r.instance();
      long rows = r.rows().values().stream().mapToLong(Long::longValue).sum();
      r.close();
      if (root.json) {
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        o.put("ok", true);
        o.put("backupId", r.base().backupId());
        o.put("directory", target.toString());
        o.put("optionFile", db.layout().optionFile().toString());
        o.put("rows", rows);
        ObjectNode t = o.putObject("tables");
        r.rows().forEach(t::put);
        ArrayNode rep = o.putArray("replayedBackups");
        r.replayedBackups().forEach(rep::add);
        at.ifPresent(x -> o.put("pointInTime", x.toString()));
        o.put("seconds", r.took().toMillis() / 1000.0);
        root.printJson(o);
      } else {
        root.out.printf(
            "restored backup %s%s into %s: %d rows in %d tables, in %s s%n",
            r.base().backupId(),
            at.map(x -> " up to " + x + " (binary logs of " + r.replayedBackups() + ")").orElse(""),
            target,
            rows,
            r.rows().size(),
            seconds(r.took()));
        root.out.println(
            "the instance is stopped; start it with: /usr/sbin/mariadbd --defaults-file="
                + db.layout().optionFile()
                + " (its event scheduler is off until you switch it on)");
      }
      return StrongroomCommand.OK;
    }
  }

  @Command(
      name = "restore-drill",
      description =
          "Restore the newest backup into a throwaway instance and prove it: row counts, the audit"
              + " chain from genesis, its root against the manifest and the anchored checkpoint, a"
              + " decrypted sample, the proof plane's database controls. Prints each step's time,"
              + " RTO and RPO; keeps the report under .strongroom/evidence; exit 1 on any miss.")
  static final class Drill implements Callable<Integer> {
    @ParentCommand StrongroomCommand root;

    @Option(names = "--sample", paramLabel = "N", description = "Records to decrypt (default: 20).")
    int sample = 20;

    @Option(
        names = "--skip-controls",
        description = "Leave out the proof plane's database controls on the restored instance.")
    boolean skipControls;

    @Override
    public Integer call() throws IOException {
      if (sample < 0) {
        root.err.println("strongroom restore-drill: --sample must not be negative");
        return StrongroomCommand.USAGE;
      }
      Env env = Env.open(root, false);
      Path scratch = root.state().resolve("drills").resolve("drill-" + STAMP.format(Instant.now()));
      Files.createDirectories(scratch.getParent());
      var auditor = env.pki().client("auditor");
      List<RestoreDrill.ExtraCheck> extra = new ArrayList<>();
      if (!skipControls) {
        extra.add(db -> controls(env, db, scratch.getParent()));
      }
      RestoreDrill.Report report;
      try {
        report =
            new RestoreDrill(
                    new Restorer(DbTools.debian(), MariaDbBinaries.debian()), Clock.systemUTC())
                .run(
                    env.store(),
                    env.keys(),
                    env.settings(scratch),
                    new RestoreDrill.AuditorLogin(
                        env.pki().caCertPem(), auditor.certPem(), auditor.keyPem()),
                    new RestoreDrill.Options(sample, anchors(env), extra),
                    s -> {
                      if (!root.json) {
                        root.out.printf(
                            "%-16s %-15s %7s s  %s%n",
                            s.name(), s.status().wireName(), seconds(s.took()), s.detail());
                      }
                    });
      } finally {
        deleteTree(scratch);
      }
      byte[] json = toJson(report);
      Path evidence = SecureFiles.privateDir(root.state().resolve("evidence"));
      Path kept = evidence.resolve("restore-drill-" + STAMP.format(report.started()) + ".json");
      SecureFiles.write(kept, json, SecureFiles.SECRET);
      SecureFiles.write(evidence.resolve(DRILL_LATEST), json, SecureFiles.SECRET);
      if (root.json) {
        root.out.print(new String(json, StandardCharsets.UTF_8));
      } else {
        root.out.printf(
            "%s: RTO %s s (restore and every check), RPO %s%n",
            report.passed() ? "PASSED" : "FAILED",
            seconds(report.rto()),
            report.rpo().map(d -> seconds(d) + " s (age of the backup's snapshot)").orElse("n/a"));
        root.out.println("report " + kept);
      }
      return report.passed() ? StrongroomCommand.OK : StrongroomCommand.PROBLEM;
    }

    private static Optional<AnchoredCheckpoints> anchors(Env env) throws IOException {
      // up writes audit.verifierKey (DESIGN §7); a stack.json without it (an older stack) has
      // nothing to compare with and the anchor step says so.
      var json = CanonicalJson.parse(Files.readAllBytes(env.stackFile()));
      String vkey = json.path("audit").path("verifierKey").asText("");
      if (vkey.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(
          new AnchoredCheckpoints(
              LocalDirWormStore.open(env.wormDir()), Ed25519NoteVerifier.parse(vkey)));
    }
  }

  /**
   * The proof plane's database controls on the restored instance: every control but the host's; the
   * step passes when none fails.
   */
  static RestoreDrill.Step controls(Env env, MariaDbInstance db, Path work) {
    long t0 = System.nanoTime();
    Path scratch = null;
    try {
      scratch = Files.createTempDirectory(work, "prove-");
      Map<String, DbTarget.CertKey> ids = new LinkedHashMap<>();
      for (String id : PkiSpec.DB_IDENTITIES) {
        var c = env.pki().client(id);
        ids.put(id, new DbTarget.CertKey(c.certPem(), c.keyPem()));
      }
      DbTarget target =
          new DbTarget(
              "127.0.0.1",
              db.port(),
              Optional.of(db.socket()),
              Dialect.MARIADB_10_11.id(),
              "strongroom",
              Optional.of(db.layout().dataDir()),
              env.pki().caCertPem(),
              ids);
      ProofReport report =
          new ProofRunner(StandardCatalogue.create())
              .run(
                  new ProofContext(
                      Optional.of(target),
                      Optional.of(DevKeys.open(env.keysDir()).tenantTokens(Clock.systemUTC())),
                      HostFacts.detect(),
                      scratch,
                      Clock.systemUTC()));
      List<String> failed = new ArrayList<>();
      int passed = 0;
      for (CheckResult r : report.results()) {
        if (r.status() == Status.PASS) {
          passed++;
        } else if (r.status() != Status.NOT_APPLICABLE) {
          failed.add(r.control().id() + " " + r.status().wireName() + ": " + r.detail());
        }
      }
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      return failed.isEmpty()
          ? new RestoreDrill.Step(
              "proof-controls",
              RestoreDrill.Status.PASS,
              passed + " controls pass on the restored instance, none fails",
              took)
          : new RestoreDrill.Step(
              "proof-controls", RestoreDrill.Status.FAIL, String.join("; ", failed), took);
    } catch (IOException | RuntimeException e) {
      return new RestoreDrill.Step(
          "proof-controls",
          RestoreDrill.Status.FAIL,
          "the proof run failed: " + e,
          Duration.ofNanos(System.nanoTime() - t0));
    } finally {
      if (scratch != null) {
        deleteTree(scratch);
      }
    }
  }

  static byte[] toJson(RestoreDrill.Report r) {
    ObjectNode o = CanonicalJson.mapper().createObjectNode();
    o.put("passed", r.passed());
    r.backupId().ifPresent(x -> o.put("backupId", x));
    r.snapshotAt().ifPresent(x -> o.put("snapshotAt", x.toString()));
    o.put("started", r.started().toString());
    o.put("rtoSeconds", r.rto().toMillis() / 1000.0);
    r.rpo().ifPresent(x -> o.put("rpoSeconds", x.toMillis() / 1000.0));
    ArrayNode steps = o.putArray("steps");
    for (RestoreDrill.Step s : r.steps()) {
      steps
          .addObject()
          .put("name", s.name())
          .put("status", s.status().wireName())
          .put("seconds", s.took().toMillis() / 1000.0)
          .put("detail", s.detail());
    }
    return (CanonicalJson.canonicalString(o) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort: a scratch directory under the state directory
    }
  }
}
