package dev.strongroom.provisioner.host.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.provisioner.db.TestInstances;
import dev.strongroom.provisioner.host.HostBundle;
import dev.strongroom.provisioner.host.HostBundleRenderer;
import dev.strongroom.provisioner.host.HostOptions;
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
          bundle.files().size() + 4, planned.size()); // users, ownership, manifest, activate
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
              "enable strongroom.target, strongroom-verify-audit.timer, strongroom-prove.timer,"
                  + " nftables.service under "
                  + root
                  + " (fail2ban.service: no unit under the root, package not installed)"),
          activate);
      // enabled as the root's systemd reads it at boot: the [Install] symlinks, and is-enabled
      for (String link :
          List.of(
              "multi-user.target.wants/strongroom.target",
              "timers.target.wants/strongroom-verify-audit.timer",
              "timers.target.wants/strongroom-prove.timer",
              "sysinit.target.wants/nftables.service")) {
        Path l = root.resolve("etc/systemd/system/" + link);
        assertTrue(Files.isSymbolicLink(l), l.toString());
      }
      HostShell.Result enabled =
          sh.exec(
              "systemctl --root="
                  + root
                  + " is-enabled strongroom.target strongroom-verify-audit.timer"
                  + " strongroom-prove.timer nftables.service",
              null);
      assertEquals("enabled\nenabled\nenabled\nenabled\n", enabled.stdout(), enabled.stderr());
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
