package dev.strongroom.proof.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.proof.check.CheckResult;
import dev.strongroom.proof.check.EvidenceStep;
import dev.strongroom.proof.check.Status;
import dev.strongroom.proof.run.Catalogue;
import dev.strongroom.proof.run.HostFacts;
import dev.strongroom.proof.run.ProofContext;
import dev.strongroom.proof.run.ProofReport;
import dev.strongroom.proof.run.ProofRunner;
import dev.strongroom.provisioner.db.TestInstances;
import dev.strongroom.provisioner.host.Cidr;
import dev.strongroom.provisioner.host.HostBundle;
import dev.strongroom.provisioner.host.HostBundleRenderer;
import dev.strongroom.provisioner.host.HostOptions;
import dev.strongroom.provisioner.host.plan.HostPlan;
import dev.strongroom.provisioner.host.plan.SshException;
import dev.strongroom.provisioner.host.plan.SshShell;
import dev.strongroom.provisioner.host.plan.StepResult;
import dev.strongroom.provisioner.host.plan.StepStatus;
import dev.strongroom.provisioner.host.plan.Target;
import dev.strongroom.provisioner.host.plan.TestSshd;
import dev.strongroom.provisioner.os.Processes;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The host controls over SSH against a target the provisioner hardened: a real OpenSSH server
 * ({@link TestSshd}) that this test starts <b>inside its own network namespace</b> ({@code ip netns
 * add}), joined to the test's side by a veth pair. The plan is applied over SSH into a throwaway
 * root; then the test does what the host's boot would do, inside the namespace only: it loads the
 * applied root's {@code /etc/nftables.conf} into the namespace ({@code ip netns exec … nft -f}) and
 * starts a real {@code fail2ban-server} on the applied root's fail2ban configuration, in a private
 * mount namespace where the root's {@code /var/lib} and {@code /var/log} are the server's (its
 * database, its log, the database error log its jails watch), its socket and pid file under the
 * root's {@code /run/fail2ban}. The machine's own firewall, sshd and fail2ban are never touched.
 *
 * <p>The root is an image with the firewall's and fail2ban's packages installed: their units (so
 * activation enables them) and fail2ban's stock configuration, which the bundle's jails extend.
 */
class HostControlsOverSshIT {
  private static final Duration T = Duration.ofSeconds(30);
  private static final int DB_PORT = 3306;

  /** A port that no rule opens: sshd listens there too, so only the firewall can refuse it. */
  private static final int CLOSED_PORT = 8080;

  private static Path base;
  private static Path root;
  private static String ns;
  private static String vethHost;
  private static String nsAddr;

  /** On the allowlist ({@code 10.x.y.0/30}). */
  private static String allowedAddr;

  /** Not on the allowlist. */
  private static String strangerAddr;

  private static TestSshd sshd;
  private static HostBundle bundle;
  private static Process fail2ban;

  @BeforeAll
  static void provisionATargetInANetworkNamespace() throws Exception {
    base = TestInstances.tempBase("sr-hostproof-");
    byte[] r = new byte[3];
    new SecureRandom().nextBytes(r);
    String id = HexFormat.of().formatHex(r);
    ns = "sr-hostproof-" + id;
    vethHost = "srhp" + id + "h";
    String vethNs = "srhp" + id + "n";
    String used = run("ip", "-4", "addr").stdout();
    String net;
    do {
      net = "10." + (200 + new SecureRandom().nextInt(50)) + "." + new SecureRandom().nextInt(256);
    } while (used.contains(" " + net + "."));
    allowedAddr = net + ".1";
    nsAddr = net + ".2";
    strangerAddr = net + ".6";
    ok("ip", "netns", "add", ns);
    ok("ip", "link", "add", vethHost, "type", "veth", "peer", "name", vethNs);
    ok("ip", "link", "set", vethNs, "netns", ns);
    ok("ip", "addr", "add", allowedAddr + "/29", "dev", vethHost);
    ok("ip", "addr", "add", strangerAddr + "/29", "dev", vethHost);
    ok("ip", "link", "set", vethHost, "up");
    inNs("ip", "addr", "add", nsAddr + "/29", "dev", vethNs);
    inNs("ip", "link", "set", vethNs, "up");
    inNs("ip", "link", "set", "lo", "up");

    sshd = new TestSshd(base);
    TestSshd.keygen(base, "client");
    TestSshd.keygen(base, "stranger");
    sshd.authorize(base.resolve("client.pub"));
    sshd.startAt(List.of("ip", "netns", "exec", ns), nsAddr, 22, DB_PORT, CLOSED_PORT);

    root = base.resolve("root");
    Path units = Files.createDirectories(root.resolve("usr/lib/systemd/system"));
    for (String unit : List.of("nftables.service", "fail2ban.service")) {
      Files.copy(Path.of("/usr/lib/systemd/system", unit), units.resolve(unit));
    }
    copyTree(Path.of("/etc/fail2ban"), root.resolve("etc/fail2ban"));
    Files.createDirectories(root.resolve("var/lib/fail2ban"));
    Files.createDirectories(root.resolve("var/log"));

    HostOptions options =
        HostOptions.builder().allowRemote(true).allowCidr(Cidr.parse(net + ".0/30")).build();
    bundle = HostBundleRenderer.render(options);
    HostPlan plan = new HostPlan(bundle, root);
    try (SshShell sh = SshShell.connect(target(), base.resolve("client"), pin("host"), T)) {
      List<StepResult> applied = plan.apply(sh);
      assertTrue(
          applied.stream().allMatch(s -> s.status() == StepStatus.CHANGED), applied.toString());
      assertTrue(
          plan.apply(sh).stream().allMatch(s -> s.status() == StepStatus.UNCHANGED),
          "a second apply changes nothing");
    }
    // the database's first start writes its error log, which the jails watch
    Path errorLog = rooted(options.dbLayout().errorLog());
    Files.createDirectories(errorLog.getParent());
    Files.writeString(errorLog, "");
  }

  @AfterEach
  void shutDown() throws Exception {
    stopFail2ban();
    inNs("nft", "flush", "ruleset");
  }

  @AfterAll
  static void tearDown() {
    try {
      if (sshd != null) {
        sshd.close();
      }
    } finally {
      if (ns != null) {
        run("ip", "netns", "del", ns);
        run("ip", "link", "del", vethHost); // gone with the namespace; in case it was not
      }
      if (base != null) {
        TestInstances.deleteTree(base);
      }
    }
  }

  // --- the tests --------------------------------------------------------------------------------

  @Test
  void booted_firewallAndFail2banPass_kernelSignalsAreNotApplicable_andTheyHoldUnderAttack()
      throws Exception {
    // before the boot: every port answers both sources, so a refusal later is the firewall's
    for (String from : List.of(allowedAddr, strangerAddr)) {
      for (int port : List.of(22, DB_PORT, CLOSED_PORT)) {
        assertEquals("connected", connect(from, port), from + " -> " + port);
      }
    }
    loadRuleset();
    startFail2ban();

    Map<String, CheckResult> results = prove(root);
    String where = " on " + target() + " (root " + root + ")";
    CheckResult fw = results.get("SR-HOST-FW-01");
    assertEquals(Status.PASS, fw.status(), fw.detail());
    assertEquals("input policy drop (table inet strongroom chain input)" + where, fw.detail());
    EvidenceStep listed = step(fw, "nft list ruleset");
    assertEquals(target().toString(), listed.actor());
    assertEquals(0, listed.exitCode());
    assertTrue(
        listed.response().contains("type filter hook input priority filter; policy drop;"),
        listed.response());
    CheckResult f2b = results.get("SR-HOST-F2B-01");
    assertEquals(Status.PASS, f2b.status(), f2b.detail());
    assertEquals(
        "fail2ban answers"
            + where
            + " with the database jails strongroom-db-auth, strongroom-db-tls"
            + " (jails: sshd, strongroom-db-auth, strongroom-db-tls)",
        f2b.detail());
    String client = "fail2ban-client -s '" + root + "/run/fail2ban/fail2ban.sock'";
    EvidenceStep jail = step(f2b, client + " status strongroom-db-auth");
    assertTrue(
        jail.response().contains("File list:\t/var/lib/strongroom/db/logs/error.log"),
        jail.response());
    assertKernelSignalsNotApplicable(results);

    // the firewall by attack: a port no rule opens is dropped for everyone; the database port is
    // dropped for a source off the allowlist and open for one on it; SSH answers both
    assertEquals("dropped", connect(allowedAddr, CLOSED_PORT));
    assertEquals("dropped", connect(strangerAddr, CLOSED_PORT));
    assertEquals("dropped", connect(strangerAddr, DB_PORT));
    assertEquals("connected", connect(allowedAddr, DB_PORT));
    assertEquals("connected", connect(strangerAddr, 22));

    // fail2ban by attack: failed database logins from the allowlisted source get it banned from
    // the database port (refused by fail2ban's own nftables rule), SSH still answers it
    Path errorLog = rooted(bundle.options().dbLayout().errorLog());
    // the error log's local time, as the server writes it and fail2ban (same zone) reads it
    String now =
        LocalDateTime.now(ZoneId.systemDefault())
            .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < bundle.options().maxRetry(); i++) {
      lines
          .append(now)
          .append(' ')
          .append(40 + i)
          .append(" [Warning] Access denied for user 'app_user'@'")
          .append(allowedAddr)
          .append("' (using password: NO)\n");
    }
    Files.writeString(errorLog, lines, StandardOpenOption.APPEND);
    String banned = "";
    long deadline = System.nanoTime() + T.toNanos();
    while (!banned.contains("Banned IP list:\t" + allowedAddr) && System.nanoTime() < deadline) {
      Thread.sleep(200);
      banned =
          run("fail2ban-client", "-s", socket().toString(), "status", "strongroom-db-auth")
              .stdout();
    }
    assertTrue(banned.contains("Banned IP list:\t" + allowedAddr), banned);
    // the jail lists the ban before its action has run: wait for the action's nftables element
    String set = "";
    deadline = System.nanoTime() + T.toNanos();
    while (!set.contains("elements = { " + allowedAddr + " }") && System.nanoTime() < deadline) {
      set =
          run(
                  "ip",
                  "netns",
                  "exec",
                  ns,
                  "nft",
                  "list",
                  "set",
                  "inet",
                  "f2b-table",
                  "addr-set-strongroom-db-auth")
              .stdout();
      Thread.sleep(100);
    }
    assertTrue(set.contains("elements = { " + allowedAddr + " }"), set);
    assertEquals("refused", connect(allowedAddr, DB_PORT));
    assertEquals("connected", connect(allowedAddr, 22));
  }

  @Test
  void withoutTheRuleset_fw01Fails_fail2banStopped_f2b01Fails_aForeignRuleset_fw01Fails()
      throws Exception {
    String where = " on " + target() + " (root " + root + ")";
    Map<String, CheckResult> cold = prove(root);
    assertEquals(
        new Outcome(Status.FAIL, "no input chain with policy drop" + where),
        outcome(cold.get("SR-HOST-FW-01")));
    assertEquals(
        new Outcome(
            Status.FAIL,
            "fail2ban does not answer"
                + where
                + ": ERROR Failed to access socket path: "
                + socket()
                + ". Is fail2ban running?"),
        outcome(cold.get("SR-HOST-F2B-01")));
    assertKernelSignalsNotApplicable(cold);

    // booted, then fail2ban stopped
    loadRuleset();
    startFail2ban();
    assertEquals(Status.PASS, prove(root).get("SR-HOST-F2B-01").status());
    stopFail2ban();
    Map<String, CheckResult> stopped = prove(root);
    assertEquals(Status.PASS, stopped.get("SR-HOST-FW-01").status());
    assertEquals(
        new Outcome(
            Status.FAIL,
            "fail2ban does not answer"
                + where
                + ": ERROR Failed to access socket path: "
                + socket()
                + ". Is fail2ban running?"),
        outcome(stopped.get("SR-HOST-F2B-01")));

    // a default-deny ruleset that is not the root's: on a rehearsal root it proves nothing
    Path foreign = base.resolve("foreign.nft");
    Files.writeString(
        foreign,
        "flush ruleset\ntable inet other {\n  chain input {\n"
            + "    type filter hook input priority filter; policy drop;\n"
            + "    tcp dport 22 accept\n  }\n}\n");
    inNs("nft", "-f", foreign.toString());
    assertEquals(
        new Outcome(
            Status.FAIL,
            "input policy drop (table inet other chain input), but not in the bundle's table inet"
                + " strongroom"
                + where
                + ": the ruleset in force is not the one the root's /etc/nftables.conf loads"),
        outcome(prove(root).get("SR-HOST-FW-01")));
  }

  @Test
  void aRootTheBundleWasNeverAppliedTo_isNotApplicable_andAnotherHostKeyIsRefused()
      throws Exception {
    Path bare = Files.createDirectories(base.resolve("bare-root"));
    Map<String, CheckResult> results = prove(bare);
    for (CheckResult c : results.values()) {
      assertEquals(
          new Outcome(
              Status.NOT_APPLICABLE,
              target()
                  + " (root "
                  + bare
                  + ") was not provisioned by the host-hardening bundle (no "
                  + bare
                  + "/etc/strongroom/host/MANIFEST.tsv there); host controls apply only on a"
                  + " host the bundle hardened"),
          outcome(c),
          c.control().id());
    }
    SshException e =
        assertThrows(
            SshException.class,
            () -> HostTarget.ssh(target(), base.resolve("client"), pin("stranger"), root, T));
    assertEquals(ErrorCode.REFUSED, e.code());
    assertTrue(e.getMessage().contains(" presented host key SHA256:"), e.getMessage());
  }

  // --- helpers ----------------------------------------------------------------------------------

  record Outcome(Status status, String detail) {}

  private static Outcome outcome(CheckResult r) {
    return new Outcome(r.status(), r.detail());
  }

  private static void assertKernelSignalsNotApplicable(Map<String, CheckResult> results) {
    String held = target() + " holds the host bundle under the rehearsal root " + root;
    String tail =
        " there belong to the kernel of the machine that holds the root (shared by every root"
            + " and namespace on it), not to a kernel booted from "
            + root
            + "; measure this on the booted host (root /)";
    assertEquals(
        new Outcome(
            Status.NOT_APPLICABLE,
            held
                + ", not as its running system: /sys/module/apparmor/parameters/enabled and"
                + " /sys/fs/selinux/enforce"
                + tail),
        outcome(results.get("SR-HOST-MAC-01")));
    assertEquals(
        new Outcome(
            Status.NOT_APPLICABLE,
            held + ", not as its running system: /proc/sys/crypto/fips_enabled" + tail),
        outcome(results.get("SR-HOST-FIPS-01")));
  }

  /** Runs the host controls over SSH against the target with the bundle under {@code at}. */
  private static Map<String, CheckResult> prove(Path at) throws IOException {
    Path scratch = Files.createDirectories(base.resolve("scratch"));
    try (HostTarget t = HostTarget.ssh(target(), base.resolve("client"), pin("host"), at, T)) {
      ProofContext ctx =
          new ProofContext(
              Optional.empty(), Optional.empty(), HostFacts.detect(t), scratch, Clock.systemUTC());
      ProofReport report = new ProofRunner(new Catalogue("host-only", HostControls.all())).run(ctx);
      Map<String, CheckResult> m = new LinkedHashMap<>();
      report.results().forEach(c -> m.put(c.control().id(), c));
      return m;
    }
  }

  private static EvidenceStep step(CheckResult r, String action) {
    return r.evidence().stream()
        .filter(s -> s.action().equals(action))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no evidence step '" + action + "': " + r));
  }

  private static Target target() {
    return Target.parse("ssh://root@" + nsAddr);
  }

  private static PublicKey pin(String name) throws IOException {
    return SshShell.publicKey(Files.readString(base.resolve(name + ".pub")));
  }

  private static Path rooted(Path hostPath) {
    return Path.of(root + hostPath.toString());
  }

  private static Path socket() {
    return rooted(HostControls.FAIL2BAN_SOCKET);
  }

  /** What the boot's {@code nftables.service} does, in the namespace: load the root's ruleset. */
  private static void loadRuleset() {
    inNs("nft", "-f", rooted(Path.of("/etc/nftables.conf")).toString());
  }

  /**
   * What the boot's {@code fail2ban.service} does, in the namespace, on the root's configuration:
   * the server's database and log and the database error log the jails watch are the root's (its
   * {@code /var/lib} and {@code /var/log} mounted over the machine's, in a private mount namespace
   * only this server sees); its socket and pid file under the root's {@code /run/fail2ban}.
   */
  private static void startFail2ban() throws Exception {
    Files.createDirectories(socket().getParent());
    String script =
        "mount --bind \"$1/var/lib\" /var/lib && mount --bind \"$1/var/log\" /var/log"
            + " && exec fail2ban-client -f -c \"$1/etc/fail2ban\" -s \"$2\" -p \"$3\" start";
    fail2ban =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                ns,
                "unshare",
                "-m",
                "--propagation",
                "private",
                "sh",
                "-c",
                script,
                "sh",
                root.toString(),
                socket().toString(),
                socket().resolveSibling("fail2ban.pid").toString())
            .redirectErrorStream(true)
            .redirectOutput(base.resolve("fail2ban.out").toFile())
            .start();
    long deadline = System.nanoTime() + T.toNanos();
    while (System.nanoTime() < deadline) {
      if (run("fail2ban-client", "-s", socket().toString(), "ping").exitCode() == 0) {
        return;
      }
      if (!fail2ban.isAlive()) {
        break;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "fail2ban did not answer: " + Files.readString(base.resolve("fail2ban.out")));
  }

  private static void stopFail2ban() throws InterruptedException {
    if (fail2ban == null) {
      return;
    }
    run("fail2ban-client", "-s", socket().toString(), "stop");
    if (!fail2ban.waitFor(20, TimeUnit.SECONDS)) {
      fail2ban.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    fail2ban = null;
  }

  /** "connected", "refused" (an RST or ICMP unreachable) or "dropped" (no answer in 1.5 s). */
  private static String connect(String from, int port) throws IOException {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
      s.connect(new InetSocketAddress(InetAddress.getByName(nsAddr), port), 1500);
      return "connected";
    } catch (SocketTimeoutException e) {
      return "dropped";
    } catch (ConnectException e) {
      return e.getMessage().startsWith("Connection refused") ? "refused" : e.getMessage();
    }
  }

  private static Processes.Result run(String... cmd) {
    return Processes.run(List.of(cmd), null, T);
  }

  private static void ok(String... cmd) {
    Processes.Result r = run(cmd);
    if (r.exitCode() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + ": " + r.output());
    }
  }

  private static void inNs(String... cmd) {
    String[] full = new String[cmd.length + 4];
    full[0] = "ip";
    full[1] = "netns";
    full[2] = "exec";
    full[3] = ns;
    System.arraycopy(cmd, 0, full, 4, cmd.length);
    ok(full);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
