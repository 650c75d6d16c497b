package dev.strongroom.provisioner.host.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strongroom.provisioner.atrest.FileKeyManagementKeyring;
import dev.strongroom.provisioner.db.Dialect;
import dev.strongroom.provisioner.host.HostBundleRenderer;
import dev.strongroom.provisioner.host.HostOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host plan's database steps checked by a real shell under a throwaway root (plans only:
 * nothing is applied): a keyring written by {@link FileKeyManagementKeyring} passes the target-side
 * {@code openssl} check, one whose file key was replaced is refused with the exact reason, and
 * MySQL 8.4 skips both steps with what it would run.
 */
class HostPlanDatabaseStepsTest {
  @TempDir Path tmp;

  private static StepResult step(List<StepResult> results, String id) {
    return results.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void keyringWrittenInJava_passesTheTargetsOpensslCheck_andAReplacedFilekeyIsRefused()
      throws Exception {
    Path root = tmp.toRealPath();
    Path dir = root.resolve("var/lib/strongroom/db/keyring");
    FileKeyManagementKeyring.at(dir).ensure();
    HostPlan plan = new HostPlan(HostBundleRenderer.render(HostOptions.builder().build()), root);
    try (LocalShell sh = new LocalShell(Duration.ofSeconds(30))) {
      assertEquals(StepStatus.UNCHANGED, step(plan.plan(sh), "db keyring").status());

      Files.writeString(dir.resolve("filekey"), "ab".repeat(32));
      PlanFailedException e = assertThrows(PlanFailedException.class, () -> plan.plan(sh));
      assertEquals("db keyring", e.stepId());
      assertEquals(
          "keys.enc in /var/lib/strongroom/db/keyring does not decrypt with filekey to a key file"
              + " with key 1; refusing to replace either: restore both from backup",
          e.detail());
    }
  }

  @Test
  void aHalfKeyring_saysRestoreBesideData_andDeleteBesideAnEmptyDataDirectory() throws Exception {
    Path root = tmp.toRealPath();
    Path dir = root.resolve("var/lib/strongroom/db/keyring");
    FileKeyManagementKeyring.at(dir).ensure();
    Files.delete(dir.resolve("filekey"));
    Path data = Files.createDirectories(root.resolve("var/lib/strongroom/db/data"));
    HostPlan plan = new HostPlan(HostBundleRenderer.render(HostOptions.builder().build()), root);
    try (LocalShell sh = new LocalShell(Duration.ofSeconds(30))) {
      // an apply that stopped between the two files, before any page was written
      PlanFailedException fresh = assertThrows(PlanFailedException.class, () -> plan.plan(sh));
      assertEquals(
          "incomplete keyring in /var/lib/strongroom/db/keyring: found only keys.enc, and the"
              + " data directory /var/lib/strongroom/db/data is empty (an earlier apply stopped"
              + " between the two files; nothing was encrypted with it): delete it and apply again",
          fresh.detail());
      // any file in the data directory (ibdata1 before the system schema, say): restore
      Files.writeString(data.resolve("ibdata1"), "pages");
      PlanFailedException used = assertThrows(PlanFailedException.class, () -> plan.plan(sh));
      assertEquals(
          "incomplete keyring in /var/lib/strongroom/db/keyring: found only keys.enc; refusing to"
              + " generate keys over existing material (a new key would make every encrypted page"
              + " unreadable): restore the missing file from backup",
          used.detail());
      // no keyring at all beside that data directory: never new keys
      Files.delete(dir.resolve("keys.enc"));
      PlanFailedException gone = assertThrows(PlanFailedException.class, () -> plan.plan(sh));
      assertEquals(
          "no keyring in /var/lib/strongroom/db/keyring, but the data directory"
              + " /var/lib/strongroom/db/data is not empty (its pages are encrypted with the keys"
              + " that were there); refusing to generate new keys: restore keys.enc and filekey"
              + " from backup",
          gone.detail());
    }
  }

  @Test
  void aRootWithShellSyntax_isRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new HostPlan(
                HostBundleRenderer.render(HostOptions.builder().build()),
                Path.of("/tmp/a root$(reboot)")));
  }

  private static final String TOKEN_FILE = "/etc/strongroom/db/vault-token.cnf";
  private static final String CA_FILE = "/etc/strongroom/db/vault-ca.pem";

  /**
   * An initialised data directory under file keys, and a bundle that would switch it to Vault (or
   * another Vault URL): refused before any step writes, as the option file's step, the installed
   * option file byte for byte the same; the same bundle without a data directory plans normally.
   */
  @Test
  void switchingTheAtRestKeySourceOfAnInitialisedDataDirectory_isRefusedBeforeAnyWrite()
      throws Exception {
    Path root = tmp.toRealPath();
    String fileKeyed =
        HostBundleRenderer.render(HostOptions.builder().build()).require("db/my.cnf").content();
    Path installed = root.resolve("etc/strongroom/db/my.cnf");
    Files.createDirectories(installed.getParent());
    Files.writeString(installed, fileKeyed);
    HostPlan toVault = new HostPlan(HostBundleRenderer.render(vaultOptions()), root);
    try (LocalShell sh = new LocalShell(Duration.ofSeconds(30))) {
      // no data directory yet: nothing was encrypted, the bundle may choose (the plan goes on to
      // the keyring step, which wants the operator's Vault token file)
      PlanFailedException free = assertThrows(PlanFailedException.class, () -> toVault.plan(sh));
      assertEquals("db keyring", free.stepId());
      assertEquals(
          StepStatus.WOULD_CHANGE, step(free.done(), "file /etc/strongroom/db/my.cnf").status());
      Files.createDirectories(root.resolve("var/lib/strongroom/db/data/mysql"));
      for (boolean apply : List.of(false, true)) {
        PlanFailedException e =
            assertThrows(
                PlanFailedException.class,
                () -> {
                  if (apply) {
                    toVault.apply(sh);
                  } else {
                    toVault.plan(sh);
                  }
                });
        assertEquals("file /etc/strongroom/db/my.cnf", e.stepId());
        assertEquals(
            "the data directory /var/lib/strongroom/db/data was initialised with its at-rest keys"
                + " from plugin_load_add=file_key_management,"
                + " file_key_management_filename=/var/lib/strongroom/db/keyring/keys.enc,"
                + " file_key_management_filekey=FILE:/var/lib/strongroom/db/keyring/filekey,"
                + " file_key_management_encryption_algorithm=AES_CTR, and this"
                + " bundle's option file would take them from"
                + " plugin_load_add=hashicorp_key_management,"
                + " hashicorp_key_management_vault_url=https://vault.example:8200/v1/strongroom: the"
                + " server could not read its encrypted pages at its next start. Refused, nothing"
                + " changed: keep the host's --at-rest-keys (and Vault URL), or move the data to a"
                + " host keyed the new way by a restore (docs/runbook-backup.md)",
            e.detail());
        assertEquals(List.of(), e.done(), "nothing ran");
      }
      assertEquals(fileKeyed, Files.readString(installed));
      // Vault to another Vault URL: the same refusal
      Files.writeString(
          installed, HostBundleRenderer.render(vaultOptions()).require("db/my.cnf").content());
      HostPlan otherMount =
          new HostPlan(
              HostBundleRenderer.render(
                  vaultOptions().toBuilder()
                      .vaultUrl(java.net.URI.create("https://vault.example:8200/v1/other"))
                      .build()),
              root);
      assertEquals(
          "file /etc/strongroom/db/my.cnf",
          assertThrows(PlanFailedException.class, () -> otherMount.plan(sh)).stepId());
    }
  }

  private static HostOptions vaultOptions() {
    return HostOptions.builder()
        .atRestKeys(HostOptions.AtRestKeys.VAULT)
        .vaultUrl(java.net.URI.create("https://vault.example:8200/v1/strongroom"))
        .vaultCa(Path.of(CA_FILE))
        .vaultTokenFile(Path.of(TOKEN_FILE))
        .build();
  }

  private static Path place(Path root, String hostPath, String content, int gid, String mode)
      throws Exception {
    Path p = root.resolve(hostPath.substring(1));
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
    Files.setAttribute(p, "unix:gid", gid);
    Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(mode));
    return p;
  }

  private static String refusal(HostPlan plan, LocalShell sh) {
    PlanFailedException e = assertThrows(PlanFailedException.class, () -> plan.plan(sh));
    assertEquals("db keyring", e.stepId());
    return e.detail();
  }

  @Test
  void vaultKeys_keyringStepChecksTheOperatorsTokenAndCaFiles_andNamesWhatToFix() throws Exception {
    Path root = tmp.toRealPath();
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/group"), "root:x:0:\nstrongroom-db:x:4242:\n");
    HostPlan plan = new HostPlan(HostBundleRenderer.render(vaultOptions()), root);
    String place =
        " (an option file: a [mariadbd] line, then hashicorp_key_management_token=<the server's"
            + " Vault token>), owner root:strongroom-db, mode 0640, then apply again; the plan"
            + " never writes a Vault token";
    try (LocalShell sh = new LocalShell(Duration.ofSeconds(30))) {
      assertEquals(
          "Vault token file " + TOKEN_FILE + " is missing: place it on the target" + place,
          refusal(plan, sh));

      Path token =
          place(
              root,
              TOKEN_FILE,
              "[mariadbd]\nhashicorp_key_management_token=s.t\n",
              4242,
              "rw-r--r--");
      assertEquals(
          "Vault token file "
              + TOKEN_FILE
              + " has mode 0644, open to others: chmod 0640 it (owner root:strongroom-db), then"
              + " apply again; the token may have been read: revoke it and place a new one",
          refusal(plan, sh));

      Files.setAttribute(token, "unix:gid", 0);
      Files.setPosixFilePermissions(
          token, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
      assertEquals(
          "Vault token file "
              + TOKEN_FILE
              + " is owned by 0:0, not root:strongroom-db: chown root:strongroom-db it, then apply"
              + " again",
          refusal(plan, sh));

      Files.setAttribute(token, "unix:gid", 4242);
      Files.writeString(token, "[mariadbd]\n# hashicorp_key_management_token=\n");
      assertEquals(
          "Vault token file "
              + TOKEN_FILE
              + " holds no hashicorp_key_management_token= line: place it on the target"
              + place,
          refusal(plan, sh));

      Files.writeString(token, "[mariadbd]\nhashicorp_key_management_token=s.t\n");
      assertEquals(
          "Vault CA file "
              + CA_FILE
              + " is missing: place it on the target, owner root:strongroom-db, mode 0640, then"
              + " apply again; the plan never writes it",
          refusal(plan, sh));

      place(root, CA_FILE, "-----BEGIN CERTIFICATE-----\n", 4242, "rw-r-----");
      List<StepResult> r = plan.plan(sh);
      assertEquals(StepStatus.UNCHANGED, step(r, "db keyring").status());
      assertEquals(
          false,
          Files.exists(root.resolve("var/lib/strongroom/db/keyring/keys.enc")),
          "no key material is generated for a Vault-keyed host");
    }
  }

  @Test
  void mysql84_skipsKeyringAndDatadir_sayingWhatItWouldRun() throws Exception {
    HostOptions o = HostOptions.builder().dialect(Dialect.MYSQL_8_4).build();
    HostPlan plan = new HostPlan(HostBundleRenderer.render(o), tmp.toRealPath());
    try (LocalShell sh = new LocalShell(Duration.ofSeconds(30))) {
      List<StepResult> r = plan.plan(sh);
      assertEquals(
          new StepResult(
              "db keyring",
              StepStatus.SKIPPED,
              "mysql-8.4: component_keyring_file creates its keyring file itself on first use"),
          step(r, "db keyring"));
      assertEquals(
          new StepResult(
              "db datadir",
              StepStatus.SKIPPED,
              "mysql-8.4: initialise with mysqld --defaults-file=/etc/strongroom/db/my.cnf"
                  + " --user=strongroom-db --initialize; the unit's"
                  + " --init-file=/etc/strongroom/db/init.sql then makes root@localhost"
                  + " socket-only at every start (rendered; no MySQL 8.4 server runs here)"),
          step(r, "db datadir"));
    }
  }

  @Test
  void atHostPaths_runsAsIsOnTheHostsRoot_andInAPrivateMountNamespaceUnderAnother() {
    assertEquals(
        "mariadb-install-db",
        HostPlan.atHostPaths(Path.of("/"), Path.of("/var/lib/x"), "mariadb-install-db"));
    assertEquals(
        "unshare -m --propagation private sh -c 'set -e; mount -t overlay overlay -o"
            + " lowerdir=/srv/r/etc:/etc /etc; m=/var/lib/x; while [ ! -d \"$m\" ]; do m=$(dirname"
            + " -- \"$m\"); done; [ \"$m\" != / ] || { echo '\\''no ancestor of /var/lib/x to mount"
            + " over'\\'' >&2; exit 1; }; mount --bind -- \"/srv/r$m\" \"$m\"; exec true'",
        HostPlan.atHostPaths(Path.of("/srv/r"), Path.of("/var/lib/x"), "true"));
  }
}
