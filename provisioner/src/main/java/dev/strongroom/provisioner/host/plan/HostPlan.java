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
 *   <li>{@code file <path>} per bundle file: content (SHA-256) and mode; apply writes a temporary
 *       file beside it and renames it into place (owner {@code root:root} when the root is {@code
 *       /});
 *   <li>{@code users}: the service and database users exist; apply runs {@code systemd-sysusers};
 *   <li>{@code ownership}: every {@code d} and {@code z} line of the tmpfiles configuration holds
 *       (mode, numeric owner and group resolved in the root's own {@code /etc/passwd} and {@code
 *       /etc/group}); apply runs {@code systemd-tmpfiles --create};
 *   <li>{@code file <configDir>/host/MANIFEST.tsv}: the bundle's manifest, last, so that its
 *       presence on a host means the bundle was applied (the proof's host controls look for it);
 *   <li>{@code activate}: reloading nftables, sysctl and systemd — skipped under a path prefix
 *       (docs/ops-plane.md gives the commands for a real host).
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
      steps.add(new FileStep(f));
    }
    steps.add(new UsersStep());
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
    return steps;
  }

  /** Checks every step; changes nothing. */
  public List<StepResult> plan(HostShell sh) {
    return plan(sh, PlanListener.NONE);
  }

  /** Checks every step, telling {@code listener} of each; changes nothing. */
  public List<StepResult> plan(HostShell sh, PlanListener listener) {
    return withActivate(
        PlanRunner.run(
            false,
            () -> {
              prefetch(sh);
              return steps();
            },
            sh,
            listener),
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
    return withActivate(
        PlanRunner.run(
            true,
            () -> {
              prefetch(sh);
              return steps();
            },
            sh,
            listener),
        listener);
  }

  private List<StepResult> withActivate(List<StepResult> done, PlanListener listener) {
    List<StepResult> out = new ArrayList<>(done);
    StepResult last = activate();
    listener.started(last.id());
    out.add(last);
    listener.finished(last);
    return out;
  }

  private StepResult activate() {
    return hostRoot()
        ? new StepResult(
            "activate",
            StepStatus.SKIPPED,
            "run the activation commands of docs/ops-plane.md after reviewing the plan")
        : new StepResult(
            "activate",
            StepStatus.SKIPPED,
            "under " + root + ", not the host's root: not activated");
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
      String chown = hostRoot() ? " && chown " + f.owner() + ":" + f.group() + " \"$t\"" : "";
      String b64 =
          java.util.Base64.getEncoder()
              .encodeToString(f.content().getBytes(StandardCharsets.UTF_8));
      run(
          sh,
          "set -e; f="
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
