package dev.strongroom.provisioner.host.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.provisioner.atrest.VaultKvV2Client;
import dev.strongroom.provisioner.db.Dialect;
import dev.strongroom.provisioner.db.InstanceLayout;
import dev.strongroom.provisioner.db.MariaDbBinaries;
import dev.strongroom.provisioner.db.MariaDbInstance;
import dev.strongroom.provisioner.db.ServerSettings;
import dev.strongroom.provisioner.db.TestInstances;
import dev.strongroom.provisioner.db.TlsFiles;
import dev.strongroom.provisioner.db.VaultKeyManagement;
import dev.strongroom.provisioner.db.VaultKvV2TestServer;
import dev.strongroom.provisioner.host.HostOptions;
import dev.strongroom.provisioner.os.LoopbackPorts;
import dev.strongroom.provisioner.pki.PkiDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The at-rest key rotation as a plan, over SSH into a throwaway root on a real OpenSSH server
 * ({@link TestSshd}), against a real MariaDB whose keys come from {@code hashicorp_key_management}
 * reading a Vault KV v2 API ({@link VaultKvV2TestServer}, with its own read-only token; the
 * provisioner writes with another): plan (nothing changed, Vault included), apply (two new versions
 * per key, every tablespace re-encrypted to the latest, the data read back), re-apply with no
 * change; and the refusals — Vault refusing the token, a deleted old version, the server not
 * running, the file key management, another host key.
 */
class AtRestKeyRotationPlanIT {
  private static final Duration T = Duration.ofSeconds(30);
  private static final String PROVISIONER_TOKEN = "s.provisioner-write";
  private static final String SERVER_TOKEN = "s.mariadb-read";

  private Path base;
  private TestSshd sshd;
  private MariaDbInstance db;
  private VaultKvV2TestServer vault;
  private int sshPort;
  private Path root;
  private HostOptions options;
  private PkiDirectory pki;

  @AfterEach
  void tearDown() {
    try {
      if (db != null) {
        db.stop();
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

  private void target() throws Exception {
    base = TestInstances.tempBase("sr-akr-");
    sshd = new TestSshd(base);
    TestSshd.keygen(base, "client");
    TestSshd.keygen(base, "stranger");
    sshd.authorize(base.resolve("client.pub"));
    sshPort = sshd.startKeyOnly();
    root = Files.createDirectories(base.resolve("root"));
    options = HostOptions.builder().dbPort(LoopbackPorts.free()).build();
    pki = TestInstances.pki(base);
  }

  private SshShell connect() {
    return connect("host");
  }

  private SshShell connect(String pinned) {
    try {
      Path pin = pinned.equals("host") ? sshd.hostPublicKey() : base.resolve(pinned + ".pub");
      return SshShell.connect(
          Target.parse("ssh://root@127.0.0.1:" + sshPort),
          base.resolve("client"),
          SshShell.publicKey(Files.readString(pin)),
          T);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The server on the target's files: its socket where the plan looks for it. */
  private MariaDbInstance server(VaultKeyManagement keys) {
    ServerSettings.Builder b =
        ServerSettings.builder(
                Dialect.MARIADB_10_11,
                new InstanceLayout(Path.of(root + options.dbLayout().base().toString())),
                TlsFiles.of(pki))
            .port(options.dbPort())
            .bufferPoolMb(32)
            .redoLogMb(16)
            .maxConnections(30)
            .maxUserConnections(10);
    if (keys != null) {
      b.vault(keys);
    }
    return MariaDbInstance.prepare(b.build(), MariaDbBinaries.debian());
  }

  private VaultKvV2Client client(String token) {
    return new VaultKvV2Client(vault.url(), token, pki.caCertPem(), Duration.ofSeconds(10));
  }

  /** Distinct (CURRENT_KEY_ID, MIN_KEY_VERSION) over every InnoDB tablespace. */
  private List<List<String>> versions() {
    return db.sql(
            "SELECT DISTINCT CURRENT_KEY_ID, MIN_KEY_VERSION"
                + " FROM information_schema.INNODB_TABLESPACES_ENCRYPTION")
        .rows();
  }

  private static List<String> ids(List<StepResult> r, StepStatus status) {
    return r.stream().filter(s -> s.status() == status).map(StepResult::id).toList();
  }

  @Test
  void vaultKeys_planApplyReapply_everyTablespaceAtTheNewVersion_thenNoChange() throws Exception {
    target();
    vault = new VaultKvV2TestServer(pki.server(), "strongroom", PROVISIONER_TOKEN, 1, 2);
    vault.allow(SERVER_TOKEN, false);
    vault.allow("s.read-only", false);
    db = server(new VaultKeyManagement(vault.url(), SERVER_TOKEN, pki.caCertPem(), 50));
    Instant cutoff = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    try (SshShell sh = connect()) {
      // the server not running: the first step says so, nothing else runs
      PlanFailedException down =
          assertThrows(
              PlanFailedException.class,
              () ->
                  new AtRestKeyPlan(options, root, cutoff, client(PROVISIONER_TOKEN))
                      .apply(sh, PlanListener.NONE));
      assertEquals("key management", down.stepId());
      assertEquals(
          "no database server at "
              + root
              + "/var/lib/strongroom/db/run/mysqld.sock: the rotation needs it running (it names"
              + " its key management and re-encrypts its tablespaces); start it and apply again —"
              + " nothing was changed",
          down.detail());
      assertEquals(0, vault.writes());

      db.start();
      db.sql(
          "CREATE DATABASE IF NOT EXISTS kr; CREATE TABLE kr.t (id INT PRIMARY KEY, v"
              + " VARCHAR(40)); INSERT INTO kr.t VALUES (1, 'before the rotation'), (2,"
              + " 'second row')");
      assertEquals(List.of(List.of("1", "1")), versions());
      int tablespaces =
          Integer.parseInt(
              db.sql("SELECT COUNT(*) FROM information_schema.INNODB_TABLESPACES_ENCRYPTION")
                  .scalar());

      // plan: nothing changes, Vault included
      List<StepResult> planned =
          new AtRestKeyPlan(options, root, cutoff, client(PROVISIONER_TOKEN))
              .plan(sh, PlanListener.NONE);
      assertEquals(
          List.of("key management", "old versions kept", "new key versions", "re-encrypted"),
          planned.stream().map(StepResult::id).toList());
      assertEquals(
          List.of("key management", "old versions kept"), ids(planned, StepStatus.UNCHANGED));
      assertEquals(
          "key 1: 2 new versions (now 1, then 3); key 2: 2 new versions (now 1, then 3)",
          planned.get(2).detail());
      assertEquals(
          tablespaces + " of " + tablespaces + " tablespaces below key 1 version 3",
          planned.get(3).detail());
      assertEquals(0, vault.writes());
      assertEquals(1, vault.currentVersion(1));

      // a token Vault lets read but not write: FAILED at the write, nothing written or claimed
      PlanFailedException readOnly =
          assertThrows(
              PlanFailedException.class,
              () ->
                  new AtRestKeyPlan(options, root, cutoff, client("s.read-only"))
                      .apply(sh, PlanListener.NONE));
      assertEquals("new key versions", readOnly.stepId());
      assertEquals(
          "Vault at "
              + vault.url()
              + " refused this provisioner's token (HTTP 403 [\"permission denied\"]) to write a"
              + " version of key 1: nothing written",
          readOnly.detail());
      assertEquals(
          List.of("key management", "old versions kept"),
          readOnly.done().stream().map(StepResult::id).toList());
      assertEquals(0, vault.writes());
      assertEquals(List.of(List.of("1", "1")), versions());

      // apply: two versions per key, every tablespace re-encrypted, without a restart
      long pid = db.pid();
      List<String> progress = new CopyOnWriteArrayList<>();
      PlanListener listener =
          new PlanListener() {
            @Override
            public void progressed(String stepId, String detail) {
              progress.add(stepId + ": " + detail);
            }
          };
      long t0 = System.nanoTime();
      List<StepResult> applied =
          new AtRestKeyPlan(options, root, cutoff, client(PROVISIONER_TOKEN))
              .reencryptWait(Duration.ofSeconds(120))
              .progressEvery(Duration.ofSeconds(1))
              .apply(sh, listener);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(List.of("new key versions", "re-encrypted"), ids(applied, StepStatus.CHANGED));
      assertEquals(4, vault.writes());
      assertEquals(3, vault.currentVersion(1));
      assertEquals(3, vault.currentVersion(2));
      assertTrue(
          vault.stored(1, 3).contains("\"strongroom_rotation\":\"" + cutoff + "\""),
          "the version names its rotation");
      assertEquals(List.of(List.of("1", "3")), versions());
      assertEquals(pid, db.pid(), "re-encrypted without a restart");
      assertEquals(
          List.of(List.of("1", "before the rotation"), List.of("2", "second row")),
          db.sql("SELECT id, v FROM kr.t ORDER BY id").rows());
      System.out.println(
          "[AtRestKeyRotationPlanIT] "
              + tablespaces
              + " tablespaces re-encrypted to key version 3 in "
              + ms
              + " ms (4 steps), progress reports: "
              + progress);

      // the same rotation again: nothing to do
      List<StepResult> again =
          new AtRestKeyPlan(options, root, cutoff, client(PROVISIONER_TOKEN))
              .apply(sh, PlanListener.NONE);
      assertEquals(4, ids(again, StepStatus.UNCHANGED).size(), again.toString());
      assertEquals(4, vault.writes());

      // after a restart the server reads the old and new versions by number
      db.stop();
      db.start();
      assertEquals("before the rotation", db.sql("SELECT v FROM kr.t WHERE id = 1").scalar());
      assertEquals(List.of(List.of("1", "3")), versions());

      // Vault revokes the provisioner's token: FAILED with Vault's reason, nothing written
      vault.revoke(PROVISIONER_TOKEN);
      Instant next = cutoff.plusSeconds(1);
      PlanFailedException revoked =
          assertThrows(
              PlanFailedException.class,
              () ->
                  new AtRestKeyPlan(options, root, next, client(PROVISIONER_TOKEN))
                      .apply(sh, PlanListener.NONE));
      assertEquals("old versions kept", revoked.stepId());
      assertEquals(
          "Vault at "
              + vault.url()
              + " refused this provisioner's token (HTTP 403 [\"permission denied\"]) to read the"
              + " mount's configuration: nothing written",
          revoked.detail());
      vault.allow(PROVISIONER_TOKEN, true);

      // an old version deleted in Vault: refused before anything is written
      vault.delete(1, 2);
      PlanFailedException deleted =
          assertThrows(
              PlanFailedException.class,
              () ->
                  new AtRestKeyPlan(options, root, next, client(PROVISIONER_TOKEN))
                      .plan(sh, PlanListener.NONE));
      assertEquals("old versions kept", deleted.stepId());
      assertTrue(
          deleted.detail().startsWith("key 1: version 2 is deleted: redo logs, binary logs and"),
          deleted.detail());
      assertEquals(4, vault.writes());
    }

    // a host presenting another host key than the pinned one: refused before authentication
    SshException stranger = assertThrows(SshException.class, () -> connect("stranger"));
    assertEquals(ErrorCode.REFUSED, stranger.code());
    assertTrue(
        stranger.getMessage().contains(" presented host key SHA256:"), stranger.getMessage());
  }

  @Test
  void fileKeyManagement_isRefusedWithTheRunbook_andNothingChanges() throws Exception {
    target();
    db = server(null);
    db.start();
    List<String> before = new ArrayList<>();
    try (var files = Files.list(Path.of(root + options.dbLayout().base().toString(), "keyring"))) {
      files.sorted().forEach(f -> before.add(f + " " + f.toFile().lastModified()));
    }
    try (SshShell sh = connect()) {
      PlanFailedException refused =
          assertThrows(
              PlanFailedException.class,
              () ->
                  new AtRestKeyPlan(
                          options, root, Instant.now().truncatedTo(ChronoUnit.SECONDS), null)
                      .plan(sh, PlanListener.NONE));
      assertEquals("key management", refused.stepId());
      assertEquals(ErrorCode.REFUSED, refused.code());
      assertEquals(
          "the server's keys come from file_key_management, which has no key versions: a key"
              + " cannot be rotated in place and this plan does not re-wrap the key file; refused,"
              + " nothing changed — see docs/runbook-rotation.md, \"At-rest keys (MariaDB"
              + " file_key_management)\"",
          refused.detail());
      assertEquals(List.of(), refused.done());
    }
    List<String> after = new ArrayList<>();
    try (var files = Files.list(Path.of(root + options.dbLayout().base().toString(), "keyring"))) {
      files.sorted().forEach(f -> after.add(f + " " + f.toFile().lastModified()));
    }
    assertEquals(before, after);
  }
}
