package dev.strongroom.proof.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.proof.bundle.BundleFiles;
import dev.strongroom.proof.bundle.BundleVerifier;
import dev.strongroom.proof.check.Status;
import dev.strongroom.provisioner.db.TestInstances;
import dev.strongroom.provisioner.host.HostBundle;
import dev.strongroom.provisioner.host.HostBundleRenderer;
import dev.strongroom.provisioner.host.HostOptions;
import dev.strongroom.provisioner.host.plan.CertificatePlan;
import dev.strongroom.provisioner.host.plan.HostDatabaseServer;
import dev.strongroom.provisioner.host.plan.HostPlan;
import dev.strongroom.provisioner.host.plan.SshShell;
import dev.strongroom.provisioner.host.plan.StepResult;
import dev.strongroom.provisioner.host.plan.StepStatus;
import dev.strongroom.provisioner.host.plan.Target;
import dev.strongroom.provisioner.host.plan.TestSshd;
import dev.strongroom.provisioner.os.LoopbackPorts;
import dev.strongroom.provisioner.os.Processes;
import dev.strongroom.provisioner.pki.PkiDirectory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The database a provisioned host runs passes the proof plane's database controls (issue 15: "the
 * proof plane's host checks pass on that target"). The host plan is applied over SSH (a real
 * OpenSSH server, {@link TestSshd}) into a throwaway root with the host's certificates; the real
 * server is started from the bundle's unit ({@link HostDatabaseServer}); the next apply installs
 * the accounts, the proc-only schema, the audit chain and the tenant-token keys ({@code db
 * schema}). Then the database controls run as the proof-service on that host is configured — TCP
 * {@code 127.0.0.1:<dbPort>} with the installed CA and the installed identities' certificates and
 * keys, the installer's socket, the data directory, the tenant-token key file {@code db schema}
 * generated — in a process of its own ({@link DatabaseProofProcess}) that runs where the host's
 * paths resolve into the root, as the server's do: the server's variables name host paths, and
 * SR-DB-FILE-01 and SR-DB-OS-01 read the files and the process they name. The signed bundle it
 * writes must verify, and every control's outcome is asserted.
 */
class ProvisionedHostDatabaseIT {
  private static final Duration T = Duration.ofSeconds(30);

  @Test
  void provisionedHostsDatabase_passesTheDatabaseControls_andOpenedKeyFilesFailFile01()
      throws Exception {
    long t0 = System.nanoTime();
    Path base = TestInstances.tempBase("sr-hostdb-");
    try (TestSshd sshd = new TestSshd(base)) {
      TestSshd.keygen(base, "client");
      sshd.authorize(base.resolve("client.pub"));
      int sshPort = sshd.startKeyOnly();
      Path root = Files.createDirectories(base.resolve("root"));
      // an image root: /etc and /var/lib as every system has them (the database user must pass)
      for (String d : List.of("etc", "var", "var/lib")) {
        Files.createDirectories(root.resolve(d));
        Files.setPosixFilePermissions(
            root.resolve(d), PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      HostOptions options = HostOptions.builder().dbPort(LoopbackPorts.free()).build();
      HostBundle bundle = HostBundleRenderer.render(options);
      PkiDirectory pki =
          PkiDirectory.open(base.resolve("provisioner-pki"), CertificatePlan.spec("127.0.0.1"));
      HostPlan plan = new HostPlan(bundle, root, pki);
      try (SshShell sh =
          SshShell.connect(
              Target.parse("ssh://root@127.0.0.1:" + sshPort),
              base.resolve("client"),
              SshShell.publicKey(Files.readString(sshd.hostPublicKey())),
              T)) {
        long t1 = System.nanoTime();
        assertEquals(StepStatus.SKIPPED, step(plan.apply(sh), "db schema").status());
        long applyMs = ms(t1);
        try (HostDatabaseServer server =
            HostDatabaseServer.start(bundle, root, base.resolve("mariadbd.out"))) {
          t1 = System.nanoTime();
          assertEquals(
              List.of("reload tls CHANGED", "db schema CHANGED"),
              plan.apply(sh).stream()
                  .filter(r -> r.status() != StepStatus.UNCHANGED)
                  .map(r -> r.id() + " " + r.status())
                  .toList());
          long schemaMs = ms(t1);

          t1 = System.nanoTime();
          Map<String, Result> r = prove(base, root, options, List.of());
          long proveMs = ms(t1);
          String table =
              r.entrySet().stream()
                  .map(e -> e.getKey() + " " + e.getValue())
                  .collect(Collectors.joining("\n"));
          // every database control, each passing — but one: the chain against its anchors needs
          // the audit plane's WORM store and log key (strongroom.proof.audit-log.*), which a host
          // with only its database has not (the audit-anchor-service writes them; ProveCommandIT
          // and StackCommandIT run the control where they are)
          Map<String, Status> expected = new TreeMap<>();
          DatabaseControls.all().forEach(c -> expected.put(c.control().id(), Status.PASS));
          expected.put("SR-DB-AUD-04", Status.NOT_APPLICABLE);
          Map<String, Status> seen = new TreeMap<>();
          r.forEach((id, x) -> seen.put(id, x.status()));
          assertEquals(expected, seen, table);
          assertEquals(
              "the target names no anchored audit log (a WORM store and the log's verifier key:"
                  + " stack.json worm.* and audit.verifierKey), so there are no anchors to verify"
                  + " the chain against",
              r.get("SR-DB-AUD-04").detail());
          // what differs from the devstack's instance, and why each still passes: the server runs
          // as the unit's user (the devstack's as root: not-applicable there) ...
          String uid = numericId(root.resolve("etc/passwd"), "strongroom-db");
          assertEquals(
              "mariadbd (pid "
                  + server.process().pid()
                  + ") runs as strongroom-db (uid "
                  + uid
                  + ")",
              r.get("SR-DB-OS-01").detail());
          // ... its files are its own, and the at-rest keys (directory, keys.enc, filekey) root's
          // and read-only to its group, which holds no other account
          assertTrue(
              r.get("SR-DB-FILE-01")
                  .detail()
                  .matches(
                      "\\d+ paths owned by strongroom-db \\(the at-rest keys' 3 root's, read-only to"
                          + " its own group strongroom-db alone\\), none open to other accounts"),
              table);
          // ... root has only its socket account at localhost, so a TCP login as root is refused
          // as an unknown account (1045; the control takes MariaDB's 1698 as well)
          assertEquals(
              "refused: ERROR 1045 (28000): Access denied for user 'root'@'127.0.0.1' (using"
                  + " password: NO)",
              r.get("SR-DB-MTLS-04").detail());
          // ... and the install left no administrator's privilege beyond the installer, the
          // identities' grants exactly, and the tenant-token keys the step generated verify
          assertEquals(
              "only 'root'@'localhost' (the installer) holds them",
              r.get("SR-DB-PRIV-08").detail());
          assertEquals(
              "exactly the 5 documented grants, REQUIRE SUBJECT … ISSUER …",
              r.get("SR-DB-PRIV-09").detail());
          assertEquals(
              "SR-CROSS-TENANT: record belongs to another tenant", r.get("SR-DB-TEN-03").detail());
          assertEquals(
              "TLSv1.3 TLS_AES_256_GCM_SHA384, server certificate verified",
              r.get("SR-DB-TLS-03").detail());

          // the key files opened: the group may write keys.enc, and another account joins the
          // server's group — both are open again
          Path keyring = root.resolve("var/lib/strongroom/db/keyring");
          Files.setPosixFilePermissions(
              keyring.resolve("keys.enc"), PosixFilePermissions.fromString("rw-rw----"));
          Path group = root.resolve("etc/group");
          String gid = numericId(group, "strongroom-db");
          String groups = Files.readString(group);
          String joined =
              groups.replace(
                  "strongroom-db:x:" + gid + ":\n", "strongroom-db:x:" + gid + ":strongroom\n");
          assertTrue(!joined.equals(groups), groups);
          Files.writeString(group, joined);
          t1 = System.nanoTime();
          Result opened = prove(base, root, options, List.of("SR-DB-FILE-01")).get("SR-DB-FILE-01");
          long reproveMs = ms(t1);
          String also = ": the server's group strongroom-db also holds [strongroom]";
          assertEquals(
              new Result(
                  Status.FAIL,
                  "open to another account (owner must be strongroom-db, no bits for others, key"
                      + " files none for the group unless root's and read-only to the server's own"
                      + " group, which no other account is in): [/var/lib/strongroom/db/keyring"
                      + " rwxr-x--- uid 0 gid "
                      + gid
                      + also
                      + ", /var/lib/strongroom/db/keyring/keys.enc rw-rw---- uid 0 gid "
                      + gid
                      + ": the group may write, /var/lib/strongroom/db/keyring/filekey rw-r-----"
                      + " uid 0 gid "
                      + gid
                      + also
                      + "]"),
              opened);
          System.out.println(
              "[ProvisionedHostDatabaseIT] SR-DB-FILE-01: " + r.get("SR-DB-FILE-01"));
          System.out.printf(
              "[ProvisionedHostDatabaseIT] first apply %d ms, server ready %d ms, db schema %d ms,"
                  + " %d database controls %d ms (%s), SR-DB-FILE-01 alone %d ms, total %d ms%n",
              applyMs, server.readyMs(), schemaMs, r.size(), proveMs, counts(r), reproveMs, ms(t0));
        }
      }
    } finally {
      TestInstances.deleteTree(base);
    }
  }

  /** One control's outcome as the bundle's {@code results.json} records it. */
  record Result(Status status, String detail) {
    @Override
    public String toString() {
      return status + " " + detail;
    }
  }

  /**
   * Runs {@link DatabaseProofProcess} at the host's paths under {@code root} with the host's
   * configuration, and reads the results from the bundle it signed (verified first).
   */
  private static Map<String, Result> prove(
      Path base, Path root, HostOptions options, List<String> only) throws Exception {
    SigningKey key = SigningKey.generate();
    Path keyFile = base.resolve("bundle-key.pem");
    Files.writeString(keyFile, key.toPem());
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
    Path bundle =
        base.resolve("proof-" + (only.isEmpty() ? "all" : String.join("-", only)) + ".tar.gz");
    Path pki = options.configDir().resolve("pki");
    List<String> java = new ArrayList<>();
    java.add("-Xmx256m");
    java.add("-XX:+UseSerialGC");
    java.add("-XX:TieredStopAtLevel=1");
    java.add("-cp");
    java.add(System.getProperty("java.class.path"));
    java.add(DatabaseProofProcess.class.getName());
    java.addAll(
        DatabaseProofProcess.arguments(
            options.dbPort(),
            options.dbLayout().socket(),
            options.dbLayout().dataDir(),
            options.dbTlsFiles().ca(),
            pki.resolve("clients"),
            options.tenantTokenKeyFile(),
            keyFile,
            bundle,
            only));
    // a Java argument file: the class path is long, and the command goes through a shell
    Path argFile = base.resolve("prove.args");
    Files.write(argFile, java.stream().map(a -> "\"" + a + "\"").toList(), StandardCharsets.UTF_8);
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Processes.Result run =
        Processes.run(
            List.of(
                "sh",
                "-c",
                HostDatabaseServer.atHostPaths(root, options.stateDir(), javaBin + " @" + argFile)),
            null,
            Duration.ofMinutes(2));
    assertEquals(0, run.exitCode(), run.output());
    BundleVerifier.Verification v = BundleVerifier.verify(bundle, key.publicKey());
    assertEquals(List.of(), v.problems());
    JsonNode results = CanonicalJson.parse(v.files().get(BundleFiles.RESULTS));
    Map<String, Result> out = new TreeMap<>();
    for (JsonNode c : results.path("controls")) {
      out.put(
          c.path("id").asText(),
          new Result(Status.fromWireName(c.path("status").asText()), c.path("detail").asText()));
    }
    return out;
  }

  private static Map<Status, Long> counts(Map<String, Result> r) {
    return r.values().stream()
        .collect(Collectors.groupingBy(Result::status, TreeMap::new, Collectors.counting()));
  }

  private static StepResult step(List<StepResult> results, String id) {
    return results.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
  }

  private static long ms(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }

  private static String numericId(Path file, String name) throws java.io.IOException {
    return Files.readAllLines(file).stream()
        .map(l -> l.split(":"))
        .filter(f -> f[0].equals(name))
        .findFirst()
        .orElseThrow()[2];
  }
}
