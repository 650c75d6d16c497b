package dev.strongroom.provisioner.host.plan;

import dev.strongroom.provisioner.db.DialectStatements;
import dev.strongroom.provisioner.host.HostOptions;
import dev.strongroom.provisioner.pki.ClientKind;
import dev.strongroom.provisioner.pki.ClientSpec;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiException;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A host's TLS certificates as a plan: issued (or rotated) from the provisioner's {@link
 * PkiDirectory}, installed on the target with their owners and modes, and the database server's TLS
 * reloaded without a restart. Steps, in order:
 *
 * <ol>
 *   <li>{@code pki}: the provisioner's PKI holds a valid certificate for the database server and
 *       for every identity the host runs ({@link #spec}: the database identities and the services)
 *       and a CRL that is not due — and, for a rotation, none of them was issued before the
 *       rotation's instant ({@link PkiDirectory#issuedAt}). Apply rotates the stale ones — the old
 *       certificate stays valid, kept in the PKI's {@code superseded/} until the last step — then
 *       {@link PkiDirectory#ensure}. Only the provisioner holds the CA key; it never goes to the
 *       target.
 *   <li>{@code file <configDir>/pki/…}: each client's certificate and key (keys {@code 0640
 *       root:<serviceUser>}), then the server's (key {@code 0640 root:<dbUser>}), then {@code
 *       ca/ca.pem} and, last, {@code ca/crl.pem} — so a client re-reading its files has its new
 *       certificate before the CRL that revokes its old one is even on the host. Checked by
 *       SHA-256, mode and numeric owner (names resolved in the root's own {@code /etc/passwd} and
 *       {@code /etc/group}); written to a temporary file beside, owned and moded, then renamed into
 *       place. The directories are the host plan's: a target without them fails here with "apply
 *       the host plan first".
 *   <li>{@code reload tls}: the running database server presents the installed server certificate
 *       (read with {@code openssl s_client -starttls mysql} on the target against {@code
 *       127.0.0.1:<dbPort>}) and was reloaded since the CRL last changed (a marker {@code
 *       <stateDir>/db/tls-reloaded} holds the SHA-256 of the CRL the last reload read). Apply runs
 *       {@code FLUSH SSL} ({@code ALTER INSTANCE RELOAD TLS} on MySQL 8.4) as the login user over
 *       the instance's socket: open connections stay, new handshakes use the new files. Skipped
 *       when no server runs (no socket): it reads the files when it starts.
 *   <li>{@code services present the new certificates}: every service installed on the target (a
 *       {@code <configDir>/<service>.env}) that answers on its HTTPS port presents its current
 *       certificate on a new handshake (serial read with {@code openssl s_client} on the target;
 *       fails when the target has no working {@code openssl} or {@code bash}, and for a port that
 *       accepts a TCP connection but presents no certificate). The services reload their files
 *       themselves (service-kit's {@code ServiceCertificateReloader}); apply waits up to {@link
 *       #SERVICE_RELOAD_WAIT} and fails, before anything is revoked, for one that does not. Skipped
 *       when no service is installed.
 *   <li>{@code revoke superseded}: only now the old certificates go on the CRL (reason {@code
 *       superseded}), the CRL is installed and the server re-reads it ({@code FLUSH SSL}).
 * </ol>
 *
 * <p>So nothing is refused while anything still uses an old certificate: issue new → install →
 * reload the database, services reload → check what each presents → revoke the old.
 *
 * <p>Re-running a finished rotation (the same instant) changes nothing and says so: every
 * certificate was issued after the instant, every file matches, the server serves the installed
 * one.
 */
public final class CertificatePlan {
  private static final String PKI = "pki";
  private static final String RELOAD = "reload tls";
  private static final String SERVICES = "services present the new certificates";
  private static final String REVOKE = "revoke superseded";

  /**
   * How long {@code services} waits for every running service to present its new certificate (they
   * check their files every {@code strongroom.tls.reload-check}, 2 s by default).
   */
  static final java.time.Duration SERVICE_RELOAD_WAIT = java.time.Duration.ofSeconds(30);

  /** The HTTPS port a service listens on when its env file does not say ({@code 8443}). */
  static final int DEFAULT_HTTPS_PORT = 8443;

  private final PkiDirectory pki;
  private final HostOptions options;
  private final Path root;
  private final Instant issuedBefore;

  /** Identities the {@code pki} step would issue or rotate (all of them once the CA is due). */
  private final Set<String> pending = new LinkedHashSet<>();

  /** Identities the {@code pki} step would rotate (their old certificates to be revoked last). */
  private final Set<String> rotating = new LinkedHashSet<>();

  private FileStep crlStep;
  private ReloadStep reloadStep;
  private final Map<String, String> prefetched = new HashMap<>();
  private final Map<String, String> uids = new HashMap<>();
  private final Map<String, String> gids = new HashMap<>();
  private boolean reloadDue;
  private java.time.Duration serviceWait = SERVICE_RELOAD_WAIT;

  /**
   * @param pki the provisioner's PKI for this target (its own directory; {@link #spec})
   * @param issuedBefore rotate every certificate issued before this instant; null only issues what
   *     is missing, invalid or due for renewal
   */
  public CertificatePlan(PkiDirectory pki, HostOptions options, Path root, Instant issuedBefore) {
    if (!root.isAbsolute() || !root.normalize().equals(root)) {
      throw new IllegalArgumentException("root must be absolute and normalized: " + root);
    }
    this.pki = pki;
    this.options = options;
    this.root = root;
    this.issuedBefore = issuedBefore;
  }

  /**
   * The certificates a Strongroom host holds: the database server's (valid for loopback and {@code
   * serverName}), one per database identity and one per service. No CA rollover: the CA is issued
   * once and kept (docs/runbook-rotation.md).
   */
  public static PkiSpec spec(String serverName) {
    PkiSpec.Builder b = PkiSpec.builder();
    PkiSpec.DB_IDENTITIES.forEach(n -> b.client(n, ClientKind.DB_IDENTITY));
    PkiSpec.SERVICES.forEach(n -> b.client(n, ClientKind.SERVICE));
    b.serverName(serverName);
    return b.build();
  }

  /** How long step {@value #SERVICES} waits (tests shorten it). */
  CertificatePlan serviceWait(java.time.Duration wait) {
    this.serviceWait = wait;
    return this;
  }

  /** Checks every step; changes nothing (the PKI included). */
  public List<StepResult> plan(HostShell sh, PlanListener listener) {
    return PlanRunner.run(false, () -> prepare(sh), sh, listener);
  }

  /**
   * Applies every step whose check differs, and re-checks it.
   *
   * @throws PlanFailedException at the first step that fails; the steps before it stay applied
   */
  public List<StepResult> apply(HostShell sh, PlanListener listener) {
    return PlanRunner.run(true, () -> prepare(sh), sh, listener);
  }

  private Path hostPki() {
    return options.configDir().resolve("pki");
  }

  private String rooted(Path hostPath) {
    return root.getNameCount() == 0 ? hostPath.toString() : root + hostPath.toString();
  }

  private String socket() {
    return rooted(options.dbLayout().socket());
  }

  private String marker() {
    return rooted(options.stateDir().resolve("db/tls-reloaded"));
  }

  private List<PlanStep> prepare(HostShell sh) {
    List<PlanStep> steps = build();
    prefetch(sh, steps);
    return steps;
  }

  /** The steps the host plan runs ({@link #installSteps}), whose files' state {@code pki} reads. */
  private List<PlanStep> installing;

  /**
   * The steps that install the host's certificates without a rotation, for the host plan: {@code
   * pki} (issue what is missing or due), the file steps and {@code reload tls} — not the services
   * check or the revocation, which only a rotation needs. The files' state and the root's users are
   * read when {@code pki} is checked (after the host plan made the users and directories), not now.
   */
  List<PlanStep> installSteps() {
    if (issuedBefore != null) {
      throw new IllegalStateException("the host plan installs certificates; it does not rotate");
    }
    installing =
        build().stream()
            .filter(s -> !(s instanceof ServicesStep) && !(s instanceof RevokeStep))
            .toList();
    return installing;
  }

  private List<PlanStep> build() {
    pending.clear();
    rotating.clear();
    reloadDue = false;
    List<PlanStep> steps = new ArrayList<>();
    steps.add(new IssueStep());
    for (ClientSpec c : pki.spec().clients()) {
      steps.add(pair(c.name(), "clients/" + c.name(), options.serviceUser()));
    }
    steps.add(pair("server", "server/server", options.dbUser()));
    steps.add(new FileStep("ca", List.of(new Entry("ca/ca.pem", "0644", "root"))));
    crlStep = new FileStep("crl", List.of(new Entry("ca/crl.pem", "0644", "root")));
    steps.add(crlStep);
    reloadStep = new ReloadStep();
    steps.add(reloadStep);
    steps.add(new ServicesStep());
    steps.add(new RevokeStep());
    return steps;
  }

  /** A certificate ({@code 0644 root:root}) and its key ({@code 0640 root:<group>}), one step. */
  private FileStep pair(String identity, String stem, String group) {
    return new FileStep(
        identity,
        List.of(new Entry(stem + ".key", "0640", group), new Entry(stem + ".pem", "0644", "root")));
  }

  /** Every file's state and the root's user and group ids, in one round trip. */
  private void prefetch(HostShell sh, List<PlanStep> steps) {
    prefetched.clear();
    uids.clear();
    gids.clear();
    StringBuilder cmd = new StringBuilder();
    cmd.append("echo '#passwd'; cat ")
        .append(PlanRunner.q(rooted(Path.of("/etc/passwd"))))
        .append(" 2>/dev/null; echo '#group'; cat ")
        .append(PlanRunner.q(rooted(Path.of("/etc/group"))))
        .append(" 2>/dev/null; ");
    for (PlanStep s : steps) {
      if (s instanceof FileStep f) {
        for (Entry e : f.entries) {
          cmd.append(state(path(e))).append("; ");
        }
      }
    }
    cmd.append("true");
    String section = null;
    StringBuilder body = new StringBuilder();
    for (String line :
        PlanRunner.run(sh, cmd.toString(), null, "files").stdout().lines().toList()) {
      if (line.startsWith("#")) {
        keep(section, body.toString());
        section = line.substring(1);
        body.setLength(0);
      } else {
        body.append(line).append('\n');
      }
    }
    keep(section, body.toString());
  }

  private void keep(String section, String body) {
    if (section == null) {
      return;
    }
    if (section.equals("passwd") || section.equals("group")) {
      Map<String, String> m = section.equals("passwd") ? uids : gids;
      m.put("root", "0");
      for (String l : body.lines().toList()) {
        String[] f = l.split(":");
        if (f.length > 2) {
          m.put(f[0], f[2]);
        }
      }
    } else {
      prefetched.put(section, body);
    }
  }

  /** Identities whose current certificate in the PKI was issued before the rotation's instant. */
  private List<String> stale() {
    List<String> out = new ArrayList<>();
    if (issuedBefore == null || !Files.exists(pki.caCertPem())) {
      return out;
    }
    List<String> names = new ArrayList<>();
    names.add("server");
    pki.spec().clients().forEach(c -> names.add(c.name()));
    for (String n : names) {
      try {
        var c = n.equals("server") ? pki.server() : pki.client(n);
        if (PkiDirectory.issuedAt(c.certificate()).isBefore(issuedBefore)) {
          out.add(n);
        }
      } catch (PkiException missing) {
        // not issued yet: ensure() issues it, after the instant
      }
    }
    return out;
  }

  private final class IssueStep implements PlanStep {
    @Override
    public String id() {
      return PKI;
    }

    @Override
    public String check(HostShell sh) {
      if (installing != null) {
        prefetch(sh, installing);
      }
      pending.clear();
      List<String> due = pki.due();
      List<String> stale = stale();
      stale.removeAll(due);
      if (due.contains("ca")) {
        pending.add("ca");
        pending.add("crl");
        pending.add("server");
        pki.spec().clients().forEach(c -> pending.add(c.name()));
      }
      pending.addAll(due);
      pending.addAll(stale);
      rotating.clear();
      rotating.addAll(stale); // their old certificates are revoked by the last step
      List<String> diffs = new ArrayList<>();
      if (!due.isEmpty()) {
        diffs.add("issue " + String.join(", ", due));
      }
      if (!stale.isEmpty()) {
        diffs.add(
            "rotate "
                + String.join(", ", stale)
                + " (issued before "
                + issuedBefore
                + "; the old ones stay valid until step "
                + REVOKE
                + ")");
      }
      return diffs.isEmpty() ? null : String.join("; ", diffs);
    }

    @Override
    public void apply(HostShell sh) {
      try {
        if (!pki.due().contains("ca")) {
          for (String n : stale()) {
            var old = n.equals("server") ? pki.server() : pki.client(n);
            keepSuperseded(old.certificate());
            if (n.equals("server")) {
              pki.rotateServer(false);
            } else {
              pki.rotateClient(n, false);
            }
          }
        }
        pki.ensure();
      } catch (PkiException e) {
        throw new PlanFailedException(PKI, e.getMessage(), List.of());
      }
    }
  }

  /** A file under {@code <configDir>/pki} ({@code relative} is also its path in the PKI). */
  private record Entry(String relative, String mode, String group) {}

  private String path(Entry e) {
    return rooted(hostPki().resolve(e.relative()));
  }

  /** Prints {@code #<path>}, then, if it is a file, its SHA-256 and {@code mode uid gid}. */
  private static String state(String path) {
    return "f="
        + PlanRunner.q(path)
        + "; echo \"#$f\"; if [ -f \"$f\" ]; then sha256sum -- \"$f\" | cut -d' ' -f1;"
        + " stat -c '%a %u %g' -- \"$f\"; fi";
  }

  /**
   * The files of one identity, installed together: each written to a temporary file beside it
   * (owned and moded), then all renamed into place in one command — a certificate and its key
   * change within a millisecond of each other, never a step (and a progress event) apart.
   */
  private final class FileStep implements PlanStep {
    private final String identity;
    private final List<Entry> entries;

    FileStep(String identity, List<Entry> entries) {
      this.identity = identity;
      this.entries = entries;
    }

    @Override
    public String id() {
      if (entries.size() == 1) {
        return "file " + hostPki().resolve(entries.get(0).relative());
      }
      String stem = entries.get(0).relative().replaceAll("\\.[a-z]+$", "");
      return "file "
          + hostPki().resolve(stem)
          + ".{"
          + String.join(
              ",", entries.stream().map(e -> e.relative().substring(stem.length() + 1)).toList())
          + "}";
    }

    /** The server reads its certificate and key, the CA and the CRL only when (re)loading TLS. */
    private boolean feedsTheServer() {
      return identity.equals("server") || identity.equals("ca") || identity.equals("crl");
    }

    private String differs(String what) {
      if (feedsTheServer()) {
        reloadDue = true;
      }
      return what;
    }

    @Override
    public String check(HostShell sh) {
      if (pending.contains(identity)) {
        entries.forEach(e -> prefetched.remove(path(e)));
        return differs("new from step " + PKI);
      }
      List<String> diffs = new ArrayList<>();
      for (Entry e : entries) {
        String d = check(sh, e);
        if (d != null) {
          diffs.add(entries.size() == 1 ? d : e.relative() + ": " + d);
        }
      }
      return diffs.isEmpty() ? null : differs(String.join("; ", diffs));
    }

    private String check(HostShell sh, Entry e) {
      Path source = pki.root().resolve(e.relative());
      if (!Files.exists(source)) {
        return "not in the provisioner's PKI (" + source + ")";
      }
      String state = prefetched.remove(path(e));
      if (state == null) {
        state = PlanRunner.run(sh, state(path(e)), null, id()).stdout();
        state = state.substring(state.indexOf('\n') + 1); // the #path line
      }
      List<String> lines = state.lines().toList();
      if (lines.isEmpty()) {
        return "missing";
      }
      List<String> diffs = new ArrayList<>();
      if (!lines.get(0).equals(sha256(read(source)))) {
        diffs.add("content differs");
      }
      String[] st = lines.size() < 2 ? new String[] {"?", "?", "?"} : lines.get(1).split(" ");
      String wantMode = Integer.toOctalString(Integer.parseInt(e.mode(), 8));
      if (!st[0].equals(wantMode)) {
        diffs.add("mode " + st[0] + " is not " + wantMode);
      }
      String uid = uids.get("root");
      String gid = gids.get(e.group());
      if (gid == null) {
        diffs.add("group " + e.group() + " unknown on the target");
      } else if (st.length < 3 || !st[1].equals(uid) || !st[2].equals(gid)) {
        diffs.add(
            "owner "
                + (st.length < 3 ? "?" : st[1] + ":" + st[2])
                + " is not root:"
                + e.group()
                + " ("
                + uid
                + ":"
                + gid
                + ")");
      }
      return diffs.isEmpty() ? null : String.join(", ", diffs);
    }

    /**
     * Writes each file to a temporary file beside its destination, its bytes on the command's
     * standard input (a private key never appears in a command line, where any local user could
     * read it from {@code /proc/<pid>/cmdline}), then renames them all in one command, so a reader
     * never sees a certificate without its key.
     */
    @Override
    public void apply(HostShell sh) {
      List<String> temps = new ArrayList<>();
      StringBuilder rename = new StringBuilder("set -e; ");
      try {
        for (Entry e : entries) {
          String gid = gids.get(e.group());
          if (gid == null) {
            throw new PlanFailedException(
                id(),
                "no group "
                    + e.group()
                    + " in "
                    + rooted(Path.of("/etc/group"))
                    + ": apply the host plan first (./strongroom provision --apply TARGET)",
                List.of());
          }
          String write =
              "set -e; f="
                  + PlanRunner.q(path(e))
                  + "; d=$(dirname -- \"$f\"); if [ ! -d \"$d\" ]; then echo \"no directory $d:"
                  + " apply the host plan first (./strongroom provision --apply TARGET)\" >&2;"
                  + " exit 3; fi; t=$(mktemp \"$d/.strongroom.XXXXXX\"); cat > \"$t\"; chmod "
                  + e.mode()
                  + " \"$t\"; chown 0:"
                  + gid
                  + " \"$t\"; printf %s \"$t\"";
          String temp =
              PlanRunner.run(sh, write, read(pki.root().resolve(e.relative())), id()).stdout();
          temps.add(temp);
          rename
              .append("mv -f -- ")
              .append(PlanRunner.q(temp))
              .append(' ')
              .append(PlanRunner.q(path(e)))
              .append("; ");
        }
        PlanRunner.run(sh, rename.append("true").toString(), null, id());
        temps.clear();
      } finally {
        if (!temps.isEmpty()) {
          StringBuilder rm = new StringBuilder("rm -f --");
          temps.forEach(t -> rm.append(' ').append(PlanRunner.q(t)));
          sh.exec(rm.toString(), null);
        }
      }
    }
  }

  private final class ReloadStep implements PlanStep {
    @Override
    public String id() {
      return RELOAD;
    }

    @Override
    public String skip(HostShell sh) {
      HostShell.Result r = sh.exec("[ -S " + PlanRunner.q(socket()) + " ]", null);
      return r.exitCode() == 0
          ? null
          : "no database server at " + socket() + ": it reads the installed files when it starts";
    }

    @Override
    public String check(HostShell sh) {
      if (reloadDue) {
        return "the server's certificate, CA or CRL file changed in this run";
      }
      String pem = PlanRunner.q(rooted(hostPki().resolve("server/server.pem")));
      String crl = PlanRunner.q(rooted(hostPki().resolve("ca/crl.pem")));
      // the installed CRL's SHA-256, then the reload marker's (or "none")
      String crlAndMarker =
          "sha256sum -- "
              + crl
              + " | cut -d' ' -f1; cat "
              + PlanRunner.q(marker())
              + " 2>/dev/null || echo none";
      // a server with no account at 127.0.0.1 (before the host plan's db schema) refuses the TCP
      // probe before any TLS ("Host … is not allowed to connect"): then only the marker can tell
      if (!probeAdmitted(sh)) {
        List<String> m = PlanRunner.run(sh, crlAndMarker, null, id()).stdout().lines().toList();
        if (m.size() < 2) {
          return "cannot read the CRL or the reload marker: " + m;
        }
        return markerDiff(m.get(0), m.get(1));
      }
      List<String> l =
          PlanRunner.run(
                  sh,
                  "openssl s_client -starttls mysql -connect 127.0.0.1:"
                      + options.dbPort()
                      + " -servername localhost </dev/null 2>/dev/null"
                      + " | openssl x509 -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1;"
                      + " openssl x509 -in "
                      + pem
                      + " -outform DER | sha256sum | cut -d' ' -f1; "
                      + crlAndMarker,
                  null,
                  id())
              .stdout()
              .lines()
              .toList();
      if (l.size() < 4) {
        return "cannot read the served certificate: " + l;
      }
      List<String> diffs = new ArrayList<>();
      if (l.get(0).equals(sha256(new byte[0]))) {
        diffs.add("no certificate presented at 127.0.0.1:" + options.dbPort());
      } else if (!l.get(0).equals(l.get(1))) {
        diffs.add(
            "serves certificate SHA-256 "
                + l.get(0).substring(0, 16)
                + "…, not the installed server.pem's "
                + l.get(1).substring(0, 16)
                + "…");
      }
      String marker = markerDiff(l.get(2), l.get(3));
      if (marker != null) {
        diffs.add(marker);
      }
      return diffs.isEmpty() ? null : String.join(", ", diffs);
    }

    /** Null when the reload marker holds the installed CRL's SHA-256, else what differs. */
    private static String markerDiff(String crlSha256, String marker) {
      if (marker.equals(crlSha256)) {
        return null;
      }
      return marker.equals("none")
          ? "no reload recorded since the CRL was installed"
          : "the CRL changed since the last reload";
    }

    @Override
    public void apply(HostShell sh) {
      String crl = PlanRunner.q(rooted(hostPki().resolve("ca/crl.pem")));
      PlanRunner.run(
          sh,
          "set -e; "
              + PlanRunner.installerClient(options.dialect(), socket())
              + " -e "
              + PlanRunner.q(DialectStatements.reloadTls(options.dialect()))
              + "; m="
              + PlanRunner.q(marker())
              + "; sha256sum -- "
              + crl
              + " | cut -d' ' -f1 > \"$m.tmp\"; chmod 0644 \"$m.tmp\"; mv -f -- \"$m.tmp\" \"$m\"",
          null,
          id());
      reloadDue = false;
    }
  }

  /** Whether the server has an account at {@code 127.0.0.1}, so it admits the TLS probe. */
  private boolean probeAdmitted(HostShell sh) {
    HostShell.Result r =
        sh.exec(
            PlanRunner.installerClient(options.dialect(), socket()) + " --skip-column-names",
            "SELECT COUNT(*) FROM mysql.user WHERE Host = '127.0.0.1';\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    // a query that fails says nothing: probe, and let the probe's answer name the problem
    return r.exitCode() != 0 || !r.stdout().trim().equals("0");
  }

  /**
   * Where the certificates a rotation superseded wait, until step {@value #REVOKE} revokes them.
   */
  private Path supersededDir() {
    return pki.root().resolve("superseded");
  }

  private void keepSuperseded(X509Certificate old) {
    try {
      Path dir = Files.createDirectories(supersededDir());
      Path f = dir.resolve(old.getSerialNumber().toString(16) + ".pem");
      Path tmp = dir.resolve(f.getFileName() + ".tmp");
      Files.writeString(
          tmp,
          "-----BEGIN CERTIFICATE-----\n"
              + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                  .encodeToString(old.getEncoded())
              + "\n-----END CERTIFICATE-----\n",
          StandardCharsets.US_ASCII);
      Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | java.security.cert.CertificateEncodingException e) {
      throw new PlanFailedException(PKI, "cannot keep the superseded certificate: " + e, List.of());
    }
  }

  /** The superseded certificates not revoked yet, by file. */
  private Map<Path, X509Certificate> superseded() {
    Map<Path, X509Certificate> out = new java.util.TreeMap<>();
    if (!Files.isDirectory(supersededDir())) {
      return out;
    }
    try (var files = Files.list(supersededDir())) {
      for (Path f : files.filter(x -> x.toString().endsWith(".pem")).sorted().toList()) {
        try (var in = Files.newInputStream(f)) {
          out.put(
              f,
              (X509Certificate)
                  java.security.cert.CertificateFactory.getInstance("X.509")
                      .generateCertificate(in));
        }
      }
      return out;
    } catch (IOException | java.security.cert.CertificateException e) {
      throw new PlanFailedException(REVOKE, "cannot read " + supersededDir() + ": " + e, List.of());
    }
  }

  /** A service's HTTPS port on the target, from its env file; empty when it has none. */
  private Map<String, Integer> servicePorts(HostShell sh) {
    StringBuilder cmd = new StringBuilder();
    for (String svc : PkiSpec.SERVICES) {
      String env = rooted(options.configDir().resolve(svc + ".env"));
      cmd.append("if [ -f ")
          .append(PlanRunner.q(env))
          .append(" ]; then p=$(sed -n 's/^QUARKUS_HTTP_SSL_PORT=//p' ")
          .append(PlanRunner.q(env))
          .append(" | tail -n 1); echo \"")
          .append(svc)
          .append(" ${p:-")
          .append(DEFAULT_HTTPS_PORT)
          .append("}\"; fi; ");
    }
    cmd.append("true");
    Map<String, Integer> out = new java.util.LinkedHashMap<>();
    for (String line :
        PlanRunner.run(sh, cmd.toString(), null, SERVICES).stdout().lines().toList()) {
      String[] f = line.trim().split(" ");
      if (f.length == 2 && f[1].matches("[0-9]{1,5}")) {
        out.put(f[0], Integer.parseInt(f[1]));
      }
    }
    return out;
  }

  /**
   * The serial (lower-case hex) each service presents on a new handshake at 127.0.0.1:port, read on
   * the target with {@code openssl s_client} (TLS 1.3 sends the server's certificate before the
   * server asks for the client's, so no client certificate is needed to read it); empty when the
   * port accepts a plain TCP connection ({@code bash}'s {@code /dev/tcp}) but no certificate was
   * read; absent only when the port refuses the connection (the service is not running). Fails the
   * step when {@code openssl} or {@code bash} is missing or {@code openssl} does not run on the
   * target: otherwise no service would be checked before the revocation.
   */
  private Map<String, String> servedSerials(HostShell sh, Map<String, Integer> ports) {
    String missing =
        PlanRunner.run(
                sh,
                "command -v openssl >/dev/null 2>&1 && openssl version >/dev/null 2>&1"
                    + " || echo openssl;"
                    + " command -v bash >/dev/null 2>&1 || echo bash; true",
                null,
                SERVICES)
            .stdout()
            .trim();
    if (!missing.isEmpty()) {
      throw new PlanFailedException(
          SERVICES,
          "cannot check the services: no working "
              + String.join(" or ", missing.lines().toList())
              + " on the target: nothing revoked; install it and apply again",
          List.of());
    }
    StringBuilder cmd = new StringBuilder();
    ports.forEach(
        (svc, port) ->
            cmd.append("s=$(openssl s_client -connect 127.0.0.1:")
                .append(port)
                .append(
                    " -tls1_3 </dev/null 2>/dev/null | openssl x509 -noout -serial 2>/dev/null);")
                .append(" if [ -n \"$s\" ]; then echo \"")
                .append(svc)
                .append(" ${s#serial=}\"; elif bash -c '</dev/tcp/127.0.0.1/")
                .append(port)
                .append("' 2>/dev/null; then echo \"")
                .append(svc)
                .append(" -\"; fi; "));
    cmd.append("true");
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (String line :
        PlanRunner.run(sh, cmd.toString(), null, SERVICES).stdout().lines().toList()) {
      String[] f = line.trim().split(" ");
      if (f.length != 2 || !ports.containsKey(f[0])) {
        continue;
      }
      out.put(
          f[0],
          f[1].matches("[0-9A-Fa-f]+") ? new java.math.BigInteger(f[1], 16).toString(16) : "");
    }
    return out;
  }

  /** Services presenting another certificate than the PKI's current one, with what they present. */
  private List<String> servingOld(HostShell sh, Map<String, Integer> ports) {
    Map<String, String> served = servedSerials(sh, ports);
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, String> e : served.entrySet()) {
      String want = pki.client(e.getKey()).certificate().getSerialNumber().toString(16);
      if (e.getValue().isEmpty()) {
        out.add(
            e.getKey()
                + " answers on 127.0.0.1:"
                + ports.get(e.getKey())
                + " but openssl s_client read no certificate there, not "
                + want);
      } else if (!want.equals(e.getValue())) {
        out.add(e.getKey() + " presents serial " + e.getValue() + ", not " + want);
      }
    }
    return out;
  }

  /**
   * Every service running on the target presents its current certificate (after a rotation: the new
   * one, which it loads itself within its {@code strongroom.tls.reload-check}) before anything is
   * revoked. A service with no env file under the config directory is not installed there; one
   * whose port refuses a TCP connection is not running (it reads its files when it starts): neither
   * is waited for. One that accepts but presents no certificate is waited for like an old one.
   * Apply waits up to {@link #SERVICE_RELOAD_WAIT}; a service still presenting its old certificate
   * then fails the plan — before {@value #REVOKE}, so nothing is refused — with what to do.
   */
  private final class ServicesStep implements PlanStep {
    private Map<String, Integer> ports = Map.of();

    @Override
    public String id() {
      return SERVICES;
    }

    @Override
    public String skip(HostShell sh) {
      ports = servicePorts(sh);
      return ports.isEmpty()
          ? "no service installed (no <service>.env under "
              + options.configDir()
              + "): each reads its files when it starts"
          : null;
    }

    @Override
    public String check(HostShell sh) {
      List<String> services = new ArrayList<>(ports.keySet());
      services.retainAll(rotating);
      if (!services.isEmpty()) {
        return "rotated in this run: " + String.join(", ", services) + " (each reloads its files)";
      }
      List<String> old = servingOld(sh, ports);
      return old.isEmpty() ? null : String.join("; ", old);
    }

    @Override
    public void apply(HostShell sh) {
      long deadline = System.nanoTime() + serviceWait.toNanos();
      List<String> old = servingOld(sh, ports);
      while (!old.isEmpty() && System.nanoTime() < deadline) {
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new PlanFailedException(SERVICES, "interrupted", List.of());
        }
        old = servingOld(sh, ports);
      }
      if (!old.isEmpty()) {
        throw new PlanFailedException(
            SERVICES,
            String.join("; ", old)
                + " after "
                + serviceWait.toSeconds()
                + " s: nothing revoked yet; restart it (systemctl restart strongroom-<service>)"
                + " and apply again",
            List.of());
      }
      rotating.removeAll(ports.keySet());
    }
  }

  /**
   * Last: the certificates this or an earlier run of the rotation superseded go on the CRL ({@code
   * superseded}), the CRL is installed on the target and the database server re-reads it ({@code
   * FLUSH SSL}, when it runs). Only now are the old certificates refused — every client had its new
   * files, the database and every running service present their new certificates. The superseded
   * certificates wait in the provisioner's PKI ({@code superseded/<serial>.pem}) until revoked, so
   * a run that stops before this step revokes them when applied again.
   */
  private final class RevokeStep implements PlanStep {
    @Override
    public String id() {
      return REVOKE;
    }

    @Override
    public String check(HostShell sh) {
      List<String> what = new ArrayList<>();
      superseded().values().forEach(c -> what.add("serial " + c.getSerialNumber().toString(16)));
      if (!rotating.isEmpty()) {
        what.add("the old certificates of " + String.join(", ", rotating));
      }
      return what.isEmpty() ? null : "revoke " + String.join(", ", what) + " (superseded)";
    }

    @Override
    public void apply(HostShell sh) {
      Map<Path, X509Certificate> old = superseded();
      try {
        for (X509Certificate c : old.values()) {
          pki.revoke(c, dev.strongroom.provisioner.pki.RevocationReason.SUPERSEDED);
        }
      } catch (PkiException e) {
        throw new PlanFailedException(REVOKE, e.getMessage(), List.of());
      }
      crlStep.apply(sh);
      if (reloadStep.skip(sh) == null) {
        reloadStep.apply(sh);
      }
      try {
        for (Path f : old.keySet()) {
          Files.delete(f);
        }
      } catch (IOException e) {
        throw new PlanFailedException(REVOKE, "revoked, but cannot clear " + e, List.of());
      }
      rotating.clear();
    }
  }

  private static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p, e);
    }
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
