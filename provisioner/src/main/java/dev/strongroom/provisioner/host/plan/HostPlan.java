package dev.strongroom.provisioner.host.plan;

import dev.strongroom.provisioner.host.BundleFile;
import dev.strongroom.provisioner.host.HostBundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The host bundle as a plan of steps, each a check (read-only commands) and an apply, run on a
 * {@link HostShell} under a root ({@code /} on a real host, a throwaway directory in tests and dry
 * runs on a copy). Steps, in order:
 *
 * <ol>
 *   <li>{@code file <path>} per bundle file owned by root: content (SHA-256) and mode; apply writes
 *       a temporary file beside it and renames it into place (owner {@code root:root} when the root
 *       is {@code /});
 *   <li>{@code users}: the service and database users exist; apply runs {@code systemd-sysusers};
 *   <li>{@code file <path>} per bundle file owned by one of those users or groups (the database's
 *       option file, {@code root:<dbUser>} 0640): the temporary file gets its owner and group
 *       (numeric ids from the root's own {@code /etc/passwd} and {@code /etc/group}) before it is
 *       renamed into place;
 *   <li>{@code ownership}: every {@code d} and {@code z} line of the tmpfiles configuration holds
 *       (mode, numeric owner and group resolved in the root's own {@code /etc/passwd} and {@code
 *       /etc/group}); apply runs {@code systemd-tmpfiles --create};
 *   <li>{@code file <configDir>/host/MANIFEST.tsv}: the bundle's manifest, last, so that its
 *       presence on a host means the bundle was applied (the proof's host controls look for it);
 *   <li>{@code activate}: under a throwaway root (an image or chroot that boots later, or a
 *       rehearsal), the bundle's units are enabled the way that root's systemd reads them at boot:
 *       {@code systemctl --root=ROOT enable strongroom.target strongroom-verify-audit.timer
 *       strongroom-prove.timer}, plus {@code nftables.service} and {@code fail2ban.service} where
 *       the root has their units (they load {@code /etc/nftables.conf} and the jails when it boots;
 *       {@code systemd-sysctl} reads the sysctl file then). Checked with {@code is-enabled}.
 *       Nothing is started and no kernel setting changes: a root that is not running has no manager
 *       or kernel of its own to load them into. On a real host ({@code /}) it is skipped:
 *       activation there loads the firewall into the running kernel, changes kernel settings and
 *       starts the database and services, which the operator does after reviewing the plan
 *       (docs/ops-plane.md gives the commands).
 * </ol>
 *
 * {@link #plan} runs the checks only; {@link #apply} applies only the steps whose check differs and
 * re-checks each, so a second apply reports every step {@link StepStatus#UNCHANGED}.
 */
public final class HostPlan {
  private final HostBundle bundle;
  private final Path root;

  public HostPlan(HostBundle bundle, Path root) {
    if (!root.isAbsolute() || !root.normalize().equals(root)) {
      throw new IllegalArgumentException("root must be absolute and normalized: " + root);
    }
    this.bundle = bundle;
    this.root = root;
  }

  private boolean hostRoot() {
    return root.getNameCount() == 0;
  }

  private String rooted(Path hostPath) {
    return hostRoot() ? hostPath.toString() : root + hostPath.toString();
  }

  private static String q(String s) {
    return PlanRunner.q(s);
  }

  /** The first check of every file in one round trip: path -> "sha\nmode" lines, or "". */
  private final Map<String, String> prefetched = new HashMap<>();

  private void prefetch(HostShell sh) {
    prefetched.clear();
    StringBuilder cmd = new StringBuilder();
    for (BundleFile f : bundle.files()) {
      cmd.append("f=")
          .append(q(rooted(f.hostPath())))
          .append("; echo \"#$f\"; if [ -f \"$f\" ]; then sha256sum -- \"$f\" | cut -d' ' -f1;")
          .append(" stat -c %a -- \"$f\"; fi; ");
    }
    cmd.append("true");
    HostShell.Result r = run(sh, cmd.toString(), null, "files");
    String current = null;
    StringBuilder body = new StringBuilder();
    for (String line : r.stdout().lines().toList()) {
      if (line.startsWith("#/")) {
        if (current != null) {
          prefetched.put(current, body.toString());
        }
        current = line.substring(1);
        body.setLength(0);
      } else {
        body.append(line).append('\n');
      }
    }
    if (current != null) {
      prefetched.put(current, body.toString());
    }
  }

  private List<PlanStep> steps() {
    List<PlanStep> steps = new ArrayList<>();
    for (BundleFile f : bundle.files()) {
      if (rootOwned(f)) {
        steps.add(new FileStep(f));
      }
    }
    steps.add(new UsersStep());
    // files owned by the bundle's users (the database's option file) once the users exist: written
    // with their owner before they are renamed into place, never readable by the wrong one
    for (BundleFile f : bundle.files()) {
      if (!rootOwned(f)) {
        steps.add(new FileStep(f));
      }
    }
    steps.add(new OwnershipStep());
    steps.add(
        new FileStep(
            new BundleFile(
                HostBundle.MANIFEST,
                HostBundle.installedManifest(bundle.options().configDir()),
                "root",
                "root",
                "0644",
                bundle.manifest())));
    steps.add(new ActivateStep());
    return steps;
  }

  /** Our units, enabled under every root; the firewall's and fail2ban's where the root has them. */
  private static final List<String> UNITS =
      List.of("strongroom.target", "strongroom-verify-audit.timer", "strongroom-prove.timer");

  private static final List<String> PACKAGED_UNITS =
      List.of("nftables.service", "fail2ban.service");

  /**
   * A unit's state from {@code systemctl --root=ROOT is-enabled} output: {@code missing} for no
   * unit file — systemd up to 253 prints nothing on stdout then (its error goes to stderr), later
   * releases print {@code not-found} — otherwise the state systemd printed ({@code enabled}, {@code
   * disabled}, {@code static}, {@code masked}, {@code alias}, …), trimmed.
   */
  static String unitState(String isEnabledOutput) {
    String s = isEnabledOutput.strip();
    return s.isEmpty() || s.equals("not-found") ? "missing" : s;
  }

  private static boolean masked(String state) {
    return state.equals("masked") || state.equals("masked-runtime");
  }

  private final class ActivateStep implements PlanStep {
    @Override
    public String id() {
      return "activate";
    }

    @Override
    public String skip(HostShell sh) {
      return hostRoot()
          ? "on the host's own root: run the activation commands of docs/ops-plane.md after"
              + " reviewing the plan (they load the firewall, change kernel settings and start the"
              + " services)"
          : null;
    }

    /** unit -> its {@code is-enabled} state under the root, {@code missing} without a unit file. */
    private Map<String, String> states(HostShell sh) {
      StringBuilder cmd = new StringBuilder("for u in");
      for (String u : UNITS) {
        cmd.append(' ').append(u);
      }
      for (String u : PACKAGED_UNITS) {
        cmd.append(' ').append(u);
      }
      cmd.append("; do s=$(systemctl --root=")
          .append(q(root.toString()))
          .append(" is-enabled -- \"$u\" 2>/dev/null); echo \"$u ${s:-missing}\"; done");
      Map<String, String> m = new java.util.LinkedHashMap<>();
      for (String l : run(sh, cmd.toString(), null, id()).stdout().lines().toList()) {
        String[] f = l.split(" ", 2);
        m.put(f[0], unitState(f.length > 1 ? f[1] : ""));
      }
      return m;
    }

    private List<String> toEnable(Map<String, String> states) {
      List<String> out = new ArrayList<>();
      for (Map.Entry<String, String> e : states.entrySet()) {
        boolean ours = UNITS.contains(e.getKey());
        if (!e.getValue().equals("enabled")
            && !masked(e.getValue())
            && (ours || !e.getValue().equals("missing"))) {
          out.add(e.getKey());
        }
      }
      return out;
    }

    /** Units the operator masked under the root: enabling one fails, and unmasking is theirs. */
    private static String maskedUnits(Map<String, String> states) {
      List<String> masked =
          states.entrySet().stream()
              .filter(e -> masked(e.getValue()))
              .map(e -> e.getKey() + " (" + e.getValue() + ")")
              .toList();
      return masked.isEmpty() ? null : String.join(", ", masked);
    }

    @Override
    public String check(HostShell sh) {
      Map<String, String> states = states(sh);
      List<String> enable = toEnable(states);
      String masked = maskedUnits(states);
      if (masked != null) {
        return "masked under "
            + root
            + ": "
            + masked
            + "; the plan does not unmask a unit (systemctl --root="
            + root
            + " unmask UNIT, then apply again)";
      }
      if (enable.isEmpty()) {
        return null;
      }
      List<String> absent =
          PACKAGED_UNITS.stream().filter(u -> states.get(u).equals("missing")).toList();
      return "enable "
          + String.join(", ", enable)
          + " under "
          + root
          + (absent.isEmpty()
              ? ""
              : " ("
                  + String.join(", ", absent)
                  + ": no unit under the root, package not installed)");
    }

    @Override
    public void apply(HostShell sh) {
      Map<String, String> states = states(sh);
      String masked = maskedUnits(states);
      if (masked != null) {
        throw new PlanFailedException(
            id(),
            "masked under "
                + root
                + ": "
                + masked
                + "; the plan does not unmask a unit an operator masked",
            List.of());
      }
      List<String> enable = toEnable(states);
      StringBuilder cmd = new StringBuilder("systemctl --root=").append(q(root.toString()));
      cmd.append(" enable --");
      for (String u : enable) {
        cmd.append(' ').append(u);
      }
      run(sh, cmd.toString(), null, id());
    }
  }

  /** Checks every step; changes nothing. */
  public List<StepResult> plan(HostShell sh) {
    return plan(sh, PlanListener.NONE);
  }

  /** Checks every step, telling {@code listener} of each; changes nothing. */
  public List<StepResult> plan(HostShell sh, PlanListener listener) {
    return PlanRunner.run(
        false,
        () -> {
          prefetch(sh);
          return steps();
        },
        sh,
        listener);
  }

  /** Applies every step whose check differs, and re-checks it. */
  public List<StepResult> apply(HostShell sh) {
    return apply(sh, PlanListener.NONE);
  }

  /**
   * Applies every step whose check differs, and re-checks it, telling {@code listener} of each.
   *
   * @throws PlanFailedException at the first step whose apply fails or whose check still differs
   *     after it (or whose check cannot run); the steps before it stay applied
   */
  public List<StepResult> apply(HostShell sh, PlanListener listener) {
    return PlanRunner.run(
        true,
        () -> {
          prefetch(sh);
          return steps();
        },
        sh,
        listener);
  }

  private static HostShell.Result run(HostShell sh, String cmd, byte[] in, String what) {
    return PlanRunner.run(sh, cmd, in, what);
  }

  private final class FileStep implements PlanStep {
    private final BundleFile f;
    private final String path;

    FileStep(BundleFile f) {
      this.f = f;
      this.path = rooted(f.hostPath());
    }

    @Override
    public String id() {
      return "file " + f.hostPath();
    }

    @Override
    public String check(HostShell sh) {
      String state = prefetched.remove(path);
      if (state == null) {
        state =
            run(
                    sh,
                    "f="
                        + q(path)
                        + "; if [ -f \"$f\" ]; then sha256sum -- \"$f\" | cut -d' ' -f1;"
                        + " stat -c %a -- \"$f\"; fi",
                    null,
                    id())
                .stdout();
      }
      List<String> lines = state.lines().toList();
      if (lines.isEmpty()) {
        return "missing";
      }
      String want = sha256(f.content());
      String mode = Integer.toOctalString(Integer.parseInt(f.mode(), 8));
      List<String> diffs = new ArrayList<>();
      if (!lines.get(0).equals(want)) {
        diffs.add("content differs");
      }
      if (lines.size() < 2 || !lines.get(1).equals(mode)) {
        diffs.add("mode " + (lines.size() < 2 ? "?" : lines.get(1)) + " is not " + mode);
      }
      return diffs.isEmpty() ? null : String.join(", ", diffs);
    }

    @Override
    public void apply(HostShell sh) {
      String ids = "";
      String chown;
      if (rootOwned(f)) {
        chown = hostRoot() ? " && chown " + f.owner() + ":" + f.group() + " \"$t\"" : "";
      } else {
        // numeric ids from the root's own user and group files (a throwaway root's users are not
        // the machine's), resolved before anything is written
        ids =
            " u="
                + numericId(f.owner(), "/etc/passwd")
                + "; g="
                + numericId(f.group(), "/etc/group")
                + "; [ -n \"$u\" ] && [ -n \"$g\" ] || { echo "
                + q(
                    "no user "
                        + f.owner()
                        + " or group "
                        + f.group()
                        + " under "
                        + root
                        + ": step users first")
                + " >&2; exit 1; };";
        chown = " && chown \"$u:$g\" \"$t\"";
      }
      String b64 =
          java.util.Base64.getEncoder()
              .encodeToString(f.content().getBytes(StandardCharsets.UTF_8));
      run(
          sh,
          "set -e;"
              + ids
              + " f="
              + q(path)
              + "; d=$(dirname -- \"$f\"); mkdir -p -- \"$d\"; t=$(mktemp \"$d/.strongroom.XXXXXX\");"
              + " printf %s '"
              + b64
              + "' | base64 -d > \"$t\" && chmod "
              + f.mode()
              + " \"$t\""
              + chown
              + " && mv -f -- \"$t\" \"$f\"",
          null,
          id());
    }
  }

  private static boolean rootOwned(BundleFile f) {
    return f.owner().equals("root") && f.group().equals("root");
  }

  /**
   * A shell expression for the numeric id of {@code name} in the root's {@code file} ("" if none).
   */
  private String numericId(String name, String file) {
    if (name.equals("root")) {
      return "0";
    }
    return "$(awk -F: -v n=" + q(name) + " '$1==n{print $3}' " + q(rooted(Path.of(file))) + ")";
  }

  private final class UsersStep implements PlanStep {
    @Override
    public String id() {
      return "users";
    }

    @Override
    public String check(HostShell sh) {
      String passwd = rooted(Path.of("/etc/passwd"));
      List<String> missing = new ArrayList<>();
      for (String u : List.of(bundle.options().serviceUser(), bundle.options().dbUser())) {
        HostShell.Result r = sh.exec("grep -q " + q("^" + u + ":") + " " + q(passwd), null);
        if (r.exitCode() != 0) {
          missing.add(u);
        }
      }
      return missing.isEmpty() ? null : "missing users " + String.join(", ", missing);
    }

    @Override
    public void apply(HostShell sh) {
      String conf = rooted(Path.of("/etc/sysusers.d/strongroom.conf"));
      run(
          sh,
          hostRoot()
              ? "systemd-sysusers " + q(conf)
              : "mkdir -p "
                  + q(root + "/etc")
                  + " && systemd-sysusers --root="
                  + q(root.toString())
                  + " "
                  + q(conf),
          null,
          id());
    }
  }

  /** A {@code d} or {@code z} line of the tmpfiles configuration. */
  private record Rule(String type, String path, String mode, String user, String group) {}

  private List<Rule> rules() {
    List<Rule> rules = new ArrayList<>();
    for (String line : bundle.require("tmpfiles/strongroom.conf").content().lines().toList()) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      String[] f = line.split(" ");
      rules.add(new Rule(f[0], f[1], f[2], f[3], f[4]));
    }
    return rules;
  }

  private final class OwnershipStep implements PlanStep {
    @Override
    public String id() {
      return "ownership";
    }

    @Override
    public String check(HostShell sh) {
      Map<String, String> uids = ids(sh, "/etc/passwd");
      Map<String, String> gids = ids(sh, "/etc/group");
      List<Rule> rules = rules();
      StringBuilder cmd = new StringBuilder();
      for (int i = 0; i < rules.size(); i++) {
        Rule r = rules.get(i);
        // The glob stays unquoted so the shell expands it; paths hold no spaces (HostOptions).
        cmd.append("echo '#")
            .append(i)
            .append("'; for f in ")
            .append(rooted(Path.of(r.path())))
            .append("; do [ -e \"$f\" ] && stat -c '%a %u %g %n' -- \"$f\"; done; ");
      }
      cmd.append("true");
      HostShell.Result res = run(sh, cmd.toString(), null, id());
      List<String> diffs = new ArrayList<>();
      int current = -1;
      boolean seen = true;
      for (String line : res.stdout().lines().toList()) {
        if (line.startsWith("#")) {
          if (current >= 0 && !seen && rules.get(current).type().equals("d")) {
            diffs.add("missing " + rules.get(current).path());
          }
          current = Integer.parseInt(line.substring(1));
          seen = false;
          continue;
        }
        seen = true;
        Rule r = rules.get(current);
        String[] f = line.split(" ", 4);
        String mode = Integer.toOctalString(Integer.parseInt(r.mode(), 8));
        String uid = uids.get(r.user());
        String gid = gids.get(r.group());
        if (!f[0].equals(mode) || !f[1].equals(uid) || !f[2].equals(gid)) {
          diffs.add(
              f[3] + " is " + f[0] + " " + f[1] + ":" + f[2] + ", not " + mode + " " + r.user()
                  + ":" + r.group());
        }
      }
      if (current >= 0 && !seen && rules.get(current).type().equals("d")) {
        diffs.add("missing " + rules.get(current).path());
      }
      if (diffs.isEmpty()) {
        return null;
      }
      return diffs.size() + " differ, first: " + diffs.get(0);
    }

    private Map<String, String> ids(HostShell sh, String file) {
      HostShell.Result r = sh.exec("cat " + q(rooted(Path.of(file))), null);
      Map<String, String> m = new HashMap<>();
      m.put("root", "0"); // root is uid/gid 0 whether or not a throwaway root lists it
      for (String l : r.stdout().lines().toList()) {
        String[] f = l.split(":");
        if (f.length > 2) {
          m.put(f[0], f[2]);
        }
      }
      return m;
    }

    @Override
    public void apply(HostShell sh) {
      String conf = rooted(Path.of("/etc/tmpfiles.d/strongroom.conf"));
      run(
          sh,
          hostRoot()
              ? "systemd-tmpfiles --create " + q(conf)
              : "systemd-tmpfiles --create --root=" + q(root.toString()) + " " + q(conf),
          null,
          id());
    }
  }

  static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
