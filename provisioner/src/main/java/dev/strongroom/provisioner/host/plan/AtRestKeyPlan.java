package dev.strongroom.provisioner.host.plan;

import dev.strongroom.provisioner.atrest.VaultKvV2Client;
import dev.strongroom.provisioner.db.Dialect;
import dev.strongroom.provisioner.db.DialectStatements;
import dev.strongroom.provisioner.host.HostOptions;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A host's at-rest key rotation as a plan (docs/ops-plane.md, "At-rest key rotation as a plan"),
 * run like {@link CertificatePlan}: each step a read-only check and an idempotent apply; {@code
 * plan} changes nothing, Vault included. What a rotation is depends on the key management the
 * target's server runs, which the first step asks the running server:
 *
 * <p><b>MariaDB with {@code hashicorp_key_management}</b> (keys in a Vault KV v2 mount, one secret
 * per key id, versioned):
 *
 * <ol>
 *   <li>{@code key management}: the server runs (its socket answers the stock client as the login
 *       user, the installer's {@code unix_socket} root), its active encryption plugin is {@code
 *       hashicorp_key_management}, its {@code hashicorp_key_management_vault_url} is the mount this
 *       provisioner writes to, and its {@code innodb_encryption_rotate_key_age} is not 0 (which
 *       never re-encrypts a page). The key ids to rotate: 1 and 2 (tables, logs, binary log;
 *       temporary files) and every {@code CURRENT_KEY_ID} a tablespace uses.
 *   <li>{@code old versions kept}: every version of every key is still there (not deleted,
 *       destroyed or purged), and neither the mount nor a secret sets {@code max_versions} or
 *       {@code delete_version_after}, which would make Vault drop versions that redo logs, binary
 *       logs and backups still need — checked before anything is written (new versions under a
 *       {@code max_versions} limit would purge the one every page is encrypted with). Nothing here
 *       ever deletes a version; a failure says what to restore.
 *   <li>{@code new key versions}: each key's age + 1 latest versions were written by a rotation at
 *       or after {@code issuedBefore} (their {@value VaultKvV2Client#ROTATION_MEMBER} member), age
 *       being the server's {@code innodb_encryption_rotate_key_age} (default 1: two versions),
 *       because the server re-encrypts a page only when its key version is more than age behind the
 *       latest. Apply writes the missing ones: 256-bit keys from this JVM's {@link SecureRandom},
 *       each with check-and-set against the version it read (a concurrent writer fails the step
 *       instead of doubling the rotation), the key's byte arrays (key, request body) wiped after
 *       the write (its hex text, a Java string, is left to the garbage collector), never logged.
 *   <li>{@code re-encrypted}: every row of {@code information_schema.INNODB_TABLESPACES_ENCRYPTION}
 *       has {@code MIN_KEY_VERSION} at least the rotation's latest version of its {@code
 *       CURRENT_KEY_ID} (a version written after it by someone else does not hold it back). Apply
 *       waits (bounded by {@link #reencryptWait}), reporting progress; the server's encryption
 *       threads do the work in the background, without a restart.
 * </ol>
 *
 * <p><b>MariaDB with {@code file_key_management}</b>: refused at {@code key management} (no key
 * versions, docs/decisions.md says why this plan does not re-wrap the key file).
 *
 * <p><b>MySQL 8.4</b> ({@code component_keyring_file}): {@code key management} (the server's socket
 * exists), then {@code rotate master keys}: {@code ALTER INSTANCE ROTATE INNODB MASTER KEY} and
 * {@code ALTER INSTANCE ROTATE BINLOG MASTER KEY} ({@link DialectStatements#rotateAtRestKeys}) with
 * the stock {@code mysql} client over the socket, then the marker {@code
 * <stateDir>/db/at-rest-rotated} holds the instant; done when the marker is at or after it.
 * Rendered and pinned by a golden file; no MySQL server runs here.
 */
public final class AtRestKeyPlan {
  static final String MANAGEMENT = "key management";
  static final String KEPT = "old versions kept";
  static final String VERSIONS = "new key versions";
  static final String REENCRYPTED = "re-encrypted";
  static final String MASTER = "rotate master keys";

  /** How long {@value #REENCRYPTED} waits by default. */
  public static final Duration REENCRYPT_WAIT = Duration.ofMinutes(10);

  /**
   * New versions per key and rotation: the server's {@code innodb_encryption_rotate_key_age} + 1,
   * read by {@value #MANAGEMENT}.
   */
  private int versionsPerRotation;

  private static final String RUNBOOK_FILE_KEYS =
      "docs/runbook-rotation.md, \"At-rest keys (MariaDB file_key_management)\"";

  private final HostOptions options;
  private final Path root;
  private final Instant issuedBefore;
  private final VaultKvV2Client vault;
  private final SecureRandom random = new SecureRandom();
  private Duration reencryptWait = REENCRYPT_WAIT;
  private Duration progressEvery = Duration.ofSeconds(5);
  private PlanListener listener = PlanListener.NONE;

  /** Key ids to rotate, found by {@value #MANAGEMENT}. */
  private final TreeSet<Integer> keyIds = new TreeSet<>();

  /** The latest version of each key once this run's versions are written (plan: would be). */
  private final Map<Integer, Integer> latest = new TreeMap<>();

  /**
   * @param vault the provisioner's client of the Vault mount the target's server reads; null when
   *     none is configured (a Vault-backed target is then refused)
   */
  public AtRestKeyPlan(
      HostOptions options, Path root, Instant issuedBefore, VaultKvV2Client vault) {
    if (!root.isAbsolute() || !root.normalize().equals(root)) {
      throw new IllegalArgumentException("root must be absolute and normalized: " + root);
    }
    this.options = options;
    this.root = root;
    this.issuedBefore = java.util.Objects.requireNonNull(issuedBefore, "issuedBefore");
    this.vault = vault;
  }

  /** How long {@value #REENCRYPTED} waits for the server before failing (default 10 min). */
  public AtRestKeyPlan reencryptWait(Duration wait) {
    this.reencryptWait = wait;
    return this;
  }

  /** How often {@value #REENCRYPTED} reports progress while it waits (default 5 s). */
  public AtRestKeyPlan progressEvery(Duration every) {
    this.progressEvery = every;
    return this;
  }

  /** Checks every step; changes nothing (Vault included). */
  public List<StepResult> plan(HostShell sh, PlanListener listener) {
    this.listener = listener;
    return PlanRunner.run(false, this::steps, sh, listener);
  }

  /**
   * Applies every step whose check differs, and re-checks it.
   *
   * @throws PlanFailedException at the first step that fails; the steps before it stay applied
   */
  public List<StepResult> apply(HostShell sh, PlanListener listener) {
    this.listener = listener;
    return PlanRunner.run(true, this::steps, sh, listener);
  }

  private List<PlanStep> steps() {
    keyIds.clear();
    latest.clear();
    versionsPerRotation = 0;
    if (options.dialect() == Dialect.MYSQL_8_4) {
      return List.of(new ManagementStep(), new MasterKeyStep());
    }
    return List.of(new ManagementStep(), new KeptStep(), new VersionsStep(), new ReencryptStep());
  }

  private String rooted(Path hostPath) {
    return root.getNameCount() == 0 ? hostPath.toString() : root + hostPath.toString();
  }

  private String socket() {
    return rooted(options.dbLayout().socket());
  }

  private String marker() {
    return rooted(options.stateDir().resolve("db/at-rest-rotated"));
  }

  /** The stock client over the server's socket as the login user (the installer's root). */
  private String client() {
    return PlanRunner.installerClient(options.dialect(), socket()) + " --skip-column-names";
  }

  /** Runs {@code sql} on the target; rows as tab-separated fields. */
  private List<String[]> query(HostShell sh, String sql, String step) {
    List<String[]> rows = new ArrayList<>();
    for (String l :
        PlanRunner.run(sh, client() + " -e " + PlanRunner.q(sql), null, step)
            .stdout()
            .lines()
            .toList()) {
      if (!l.isEmpty()) {
        rows.add(l.split("\t", -1));
      }
    }
    return rows;
  }

  private VaultKvV2Client.Metadata metadata(int keyId, String step) {
    try {
      return vault
          .metadata(keyId)
          .orElseThrow(
              () ->
                  new PlanFailedException(
                      step,
                      "Vault at "
                          + vault.mount()
                          + " has no key "
                          + keyId
                          + ", which the server uses: nothing written",
                      List.of()));
    } catch (VaultKvV2Client.VaultException e) {
      throw new PlanFailedException(step, vaultDetail(e) + ": nothing written", List.of());
    }
  }

  private static String vaultDetail(VaultKvV2Client.VaultException e) {
    String m = String.valueOf(e.getMessage());
    String prefix = e.code().code() + ": ";
    return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
  }

  /**
   * The server runs and says which key management it uses; a file key management is refused, a
   * Vault one must read the mount this provisioner writes to.
   */
  private final class ManagementStep implements PlanStep {
    @Override
    public String id() {
      return MANAGEMENT;
    }

    @Override
    public String check(HostShell sh) {
      HostShell.Result s = sh.exec("[ -S " + PlanRunner.q(socket()) + " ]", null);
      if (s.exitCode() != 0) {
        throw new PlanFailedException(
            MANAGEMENT,
            "no database server at "
                + socket()
                + ": the rotation needs it running (it names its key management and re-encrypts"
                + " its tablespaces); start it and apply again — nothing was changed",
            List.of());
      }
      if (options.dialect() == Dialect.MYSQL_8_4) {
        return null;
      }
      List<String[]> plugins =
          query(
              sh,
              "SELECT PLUGIN_NAME FROM information_schema.PLUGINS"
                  + " WHERE PLUGIN_TYPE = 'ENCRYPTION' AND PLUGIN_STATUS = 'ACTIVE'",
              MANAGEMENT);
      List<String> names = plugins.stream().map(r -> r[0]).toList();
      if (names.contains("file_key_management")) {
        throw new PlanFailedException(
            MANAGEMENT,
            "the server's keys come from file_key_management, which has no key versions: a key"
                + " cannot be rotated in place and this plan does not re-wrap the key file;"
                + " refused, nothing changed — see "
                + RUNBOOK_FILE_KEYS,
            List.of());
      }
      if (!names.contains("hashicorp_key_management")) {
        throw new PlanFailedException(
            MANAGEMENT,
            "no active key management plugin on the server ("
                + (names.isEmpty() ? "none" : String.join(", ", names))
                + "): nothing to rotate",
            List.of());
      }
      String url = query(sh, "SELECT @@hashicorp_key_management_vault_url", MANAGEMENT).get(0)[0];
      if (vault == null) {
        throw new PlanFailedException(
            MANAGEMENT,
            "the server reads its keys from Vault at "
                + url
                + ", but this provisioner has no Vault configured"
                + " (strongroom.provisioner.vault.url, .token-file, .ca): nothing changed",
            List.of());
      }
      if (!stripSlash(url).equals(stripSlash(vault.mount().toString()))) {
        throw new PlanFailedException(
            MANAGEMENT,
            "the server reads its keys from Vault at "
                + url
                + ", this provisioner writes to "
                + vault.mount()
                + ": refused, nothing changed",
            List.of());
      }
      String age =
          query(sh, "SELECT @@innodb_encryption_rotate_key_age", MANAGEMENT).get(0)[0].trim();
      int keyAge;
      try {
        keyAge = Integer.parseInt(age);
      } catch (NumberFormatException e) {
        keyAge = -1;
      }
      if (keyAge <= 0) {
        throw new PlanFailedException(
            MANAGEMENT,
            "the server's innodb_encryption_rotate_key_age is "
                + age
                + ": "
                + (keyAge == 0
                    ? "its encryption threads never re-encrypt a page under a new key version,"
                        + " so a rotation would write versions nothing uses"
                    : "not a key age")
                + "; set it to 1 (the default) and apply again — nothing changed",
            List.of());
      }
      versionsPerRotation = keyAge + 1;
      keyIds.add(1);
      keyIds.add(2);
      for (String[] r :
          query(
              sh,
              "SELECT DISTINCT CURRENT_KEY_ID FROM information_schema.INNODB_TABLESPACES_ENCRYPTION",
              MANAGEMENT)) {
        keyIds.add(Integer.parseInt(r[0].trim()));
      }
      return null;
    }

    @Override
    public void apply(HostShell sh) {
      // check() either passes or refuses; there is nothing to apply
    }
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  /** Vault keeps every version: checked before anything is written, never changed by the plan. */
  private final class KeptStep implements PlanStep {
    @Override
    public String id() {
      return KEPT;
    }

    @Override
    public String check(HostShell sh) {
      List<String> problems = new ArrayList<>();
      VaultKvV2Client.Metadata mount;
      try {
        mount = vault.mountConfig();
      } catch (VaultKvV2Client.VaultException e) {
        throw new PlanFailedException(KEPT, vaultDetail(e) + ": nothing written", List.of());
      }
      limits("the mount", mount, problems);
      for (int id : keyIds) {
        VaultKvV2Client.Metadata m = metadata(id, KEPT);
        m.unreadableVersions().forEach(p -> problems.add("key " + id + ": " + p));
        if (m.oldestVersion() > 1) {
          problems.add("key " + id + ": versions before " + m.oldestVersion() + " were purged");
        }
        limits("key " + id, m, problems);
      }
      if (!problems.isEmpty()) {
        throw new PlanFailedException(
            KEPT,
            String.join("; ", problems)
                + ": redo logs, binary logs and backups written under an old version need it —"
                + " restore it (vault kv undelete) or lift the limit (max_versions=0,"
                + " delete_version_after=0s) before rotating; nothing written",
            List.of());
      }
      return null;
    }

    private void limits(String what, VaultKvV2Client.Metadata m, List<String> problems) {
      if (m.maxVersions() > 0) {
        problems.add(what + " keeps only " + m.maxVersions() + " versions (max_versions)");
      }
      if (!m.deleteVersionAfter().equals("0s") && !m.deleteVersionAfter().isEmpty()) {
        problems.add(
            what + " deletes versions after " + m.deleteVersionAfter() + " (delete_version_after)");
      }
    }

    @Override
    public void apply(HostShell sh) {
      // check() either passes or refuses; the plan never deletes, restores or re-limits versions
    }
  }

  /** How many of key {@code id}'s latest versions were written by this rotation (or a later). */
  private int written(int id, int current) {
    int n = 0;
    for (int v = current; v >= 1 && n < versionsPerRotation; v--) {
      Optional<String> r;
      try {
        r = vault.rotationOf(id, v);
      } catch (VaultKvV2Client.VaultException e) {
        throw new PlanFailedException(VERSIONS, vaultDetail(e) + ": nothing written", List.of());
      }
      if (r.isEmpty() || before(r.get())) {
        break;
      }
      n++;
    }
    return n;
  }

  private boolean before(String rotation) {
    try {
      return Instant.parse(rotation).isBefore(issuedBefore);
    } catch (DateTimeParseException e) {
      return true;
    }
  }

  private final class VersionsStep implements PlanStep {
    @Override
    public String id() {
      return VERSIONS;
    }

    @Override
    public String check(HostShell sh) {
      List<String> diffs = new ArrayList<>();
      for (int id : keyIds) {
        int current = metadata(id, VERSIONS).currentVersion();
        int missing = versionsPerRotation - written(id, current);
        latest.put(id, current + missing);
        if (missing > 0) {
          diffs.add(
              "key "
                  + id
                  + ": "
                  + missing
                  + " new version"
                  + (missing == 1 ? "" : "s")
                  + " (now "
                  + current
                  + ", then "
                  + (current + missing)
                  + ")");
        }
      }
      return diffs.isEmpty() ? null : String.join("; ", diffs);
    }

    @Override
    public void apply(HostShell sh) {
      List<String> done = new ArrayList<>();
      for (int id : keyIds) {
        int current = metadata(id, VERSIONS).currentVersion();
        int missing = versionsPerRotation - written(id, current);
        for (int i = 0; i < missing; i++) {
          byte[] key = new byte[32];
          random.nextBytes(key);
          try {
            current = vault.write(id, key, current, issuedBefore.toString());
            done.add("key " + id + " version " + current);
          } catch (VaultKvV2Client.VaultException e) {
            throw new PlanFailedException(
                VERSIONS,
                vaultDetail(e)
                    + (done.isEmpty()
                        ? ": nothing written"
                        : ": written before it (kept, and counted when applied again): "
                            + String.join(", ", done)),
                List.of());
          } finally {
            Arrays.fill(key, (byte) 0);
          }
        }
      }
    }
  }

  /**
   * Tablespaces whose MIN_KEY_VERSION is below this rotation's latest version of their key, per key
   * (a version someone adds after it moves them on, and does not hold the rotation back).
   */
  private Map<Integer, int[]> behind(HostShell sh) {
    Map<Integer, int[]> out = new TreeMap<>();
    for (String[] r :
        query(
            sh,
            "SELECT CURRENT_KEY_ID, MIN_KEY_VERSION FROM information_schema.INNODB_TABLESPACES_ENCRYPTION",
            REENCRYPTED)) {
      int id = Integer.parseInt(r[0].trim());
      int min = Integer.parseInt(r[1].trim());
      int[] c = out.computeIfAbsent(id, k -> new int[2]); // {behind, total}
      c[1]++;
      if (min < latest.getOrDefault(id, min)) {
        c[0]++;
      }
    }
    return out;
  }

  private String describe(Map<Integer, int[]> counts) {
    List<String> out = new ArrayList<>();
    counts.forEach(
        (id, c) -> {
          if (c[0] > 0) {
            out.add(
                c[0]
                    + " of "
                    + c[1]
                    + " tablespaces below key "
                    + id
                    + " version "
                    + latest.get(id));
          }
        });
    return String.join(", ", out);
  }

  private final class ReencryptStep implements PlanStep {
    @Override
    public String id() {
      return REENCRYPTED;
    }

    @Override
    public String check(HostShell sh) {
      String d = describe(behind(sh));
      return d.isEmpty() ? null : d;
    }

    @Override
    public void apply(HostShell sh) {
      long start = System.nanoTime();
      long deadline = start + reencryptWait.toNanos();
      long nextReport = start + progressEvery.toNanos();
      String left = check(sh);
      while (left != null && System.nanoTime() < deadline) {
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new PlanFailedException(REENCRYPTED, "interrupted", List.of());
        }
        left = check(sh);
        if (left != null && System.nanoTime() >= nextReport) {
          listener.progressed(
              REENCRYPTED,
              left + " after " + Duration.ofNanos(System.nanoTime() - start).toSeconds() + " s");
          nextReport = System.nanoTime() + progressEvery.toNanos();
        }
      }
      if (left != null) {
        throw new PlanFailedException(
            REENCRYPTED,
            left
                + " after "
                + reencryptWait.toSeconds()
                + " s: the new versions are written and kept, the server's encryption threads"
                + " go on in the background; apply again to wait again",
            List.of());
      }
    }
  }

  /** MySQL 8.4: new InnoDB and binary log master keys, once per rotation instant. */
  private final class MasterKeyStep implements PlanStep {
    @Override
    public String id() {
      return MASTER;
    }

    @Override
    public String check(HostShell sh) {
      String last =
          PlanRunner.run(sh, "cat " + PlanRunner.q(marker()) + " 2>/dev/null || true", null, MASTER)
              .stdout()
              .trim();
      if (!last.isEmpty() && !before(last)) {
        return null;
      }
      return String.join("; ", DialectStatements.rotateAtRestKeys(options.dialect()))
          + " (last rotated: "
          + (last.isEmpty() ? "never by this plan" : last)
          + ")";
    }

    @Override
    public void apply(HostShell sh) {
      PlanRunner.run(
          sh,
          "set -e; "
              + client()
              + " -e "
              + PlanRunner.q(
                  String.join("; ", DialectStatements.rotateAtRestKeys(options.dialect())))
              + "; m="
              + PlanRunner.q(marker())
              + "; printf '%s\\n' "
              + PlanRunner.q(issuedBefore.toString())
              + " > \"$m.tmp\"; chmod 0644 \"$m.tmp\"; mv -f -- \"$m.tmp\" \"$m\"",
          null,
          MASTER);
    }
  }
}
