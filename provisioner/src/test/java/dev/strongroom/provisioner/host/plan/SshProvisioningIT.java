package dev.strongroom.provisioner.host.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.token.TenantTokenKeys;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.provisioner.atrest.FileKeyManagementKeyring;
import dev.strongroom.provisioner.db.ClientConnection;
import dev.strongroom.provisioner.db.MariaDbBinaries;
import dev.strongroom.provisioner.db.MariaDbClient;
import dev.strongroom.provisioner.db.TestInstances;
import dev.strongroom.provisioner.host.HostBundle;
import dev.strongroom.provisioner.host.HostBundleRenderer;
import dev.strongroom.provisioner.host.HostOptions;
import dev.strongroom.provisioner.os.LoopbackPorts;
import dev.strongroom.provisioner.pki.PkiDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Provisioning over SSH against a real OpenSSH server (Debian {@code openssh-server}) that this
 * test starts on a free loopback port with its own host key and configuration ({@code
 * /usr/sbin/sshd -D -f}; the machine's ssh service is never started), applying into a throwaway
 * root under a temp directory. It stops the server after each test.
 */
class SshProvisioningIT {
  private static final Duration T = Duration.ofSeconds(30);
  private Path base;
  private TestSshd sshd;

  @BeforeEach
  void setUp() throws IOException {
    base = TestInstances.tempBase("sr-ssh-");
    sshd = new TestSshd(base);
    TestSshd.keygen(base, "client");
    TestSshd.keygen(base, "stranger");
    sshd.authorize(base.resolve("client.pub"));
  }

  @AfterEach
  void tearDown() throws Exception {
    sshd.close();
    TestInstances.deleteTree(base);
  }

  private PublicKey pub(String name) throws IOException {
    return SshShell.publicKey(Files.readString(base.resolve(name + ".pub")));
  }

  private int sshd(String... extra) throws Exception {
    return sshd.start(extra);
  }

  private int keyOnlySshd() throws Exception {
    return sshd.startKeyOnly();
  }

  private SshShell connect(int port, String identity, String pinned) throws IOException {
    return SshShell.connect(
        Target.parse("ssh://root@127.0.0.1:" + port), base.resolve(identity), pub(pinned), T);
  }

  @Test
  void apply_thenReapply_changesNothingAndSaysSo() throws Exception {
    int port = keyOnlySshd();
    Path root = base.resolve("root");
    Files.createDirectories(root);
    // an image root with the firewall's package installed (its unit file), not fail2ban's
    Path units = Files.createDirectories(root.resolve("usr/lib/systemd/system"));
    Files.copy(
        Path.of("/usr/lib/systemd/system/nftables.service"), units.resolve("nftables.service"));
    HostBundle bundle = HostBundleRenderer.render(HostOptions.builder().build());
    HostPlan plan = new HostPlan(bundle, root);
    try (SshShell sh = connect(port, "client", "host")) {
      List<StepResult> planned = plan.plan(sh);
      assertEquals(
          bundle.files().size() + 6,
          planned.size()); // users, ownership, db keyring, db datadir, manifest, activate
      assertTrue(
          planned.stream()
              .limit(planned.size() - 1)
              .allMatch(r -> r.status() == StepStatus.WOULD_CHANGE),
          planned.toString());
      assertTrue(Files.notExists(root.resolve("etc/nftables.conf")), "a plan changes nothing");

      long t0 = System.nanoTime();
      List<StepResult> first = plan.apply(sh);
      long applyMs = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(first.stream().allMatch(r -> r.status() == StepStatus.CHANGED), first.toString());
      StepResult activate = first.get(first.size() - 1);
      assertEquals(
          new StepResult(
              "activate",
              StepStatus.CHANGED,
              "enable strongroom.target, strongroom-verify-audit.timer, nftables.service under "
                  + root
                  + " (fail2ban.service: no unit under the root, package not installed)"),
          activate);
      // enabled as the root's systemd reads it at boot: the [Install] symlinks, and is-enabled
      for (String link :
          List.of(
              "multi-user.target.wants/strongroom.target",
              "timers.target.wants/strongroom-verify-audit.timer",
              "sysinit.target.wants/nftables.service")) {
        Path l = root.resolve("etc/systemd/system/" + link);
        assertTrue(Files.isSymbolicLink(l), l.toString());
      }
      // no proof timer: the devstack's prove has no state on a host, the host controls need root
      try (var timers = Files.list(root.resolve("etc/systemd/system/timers.target.wants"))) {
        assertEquals(
            List.of("strongroom-verify-audit.timer"),
            timers.map(t -> t.getFileName().toString()).toList());
      }
      HostShell.Result enabled =
          sh.exec(
              "systemctl --root="
                  + root
                  + " is-enabled strongroom.target strongroom-verify-audit.timer"
                  + " nftables.service",
              null);
      assertEquals("enabled\nenabled\nenabled\n", enabled.stdout(), enabled.stderr());
      assertEquals(
          bundle.require("nftables/nftables.conf").content(),
          Files.readString(root.resolve("etc/nftables.conf")));
      assertEquals(
          "rwx------",
          PosixFilePermissions.toString(
              Files.getPosixFilePermissions(
                  root.resolve("etc/strongroom/firewall/ufw-commands.sh"))));
      assertTrue(Files.readString(root.resolve("etc/passwd")).contains("strongroom-db:"));
      assertEquals(
          "rwx------",
          PosixFilePermissions.toString(
              Files.getPosixFilePermissions(root.resolve("var/lib/strongroom/db/data"))));

      t0 = System.nanoTime();
      List<StepResult> second = plan.apply(sh);
      long reapplyMs = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(
          second.stream().allMatch(r -> r.status() == StepStatus.UNCHANGED), second.toString());
      System.out.printf(
          "ssh plan of %d steps: first apply %d ms, re-apply (no change) %d ms%n",
          second.size(), applyMs, reapplyMs);
    }
  }

  /**
   * The installed schema as the host's tenant authority and an attacker meet it: the generated key
   * file (0640 root:strongroom, one issuing key) verifies in the database for app_user over TLS, a
   * token of another key is refused by the database; a routine added behind the installer's back
   * fails the step for plan and apply (nothing re-installed over it) until it is gone; a rotated
   * key file is synchronised alone, both keys then verify; a broken key file fails the step naming
   * it.
   */
  private void schemaAttacks(
      SshShell sh,
      HostPlan plan,
      Path root,
      MariaDbClient client,
      ClientConnection installer,
      ClientConnection appUser,
      Path etcPki)
      throws Exception {
    Path keyFile = root.resolve("etc/strongroom/keys/tenant-token.key");
    assertEquals(
        "rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
    assertEquals(0, Files.getAttribute(keyFile, "unix:uid"));
    assertEquals(
        Integer.parseInt(numericId(root.resolve("etc/group"), "strongroom")),
        Files.getAttribute(keyFile, "unix:gid"));
    TenantTokenKeys keys = TenantTokenKeys.parse(Files.readString(keyFile));
    assertEquals(1, keys.keys().size());
    String thumb =
        TenantTokens.thumbprint(
            java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(
                    new java.io.ByteArrayInputStream(
                        Files.readAllBytes(etcPki.resolve("clients/app_user.pem")))));
    String token =
        new TenantTokens(keys, java.time.Clock.systemUTC())
            .issue("tenant-h", "op", Duration.ofMinutes(5), thumb);
    String bound =
        client
            .require(
                appUser,
                "CALL strongroom.security_set_tenant('"
                    + token
                    + "'); CALL strongroom.security_current_tenant()")
            .stdout();
    assertTrue(bound.lines().anyMatch(l -> l.startsWith("tenant-h\top\t")), bound);
    TenantTokenKeys stranger = TenantTokenKeys.generate();
    String forged =
        new TenantTokens(stranger, java.time.Clock.systemUTC())
            .issue("tenant-h", "op", Duration.ofMinutes(5), thumb);
    assertTrue(
        client
            .execute(appUser, "CALL strongroom.security_set_tenant('" + forged + "')")
            .stderr()
            .contains("SR-TOKEN-SIGNATURE: token MAC does not verify"),
        "a token of a key the host does not hold is refused by the database");

    // drift: a routine added as root behind the installer's back — in the API's schema, which the
    // audit baseline does not cover (the marker's digest does), then in the audit schema
    client.require(
        installer, "CREATE PROCEDURE strongroom.backdoor() SQL SECURITY DEFINER SELECT 1");
    String marker = root + "/var/lib/strongroom/db/schema-installed";
    String refusal =
        "the schema changed after its install: the routines, views and triggers of strongroom,"
            + " strongroom_security, strongroom_audit are not those the install left (SHA-256 of"
            + " their definitions). The plan does not re-install over a change nobody explained"
            + " (an install replaces the routines and takes a new baseline, erasing the evidence):"
            + " investigate it; to re-install deliberately, remove "
            + marker
            + " and apply again";
    PlanFailedException planned = assertThrows(PlanFailedException.class, () -> plan.plan(sh));
    assertEquals("db schema", planned.stepId());
    assertEquals(refusal, planned.detail());
    PlanFailedException applied = assertThrows(PlanFailedException.class, () -> plan.apply(sh));
    assertEquals(refusal, applied.detail());
    assertEquals(
        "1",
        client
            .require(
                installer,
                "SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_NAME = 'backdoor'")
            .scalar(),
        "nothing re-installed over the change");
    client.require(installer, "DROP PROCEDURE strongroom.backdoor");
    assertTrue(plan.plan(sh).stream().allMatch(r -> r.status() == StepStatus.UNCHANGED));
    client.require(
        installer, "CREATE PROCEDURE strongroom_audit.backdoor() SQL SECURITY DEFINER SELECT 1");
    assertTrue(
        assertThrows(PlanFailedException.class, () -> plan.apply(sh))
            .detail()
            .startsWith(
                "the schema changed after its install: 1 difference(s) from the audit baseline,"
                    + " which the audit plane reports as SCHEMA_DRIFT (first: unexpected routine"
                    + " strongroom_audit.backdoor); the routines, views and triggers of"));
    client.require(installer, "DROP PROCEDURE strongroom_audit.backdoor");
    assertTrue(plan.plan(sh).stream().allMatch(r -> r.status() == StepStatus.UNCHANGED));

    // the authority rotates its key: the file gets a second key; only the keys are synchronised
    TenantTokenKeys rotated = keys.rotate(TenantTokens.generateKey(), java.time.Instant.now());
    Files.writeString(keyFile, rotated.toJson());
    List<StepResult> planned2 = plan.plan(sh);
    assertTrue(
        step(planned2, "db schema").detail().startsWith("the database's tenant-token keys ("),
        planned2.toString());
    assertEquals(
        List.of("db schema"),
        plan.apply(sh).stream()
            .filter(r -> r.status() != StepStatus.UNCHANGED)
            .map(StepResult::id)
            .toList());
    assertEquals(
        "2",
        client.require(installer, "SELECT COUNT(*) FROM strongroom_security.token_keys").scalar());
    String newToken =
        new TenantTokens(rotated, java.time.Clock.systemUTC())
            .issue("tenant-h", "op", Duration.ofMinutes(5), thumb);
    for (String t : List.of(token, newToken)) {
      assertTrue(
          client.execute(appUser, "CALL strongroom.security_set_tenant('" + t + "')").ok(),
          "both keys verify during the rotation");
    }
    assertTrue(plan.apply(sh).stream().allMatch(r -> r.status() == StepStatus.UNCHANGED));

    // a stray account (anyone's name) is dropped by the server's own quoting; the re-install
    // changes nothing else
    client.require(installer, "CREATE USER 'x''; DROP DATABASE strongroom; --'@'%'");
    assertEquals(
        // the client's batch output escapes the backslash QUOTE() wrote
        "stray accounts: 'x\\\\'; DROP DATABASE strongroom; --'@'%'",
        step(plan.plan(sh), "db schema").detail());
    plan.apply(sh);
    assertEquals(
        "0",
        client.require(installer, "SELECT COUNT(*) FROM mysql.user WHERE Host = '%'").scalar());
    assertTrue(plan.apply(sh).stream().allMatch(r -> r.status() == StepStatus.UNCHANGED));

    // the key file lost while the database holds keys: refused, never a new key over them
    Path markerFile = Path.of(marker);
    Files.move(keyFile, base.resolve("key.bak"));
    PlanFailedException lost = assertThrows(PlanFailedException.class, () -> plan.apply(sh));
    assertTrue(
        lost.detail()
            .startsWith("no tenant-token key file " + keyFile + ", but the database holds keys ("),
        lost.detail());
    assertTrue(Files.notExists(keyFile), "no key generated");
    Files.move(base.resolve("key.bak"), keyFile);

    // an install that stopped half way (its audit views not yet made) is recognised and re-run
    String expected = Files.readAllLines(markerFile).get(0);
    Files.writeString(Path.of(marker + ".installing"), expected + "\n");
    client.require(installer, "DROP VIEW strongroom_audit.audit_schema_drift");
    assertEquals(
        "an install of this provisioner's script stopped half way: run it again in full",
        step(plan.plan(sh), "db schema").detail());
    plan.apply(sh);
    assertTrue(Files.notExists(Path.of(marker + ".installing")));
    assertTrue(plan.apply(sh).stream().allMatch(r -> r.status() == StepStatus.UNCHANGED));

    // a schema dropped after its install: refused, never a fresh install over the evidence
    client.require(installer, "DROP DATABASE strongroom_audit");
    PlanFailedException dropped = assertThrows(PlanFailedException.class, () -> plan.apply(sh));
    assertTrue(
        dropped
            .detail()
            .startsWith(
                "the schema changed after its install: the marker records an install, but only"
                    + " strongroom, strongroom_security exists."),
        dropped.detail());
    assertEquals(
        "0",
        client
            .require(
                installer,
                "SELECT COUNT(*) FROM information_schema.SCHEMATA"
                    + " WHERE SCHEMA_NAME = 'strongroom_audit'")
            .scalar());

    // a key file that is not one
    Files.writeString(keyFile, "{\"v\":2}");
    PlanFailedException broken = assertThrows(PlanFailedException.class, () -> plan.plan(sh));
    assertEquals(
        "the tenant-token key file "
            + keyFile
            + " is not a key file (docs/tenant-tokens.md): a tenant-token key file is {v:1,"
            + " audience, issuing, keys:[…]}",
        broken.detail());
    // an emptied key file is broken, not missing: no new key is generated over it
    Files.writeString(keyFile, "");
    assertTrue(
        assertThrows(PlanFailedException.class, () -> plan.apply(sh))
            .detail()
            .startsWith("the tenant-token key file " + keyFile + " is not a key file"));
    assertEquals("", Files.readString(keyFile));
    Files.writeString(keyFile, rotated.toJson());
  }

  private static StepResult step(List<StepResult> results, String id) {
    return results.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
  }

  private static String numericId(Path file, String name) throws IOException {
    return Files.readAllLines(file).stream()
        .map(l -> l.split(":"))
        .filter(f -> f[0].equals(name))
        .findFirst()
        .orElseThrow()[2];
  }

  /**
   * The database as the host plan leaves it: the option file, the at-rest keyring generated on the
   * target and the initialised data directory; with the certificates installed by the certificate
   * plan, the real server starts from exactly the unit's {@code ExecStart}, as the unit's user, at
   * the host's paths (in a private mount namespace where they resolve into the throwaway root),
   * with encryption at rest on, and app_user logs in over TLS 1.3 with its client certificate.
   */
  @Test
  void apply_installsADatabase_thatStartsFromTheUnit_encrypted_andServesTls() throws Exception {
    int port = keyOnlySshd();
    Path root = Files.createDirectories(base.resolve("root"));
    // an image root: /etc and /var/lib as every system has them (the database user must pass)
    for (String d : List.of("etc", "var", "var/lib")) {
      Files.createDirectories(root.resolve(d));
      Files.setPosixFilePermissions(root.resolve(d), PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    int dbPort = LoopbackPorts.free();
    HostOptions options = HostOptions.builder().dbPort(dbPort).build();
    HostBundle bundle = HostBundleRenderer.render(options);
    PkiDirectory pki =
        PkiDirectory.open(base.resolve("provisioner-pki"), CertificatePlan.spec("127.0.0.1"));
    HostPlan plan = new HostPlan(bundle, root, pki);
    Path keyring = root.resolve("var/lib/strongroom/db/keyring");
    HostDatabaseServer server = null;
    try (SshShell sh = connect(port, "client", "host")) {
      List<StepResult> planned = plan.plan(sh);
      assertEquals(
          "missing: generate keys.enc and filekey on the target",
          step(planned, "db keyring").detail());
      assertEquals(
          "no system schema in /var/lib/strongroom/db/data: initialise it",
          step(planned, "db datadir").detail());
      long t0 = System.nanoTime();
      List<StepResult> first = plan.apply(sh);
      long applyMs = (System.nanoTime() - t0) / 1_000_000;
      // every step but the TLS reload and the schema: no server runs yet
      assertEquals(
          List.of("reload tls", "db schema"),
          first.stream().filter(r -> r.status() != StepStatus.CHANGED).map(StepResult::id).toList(),
          first.toString());
      assertEquals(StepStatus.SKIPPED, step(first, "reload tls").status());
      assertEquals(
          "no database server at "
              + root
              + "/var/lib/strongroom/db/run/mysqld.sock: start it (systemctl start"
              + " strongroom-db.service), then apply again to install the schema",
          step(first, "db schema").detail());
      List<String> ids = first.stream().map(StepResult::id).toList();
      assertEquals(
          List.of("users", "file /etc/strongroom/db/my.cnf", "ownership", "pki"),
          ids.subList(ids.indexOf("users"), ids.indexOf("pki") + 1));
      assertEquals(
          List.of(
              "file /etc/strongroom/pki/ca/crl.pem",
              "reload tls",
              "db keyring",
              "db datadir",
              "db schema",
              "file /etc/strongroom/host/MANIFEST.tsv",
              "activate"),
          ids.subList(ids.indexOf("reload tls") - 1, ids.size()));
      List<StepResult> again = plan.apply(sh);
      assertEquals(
          List.of("reload tls", "db schema"),
          again.stream()
              .filter(r -> r.status() != StepStatus.UNCHANGED)
              .map(StepResult::id)
              .toList(),
          again.toString());

      // the keyring: both files root:<dbUser> 0640, decrypting (read here, in the test) to keys 1,
      // 2
      String dbGid = numericId(root.resolve("etc/group"), "strongroom-db");
      for (String f : List.of("keys.enc", "filekey", "../../../../../etc/strongroom/db/my.cnf")) {
        Path p = keyring.resolve(f).normalize();
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
        assertEquals(0, Files.getAttribute(p, "unix:uid"), p.toString());
        assertEquals(Integer.parseInt(dbGid), Files.getAttribute(p, "unix:gid"), p.toString());
      }
      assertEquals(java.util.Set.of(1, 2), FileKeyManagementKeyring.at(keyring).keys().keySet());
      assertTrue(Files.isDirectory(root.resolve("var/lib/strongroom/db/data/mysql")));

      // the server, started exactly as the unit starts it
      String unit = bundle.require("systemd/strongroom-db.service").content();
      assertEquals(
          "/usr/sbin/mariadbd --defaults-file=/etc/strongroom/db/my.cnf",
          HostDatabaseServer.unitLine(unit, "ExecStart"));
      server = HostDatabaseServer.start(bundle, root, base.resolve("mariadbd.out"));
      Path socket = server.socket();
      assertEquals(root.resolve("var/lib/strongroom/db/run/mysqld.sock"), socket);
      MariaDbClient client = new MariaDbClient(MariaDbBinaries.debian().client());
      ClientConnection installer = ClientConnection.socket(socket, "root");
      long startMs = server.readyMs();
      String uid =
          Files.readAllLines(Path.of("/proc/" + server.process().pid() + "/status")).stream()
              .filter(l -> l.startsWith("Uid:"))
              .findFirst()
              .orElseThrow()
              .split("\\s+")[1];
      assertEquals(numericId(root.resolve("etc/passwd"), "strongroom-db"), uid);

      assertEquals(
          List.of(
              List.of("innodb_encrypt_log", "ON"),
              List.of("innodb_encrypt_tables", "FORCE"),
              List.of("innodb_encrypt_temporary_tables", "ON"),
              List.of("innodb_encryption_rotate_key_age", "1"),
              List.of("innodb_encryption_rotation_iops", "100"),
              List.of("innodb_encryption_threads", "2")),
          client.require(installer, "SHOW VARIABLES LIKE 'innodb_encrypt%'").rows());
      client.require(
          installer,
          "CREATE DATABASE probe; CREATE TABLE probe.t (id INT PRIMARY KEY) ENGINE=InnoDB");
      assertEquals(
          "1",
          client
              .require(
                  installer,
                  "SELECT ENCRYPTION_SCHEME FROM information_schema.INNODB_TABLESPACES_ENCRYPTION"
                      + " WHERE NAME = 'probe/t'")
              .scalar());
      // with the server running, the next apply reloads its TLS once (no reload recorded yet for
      // this CRL) and installs the accounts, the schema, the audit chain and a new tenant-token
      // key file; then nothing
      assertEquals(
          "not installed: the accounts, the proc-only schema and the audit chain; no tenant-token"
              + " key file "
              + root
              + "/etc/strongroom/keys/tenant-token.key: generate one",
          step(plan.plan(sh), "db schema").detail());
      t0 = System.nanoTime();
      List<StepResult> withServer = plan.apply(sh);
      long schemaMs = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(
          List.of("reload tls", "db schema"),
          withServer.stream()
              .filter(r -> r.status() != StepStatus.UNCHANGED)
              .map(StepResult::id)
              .toList(),
          withServer.toString());
      assertEquals(StepStatus.CHANGED, step(withServer, "reload tls").status());
      assertEquals(StepStatus.CHANGED, step(withServer, "db schema").status());
      assertTrue(
          plan.apply(sh).stream().allMatch(r -> r.status() == StepStatus.UNCHANGED),
          "a second apply with the server running changes nothing");
      Path etcPki = root.resolve("etc/strongroom/pki");
      ClientConnection appUser =
          ClientConnection.tcp(dbPort, "app_user")
              .tls(
                  etcPki.resolve("ca/ca.pem"),
                  etcPki.resolve("clients/app_user.pem"),
                  etcPki.resolve("clients/app_user.key"));
      assertEquals(
          List.of(List.of("app_user@127.0.0.1", "TLSv1.3")),
          client
              .require(
                  appUser,
                  "SELECT CURRENT_USER(), VARIABLE_VALUE FROM information_schema.SESSION_STATUS"
                      + " WHERE VARIABLE_NAME = 'Ssl_version'")
              .rows());
      assertEquals(
          TlsLoginProbe.pem(Files.readString(etcPki.resolve("server/server.pem"))),
          TlsLoginProbe.servedCertificate(dbPort));
      schemaAttacks(sh, plan, root, client, installer, appUser, etcPki);
      System.out.printf(
          "host plan with the database, %d steps: first apply %d ms; server from the unit ready"
              + " in %d ms; schema step %d ms%n",
          first.size(), applyMs, startMs, schemaMs);
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  /**
   * Attacks on the database's files: the option file edited (the plan names it, apply restores it
   * with its owner), and a keyring file deleted — the plan refuses to generate a key next to the
   * surviving one, for plan and apply alike, and leaves it untouched.
   */
  @Test
  void editedOptionFile_isRestored_andAHalfKeyring_isRefused() throws Exception {
    int port = keyOnlySshd();
    Path root = Files.createDirectories(base.resolve("root"));
    HostOptions options = HostOptions.builder().dbPort(LoopbackPorts.free()).build();
    HostBundle bundle = HostBundleRenderer.render(options);
    HostPlan plan = new HostPlan(bundle, root);
    Path cnf = root.resolve("etc/strongroom/db/my.cnf");
    Path keys = root.resolve("var/lib/strongroom/db/keyring/keys.enc");
    try (SshShell sh = connect(port, "client", "host")) {
      plan.apply(sh);
      Files.writeString(
          cnf,
          Files.readString(cnf)
              .replace("require_secure_transport=ON", "require_secure_transport=OFF"));
      List<String> drifted =
          plan.plan(sh).stream()
              .filter(r -> r.status() != StepStatus.UNCHANGED)
              .map(r -> r.id() + ": " + r.status() + " " + r.detail())
              .toList();
      assertEquals(
          List.of("file /etc/strongroom/db/my.cnf: WOULD_CHANGE content differs"), drifted);
      List<StepResult> fixed = plan.apply(sh);
      assertEquals(StepStatus.CHANGED, step(fixed, "file /etc/strongroom/db/my.cnf").status());
      assertEquals(bundle.require("db/my.cnf").content(), Files.readString(cnf));
      assertEquals(
          Integer.parseInt(numericId(root.resolve("etc/group"), "strongroom-db")),
          Files.getAttribute(cnf, "unix:gid"));
      assertTrue(plan.apply(sh).stream().allMatch(r -> r.status() == StepStatus.UNCHANGED));

      byte[] survivor = Files.readAllBytes(keys);
      Files.delete(root.resolve("var/lib/strongroom/db/keyring/filekey"));
      String refusal =
          "incomplete keyring in /var/lib/strongroom/db/keyring: found only keys.enc; refusing to"
              + " generate keys over existing material (a new key would make every encrypted page"
              + " unreadable): restore the missing file from backup";
      for (boolean apply : new boolean[] {false, true}) {
        PlanFailedException e =
            assertThrows(
                PlanFailedException.class,
                () -> {
                  if (apply) {
                    plan.apply(sh);
                  } else {
                    plan.plan(sh);
                  }
                });
        assertEquals("db keyring", e.stepId());
        assertEquals(refusal, e.detail());
      }
      assertTrue(Files.notExists(root.resolve("var/lib/strongroom/db/keyring/filekey")));
      assertArrayEquals(survivor, Files.readAllBytes(keys));

      // both gone, beside an initialised (encrypted) data directory: no new keys either
      Files.delete(keys);
      PlanFailedException gone = assertThrows(PlanFailedException.class, () -> plan.apply(sh));
      assertEquals("db keyring", gone.stepId());
      assertEquals(
          "no keyring in /var/lib/strongroom/db/keyring, but the data directory"
              + " /var/lib/strongroom/db/data is not empty (its pages are encrypted with the keys"
              + " that were there); refusing to generate new keys: restore keys.enc and filekey"
              + " from backup",
          gone.detail());
      assertTrue(Files.notExists(keys));
    }
  }

  @Test
  void drift_isFoundByThePlan_andOnlyItIsFixed() throws Exception {
    int port = keyOnlySshd();
    Path root = base.resolve("root");
    Files.createDirectories(root);
    HostPlan plan = new HostPlan(HostBundleRenderer.render(HostOptions.builder().build()), root);
    try (SshShell sh = connect(port, "client", "host")) {
      plan.apply(sh);
      Files.writeString(
          root.resolve("etc/sysctl.d/99-strongroom.conf"), "kernel.kptr_restrict = 0\n");
      Files.setPosixFilePermissions(
          root.resolve("etc/nftables.conf"), PosixFilePermissions.fromString("rw-rw-rw-"));
      Path key = root.resolve("etc/strongroom/pki/clients/app_user.key");
      Files.writeString(key, "key");
      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-rw-rw-"));

      List<StepResult> planned = plan.plan(sh);
      List<String> drifted =
          planned.stream()
              .filter(r -> r.status() == StepStatus.WOULD_CHANGE)
              .map(r -> r.id() + ": " + r.detail())
              .toList();
      assertEquals(
          List.of(
              "file /etc/nftables.conf: mode 666 is not 644",
              "file /etc/sysctl.d/99-strongroom.conf: content differs",
              "ownership: 1 differ, first: " + key + " is 666 0:0, not 640 root:strongroom"),
          drifted);
      List<StepResult> fixed = plan.apply(sh);
      assertEquals(
          3,
          fixed.stream().filter(r -> r.status() == StepStatus.CHANGED).count(),
          fixed.toString());
      assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
      assertTrue(plan.apply(sh).stream().noneMatch(r -> r.status() == StepStatus.CHANGED));
    }
  }

  @Test
  void anotherHostKey_isRefusedBeforeAuthentication() throws Exception {
    int port = keyOnlySshd();
    SshException e = assertThrows(SshException.class, () -> connect(port, "client", "stranger"));
    assertEquals(ErrorCode.REFUSED, e.code());
    String msg = e.getMessage();
    assertTrue(
        msg.matches(
            "REFUSED: ssh://root@127\\.0\\.0\\.1:"
                + port
                + " presented host key SHA256:\\S+, not the pinned SHA256:\\S+"),
        msg);
  }

  @Test
  void aKeyTheServerDoesNotKnow_isRefused() throws Exception {
    int port = keyOnlySshd();
    SshException e = assertThrows(SshException.class, () -> connect(port, "stranger", "host"));
    assertEquals(
        "REFUSED: ssh://root@127.0.0.1:"
            + port
            + " refused public-key authentication (no other method is tried)",
        e.getMessage());
  }

  @Test
  void aServerThatOffersOnlyPasswords_isRefused_noPasswordIsEverSent() throws Exception {
    int port = sshd("PubkeyAuthentication no", "PasswordAuthentication yes");
    SshException e = assertThrows(SshException.class, () -> connect(port, "client", "host"));
    assertEquals(
        "REFUSED: ssh://root@127.0.0.1:"
            + port
            + " refused public-key authentication (no other method is tried)",
        e.getMessage());
    String log = Files.readString(sshd.log(port));
    assertTrue(!log.contains("Failed password"), log);
  }

  /**
   * Every step is a few remote commands: their cost is what a plan costs. One session carries them
   * all, one channel each; this measures a command that does nothing, and that the channel's
   * output, errors and exit status come back whole.
   */
  @Test
  void oneSession_manyCommands_eachReturnsPromptly() throws Exception {
    int port = keyOnlySshd();
    try (SshShell sh = connect(port, "client", "host")) {
      sh.exec("true", null); // warm
      int n = 20;
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        HostShell.Result r =
            sh.exec("echo out-" + i + "; echo err-" + i + " >&2; exit " + (i % 3), null);
        assertEquals(i % 3, r.exitCode());
        assertEquals("out-" + i + "\n", r.stdout());
        assertEquals("err-" + i + "\n", r.stderr());
      }
      long perCommandMs = (System.nanoTime() - t0) / 1_000_000 / n;
      HostShell.Result in =
          sh.exec("cat", "fed through stdin".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      assertEquals("fed through stdin", in.stdout());
      System.out.printf(
          "ssh exec over one session: %d ms per command (%d commands)%n", perCommandMs, n);
    }
  }
}
