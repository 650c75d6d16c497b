package dev.strongroom.provisioner.host.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.provisioner.atrest.VaultKvV2Client;
import dev.strongroom.provisioner.db.ClientConnection;
import dev.strongroom.provisioner.db.MariaDbBinaries;
import dev.strongroom.provisioner.db.MariaDbClient;
import dev.strongroom.provisioner.db.TestInstances;
import dev.strongroom.provisioner.db.VaultKvV2TestServer;
import dev.strongroom.provisioner.host.HostBundle;
import dev.strongroom.provisioner.host.HostBundleRenderer;
import dev.strongroom.provisioner.host.HostOptions;
import dev.strongroom.provisioner.os.LoopbackPorts;
import dev.strongroom.provisioner.pki.PkiDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A host provisioned with {@code --at-rest-keys vault}, end to end over a real OpenSSH server
 * ({@link TestSshd}) into a throwaway root: the host plan refuses to go on until the operator's
 * token file and CA file are in place (missing, then readable by others: the exact refusals, the
 * data directory untouched); placed, it initialises the data directory with keys from Vault ({@link
 * VaultKvV2TestServer}, the server's own read-only token); the real MariaDB starts from exactly the
 * installed option file (the unit's {@code ExecStart}, as the unit's user, in a private mount
 * namespace); then {@link AtRestKeyPlan} rotates that host's keys: every tablespace at the new
 * version, the rows read back, a re-apply changes nothing.
 */
class VaultKeyedHostIT {
  private static final Duration T = Duration.ofSeconds(30);
  private static final String PROVISIONER_TOKEN = "s.provisioner-write";
  private static final String SERVER_TOKEN = "s.host-server-read";
  private static final String TOKEN_FILE = "/etc/strongroom/db/vault-token.cnf";
  private static final String CA_FILE = "/etc/strongroom/db/vault-ca.pem";

  private Path base;
  private TestSshd sshd;
  private VaultKvV2TestServer vault;
  private Process server;

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (server != null) {
        server.destroy();
        if (!server.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
          server.destroyForcibly();
        }
      }
    } finally {
      try {
        if (vault != null) {
          vault.close();
        }
        if (sshd != null) {
          sshd.close();
        }
      } finally {
        TestInstances.deleteTree(base);
      }
    }
  }

  private static StepResult step(List<StepResult> results, String id) {
    return results.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
  }

  private static String unitLine(String unit, String key) {
    return unit.lines()
        .filter(l -> l.startsWith(key + "="))
        .findFirst()
        .orElseThrow()
        .substring(key.length() + 1);
  }

  private static int gid(Path root, String name) throws Exception {
    return Integer.parseInt(
        Files.readAllLines(root.resolve("etc/group")).stream()
            .map(l -> l.split(":"))
            .filter(f -> f[0].equals(name))
            .findFirst()
            .orElseThrow()[2]);
  }

  private static Path place(Path root, String hostPath, String content, int gid, String mode)
      throws Exception {
    Path p = root.resolve(hostPath.substring(1));
    Files.writeString(p, content);
    Files.setAttribute(p, "unix:uid", 0);
    Files.setAttribute(p, "unix:gid", gid);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
    return p;
  }

  @Test
  void vaultKeyedHost_refusedUntilTheTokenIsPlaced_thenStartsFromTheUnit_andItsKeysRotate()
      throws Exception {
    base = TestInstances.tempBase("sr-hv-");
    sshd = new TestSshd(base);
    TestSshd.keygen(base, "client");
    sshd.authorize(base.resolve("client.pub"));
    int sshPort = sshd.startKeyOnly();
    Path root = Files.createDirectories(base.resolve("root"));
    for (String d : List.of("etc", "var", "var/lib")) {
      Files.createDirectories(root.resolve(d));
      Files.setPosixFilePermissions(root.resolve(d), PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    PkiDirectory pki =
        PkiDirectory.open(base.resolve("provisioner-pki"), CertificatePlan.spec("127.0.0.1"));
    pki.ensure();
    vault = new VaultKvV2TestServer(pki.server(), "strongroom", PROVISIONER_TOKEN, 1, 2);
    vault.allow(SERVER_TOKEN, false);
    HostOptions options =
        HostOptions.builder()
            .dbPort(LoopbackPorts.free())
            .atRestKeys(HostOptions.AtRestKeys.VAULT)
            .vaultUrl(vault.url())
            .vaultCa(Path.of(CA_FILE))
            .vaultTokenFile(Path.of(TOKEN_FILE))
            .build();
    HostBundle bundle = HostBundleRenderer.render(options);
    HostPlan plan = new HostPlan(bundle, root, pki);
    Path dataDir = root.resolve("var/lib/strongroom/db/data");
    try (SshShell sh =
        SshShell.connect(
            Target.parse("ssh://root@127.0.0.1:" + sshPort),
            base.resolve("client"),
            SshShell.publicKey(Files.readString(sshd.hostPublicKey())),
            T)) {
      // nothing placed: the run stops at db keyring, before the data directory
      PlanFailedException missing = assertThrows(PlanFailedException.class, () -> plan.apply(sh));
      assertEquals("db keyring", missing.stepId());
      assertEquals(
          "Vault token file "
              + TOKEN_FILE
              + " is missing: place it on the target (an option file: a [mariadbd] line, then"
              + " hashicorp_key_management_token=<the server's Vault token>), owner"
              + " root:strongroom-db, mode 0640, then apply again; the plan never writes a Vault"
              + " token",
          missing.detail());
      assertFalse(Files.exists(dataDir.resolve("mysql")));
      assertFalse(Files.exists(root.resolve("var/lib/strongroom/db/keyring/keys.enc")));

      // placed, but readable by everyone: refused the same way
      int dbGid = gid(root, "strongroom-db");
      Path token =
          place(
              root,
              TOKEN_FILE,
              "[mariadbd]\nhashicorp_key_management_token=" + SERVER_TOKEN + "\n",
              dbGid,
              "rw-r--r--");
      PlanFailedException open = assertThrows(PlanFailedException.class, () -> plan.apply(sh));
      assertEquals("db keyring", open.stepId());
      assertEquals(
          "Vault token file "
              + TOKEN_FILE
              + " has mode 0644, open to others: chmod 0640 it (owner root:strongroom-db), then"
              + " apply again; the token may have been read: revoke it and place a new one",
          open.detail());
      assertFalse(Files.exists(dataDir.resolve("mysql")));

      Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r-----"));
      place(root, CA_FILE, Files.readString(pki.caCertPem()), dbGid, "rw-r-----");
      List<StepResult> applied = plan.apply(sh);
      assertEquals(StepStatus.UNCHANGED, step(applied, "db keyring").status());
      assertEquals(StepStatus.CHANGED, step(applied, "db datadir").status());
      assertTrue(Files.isDirectory(dataDir.resolve("mysql")));
      assertFalse(Files.exists(root.resolve("var/lib/strongroom/db/keyring/keys.enc")));
      assertEquals(0, vault.writes(), "the host plan never writes to Vault");
      List<StepResult> again = plan.apply(sh);
      assertEquals(
          List.of("reload tls", "db schema"),
          again.stream()
              .filter(r -> r.status() != StepStatus.UNCHANGED)
              .map(StepResult::id)
              .toList(),
          again.toString());

      // the server, started exactly as the unit starts it, with keys from Vault
      String unit = bundle.require("systemd/strongroom-db.service").content();
      String user = unitLine(unit, "User");
      String execStart = unitLine(unit, "ExecStart");
      String command =
          HostPlan.atHostPaths(
              root,
              options.stateDir(),
              "setpriv --reuid=" + user + " --regid=" + user + " --clear-groups " + execStart);
      long t0 = System.nanoTime();
      server =
          new ProcessBuilder("sh", "-c", "umask 077; exec " + command)
              .redirectErrorStream(true)
              .redirectOutput(base.resolve("mariadbd.out").toFile())
              .start();
      Path socket = root.resolve("var/lib/strongroom/db/run/mysqld.sock");
      MariaDbClient client = new MariaDbClient(MariaDbBinaries.debian().client());
      ClientConnection installer = ClientConnection.socket(socket, "root");
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (!(Files.exists(socket) && client.execute(installer, "SELECT 1").ok())) {
        assertTrue(
            server.isAlive(),
            "mariadbd exited: "
                + Files.readString(base.resolve("mariadbd.out"))
                + Files.readString(root.resolve("var/lib/strongroom/db/logs/error.log")));
        assertTrue(System.nanoTime() < deadline, "mariadbd not ready in 90 s");
        Thread.sleep(200);
      }
      long startMs = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(
          List.of(List.of("hashicorp_key_management_vault_url", vault.url().toString())),
          client
              .require(installer, "SHOW GLOBAL VARIABLES LIKE 'hashicorp_key_management_vault_url'")
              .rows());
      client.require(
          installer,
          "CREATE DATABASE kr; CREATE TABLE kr.t (id INT PRIMARY KEY, v VARCHAR(40));"
              + " INSERT INTO kr.t VALUES (1, 'before the rotation'), (2, 'second row')");
      String versions =
          "SELECT DISTINCT CURRENT_KEY_ID, MIN_KEY_VERSION"
              + " FROM information_schema.INNODB_TABLESPACES_ENCRYPTION";
      assertEquals(List.of(List.of("1", "1")), client.require(installer, versions).rows());

      // the at-rest key rotation on that host
      Instant cutoff = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      VaultKvV2Client provisioner =
          new VaultKvV2Client(vault.url(), PROVISIONER_TOKEN, pki.caCertPem(), T);
      t0 = System.nanoTime();
      List<StepResult> rotated =
          new AtRestKeyPlan(options, root, cutoff, provisioner)
              .reencryptWait(Duration.ofMinutes(5))
              .apply(sh, PlanListener.NONE);
      long rotateMs = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(
          StepStatus.CHANGED, step(rotated, "new key versions").status(), rotated.toString());
      assertEquals(3, vault.currentVersion(1));
      assertEquals(3, vault.currentVersion(2));
      assertEquals(List.of(List.of("1", "3")), client.require(installer, versions).rows());
      assertEquals(
          List.of(List.of("1", "before the rotation"), List.of("2", "second row")),
          client.require(installer, "SELECT id, v FROM kr.t ORDER BY id").rows());
      List<StepResult> reapplied =
          new AtRestKeyPlan(options, root, cutoff, provisioner).apply(sh, PlanListener.NONE);
      assertTrue(
          reapplied.stream().allMatch(r -> r.status() == StepStatus.UNCHANGED),
          reapplied.toString());
      System.out.printf(
          "vault-keyed host: server from the unit ready in %d ms; rotation applied in %d ms%n",
          startMs, rotateMs);
    }
  }
}
