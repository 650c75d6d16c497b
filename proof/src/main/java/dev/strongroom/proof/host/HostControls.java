package dev.strongroom.proof.host;

import dev.strongroom.proof.check.Check;
import dev.strongroom.proof.check.Control;
import dev.strongroom.proof.check.Evidence;
import dev.strongroom.proof.check.Method;
import dev.strongroom.proof.check.Outcome;
import dev.strongroom.proof.run.HostFacts;
import dev.strongroom.proof.run.ProofContext;
import dev.strongroom.provisioner.host.HostBundleRenderer;
import dev.strongroom.provisioner.host.plan.HostShell;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host controls, run on the context's {@link HostTarget}: this machine, or an SSH target
 * through the provisioner's SSH client (pinned host key, key login), with the root the bundle was
 * applied under there. Every measurement is a command run on the target; the command exactly as
 * sent and its output are the check's evidence.
 *
 * <p>On a target without the applied bundle's manifest each control is NOT_APPLICABLE with {@link
 * HostFacts#notApplicableReason()}: a container or a developer laptop cannot show that the
 * production host is firewalled, and saying PASS would be a lie. On a rehearsal root (the bundle
 * under a directory, not the running system) the kernel-wide signals — MAC-01, FIPS-01 — are
 * NOT_APPLICABLE too: they would describe the kernel of the machine holding the root. FW-01 and
 * F2B-01 measure what runs for the root: the ruleset in force where the target's SSH answers (its
 * network namespace), which on a rehearsal root must be the bundle's own table, and the fail2ban
 * server answering on the root's socket ({@code ROOT/run/fail2ban/fail2ban.sock}).
 */
public final class HostControls {
  private HostControls() {}

  /**
   * Where fail2ban's server listens on a booted host ({@code /var/run/fail2ban/fail2ban.sock} in
   * Debian's {@code fail2ban.conf}, {@code /var/run} being {@code /run}); on a rehearsal root, the
   * same path under the root.
   */
  public static final Path FAIL2BAN_SOCKET = Path.of("/run/fail2ban/fail2ban.sock");

  /** The body of a host check on a hardened target. */
  @FunctionalInterface
  interface Body {
    Outcome run(HostTarget target, Evidence evidence) throws Exception;
  }

  record HostCheck(Control control, Body body) implements Check {
    @Override
    public Outcome run(ProofContext context, Evidence evidence) throws Exception {
      HostFacts host = context.host();
      if (!host.hardenedVm()) {
        return Outcome.notApplicable(host.notApplicableReason());
      }
      evidence.note(
          host.target().actor(),
          "the applied host bundle's manifest",
          host.hardenedHostManifest().orElseThrow() + " on " + host.target().describe());
      return body.run(host.target(), evidence);
    }
  }

  private static Control control(
      String id, String title, Method method, String notes, List<String> sources) {
    return new Control(id, title, sources, method, notes);
  }

  public static List<Check> all() {
    return List.of(
        new HostCheck(
            control(
                "SR-HOST-FW-01",
                "The host firewall drops inbound traffic by default (nftables input policy drop)",
                Method.MEASURED_FACT,
                "",
                List.of(
                    "seed",
                    "DISA STIG MySQL 8.0: restrict network access",
                    "CIS MySQL Community 8.4: host firewall")),
            HostControls::firewall),
        new HostCheck(
            control(
                "SR-HOST-F2B-01",
                "fail2ban runs with the database jails",
                Method.MEASURED_FACT,
                "",
                List.of("seed", "DISA STIG MySQL 8.0: limit consecutive failed logins")),
            HostControls::fail2ban),
        new HostCheck(
            control(
                "SR-HOST-MAC-01",
                "Mandatory access control is enforcing (AppArmor or SELinux)",
                Method.MEASURED_FACT,
                "Debian and Ubuntu use AppArmor; RHEL family SELinux.",
                List.of("seed", "DISA STIG MySQL 8.0: host security controls")),
            (t, e) -> {
              List<Path> files =
                  List.of(
                      Path.of("/sys/module/apparmor/parameters/enabled"),
                      Path.of("/sys/fs/selinux/enforce"));
              if (t.rehearsalRoot()) {
                return Outcome.notApplicable(kernelSignalOnRehearsalRoot(t, files));
              }
              String aa = read(t, e, files.get(0));
              String se = read(t, e, files.get(1));
              boolean ok = aa.equals("Y") || se.equals("1");
              return Outcome.of(
                  ok, "apparmor=" + aa + " selinux=" + se, "no MAC enforcing on " + t.describe());
            }),
        new HostCheck(
            control(
                "SR-HOST-FIPS-01",
                "The kernel runs in FIPS mode (/proc/sys/crypto/fips_enabled = 1)",
                Method.MEASURED_FACT,
                "",
                List.of("DISA STIG MySQL 8.0: FIPS-validated cryptography")),
            (t, e) -> {
              Path file = Path.of("/proc/sys/crypto/fips_enabled");
              if (t.rehearsalRoot()) {
                return Outcome.notApplicable(kernelSignalOnRehearsalRoot(t, List.of(file)));
              }
              String v = read(t, e, file);
              return Outcome.of("1".equals(v), "fips_enabled = 1", "fips_enabled = '" + v + "'");
            }));
  }

  /**
   * Why a kernel-wide signal cannot be measured for a rehearsal root: the root is a directory on a
   * running machine, and {@code /proc} and {@code /sys} there are that machine's kernel.
   */
  static String kernelSignalOnRehearsalRoot(HostTarget t, List<Path> files) {
    StringBuilder f = new StringBuilder();
    for (Path p : files) {
      f.append(f.length() == 0 ? "" : " and ").append(p);
    }
    return t.target()
        + " holds the host bundle under the rehearsal root "
        + t.root()
        + ", not as its running system: "
        + f
        + " there belong to the kernel of the machine that holds the root (shared by every root"
        + " and namespace on it), not to a kernel booted from "
        + t.root()
        + "; measure this on the booted host (root /)";
  }

  // --- SR-HOST-FW-01 ----------------------------------------------------------------------------

  /**
   * Why a check that reads what only root may read ({@code what}) cannot run on {@code t}: the
   * prover's account there is not root — e.g. the proof-service, which runs as the service user on
   * a provisioned host. Empty when it is root, or when {@code id -u} cannot tell (the check then
   * runs and names what it met).
   */
  static java.util.Optional<String> needsRoot(HostTarget t, String what) {
    HostShell.Result id = t.exec("id -u");
    String uid = id.stdout().trim();
    if (id.exitCode() != 0 || uid.equals("0") || !uid.matches("[0-9]+")) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        "reads "
            + what
            + " as root, and this prover runs as uid "
            + uid
            + " on "
            + t.describe()
            + ": its answer would describe the account, not the host. The host controls are"
            + " evidence from a root run: ./strongroom prove --host ssh://root@<host>"
            + " (docs/ops-plane.md)");
  }

  private static Outcome firewall(HostTarget t, Evidence e) {
    java.util.Optional<String> notRoot = needsRoot(t, "the ruleset (nft list ruleset)");
    if (notRoot.isPresent()) {
      return Outcome.notApplicable(notRoot.get());
    }
    HostShell.Result r = command(t, e, "nft list ruleset");
    if (r.exitCode() != 0) {
      return Outcome.fail(
          "nft list ruleset exited " + r.exitCode() + " on " + t.describe() + ": " + oneLine(r));
    }
    List<InputChain> drop = inputChains(r.stdout()).stream().filter(InputChain::drop).toList();
    boolean v4 = drop.stream().anyMatch(c -> c.family().equals("inet") || c.family().equals("ip"));
    boolean v6 = drop.stream().anyMatch(c -> c.family().equals("inet") || c.family().equals("ip6"));
    String where = " on " + t.describe();
    if (drop.isEmpty()) {
      return Outcome.fail("no input chain with policy drop" + where);
    }
    if (!v4 || !v6) {
      return Outcome.fail(
          "input policy drop for IPv" + (v4 ? "4" : "6") + " only (" + names(drop) + ")" + where);
    }
    boolean bundles =
        drop.stream()
            .anyMatch(
                c -> c.family().equals("inet") && c.table().equals(HostBundleRenderer.NFT_TABLE));
    if (t.rehearsalRoot() && !bundles) {
      return Outcome.fail(
          "input policy drop ("
              + names(drop)
              + "), but not in the bundle's table inet "
              + HostBundleRenderer.NFT_TABLE
              + where
              + ": the ruleset in force is not the one the root's /etc/nftables.conf loads");
    }
    return Outcome.pass("input policy drop (" + names(drop) + ")" + where);
  }

  /** A base chain on the input hook, as {@code nft list ruleset} prints it. */
  record InputChain(String family, String table, String chain, boolean drop) {
    @Override
    public String toString() {
      return "table " + family + " " + table + " chain " + chain;
    }
  }

  private static final Pattern TABLE = Pattern.compile("^table (\\S+) (\\S+) \\{$");
  private static final Pattern CHAIN = Pattern.compile("^chain (\\S+) \\{$");
  private static final Pattern HOOK =
      Pattern.compile("^type \\S+ hook input (?:device \\S+ )?priority [^;]+;(?: policy (\\w+);)?");

  /**
   * Every base chain on the input hook in {@code nft list ruleset} output, with whether its policy
   * is drop. Read line by line, one chain at a time: a drop policy on another hook (forward) never
   * counts for input. Any base chain on input with policy drop is enough for default deny: a packet
   * must be accepted by every base chain of its hook, so one chain's drop policy is final.
   */
  static List<InputChain> inputChains(String ruleset) {
    List<InputChain> out = new ArrayList<>();
    String family = null;
    String table = null;
    String chain = null;
    for (String raw : ruleset.split("\n")) {
      String line = raw.strip();
      Matcher m = TABLE.matcher(line);
      if (m.matches()) {
        family = m.group(1);
        table = m.group(2);
        chain = null;
        continue;
      }
      m = CHAIN.matcher(line);
      if (m.matches() && table != null) {
        chain = m.group(1);
        continue;
      }
      m = HOOK.matcher(line);
      if (m.find() && chain != null) {
        // nft prints no policy for the default, accept
        out.add(new InputChain(family, table, chain, "drop".equals(m.group(1))));
      }
    }
    return out;
  }

  private static String names(List<InputChain> chains) {
    return String.join(", ", chains.stream().map(InputChain::toString).toList());
  }

  // --- SR-HOST-F2B-01 ---------------------------------------------------------------------------

  private static Outcome fail2ban(HostTarget t, Evidence e) {
    java.util.Optional<String> notRoot = needsRoot(t, "fail2ban's state (its root-only socket)");
    if (notRoot.isPresent()) {
      return Outcome.notApplicable(notRoot.get());
    }
    String client =
        t.rehearsalRoot()
            ? "fail2ban-client -s " + HostShell.quote(t.rooted(FAIL2BAN_SOCKET))
            : "fail2ban-client";
    String where = " on " + t.describe();
    HostShell.Result status = command(t, e, client + " status");
    if (status.exitCode() != 0) {
      // without a terminal fail2ban-client prefixes its complaint with a time and a pid
      String why =
          oneLine(status).replaceAll("(?:^| \\| )\\S+ \\S+ fail2ban\\s+\\[\\d+\\]:\\s+", " ");
      return Outcome.fail(
          "fail2ban does not answer" + where + ": " + why.strip().replaceAll("\\s+", " "));
    }
    List<String> jails = jailList(status.stdout());
    List<String> missing =
        HostBundleRenderer.DB_JAILS.stream().filter(j -> !jails.contains(j)).toList();
    if (!missing.isEmpty()) {
      return Outcome.fail(
          "fail2ban runs"
              + where
              + " without the database jails "
              + String.join(", ", missing)
              + " (jails: "
              + (jails.isEmpty() ? "none" : String.join(", ", jails))
              + ")");
    }
    for (String jail : HostBundleRenderer.DB_JAILS) {
      HostShell.Result js = command(t, e, client + " status " + jail);
      if (js.exitCode() != 0) {
        return Outcome.fail("fail2ban's jail " + jail + " does not answer" + where);
      }
    }
    return Outcome.pass(
        "fail2ban answers"
            + where
            + " with the database jails "
            + String.join(", ", HostBundleRenderer.DB_JAILS)
            + " (jails: "
            + String.join(", ", jails)
            + ")");
  }

  private static final Pattern JAIL_LIST = Pattern.compile("Jail list:\\s*(.*)");

  /** The jails of {@code fail2ban-client status} output ({@code `- Jail list:\ta, b}). */
  static List<String> jailList(String status) {
    Matcher m = JAIL_LIST.matcher(status);
    if (!m.find() || m.group(1).isBlank()) {
      return List.of();
    }
    return Arrays.stream(m.group(1).split(",")).map(String::strip).toList();
  }

  // --- the target -------------------------------------------------------------------------------

  /** Runs {@code cmd} on the target and keeps it, exactly as sent, with its output. */
  private static HostShell.Result command(HostTarget t, Evidence e, String cmd) {
    Instant t0 = e.now();
    HostShell.Result r = t.exec(cmd);
    e.add(t.actor(), cmd, t0, r.exitCode(), r.stdout() + r.stderr());
    return r;
  }

  /** A kernel file read on the target ({@code cat}); "" when it is absent. */
  private static String read(HostTarget t, Evidence e, Path p) {
    HostShell.Result r = command(t, e, "cat -- " + HostShell.quote(p.toString()));
    return r.exitCode() == 0 ? r.stdout().strip() : "";
  }

  private static String oneLine(HostShell.Result r) {
    String s = (r.stderr().isBlank() ? r.stdout() : r.stderr()).strip();
    return s.isEmpty() ? "(no output)" : s.replaceAll("\\s*\n\\s*", " | ");
  }
}
