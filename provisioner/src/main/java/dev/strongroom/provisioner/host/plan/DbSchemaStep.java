package dev.strongroom.provisioner.host.plan;

import dev.strongroom.contracts.token.TenantTokenKeys;
import dev.strongroom.provisioner.db.AccountProvisioner;
import dev.strongroom.provisioner.db.DbAccount;
import dev.strongroom.provisioner.host.HostOptions;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.schema.AuditInstaller;
import dev.strongroom.provisioner.schema.SchemaInstaller;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Step {@value #ID} of the host plan: the running database holds the DB identities, the proc-only
 * schema, the audit chain and the host's tenant-token keys — what the devstack installs on its
 * embedded instance ({@code AccountProvisioner}, {@code AuditInstaller}, sealed every second by the
 * event scheduler), applied with the stock client as the installer (root over the server's Unix
 * socket, {@code unix_socket}/{@code auth_socket}).
 *
 * <p>Skipped while no server runs (no socket): the data directory exists after the first apply, the
 * operator starts the database ({@code systemctl start strongroom-db.service}) and applies again.
 *
 * <p>Checked, read-only:
 *
 * <ul>
 *   <li>the tenant authority's key file {@link HostOptions#tenantTokenKeyFile()} exists and parses
 *       ({@link TenantTokenKeys#parse}: a bad file fails the step naming what is wrong, never a
 *       key);
 *   <li>the schemas {@code strongroom_security} and {@code strongroom_audit} exist, and the marker
 *       {@code <stateDir>/db/schema-installed} holds the SHA-256 of exactly the accounts'
 *       statements and the install script this provisioner would run (so a new provisioner version
 *       or a new CA re-installs);
 *   <li>the audit plane's drift view {@code strongroom_audit.audit_schema_drift} is empty and the
 *       routines, views and triggers of the three schemas hash to what the marker's second line
 *       recorded after the install (the drift view covers the audit schema's routines, not the
 *       API's): a schema that changed after its install <em>fails</em> the step, for plan and apply
 *       alike — the plan never re-installs over a change nobody explained, because the install
 *       takes a new baseline and would erase the evidence. The operator investigates; removing the
 *       marker says "re-install deliberately" and lifts the refusal;
 *   <li>no stray account ({@link AccountProvisioner#strayAccountsQuery}) and every identity at
 *       {@code 127.0.0.1} with the subject and issuer of its certificate in the provisioner's PKI;
 *   <li>{@code strongroom_security.token_keys} holds exactly the file's keys (compared through
 *       {@link SchemaInstaller#TOKEN_KEY_STATE_QUERY}: digests of the pads, never a key).
 * </ul>
 *
 * <p>Apply: with no key file, one is generated (one issuing key, the default audience, the
 * provisioner's {@code SecureRandom}) and placed create-only ({@code ln}), {@code 0640
 * root:<serviceUser>}. Then either the whole install — stray accounts dropped, the accounts'
 * statements, the schema script, the keys, the audit script — or, when only the keys differ, the
 * key synchronisation alone ({@link SchemaInstaller#tokenKeySyncScript}: bindings of other keys
 * end, the rest stay). Every script goes to the client's standard input: the pads never reach a
 * command line, a log, an event or the provisioner's state. The key file's text is read over the
 * pinned SSH channel into this process for as long as the step runs (a Java string: left to the
 * garbage collector).
 */
final class DbSchemaStep implements PlanStep {
  static final String ID = "db schema";

  /** The installer account the data directory was initialised with (socket only). */
  static final String INSTALLER = "root";

  /** The audit chain is sealed every second by the server's event scheduler, as in the devstack. */
  static final AuditInstaller.Options AUDIT = new AuditInstaller.Options(Duration.ofSeconds(1));

  private final HostOptions options;
  private final PkiDirectory pki;
  private final Function<Path, String> rooted;

  DbSchemaStep(HostOptions options, PkiDirectory pki, Function<Path, String> rooted) {
    this.options = options;
    this.pki = pki;
    this.rooted = rooted;
  }

  @Override
  public String id() {
    return ID;
  }

  private String socket() {
    return rooted.apply(options.dbLayout().socket());
  }

  private String keyFile() {
    return rooted.apply(options.tenantTokenKeyFile());
  }

  private String marker() {
    return rooted.apply(options.stateDir().resolve("db/schema-installed"));
  }

  private String client() {
    return PlanRunner.installerClient(options.dialect(), socket()) + " --skip-column-names";
  }

  private List<DbAccount> accounts() {
    return DbAccount.strongroomIdentities(pki);
  }

  private List<String> accountStatements() {
    return AccountProvisioner.statements(
        options.dialect(), accounts(), INSTALLER, options.dbSettings().maxUserConnections());
  }

  /**
   * The install, keys aside: stray accounts dropped (their names quoted by the server itself, never
   * by this process), the accounts' statements, the schema script — then the keys' statements go
   * between this and {@link #auditScript()}.
   */
  private String installScript() {
    return dev.strongroom.provisioner.schema.SchemaDialect.prelude(options.dialect())
        + AccountProvisioner.dropStrayAccountsStatements(options.dialect(), accounts(), INSTALLER)
        + String.join(";\n", accountStatements())
        + ";\n"
        + SchemaInstaller.script(options.dialect());
  }

  private String auditScript() {
    return AuditInstaller.script(options.dialect(), AUDIT);
  }

  /** What the marker holds after an install of this provisioner's script (no key material). */
  String expectedMarker() {
    return HostPlan.sha256(installScript() + "\n-- tenant-token keys\n" + auditScript());
  }

  @Override
  public String skip(HostShell sh) {
    if (options.dialect() == dev.strongroom.provisioner.db.Dialect.MYSQL_8_4) {
      return "MySQL 8.4: not run by the plan — its schema scripts are rendered and golden-tested"
          + " (SchemaInstaller.script, AuditInstaller.script for mysql-8.4), but no MySQL server"
          + " runs where this step is tested; install them with the stock client as root over the"
          + " socket (docs/ops-plane.md)";
    }
    HostShell.Result r = sh.exec("[ -S " + PlanRunner.q(socket()) + " ]", null);
    return r.exitCode() == 0
        ? null
        : "no database server at "
            + socket()
            + ": start it (systemctl start strongroom-db.service), then apply again to install the"
            + " schema";
  }

  /**
   * The parsed key file, or empty when there is none; a file that does not parse fails the step.
   */
  private java.util.Optional<TenantTokenKeys> keys(HostShell sh) {
    HostShell.Result r =
        sh.exec(
            "f="
                + PlanRunner.q(keyFile())
                + "; if [ -e \"$f\" ]; then echo present; cat -- \"$f\"; else echo missing; fi",
            null);
    if (r.exitCode() != 0) {
      throw new PlanFailedException(
          ID,
          "cannot read the tenant-token key file " + keyFile() + ": " + r.stderr().trim(),
          List.of());
    }
    if (r.stdout().startsWith("missing")) {
      return java.util.Optional.empty();
    }
    String text = r.stdout().substring(r.stdout().indexOf('\n') + 1);
    try {
      // an empty or truncated file is a broken key file, never a missing one: no key is generated
      // over it
      return java.util.Optional.of(TenantTokenKeys.parse(text));
    } catch (RuntimeException e) {
      // the parser names what is wrong and never a key (CanonicalJson reports a JSON error by its
      // location only)
      throw new PlanFailedException(
          ID,
          "the tenant-token key file "
              + keyFile()
              + " is not a key file (docs/tenant-tokens.md): "
              + e.getMessage(),
          List.of());
    }
  }

  private List<String> query(HostShell sh, String sql) {
    HostShell.Result r = sh.exec(client(), (sql + ";\n").getBytes(StandardCharsets.UTF_8));
    if (r.exitCode() != 0) {
      throw new PlanFailedException(
          ID, "the database at " + socket() + " refused a query: " + r.stderr().trim(), List.of());
    }
    return r.stdout().lines().toList();
  }

  /** What differs, in order: the whole install first, then the keys alone. */
  private record State(List<String> install, List<String> keys) {}

  private State state(HostShell sh, java.util.Optional<TenantTokenKeys> keys) {
    List<String> install = new ArrayList<>();
    List<String> keyDiffs = new ArrayList<>();
    List<String> present =
        query(
            sh,
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN ('"
                + String.join("', '", SCHEMAS)
                + "') ORDER BY 1");
    boolean installed = present.containsAll(List.of("strongroom_audit", "strongroom_security"));
    HostShell.Result m =
        sh.exec(
            "cat -- "
                + PlanRunner.q(marker())
                + " 2>/dev/null || echo none; echo '#';"
                + " cat -- "
                + PlanRunner.q(marker() + ".installing")
                + " 2>/dev/null || echo none",
            null);
    String[] parts = m.stdout().split("#\n?", 2);
    List<String> recorded = parts[0].lines().toList();
    String script = recorded.isEmpty() ? "none" : recorded.get(0);
    String interrupted = parts.length > 1 ? parts[1].trim() : "none";
    boolean resuming = interrupted.equals(expectedMarker());
    if (resuming) {
      // this provisioner's install stopped half way: the state is neither the old nor the new
      // install's, so it is neither drift nor evidence; re-run it in full
      install.add("an install of this provisioner's script stopped half way: run it again in full");
    } else if (!installed) {
      if (!script.equals("none")) {
        throw refused(
            List.of(
                "the marker records an install, but "
                    + (present.isEmpty() ? "no schema of it" : "only " + String.join(", ", present))
                    + " exists"));
      }
      install.add("not installed: the accounts, the proc-only schema and the audit chain");
    } else {
      List<String> changes = changes(sh, recorded);
      if (!changes.isEmpty() && !script.equals("none")) {
        throw refused(changes);
      }
      if (!script.equals(expectedMarker())) {
        install.add(
            script.equals("none")
                ? "no install recorded ("
                    + marker()
                    + "): install"
                    + (changes.isEmpty()
                        ? ""
                        : " over a schema that differs from its baseline: "
                            + String.join("; ", changes))
                : "installed by another installer version or PKI (script SHA-256 "
                    + abbrev(script)
                    + ", this provisioner's "
                    + abbrev(expectedMarker())
                    + "): re-install");
      }
      install.addAll(accountDiffs(sh));
    }
    List<String> held =
        present.contains("strongroom_security")
            ? query(sh, SchemaInstaller.TOKEN_KEY_STATE_QUERY)
            : List.of();
    if (keys.isEmpty()) {
      if (!held.isEmpty()) {
        throw new PlanFailedException(
            ID,
            "no tenant-token key file "
                + keyFile()
                + ", but the database holds keys ("
                + kids(held)
                + "): the plan never replaces the keys the tenant authority signs with. Restore"
                + " the authority's key file there (0640 root:"
                + options.serviceUser()
                + "), then apply again",
            List.of());
      }
      keyDiffs.add("no tenant-token key file " + keyFile() + ": generate one");
    } else if (installed && !held.equals(SchemaInstaller.tokenKeyState(keys.get()))) {
      keyDiffs.add(
          "the database's tenant-token keys ("
              + kids(held)
              + ") are not those of "
              + keyFile()
              + " ("
              + kids(SchemaInstaller.tokenKeyState(keys.get()))
              + ", or their pads, audience or verifyUntil differ)");
    }
    return new State(install, keyDiffs);
  }

  /** What changed since the install: drift rows and the definitions' digest (empty: nothing). */
  private List<String> changes(HostShell sh, List<String> recorded) {
    List<String> changes = new ArrayList<>();
    List<String> drift =
        query(
            sh,
            "SELECT CONCAT(change_kind, ' ', kind, ' ', object) FROM"
                + " strongroom_audit.audit_schema_drift ORDER BY 1");
    if (!drift.isEmpty()) {
      changes.add(
          drift.size()
              + " difference(s) from the audit baseline, which the audit plane reports as"
              + " SCHEMA_DRIFT (first: "
              + drift.get(0)
              + ")");
    }
    if (recorded.size() > 1 && !recorded.get(1).equals(routineDigest(sh))) {
      changes.add(
          "the routines, views and triggers of "
              + String.join(", ", SCHEMAS)
              + " are not those the install left (SHA-256 of their definitions)");
    }
    return changes;
  }

  private PlanFailedException refused(List<String> changes) {
    return new PlanFailedException(
        ID,
        "the schema changed after its install: "
            + String.join("; ", changes)
            + ". The plan does not re-install over a change nobody explained (an install"
            + " replaces the routines and takes a new baseline, erasing the evidence):"
            + " investigate it; to re-install deliberately, remove "
            + marker()
            + " and apply again",
        List.of());
  }

  /** The schemas the install owns. */
  static final List<String> SCHEMAS =
      List.of("strongroom", "strongroom_security", "strongroom_audit");

  /**
   * SHA-256 over every routine, view and trigger definition of {@link #SCHEMAS} (with definer and
   * security type), as the server reports them to the installer: recorded beside the script's
   * digest after an install, so a definition replaced later — the API's own routines included,
   * which the audit baseline does not cover — fails the step.
   */
  private String routineDigest(HostShell sh) {
    String in = "('" + String.join("', '", SCHEMAS) + "')";
    List<String> r =
        query(
            sh,
            "SET SESSION group_concat_max_len = 67108864;\n"
                + "SELECT SHA2(CONCAT_WS(0x1e, (SELECT GROUP_CONCAT(CONCAT_WS(0x1f, ROUTINE_SCHEMA,"
                + " ROUTINE_NAME, ROUTINE_TYPE, DEFINER, SECURITY_TYPE, SQL_MODE, IS_DETERMINISTIC,"
                + " SQL_DATA_ACCESS, IFNULL(DTD_IDENTIFIER, ''), SHA2(ROUTINE_DEFINITION, 256))"
                + " ORDER BY ROUTINE_SCHEMA, ROUTINE_NAME, ROUTINE_TYPE SEPARATOR 0x1d) FROM"
                + " information_schema.ROUTINES WHERE ROUTINE_SCHEMA IN "
                + in
                + "), (SELECT GROUP_CONCAT(CONCAT_WS(0x1f, SPECIFIC_SCHEMA, SPECIFIC_NAME,"
                + " ROUTINE_TYPE, ORDINAL_POSITION, IFNULL(PARAMETER_MODE, ''),"
                + " IFNULL(PARAMETER_NAME, ''), DTD_IDENTIFIER) ORDER BY SPECIFIC_SCHEMA,"
                + " SPECIFIC_NAME, ROUTINE_TYPE, ORDINAL_POSITION SEPARATOR 0x1d) FROM"
                + " information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA IN "
                + in
                + "), (SELECT GROUP_CONCAT(CONCAT_WS(0x1f, TABLE_SCHEMA, TABLE_NAME, DEFINER,"
                + " SECURITY_TYPE, SHA2(VIEW_DEFINITION, 256)) ORDER BY TABLE_SCHEMA, TABLE_NAME"
                + " SEPARATOR 0x1d) FROM information_schema.VIEWS WHERE TABLE_SCHEMA IN "
                + in
                + "), (SELECT GROUP_CONCAT(CONCAT_WS(0x1f, TRIGGER_SCHEMA, TRIGGER_NAME, DEFINER,"
                + " EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, SQL_MODE,"
                + " SHA2(ACTION_STATEMENT, 256)) ORDER BY TRIGGER_SCHEMA, TRIGGER_NAME SEPARATOR"
                + " 0x1d) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA IN "
                + in
                + ")), 256)");
    if (r.size() != 1 || !r.get(0).matches("[0-9a-f]{64}")) {
      throw new PlanFailedException(ID, "cannot read the schema's definitions: " + r, List.of());
    }
    return r.get(0);
  }

  private static String kids(List<String> rows) {
    return rows.isEmpty()
        ? "none"
        : String.join(", ", rows.stream().map(r -> r.split("\t", 2)[0]).toList());
  }

  private static String abbrev(String hex) {
    return hex.length() > 16 ? hex.substring(0, 16) + "…" : hex;
  }

  private List<String> accountDiffs(HostShell sh) {
    List<String> diffs = new ArrayList<>();
    List<String> stray =
        query(sh, AccountProvisioner.strayAccountsQuery(options.dialect(), accounts(), INSTALLER));
    if (!stray.isEmpty()) {
      diffs.add("stray accounts: " + String.join(", ", stray));
    }
    List<String> held =
        query(
            sh,
            "SELECT User, CONVERT(x509_subject USING utf8mb4), CONVERT(x509_issuer USING utf8mb4)"
                + " FROM mysql.user WHERE Host = '"
                + AccountProvisioner.IDENTITY_HOST
                + "' ORDER BY User");
    for (DbAccount a : accounts()) {
      String want = a.name() + "\t" + a.subject().mariaDbForm() + "\t" + a.issuer().mariaDbForm();
      String got =
          held.stream().filter(l -> l.startsWith(a.name() + "\t")).findFirst().orElse(null);
      if (got == null) {
        diffs.add("no account " + a.name() + "@" + AccountProvisioner.IDENTITY_HOST);
      } else if (!got.equals(want)) {
        diffs.add(
            a.name()
                + "@"
                + AccountProvisioner.IDENTITY_HOST
                + " does not require its certificate's subject and issuer");
      }
    }
    return diffs;
  }

  @Override
  public String check(HostShell sh) {
    State s = state(sh, keys(sh));
    List<String> all = new ArrayList<>(s.install());
    all.addAll(s.keys());
    return all.isEmpty() ? null : String.join("; ", all);
  }

  @Override
  public void apply(HostShell sh) {
    java.util.Optional<TenantTokenKeys> keys = keys(sh);
    if (keys.isEmpty()) {
      generateKeyFile(sh);
      keys = keys(sh);
      if (keys.isEmpty()) {
        throw new PlanFailedException(
            ID, "the generated key file " + keyFile() + " is empty", List.of());
      }
    }
    State s = state(sh, keys);
    if (!s.install().isEmpty()) {
      // what is being installed, before the first statement: an install that stops half way is
      // recognised as this one and re-run, never refused as drift
      PlanRunner.run(
          sh,
          "m="
              + PlanRunner.q(marker() + ".installing")
              + "; printf '%s\\n' "
              + expectedMarker()
              + " > \"$m.tmp\" && chmod 0644 \"$m.tmp\" && mv -f -- \"$m.tmp\" \"$m\"",
          null,
          ID);
      run(
          sh,
          client(),
          installScript()
              + "\n-- tenant-token keys\n"
              + SchemaInstaller.tokenKeyStatements(keys.get())
              + auditScript());
      // the marker last: an install that failed half way is re-run in full
      PlanRunner.run(
          sh,
          "m="
              + PlanRunner.q(marker())
              + "; printf '%s\\n%s\\n' "
              + expectedMarker()
              + " "
              + routineDigest(sh)
              + " > \"$m.tmp\" && chmod 0644 \"$m.tmp\" && mv -f -- \"$m.tmp\" \"$m\""
              + " && rm -f -- \"$m.installing\"",
          null,
          ID);
    } else if (!s.keys().isEmpty()) {
      run(sh, client(), SchemaInstaller.tokenKeySyncScript(options.dialect(), keys.get()));
    }
  }

  /**
   * Runs {@code script} through the client's standard input; the script never appears in errors.
   */
  private void run(HostShell sh, String command, String script) {
    HostShell.Result r = sh.exec(command, script.getBytes(StandardCharsets.UTF_8));
    if (r.exitCode() != 0) {
      throw new PlanFailedException(
          ID,
          "the install failed (client exit " + r.exitCode() + "): " + r.stderr().trim(),
          List.of());
    }
  }

  /**
   * A new key file placed create-only: written to a temporary file beside it, owned {@code
   * root:<serviceUser>} {@code 0640}, then hard-linked to its name ({@code ln} fails when the name
   * exists, so a file placed meanwhile is never replaced).
   */
  private void generateKeyFile(HostShell sh) {
    String json = TenantTokenKeys.generate().toJson() + "\n";
    String f = keyFile();
    PlanRunner.run(
        sh,
        "set -e; umask 077; f="
            + PlanRunner.q(f)
            // a temp copy an interrupted generation left behind holds a key: never keep it
            + "; rm -f -- \"$f\".??????; t=$(mktemp \"$f.XXXXXX\"); trap 'rm -f -- \"$t\"' EXIT; cat > \"$t\";"
            + " chown 0:"
            + PlanRunner.q(serviceGid(sh))
            + " \"$t\"; chmod 0640 \"$t\"; ln -- \"$t\" \"$f\"",
        json.getBytes(StandardCharsets.UTF_8),
        ID);
  }

  /** The service group's numeric id in the root's own {@code /etc/group}. */
  private String serviceGid(HostShell sh) {
    String group = options.serviceUser();
    HostShell.Result r =
        PlanRunner.run(
            sh,
            "awk -F: -v g="
                + PlanRunner.q(group)
                + " '$1 == g { print $3 }' "
                + PlanRunner.q(rooted.apply(Path.of("/etc/group"))),
            null,
            ID);
    String gid = r.stdout().trim();
    if (!gid.matches("[0-9]+")) {
      throw new PlanFailedException(
          ID, "no group " + group + " in the target's /etc/group: apply the users step", List.of());
    }
    return gid;
  }
}
