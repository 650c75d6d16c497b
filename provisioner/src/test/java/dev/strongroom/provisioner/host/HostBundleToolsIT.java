package dev.strongroom.provisioner.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.provisioner.db.TestInstances;
import dev.strongroom.provisioner.os.Processes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every artefact of the host bundle checked by its own tool (Debian packages nftables, ufw,
 * fail2ban, systemd): nothing here touches the machine's firewall, services or users — nft and ufw
 * run in a private network namespace ({@code unshare -n}, ufw only with {@code --dry-run}),
 * fail2ban reads a private copy of its configuration, sysusers and tmpfiles act on a throwaway
 * root. Each check also shows the tool refusing a broken artefact, so a check that passes means
 * something.
 */
class HostBundleToolsIT {
  private static final Duration T = Duration.ofSeconds(60);
  private Path base;

  @BeforeEach
  void setUp() throws IOException {
    base = TestInstances.tempBase("sr-host-");
  }

  @AfterEach
  void tearDown() {
    TestInstances.deleteTree(base);
  }

  private static Processes.Result run(String... cmd) {
    return Processes.run(List.of(cmd), null, T);
  }

  private static List<HostBundle> variants() {
    return List.of(
        HostBundleRenderer.render(HostBundles.localMariaDb()),
        HostBundleRenderer.render(HostBundles.remoteMySql()));
  }

  private Path write(String name, String content) throws IOException {
    Path p = base.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }

  // --- the database server's option file -------------------------------------------------------

  /**
   * The host's {@code db/my.cnf}, with the host's paths moved under this test's directory, read by
   * the real server ({@code mariadbd --help --verbose} parses every line, loads the plugins it
   * names and prints the values it would run with; an unknown option fails it with exit 7). The
   * paths it reads back are the ones the other artefacts name: the keyring directory of the
   * tmpfiles rules, the error log the fail2ban jails watch, the server's TLS files under the
   * configuration's {@code pki/}.
   */
  @Test
  void dbOptionFile_isReadByTheRealServer_withThePathsTheOtherArtefactsName() throws IOException {
    HostOptions o =
        HostBundles.localMariaDb().toBuilder()
            .configDir(base.resolve("etc/strongroom"))
            .stateDir(base.resolve("var/lib/strongroom"))
            .build();
    HostBundle b = HostBundleRenderer.render(o);
    Path cnf = write("etc/strongroom/db/my.cnf", b.require("db/my.cnf").content());
    for (String d : List.of("data", "tmp", "secure-files", "logs", "run", "binlog", "keyring")) {
      Files.createDirectories(o.dbLayout().base().resolve(d)); // the tmpfiles rules' directories
    }
    Processes.Result help =
        run("/usr/sbin/mariadbd", "--defaults-file=" + cnf, "--help", "--verbose");
    assertEquals(0, help.exitCode(), help.output());
    Path db = base.resolve("var/lib/strongroom/db");
    Path pki = base.resolve("etc/strongroom/pki");
    Map<String, String> want = new TreeMap<>();
    want.put("file-key-management-filename", db.resolve("keyring/keys.enc").toString());
    want.put("file-key-management-filekey", "FILE:" + db.resolve("keyring/filekey"));
    want.put("log-error", db.resolve("logs/error.log").toString());
    want.put("server-audit-file-path", db.resolve("logs/audit.log").toString());
    want.put("datadir", db.resolve("data") + "/");
    want.put("socket", db.resolve("run/mysqld.sock").toString());
    want.put("ssl-ca", pki.resolve("ca/ca.pem").toString());
    want.put("ssl-cert", pki.resolve("server/server.pem").toString());
    want.put("ssl-key", pki.resolve("server/server.key").toString());
    want.put("ssl-crl", pki.resolve("ca/crl.pem").toString());
    want.put("bind-address", "127.0.0.1");
    want.put("port", "3306");
    want.put("require-secure-transport", "TRUE");
    want.put("tls-version", "TLSv1.3");
    want.put("innodb-encrypt-tables", "FORCE");
    want.put("encrypt-binlog", "TRUE");
    for (Map.Entry<String, String> e : want.entrySet()) {
      Matcher m =
          Pattern.compile("(?m)^" + Pattern.quote(e.getKey()) + " +(\\S+)$").matcher(help.output());
      assertTrue(m.find(), e.getKey() + " not in the server's --help --verbose");
      assertEquals(e.getValue(), m.group(1), e.getKey());
    }
    String tmpfiles = b.require("tmpfiles/strongroom.conf").content();
    assertTrue(tmpfiles.contains("d " + db.resolve("keyring") + " 0750 root strongroom-db -"));
    assertTrue(tmpfiles.contains("z " + cnf + " 0640 root strongroom-db -"), tmpfiles);
    String jail = b.require("fail2ban/jail.d/strongroom.local").content();
    assertTrue(jail.contains("logpath = " + db.resolve("logs/error.log") + "\n"), jail);
    assertTrue(
        b.require("systemd/strongroom-db.service")
            .content()
            .contains("ExecStart=/usr/sbin/mariadbd --defaults-file=" + cnf + "\n"));
    BundleFile f = b.require("db/my.cnf");
    assertEquals(
        List.of(cnf, "root", "strongroom-db", "0640"),
        List.of(f.hostPath(), f.owner(), f.group(), f.mode()));

    // the same check refuses a line the server does not know
    Path broken =
        write("broken.cnf", b.require("db/my.cnf").content() + "innodb_encrypt_everything=ON\n");
    Processes.Result refused =
        run("/usr/sbin/mariadbd", "--defaults-file=" + broken, "--help", "--verbose");
    assertEquals(7, refused.exitCode(), refused.output());
    assertTrue(
        refused.output().contains("unknown variable 'innodb_encrypt_everything=ON'"),
        refused.output());
  }

  // --- nftables ---------------------------------------------------------------------------------

  @Test
  void nftables_passesNftCheck_andLoadsTwiceInAPrivateNetns() throws IOException {
    for (HostBundle b : variants()) {
      Path f =
          write(
              "nft/" + b.options().dialect().id() + ".nft",
              b.require("nftables/nftables.conf").content());
      Processes.Result check = run("unshare", "-n", "nft", "-c", "-f", f.toString());
      assertEquals(0, check.exitCode(), check.output());
      // Loaded for real, twice (re-applying is idempotent: flush ruleset), inside the namespace.
      Processes.Result load =
          run(
              "unshare",
              "-n",
              "sh",
              "-c",
              "nft -f \"$1\" && nft -f \"$1\" && nft list ruleset",
              "sh",
              f.toString());
      assertEquals(0, load.exitCode(), load.output());
      String listed = load.stdout();
      assertTrue(listed.contains("type filter hook input priority filter; policy drop;"), listed);
      assertTrue(listed.contains("type filter hook forward priority filter; policy drop;"), listed);
      assertTrue(listed.contains("tcp dport " + b.options().sshPort()), listed);
      if (b.options().allowRemote()) {
        assertTrue(listed.contains("elements = { 10.20.0.0/16, 192.0.2.0/24 }"), listed);
        assertTrue(listed.contains("elements = { 2001:db8:42::/48 }"), listed);
        assertTrue(listed.contains("ip saddr @db_allow_v4 tcp dport 3406 accept"), listed);
      } else {
        assertFalse(listed.contains("db_allow"), listed);
      }
    }
  }

  @Test
  void nftables_withABadElement_isRefusedByNft() throws IOException {
    String good =
        HostBundleRenderer.render(HostBundles.remoteMySql())
            .require("nftables/nftables.conf")
            .content();
    Path f = write("nft/bad.nft", good.replace("10.20.0.0/16", "10.20.0.0/33"));
    Processes.Result check = run("unshare", "-n", "nft", "-c", "-f", f.toString());
    assertEquals(1, check.exitCode(), check.output());
    assertTrue(check.stderr().contains("10.20.0.0/33"), check.stderr());
  }

  // --- ufw --------------------------------------------------------------------------------------

  /** The {@code ufw} lines of the script as argument lists, single quotes honoured. */
  static List<List<String>> ufwCommands(String script) {
    List<List<String>> out = new ArrayList<>();
    for (String line : script.split("\n")) {
      if (!line.startsWith("ufw ")) {
        continue;
      }
      List<String> args = new ArrayList<>();
      Matcher m = Pattern.compile("'([^']*)'|(\\S+)").matcher(line.substring(4));
      while (m.find()) {
        args.add(m.group(1) != null ? m.group(1) : m.group(2));
      }
      out.add(args);
    }
    return out;
  }

  private static Processes.Result ufwDryRun(List<String> args) {
    List<String> cmd = new ArrayList<>(List.of("unshare", "-n", "ufw", "--dry-run"));
    cmd.addAll(args);
    return Processes.run(cmd, null, T);
  }

  @Test
  void ufwCommands_areAcceptedByUfwDryRun_andChangeNothing() throws Exception {
    Map<Path, String> before = ufwState();
    for (HostBundle b : variants()) {
      List<List<String>> cmds = ufwCommands(b.require("ufw/ufw-commands.sh").content());
      assertEquals(List.of("--force", "reset"), cmds.get(0));
      assertEquals(List.of("--force", "enable"), cmds.get(cmds.size() - 1));
      int rules = 0;
      // reset and enable change state even in a dry run's neighbourhood: never run here.
      for (List<String> args : cmds.subList(1, cmds.size() - 1)) {
        Processes.Result r = ufwDryRun(args);
        assertEquals(0, r.exitCode(), args + ": " + r.output());
        if (args.get(0).equals("allow") || args.get(0).equals("limit")) {
          assertTrue(r.stdout().contains("### tuple ###"), args + ": " + r.stdout());
          rules++;
        }
      }
      assertEquals(1 + b.options().allowedCidrs().size(), rules);
    }
    assertEquals(before, ufwState(), "ufw --dry-run must not change /etc/ufw or /etc/default/ufw");
  }

  @Test
  void ufwRule_withABadSource_isRefusedByUfw() {
    Processes.Result r =
        ufwDryRun(
            List.of("allow", "proto", "tcp", "from", "10.20.0.0/33", "to", "any", "port", "3406"));
    assertEquals(1, r.exitCode(), r.output());
    assertTrue(r.output().contains("ERROR: Bad source address"), r.output());
  }

  private static Map<Path, String> ufwState() throws Exception {
    Map<Path, String> m = new TreeMap<>();
    List<Path> files = new ArrayList<>();
    files.add(Path.of("/etc/default/ufw"));
    try (Stream<Path> s = Files.list(Path.of("/etc/ufw"))) {
      s.filter(Files::isRegularFile).forEach(files::add);
    }
    for (Path p : files) {
      m.put(
          p,
          HexFormat.of()
              .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
    }
    return m;
  }

  // --- fail2ban ---------------------------------------------------------------------------------

  /** A private copy of /etc/fail2ban with the bundle's jail and filters laid over it. */
  private Path fail2banConfig(HostBundle b) throws IOException {
    Path dir = base.resolve("fail2ban");
    copyTree(Path.of("/etc/fail2ban"), dir);
    for (BundleFile f : b.files()) {
      if (f.bundlePath().startsWith("fail2ban/")) {
        write(
            dir.getFileName() + "/" + f.bundlePath().substring("fail2ban/".length()), f.content());
      }
    }
    return dir;
  }

  @Test
  void fail2banJails_passFail2banClientTest() throws IOException {
    // The database's error log must exist for the test to pass: render into this test's root.
    HostOptions o = HostBundles.remoteMySql().toBuilder().stateDir(base.resolve("state")).build();
    Files.createDirectories(o.dbLayout().logDir());
    Files.writeString(o.dbLayout().errorLog(), "");
    Path conf = fail2banConfig(HostBundleRenderer.render(o));
    Processes.Result r = run("fail2ban-client", "-c", conf.toString(), "-t");
    assertEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains("OK: configuration test is successful"), r.output());
  }

  @Test
  void fail2banJail_withAMissingFilter_failsFail2banClientTest() throws IOException {
    HostOptions o = HostBundles.localMariaDb().toBuilder().stateDir(base.resolve("state")).build();
    Files.createDirectories(o.dbLayout().logDir());
    Files.writeString(o.dbLayout().errorLog(), "");
    Path conf = fail2banConfig(HostBundleRenderer.render(o));
    Files.delete(conf.resolve("filter.d/strongroom-db-tls.conf"));
    Processes.Result r = run("fail2ban-client", "-c", conf.toString(), "-t");
    assertTrue(r.exitCode() != 0, r.output());
    assertTrue(r.output().contains("strongroom-db-tls"), r.output());
  }

  private List<String> matchedHosts(Path conf, String filter, String sample) throws IOException {
    Path log = base.resolve("samples").resolve(sample);
    Files.createDirectories(log.getParent());
    try (InputStream in = getClass().getResourceAsStream("/host/fail2ban/" + sample)) {
      Files.copy(in, log, StandardCopyOption.REPLACE_EXISTING);
    }
    Processes.Result r =
        run(
            "fail2ban-regex",
            "-o",
            "ip",
            log.toString(),
            conf.resolve("filter.d").resolve(filter).toString());
    assertEquals(0, r.exitCode(), r.output());
    return r.stdout().lines().filter(l -> !l.isBlank()).toList();
  }

  @Test
  void dbFilters_matchEveryFailureSample_andNothingElse() throws IOException {
    Path conf = fail2banConfig(HostBundleRenderer.render(HostBundles.localMariaDb()));
    assertEquals(
        List.of(
            "203.0.113.9",
            "203.0.113.9",
            "198.51.100.23",
            "2001:db8::7",
            "203.0.113.9",
            "203.0.113.10"),
        matchedHosts(conf, "strongroom-db-auth.conf", "db-auth.match.log"));
    assertEquals(List.of(), matchedHosts(conf, "strongroom-db-auth.conf", "db-auth.nomatch.log"));
    assertEquals(
        List.of("203.0.113.9", "198.51.100.23", "2001:db8::7", "203.0.113.9", "203.0.113.10"),
        matchedHosts(conf, "strongroom-db-tls.conf", "db-tls.match.log"));
    assertEquals(List.of(), matchedHosts(conf, "strongroom-db-tls.conf", "db-tls.nomatch.log"));
  }

  @Test
  void stockMysqldAuthFilter_missesTheTlsFailuresAndTheEmptyUser() throws IOException {
    Path conf = fail2banConfig(HostBundleRenderer.render(HostBundles.localMariaDb()));
    assertEquals(List.of(), matchedHosts(conf, "mysqld-auth.conf", "db-tls.match.log"));
    assertEquals(5, matchedHosts(conf, "mysqld-auth.conf", "db-auth.match.log").size());
  }

  // --- systemd ----------------------------------------------------------------------------------

  private List<Path> units(HostBundle b, String dir) throws IOException {
    List<Path> out = new ArrayList<>();
    for (BundleFile f : b.files()) {
      if (f.bundlePath().startsWith("systemd/")) {
        out.add(write(dir + "/" + f.bundlePath().substring("systemd/".length()), f.content()));
      }
    }
    return out;
  }

  @Test
  void systemdUnits_passSystemdAnalyzeVerify_withoutAWarning() throws IOException {
    for (HostBundle b : variants()) {
      List<Path> units = units(b, "units-" + b.options().dialect().id());
      List<String> cmd = new ArrayList<>(List.of("systemd-analyze", "verify"));
      units.forEach(u -> cmd.add(u.toString()));
      Processes.Result r = Processes.run(cmd, null, T);
      assertEquals(0, r.exitCode(), r.output());
      assertEquals("", r.stderr(), "systemd-analyze verify warned");
    }
  }

  @Test
  void systemdUnit_withAnUnknownDirective_isFlaggedByVerify() throws IOException {
    HostBundle b = HostBundleRenderer.render(HostBundles.localMariaDb());
    Path u =
        write(
            "units-bad/strongroom-data-service.service",
            b.require("systemd/strongroom-data-service.service")
                .content()
                .replace("NoNewPrivileges=yes", "NoNewPrivilege=yes"));
    Processes.Result r = run("systemd-analyze", "verify", u.toString());
    assertTrue(
        r.stderr().contains("Unknown key 'NoNewPrivilege' in section [Service]"), r.output());
  }

  private static final Pattern EXPOSURE =
      Pattern.compile("Overall exposure level for (\\S+): ([0-9.]+)");

  @Test
  void everyServiceUnit_isRatedOkBySystemdAnalyzeSecurity() throws IOException {
    HostBundle b = HostBundleRenderer.render(HostBundles.localMariaDb());
    for (Path u : units(b, "units-security")) {
      if (!u.toString().endsWith(".service")) {
        continue;
      }
      Processes.Result r =
          run("systemd-analyze", "security", "--offline=true", "--threshold=20", u.toString());
      assertEquals(0, r.exitCode(), r.output());
      Matcher m = EXPOSURE.matcher(r.stdout());
      assertTrue(m.find(), r.stdout());
      double exposure = Double.parseDouble(m.group(2));
      // systemd rates 0..10; below 2 it reports "OK" (the seed's units scored 9.6 "UNSAFE").
      assertTrue(exposure < 2.0, u.getFileName() + " exposure " + exposure + "\n" + r.stdout());
    }
    // The same unit without its sandbox is rated exposed: the rating measures the hardening.
    Path bare =
        write(
            "units-bare/strongroom-data-service.service",
            "[Unit]\nDescription=bare\n[Service]\nExecStart=/usr/bin/java -jar /opt/x.jar\n");
    Processes.Result r = run("systemd-analyze", "security", "--offline=true", bare.toString());
    Matcher m = EXPOSURE.matcher(r.stdout());
    assertTrue(m.find(), r.stdout());
    assertTrue(Double.parseDouble(m.group(2)) > 9.0, r.stdout());
  }

  // --- sysctl -----------------------------------------------------------------------------------

  @Test
  void sysctl_everyRequiredKeyExistsInProcSys_andValuesAreIntegers() {
    String conf =
        HostBundleRenderer.render(HostBundles.localMariaDb())
            .require("sysctl/99-strongroom.conf")
            .content();
    int keys = 0;
    for (String line : conf.lines().toList()) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      String[] kv = line.split(" = ", 2);
      assertEquals(2, kv.length, line);
      assertTrue(kv[1].matches("-?[0-9]+"), line);
      boolean optional = kv[0].startsWith("-");
      String key = optional ? kv[0].substring(1) : kv[0];
      Path proc = Path.of("/proc/sys", key.replace('.', '/'));
      if (!optional) {
        assertTrue(Files.isRegularFile(proc), "no such kernel setting: " + key);
      }
      // Read (never write) through the stock tool too.
      if (Files.isRegularFile(proc)) {
        Processes.Result r = run("sysctl", "-n", key);
        assertEquals(0, r.exitCode(), r.output());
      }
      keys++;
    }
    assertEquals(HostBundleRenderer.SYSCTL.size(), keys);
  }

  // --- users, ownership and modes ---------------------------------------------------------------

  @Test
  void sysusersAndTmpfiles_createUsersAndFixModes_inAThrowawayRoot() throws IOException {
    HostBundle b = HostBundleRenderer.render(HostBundles.localMariaDb());
    Path root = base.resolve("root");
    Files.createDirectories(root.resolve("etc"));
    Path sysusers = write("sysusers.conf", b.require("sysusers/strongroom.conf").content());
    Path tmpfiles = write("tmpfiles.conf", b.require("tmpfiles/strongroom.conf").content());
    Processes.Result u = run("systemd-sysusers", "--root=" + root, sysusers.toString());
    assertEquals(0, u.exitCode(), u.output());
    String passwd = Files.readString(root.resolve("etc/passwd"));
    assertTrue(
        passwd.contains(":Strongroom services:/var/lib/strongroom:/usr/sbin/nologin"), passwd);
    assertTrue(
        passwd.contains(":Strongroom database server:/var/lib/strongroom/db:/usr/sbin/nologin"),
        passwd);

    // Keys and configs as a careless copy leaves them: world-readable, owned by root.
    Map<String, String> careless = new TreeMap<>();
    careless.put("etc/strongroom/pki/clients/app_user.key", "key");
    careless.put("etc/strongroom/pki/clients/app_user.pem", "cert");
    careless.put("etc/strongroom/pki/server/server.key", "key");
    careless.put("etc/strongroom/pki/ca/private/ca.key", "key");
    careless.put("etc/strongroom/events/crypto-service.pem", "key");
    careless.put("etc/strongroom/crypto-service.env", "env");
    careless.put("etc/strongroom/db/my.cnf", "cnf");
    careless.put("var/lib/strongroom/db/keyring/filekey", "key");
    for (Map.Entry<String, String> e : careless.entrySet()) {
      Path p = root.resolve(e.getKey());
      Files.createDirectories(
          p.getParent(),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
      Files.writeString(p, e.getValue());
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-rw-rw-"));
    }
    for (String d :
        List.of(
            "etc/strongroom/pki/clients",
            "etc/strongroom/pki/ca/private",
            "var/lib/strongroom/db/keyring")) {
      Files.setPosixFilePermissions(root.resolve(d), PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    Processes.Result t = run("systemd-tmpfiles", "--create", "--root=" + root, tmpfiles.toString());
    assertEquals(0, t.exitCode(), t.output());
    assertEquals("", t.stderr());

    Map<String, String> uid = ids(root.resolve("etc/passwd"));
    Map<String, String> gid = ids(root.resolve("etc/group"));
    String svc = uid.get("strongroom");
    String db = uid.get("strongroom-db");
    assertMode(
        root, "etc/strongroom/pki/clients/app_user.key", "rw-r-----", "0", gid.get("strongroom"));
    assertMode(root, "etc/strongroom/pki/clients/app_user.pem", "rw-r--r--", "0", "0");
    assertMode(root, "etc/strongroom/pki/clients", "rwxr-x---", "0", gid.get("strongroom"));
    assertMode(
        root, "etc/strongroom/pki/server/server.key", "rw-r-----", "0", gid.get("strongroom-db"));
    assertMode(root, "etc/strongroom/pki/ca/private/ca.key", "rw-------", "0", "0");
    assertMode(root, "etc/strongroom/pki/ca/private", "rwx------", "0", "0");
    assertMode(
        root, "etc/strongroom/events/crypto-service.pem", "rw-r-----", "0", gid.get("strongroom"));
    assertMode(root, "etc/strongroom/crypto-service.env", "rw-r-----", "0", gid.get("strongroom"));
    assertMode(root, "etc/strongroom/db/my.cnf", "rw-r-----", "0", gid.get("strongroom-db"));
    assertMode(
        root, "var/lib/strongroom/db/keyring/filekey", "rw-r-----", "0", gid.get("strongroom-db"));
    assertMode(root, "var/lib/strongroom/db/keyring", "rwxr-x---", "0", gid.get("strongroom-db"));
    assertMode(root, "var/lib/strongroom/db/data", "rwx------", db, gid.get("strongroom-db"));
    assertMode(root, "var/lib/strongroom/crypto-service", "rwx------", svc, gid.get("strongroom"));
    assertMode(root, "var/log/strongroom", "rwxr-x---", svc, gid.get("strongroom"));
  }

  private static Map<String, String> ids(Path file) throws IOException {
    Map<String, String> m = new TreeMap<>();
    for (String l : Files.readAllLines(file)) {
      String[] f = l.split(":");
      m.put(f[0], f[2]);
    }
    return m;
  }

  private static void assertMode(Path root, String rel, String mode, String uid, String gid)
      throws IOException {
    Path p = root.resolve(rel);
    assertEquals(
        mode,
        PosixFilePermissions.toString(
            Files.readAttributes(p, PosixFileAttributes.class).permissions()),
        rel);
    assertEquals(uid, String.valueOf(Files.getAttribute(p, "unix:uid")), rel + " owner");
    assertEquals(gid, String.valueOf(Files.getAttribute(p, "unix:gid")), rel + " group");
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
