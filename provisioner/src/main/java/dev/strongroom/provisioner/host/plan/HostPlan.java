package dev.strongroom.provisioner.host.plan;

import dev.strongroom.provisioner.db.Dialect;
import dev.strongroom.provisioner.host.BundleFile;
import dev.strongroom.provisioner.host.HostBundle;
import dev.strongroom.provisioner.host.HostOptions;
import dev.strongroom.provisioner.pki.PkiDirectory;
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
 *   <li>with a PKI ({@link #HostPlan(HostBundle, Path, PkiDirectory)}): {@link CertificatePlan}'s
 *       {@code pki}, {@code file <configDir>/pki/…} and {@code reload tls} steps (no rotation;
 *       before {@code db schema} so that a refused schema never holds back a CRL reload);
 *   <li>{@code db keyring}: the database's at-rest keyring ({@code file_key_management}'s {@code
 *       keys.enc} and {@code filekey}) exists and decrypts; apply generates it on the target (its
 *       {@code openssl}: the key material never crosses SSH), never over a surviving half ({@link
 *       KeyringStep});
 *   <li>{@code db datadir}: the data directory holds the system schema; apply runs {@code
 *       mariadb-install-db} with the installed option file as the database user ({@link
 *       DataDirStep});
 *   <li>with a PKI, {@code db schema} ({@link DbSchemaStep}): the running server holds the DB
 *       identities (subjects and issuers of the PKI's certificates), the proc-only schema, the
 *       audit chain and the tenant-token keys of {@code <configDir>/keys/tenant-token.key}
 *       (generated when there is none); skipped while no server runs, refused over a schema that
 *       drifted;
 *   <li>{@code file <configDir>/host/MANIFEST.tsv}: the bundle's manifest, last, so that its
 *       presence on a host means the bundle was applied (the proof's host controls look for it);
 *   <li>{@code activate}: under a throwaway root (an image or chroot that boots later, or a
 *       rehearsal), the bundle's units are enabled the way that root's systemd reads them at boot:
 *       {@code systemctl --root=ROOT enable strongroom.target strongroom-verify-audit.timer}, plus
 *       {@code nftables.service} and {@code fail2ban.service} where the root has their units (they
 *       load {@code /etc/nftables.conf} and the jails when it boots; {@code systemd-sysctl} reads
 *       the sysctl file then). Checked with {@code is-enabled}. Nothing is started and no kernel
 *       setting changes: a root that is not running has no manager or kernel of its own to load
 *       them into. On a real host ({@code /}) it is skipped: activation there loads the firewall
 *       into the running kernel, changes kernel settings and starts the database and services,
 *       which the operator does after reviewing the plan (docs/ops-plane.md gives the commands).
 * </ol>
 *
 * {@link #plan} runs the checks only; {@link #apply} applies only the steps whose check differs and
 * re-checks each, so a second apply reports every step {@link StepStatus#UNCHANGED}.
 */
public final class HostPlan {
  private final HostBundle bundle;
  private final Path root;

  /** The certificates, when the plan installs them; null otherwise. */
  private final PkiDirectory pki;

  /** The bundle's plan without the certificates (installed separately, {@link CertificatePlan}). */
  public HostPlan(HostBundle bundle, Path root) {
    this(bundle, root, null);
  }

  /**
   * The bundle's plan with the host's certificates from {@code pki} (the provisioner's PKI for this
   * target, {@link CertificatePlan#spec}): after {@code ownership}, {@link CertificatePlan}'s steps
   * without a rotation — {@code pki}, the file steps, {@code reload tls}.
   */
  public HostPlan(HostBundle bundle, Path root, PkiDirectory pki) {
    if (!root.isAbsolute() || !root.normalize().equals(root)) {
      throw new IllegalArgumentException("root must be absolute and normalized: " + root);
    }
    // it goes into shell scripts and mount options (atHostPaths): the characters HostOptions
    // allows its own paths, nothing a shell or an overlay option would read as syntax
    if (!root.toString().matches("[A-Za-z0-9/._-]+")) {
      throw new IllegalArgumentException("root must hold only [A-Za-z0-9/._-]: " + root);
    }
    this.bundle = bundle;
    this.root = root;
    this.pki = pki;
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

  /** The option file's lines that say where the at-rest keys come from. */
  private static final java.util.regex.Pattern KEY_SOURCE =
      java.util.regex.Pattern.compile(
          "plugin_load_add=\\w+_key_management|hashicorp_key_management_vault_url=.*"
              + "|file_key_management_(filename|filekey|encryption_algorithm)=.*");

  static List<String> keySource(String optionFile) {
    return optionFile.lines().filter(l -> KEY_SOURCE.matcher(l).matches()).toList();
  }

  /**
   * Refuses, before any step writes, a bundle whose option file would take the at-rest keys from
   * elsewhere than the installed one an initialised data directory was encrypted under ({@code
   * --at-rest-keys file} to {@code vault} or back, another Vault URL or key file): the server could
   * not read its pages at its next start. Fails as the option file's step, the one that would make
   * the change; nothing is written. No data directory or no installed option file: nothing to keep.
   */
  private void keySourceGuard(HostShell sh) {
    if (bundle.options().dialect() != Dialect.MARIADB_10_11) {
      return; // MySQL 8.4: component_keyring_file only
    }
    HostOptions o = bundle.options();
    HostShell.Result r =
        sh.exec(
            "[ -d "
                + q(rooted(o.dbLayout().dataDir().resolve("mysql")))
                + " ] && cat -- "
                + q(rooted(o.dbOptionFile())),
            null);
    if (r.exitCode() != 0) {
      return;
    }
    List<String> installed = keySource(r.stdout());
    List<String> wanted = keySource(bundle.require("db/my.cnf").content());
    if (!installed.isEmpty() && !installed.equals(wanted)) {
      throw new PlanFailedException(
          "file " + o.dbOptionFile(),
          "the data directory "
              + o.dbLayout().dataDir()
              + " was initialised with its at-rest keys from "
              + String.join(", ", installed)
              + ", and this bundle's option file would take them from "
              + String.join(", ", wanted)
              + ": the server could not read its encrypted pages at its next start. Refused,"
              + " nothing changed: keep the host's --at-rest-keys (and Vault URL), or move the data"
              + " to a host keyed the new way by a restore (docs/runbook-backup.md)",
          List.of());
    }
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
    if (pki != null) {
      steps.addAll(new CertificatePlan(pki, bundle.options(), root, null).installSteps());
    }
    steps.add(new KeyringStep());
    steps.add(new DataDirStep());
    if (pki != null) {
      steps.add(new DbSchemaStep(bundle.options(), pki, this::rooted));
    }
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
      List.of("strongroom.target", "strongroom-verify-audit.timer");

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

  /** is-enabled states {@code systemctl enable} acts on. */
  private static final java.util.Set<String> ENABLEABLE =
      java.util.Set.of("disabled", "linked", "linked-runtime");

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
        // disabled or linked: enable adds the [Install] links; static, indirect, alias, generated
        // or transient units have none to add, so enabling them would change nothing and the
        // step would never settle (a package's unit only; ours all have an [Install] section)
        if (ENABLEABLE.contains(e.getValue()) || (ours && e.getValue().equals("missing"))) {
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
        // a plan fails here as the apply would: nothing this step could do settles it
        throw new PlanFailedException(
            id(),
            "masked under "
                + root
                + ": "
                + masked
                + "; the plan does not unmask a unit an operator masked (systemctl --root="
                + root
                + " unmask UNIT, then apply again)",
            List.of());
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
      // a masked unit never reaches here: check() failed the step already
      List<String> enable = toEnable(states(sh));
      StringBuilder cmd = new StringBuilder("systemctl --root=").append(q(root.toString()));
      cmd.append(" enable --");
      for (String u : enable) {
        cmd.append(' ').append(u);
      }
      run(sh, cmd.toString(), null, id());
    }
  }

  // --- the database: at-rest keyring and data directory ---------------------------------------

  private boolean mariaDb() {
    return bundle.options().dialect() == Dialect.MARIADB_10_11;
  }

  /**
   * {@code command} as it runs against the host's paths: itself on the host's own root; under a
   * throwaway root, in a private mount namespace ({@code unshare -m}) in which the root's {@code
   * /etc} lies over the machine's (a read-only overlay: the root's users, groups and {@code
   * /etc/strongroom}, the machine's libraries and everything else) and the root's copy of the state
   * directory's nearest ancestor that exists on the machine ({@code /var/lib} by default) is
   * bind-mounted over it — so the option file's host paths resolve into the root, the root's users
   * own what is written, and nothing of the machine's changes.
   */
  static String atHostPaths(Path root, Path stateDir, String command) {
    if (root.getNameCount() == 0) {
      return command;
    }
    String r = root.toString();
    String script =
        "set -e; mount -t overlay overlay -o lowerdir="
            + r
            + "/etc:/etc /etc; m="
            + stateDir
            + "; while [ ! -d \"$m\" ]; do m=$(dirname -- \"$m\"); done;"
            + " [ \"$m\" != / ] || { echo 'no ancestor of "
            + stateDir
            + " to mount over' >&2; exit 1; };"
            + " mount --bind -- \""
            + r
            + "$m\" \"$m\"; exec "
            + command;
    return "unshare -m --propagation private sh -c " + q(script);
  }

  private String keyringDir() {
    return rooted(bundle.options().dbLayout().keyringDir());
  }

  /**
   * {@code db keyring}: MariaDB's {@code file_key_management} files, {@code keys.enc} and {@code
   * filekey}, as {@code FileKeyManagementKeyring} writes them — but generated on the target: the
   * key material never crosses SSH and never lands in the provisioner's state. Never overwritten (a
   * new key makes every encrypted page unreadable): with only one of the two files present, a key
   * file that does not decrypt with the file key, or no keyring beside an initialised data
   * directory, the check fails the run and names what to restore. MySQL 8.4's {@code
   * component_keyring_file} creates its keyring itself: skipped. With Vault-held keys ({@code
   * at-rest-keys vault}) the step only checks the operator's Vault token file and CA file ({@link
   * #vaultFile}); it never writes a token or key.
   */
  private final class KeyringStep implements PlanStep {
    @Override
    public String id() {
      return "db keyring";
    }

    @Override
    public String skip(HostShell sh) {
      return mariaDb()
          ? null
          : bundle.options().dialect().id()
              + ": component_keyring_file creates its keyring file itself on first use";
    }

    @Override
    public String check(HostShell sh) {
      if (bundle.options().vault().isPresent()) {
        vaultFile(sh, "Vault token file", bundle.options().vault().get().tokenFile(), true);
        vaultFile(sh, "Vault CA file", bundle.options().vault().get().caFile(), false);
        return null;
      }
      String state =
          run(
                  sh,
                  "k="
                      + q(keyringDir())
                      + "; if [ -e \"$k/keys.enc\" ] && [ -e \"$k/filekey\" ]; then"
                      + " command -v openssl >/dev/null || { echo no-openssl; exit 0; };"
                      + " p=$(openssl enc -d -aes-256-cbc -md sha1 -pass \"file:$k/filekey\""
                      + " -in \"$k/keys.enc\" 2>/dev/null) || { echo undecryptable; exit 0; };"
                      + " if printf '%s\\n' \"$p\" | grep -Eq '^1;[0-9a-fA-F]{64}$' && !"
                      + " printf '%s\\n' \"$p\" | grep -Evq '^[0-9]+;([0-9a-fA-F]{32}|[0-9a-fA-F]{48}"
                      + "|[0-9a-fA-F]{64})$'; then echo ok; else echo undecryptable; fi;"
                      + " else d="
                      + q(rooted(bundle.options().dbLayout().dataDir()))
                      // any file in the data directory may be a page encrypted with the old keys
                      + "; if [ -d \"$d\" ] && [ -n \"$(ls -A -- \"$d\")\" ]; then u=used;"
                      + " else u=fresh; fi;"
                      + " if [ -e \"$k/keys.enc\" ]; then echo only-keys.enc-$u;"
                      + " elif [ -e \"$k/filekey\" ]; then echo only-filekey-$u;"
                      + " elif [ $u = used ]; then echo gone; else echo missing; fi; fi",
                  null,
                  id())
              .stdout()
              .strip();
      String dir = bundle.options().dbLayout().keyringDir().toString();
      return switch (state) {
        case "ok" -> null;
        case "missing" -> "missing: generate keys.enc and filekey on the target";
        case "only-keys.enc-used", "only-filekey-used" ->
            throw new PlanFailedException(
                id(),
                "incomplete keyring in "
                    + dir
                    + ": found only "
                    + state.substring("only-".length(), state.length() - "-used".length())
                    + "; refusing to generate keys over existing material (a new key would make"
                    + " every encrypted page unreadable): restore the missing file from backup",
                List.of());
        case "only-keys.enc-fresh", "only-filekey-fresh" ->
            // an apply stopped between the two links, before any data was written: nothing is
            // encrypted with the half there, but the plan still never deletes key material itself
            throw new PlanFailedException(
                id(),
                "incomplete keyring in "
                    + dir
                    + ": found only "
                    + state.substring("only-".length(), state.length() - "-fresh".length())
                    + ", and the data directory "
                    + bundle.options().dbLayout().dataDir()
                    + " is empty (an earlier apply stopped between the two files; nothing was"
                    + " encrypted with it): delete it and apply again",
                List.of());
        case "gone" ->
            throw new PlanFailedException(
                id(),
                "no keyring in "
                    + dir
                    + ", but the data directory "
                    + bundle.options().dbLayout().dataDir()
                    + " is not empty (its pages are encrypted with the keys that were there);"
                    + " refusing to generate new keys: restore keys.enc and filekey from backup",
                List.of());
        case "undecryptable" ->
            throw new PlanFailedException(
                id(),
                "keys.enc in "
                    + dir
                    + " does not decrypt with filekey to a key file with key 1; refusing to"
                    + " replace either: restore both from backup",
                List.of());
        case "no-openssl" ->
            throw new PlanFailedException(
                id(),
                "cannot check the keyring in " + dir + ": no openssl on the target",
                List.of());
        default -> throw new PlanFailedException(id(), "unexpected answer: " + state, List.of());
      };
    }

    /**
     * Fails the run unless {@code hostPath} is a regular file owned by {@code root:<dbUser>} with
     * no permission for others (the server reads it through its group) — and, for the token file,
     * holds a {@code hashicorp_key_management_token=} line (read on the target; only a word comes
     * back). The operator places both: the plan never carries the token.
     */
    private void vaultFile(HostShell sh, String what, Path hostPath, boolean token) {
      String db = bundle.options().dbUser();
      String state =
          run(
                  sh,
                  "f="
                      + q(rooted(hostPath))
                      + "; g="
                      + numericId(db, "/etc/group")
                      + "; if [ ! -e \"$f\" ]; then echo missing;"
                      + " elif [ -L \"$f\" ] || [ ! -f \"$f\" ]; then echo not-file;"
                      + " else s=$(stat -c '%u %g %a' -- \"$f\");"
                      + " set -- $s; m=$(printf '%04d' \"$3\");"
                      + " if [ \"$1\" != 0 ] || [ -z \"$g\" ] || [ \"$2\" != \"$g\" ]; then"
                      + " echo \"owner $1:$2\";"
                      + " elif [ \"${m#???}\" != 0 ]; then echo \"mode $m\";"
                      + (token
                          ? " elif ! grep -Eq '^[[:space:]]*hashicorp[-_]key[-_]management[-_]token"
                              + "[[:space:]]*=[[:space:]]*[^[:space:]]' -- \"$f\"; then"
                              + " echo no-token;"
                          : "")
                      + " else echo ok; fi; fi",
                  null,
                  id())
              .stdout()
              .strip();
      String place =
          (token
                  ? " (an option file: a [mariadbd] line, then hashicorp_key_management_token="
                      + "<the server's Vault token>)"
                  : "")
              + ", owner root:"
              + db
              + ", mode 0640, then apply again; the plan never writes "
              + (token ? "a Vault token" : "it");
      String detail;
      if (state.equals("ok")) {
        return;
      } else if (state.equals("missing")) {
        detail = what + " " + hostPath + " is missing: place it on the target" + place;
      } else if (state.equals("not-file")) {
        detail = what + " " + hostPath + " is not a regular file: place one on the target" + place;
      } else if (state.startsWith("owner ")) {
        detail =
            what
                + " "
                + hostPath
                + " is owned by "
                + state.substring("owner ".length())
                + ", not root:"
                + db
                + ": chown root:"
                + db
                + " it, then apply again";
      } else if (state.startsWith("mode ")) {
        detail =
            what
                + " "
                + hostPath
                + " has mode "
                + state.substring("mode ".length())
                + ", open to others: chmod 0640 it (owner root:"
                + db
                + "), then apply again"
                + (token ? "; the token may have been read: revoke it and place a new one" : "");
      } else if (state.equals("no-token")) {
        detail =
            what
                + " "
                + hostPath
                + " holds no hashicorp_key_management_token= line: place it on the target"
                + place;
      } else {
        detail = "unexpected answer: " + state;
      }
      throw new PlanFailedException(id(), detail, List.of());
    }

    @Override
    public void apply(HostShell sh) {
      if (bundle.options().vault().isPresent()) {
        throw new IllegalStateException("a Vault-keyed host's keyring is checked, never written");
      }
      String db = bundle.options().dbUser();
      // generated into a private temp directory beside the files, moded and owned, then linked into
      // place create-only (ln fails rather than replace an existing file)
      run(
          sh,
          "set -e; umask 077; k="
              + q(keyringDir())
              + "; g="
              + numericId(db, "/etc/group")
              + "; [ -n \"$g\" ] || { echo "
              + q("no group " + db + " under " + root + ": step users first")
              + " >&2; exit 1; };"
              + " if [ -e \"$k/keys.enc\" ] || [ -e \"$k/filekey\" ]; then echo 'refusing to"
              + " overwrite key material' >&2; exit 1; fi;"
              + " t=$(mktemp -d \"$k/.strongroom.XXXXXX\"); trap 'rm -rf -- \"$t\"' EXIT;"
              + " openssl rand -hex 32 | tr -d '\\n' > \"$t/filekey\";"
              + " { printf '1;'; openssl rand -hex 32; printf '2;'; openssl rand -hex 32; } |"
              + " openssl enc -aes-256-cbc -md sha1 -pass \"file:$t/filekey\" -out \"$t/keys.enc\""
              + " 2>/dev/null;"
              + " chmod 0640 \"$t/filekey\" \"$t/keys.enc\"; chown \"0:$g\" \"$t/filekey\""
              + " \"$t/keys.enc\"; ln -- \"$t/keys.enc\" \"$k/keys.enc\"; ln -- \"$t/filekey\""
              + " \"$k/filekey\"",
          null,
          id());
    }
  }

  /**
   * {@code db datadir}: the data directory holds the system schema ({@code data/mysql}); apply
   * initialises it as the database user with the installed option file: {@code mariadb-install-db
   * --defaults-file=<dbOptionFile> --user=<dbUser> --auth-root-authentication-method=socket
   * --auth-root-socket-user=root --skip-test-db --skip-name-resolve} (root logs in over the socket
   * only). Under a throwaway root it runs at the host paths ({@link #atHostPaths}). MySQL 8.4:
   * rendered, not run here (no MySQL server on this machine): skipped with the command.
   */
  private final class DataDirStep implements PlanStep {
    @Override
    public String id() {
      return "db datadir";
    }

    @Override
    public String skip(HostShell sh) {
      return mariaDb()
          ? null
          : bundle.options().dialect().id()
              + ": initialise with "
              + mysqlInitialise(bundle.options())
              + "; the unit's --init-file="
              + bundle.options().dbInitFile()
              + " then makes root@localhost socket-only at every start (rendered; no MySQL 8.4"
              + " server runs here)";
    }

    @Override
    public String check(HostShell sh) {
      Path data = bundle.options().dbLayout().dataDir();
      HostShell.Result r = sh.exec("[ -d " + q(rooted(data.resolve("mysql"))) + " ]", null);
      return r.exitCode() == 0 ? null : "no system schema in " + data + ": initialise it";
    }

    @Override
    public void apply(HostShell sh) {
      Path data = bundle.options().dbLayout().dataDir();
      String d = q(rooted(data));
      // a data directory with files but no system schema is not ours to overwrite
      run(
          sh,
          "d="
              + d
              + "; if [ -d \"$d\" ] && [ -n \"$(ls -A -- \"$d\")\" ]; then echo \"the data"
              + " directory "
              + data
              + " is not empty but holds no system schema (a foreign or damaged data directory):"
              + " move it aside and apply again\" >&2; exit 1; fi",
          null,
          id());
      // initialised beside it and renamed into place, so a run that stops half-way never leaves
      // a data directory whose check passes
      String fresh = data + ".new";
      // the same owner and mode as the directory the tmpfiles rules made, so the ownership step
      // finds nothing to change afterwards
      String f = q(rooted(Path.of(fresh)));
      run(
          sh,
          "rm -rf -- "
              + f
              + " && mkdir -m 0700 -- "
              + f
              + " && chown --reference="
              + d
              + " -- "
              + f,
          null,
          id());
      run(
          sh,
          atHostPaths(
              root,
              bundle.options().stateDir(),
              mariaDbInitialise(bundle.options()) + " --datadir=" + fresh),
          null,
          id());
      run(sh, "mv -T -- " + q(rooted(Path.of(fresh))) + " " + d, null, id());
    }
  }

  /** The MariaDB 10.11 data directory initialisation at the host's paths. */
  static String mariaDbInitialise(HostOptions o) {
    return "mariadb-install-db --defaults-file="
        + o.dbOptionFile()
        + " --user="
        + o.dbUser()
        + " --auth-root-authentication-method=socket --auth-root-socket-user=root"
        + " --skip-test-db --skip-name-resolve";
  }

  /**
   * The MySQL 8.4 equivalent (rendered only): {@code mysqld --defaults-file=<dbOptionFile>
   * --user=<dbUser> --initialize}. It leaves {@code root@localhost} with a random password, marked
   * expired and written to the error log (MySQL 8.4 Reference Manual 2.9.1, "Server Actions During
   * Data Directory Initialization"); the {@code strongroom-db} unit's {@code --init-file} then
   * makes root socket-only at the first start, before the server accepts a connection ({@code
   * HostBundleRenderer.mysqlInitFile}). No {@code --init-file} here: {@code --initialize} loads no
   * plugin, so {@code IDENTIFIED WITH auth_socket} would fail there.
   */
  static String mysqlInitialise(HostOptions o) {
    return "mysqld --defaults-file=" + o.dbOptionFile() + " --user=" + o.dbUser() + " --initialize";
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
          keySourceGuard(sh);
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
          keySourceGuard(sh);
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
