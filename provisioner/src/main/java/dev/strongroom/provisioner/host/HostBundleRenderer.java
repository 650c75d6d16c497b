package dev.strongroom.provisioner.host;

import dev.strongroom.provisioner.db.Dialect;
import dev.strongroom.provisioner.db.OptionFileRenderer;
import dev.strongroom.provisioner.db.ServerSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Renders the host-hardening bundle from {@link HostOptions}. Pure: the same options always give
 * the same bytes (golden files pin them). What each artefact is, where it goes and which tool
 * checks it:
 *
 * <pre>
 * nftables/nftables.conf              /etc/nftables.conf          nft -c -f (and loaded in a netns)
 * ufw/ufw-commands.sh                 /etc/strongroom/firewall/   ufw --dry-run, line by line
 * fail2ban/jail.d/strongroom.local    /etc/fail2ban/jail.d/       fail2ban-client -t
 * fail2ban/filter.d/strongroom-db-auth.conf, strongroom-db-tls.conf   fail2ban-regex, sample lines
 * systemd/*.service, *.timer          /etc/systemd/system/        systemd-analyze verify, security
 * sysctl/99-strongroom.conf           /etc/sysctl.d/              each required key exists in /proc/sys
 * sysusers/strongroom.conf            /etc/sysusers.d/            systemd-sysusers --root
 * tmpfiles/strongroom.conf            /etc/tmpfiles.d/            systemd-tmpfiles --create --root
 * db/my.cnf                           /etc/strongroom/db/my.cnf   mariadbd --help --verbose; started
 * MySQL 8.4 only (rendered and golden-tested; no MySQL server runs here):
 * db/mysqld.my                        /usr/sbin/mysqld.my         component manifest
 * db/component_keyring_file.cnf       /usr/lib/mysql/plugin/      keyring component configuration
 * db/init.sql                         /etc/strongroom/db/init.sql the unit's --init-file
 * </pre>
 *
 * <p>{@code db/my.cnf} is the database server's option file, rendered by the embedded instance's
 * {@link OptionFileRenderer} from the same {@link ServerSettings} (the same hardening, byte for
 * byte) with the host's paths: the instance under {@code <stateDir>/db} ({@link
 * HostOptions#dbLayout()}: the keyring directory the tmpfiles rules name, the error log the
 * fail2ban jails watch), the TLS files where {@code CertificatePlan} installs them ({@link
 * HostOptions#dbTlsFiles()}), the host's database port, loopback only unless remote access is
 * allowed. Owned {@code root:<dbUser>} 0640: the server reads it, nobody else needs to.
 *
 * <p>MySQL 8.4's at-rest keyring, {@code component_keyring_file}, is loaded by a manifest, not by
 * the option file: the global {@value OptionFileRenderer#KEYRING_MANIFEST_NAME} next to {@link
 * #MYSQLD} names the component, the global {@value OptionFileRenderer#KEYRING_CONFIG_NAME} in
 * {@link #MYSQL_PLUGIN_DIR} names the keyring file, {@link
 * dev.strongroom.provisioner.db.InstanceLayout#componentKeyringFile()} in the keyring directory the
 * tmpfiles rules give the server (MySQL 8.4 Reference Manual 8.4.4.2 and 8.4.4.4). Global files
 * only: a local manifest would sit in the data directory, which {@code mysqld --initialize}
 * requires empty. Both {@code root:<dbUser>} 0640, read-only to the server as the manual asks of a
 * manifest; neither holds a secret. {@code db/init.sql} ({@link #mysqlInitFile()}) makes {@code
 * root@localhost} log in over the socket only; the unit passes it to every start.
 *
 * <p>Firewall policy: input and forward drop by default; loopback, established traffic, ICMP/ICMPv6
 * and SSH (rate-limited) accepted; the database port only from the allowlist, and only when remote
 * access is allowed. Output is not restricted (the services reach Kafka, KMS, WORM and syslog,
 * whose addresses the host bundle does not know).
 *
 * <p>Timers: {@code strongroom-verify-audit.timer} only. There is no proof timer: the devstack's
 * {@code prove} needs the devstack's own state (its {@code stack.json} and keys, a writable
 * evidence directory), which a provisioned host does not have, and the host controls need root
 * ({@code nft list ruleset}, fail2ban's socket), which a sandboxed service user is not. Scheduled
 * proofs of the catalogue are the proof-service's ({@code strongroom.proof.every}); the host
 * controls are run by the operator as root over SSH ({@code prove --host ssh://…},
 * docs/ops-plane.md).
 */
public final class HostBundleRenderer {
  /** The five services, in start order; each gets a unit {@code strongroom-<name>.service}. */
  public static final List<String> SERVICES =
      List.of(
          "crypto-service",
          "data-service",
          "audit-anchor-service",
          "provisioner-service",
          "proof-service");

  static final String HEADER = "Rendered by Strongroom's HostBundleRenderer; do not edit.";

  /**
   * The nftables table the bundle's ruleset loads (family {@code inet}: IPv4 and IPv6 alike); its
   * {@code input} chain has policy drop. SR-HOST-FW-01 looks for it on a rehearsal root.
   */
  public static final String NFT_TABLE = "strongroom";

  /**
   * The fail2ban jails the bundle enables on the database's error log: failed logins and failed TLS
   * handshakes (SR-HOST-F2B-01 expects both running). The bundle's third jail is {@code sshd}.
   */
  public static final List<String> DB_JAILS = List.of("strongroom-db-auth", "strongroom-db-tls");

  /** The MySQL 8.4 server binary of the Debian/Oracle packages; its manifest sits beside it. */
  public static final Path MYSQLD = Path.of("/usr/sbin/mysqld");

  /** The MySQL 8.4 packages' {@code plugin_dir} (Debian and Oracle's APT repository). */
  public static final Path MYSQL_PLUGIN_DIR = Path.of("/usr/lib/mysql/plugin");

  private HostBundleRenderer() {}

  public static HostBundle render(HostOptions o) {
    List<BundleFile> files = new ArrayList<>();
    files.add(
        new BundleFile(
            "nftables/nftables.conf",
            Path.of("/etc/nftables.conf"),
            "root",
            "root",
            "0644",
            nftables(o)));
    files.add(
        new BundleFile(
            "ufw/ufw-commands.sh",
            o.configDir().resolve("firewall/ufw-commands.sh"),
            "root",
            "root",
            "0700",
            ufw(o)));
    files.add(
        new BundleFile(
            "fail2ban/jail.d/strongroom.local",
            Path.of("/etc/fail2ban/jail.d/strongroom.local"),
            "root",
            "root",
            "0644",
            jail(o)));
    files.add(
        new BundleFile(
            "fail2ban/filter.d/strongroom-db-auth.conf",
            Path.of("/etc/fail2ban/filter.d/strongroom-db-auth.conf"),
            "root",
            "root",
            "0644",
            dbAuthFilter()));
    files.add(
        new BundleFile(
            "fail2ban/filter.d/strongroom-db-tls.conf",
            Path.of("/etc/fail2ban/filter.d/strongroom-db-tls.conf"),
            "root",
            "root",
            "0644",
            dbTlsFilter()));
    files.add(unit("strongroom-db.service", dbUnit(o)));
    for (String s : SERVICES) {
      files.add(unit("strongroom-" + s + ".service", serviceUnit(o, s)));
    }
    files.add(unit("strongroom-verify-audit.service", verifyAuditService(o)));
    files.add(unit("strongroom-verify-audit.timer", verifyAuditTimer(o)));
    files.add(unit("strongroom.target", target()));
    files.add(
        new BundleFile(
            "sysctl/99-strongroom.conf",
            Path.of("/etc/sysctl.d/99-strongroom.conf"),
            "root",
            "root",
            "0644",
            sysctl()));
    files.add(
        new BundleFile(
            "sysusers/strongroom.conf",
            Path.of("/etc/sysusers.d/strongroom.conf"),
            "root",
            "root",
            "0644",
            sysusers(o)));
    files.add(
        new BundleFile("db/my.cnf", o.dbOptionFile(), "root", o.dbUser(), "0640", dbOptionFile(o)));
    if (o.dialect() == Dialect.MYSQL_8_4) {
      files.add(
          new BundleFile(
              "db/" + OptionFileRenderer.KEYRING_MANIFEST_NAME,
              mysqlManifest(),
              "root",
              o.dbUser(),
              "0640",
              OptionFileRenderer.keyringComponentManifest()));
      files.add(
          new BundleFile(
              "db/" + OptionFileRenderer.KEYRING_CONFIG_NAME,
              mysqlKeyringConfig(),
              "root",
              o.dbUser(),
              "0640",
              OptionFileRenderer.keyringComponentConfig(o.dbLayout().componentKeyringFile())));
      files.add(
          new BundleFile(
              "db/init.sql", o.dbInitFile(), "root", o.dbUser(), "0640", mysqlInitFile()));
    }
    files.add(
        new BundleFile(
            "tmpfiles/strongroom.conf",
            Path.of("/etc/tmpfiles.d/strongroom.conf"),
            "root",
            "root",
            "0644",
            tmpfiles(o)));
    return new HostBundle(o, files);
  }

  /** Where the MySQL 8.4 server reads its global component manifest. */
  static Path mysqlManifest() {
    return MYSQLD.resolveSibling(OptionFileRenderer.KEYRING_MANIFEST_NAME);
  }

  /** Where {@code component_keyring_file} reads its global configuration. */
  static Path mysqlKeyringConfig() {
    return MYSQL_PLUGIN_DIR.resolve(OptionFileRenderer.KEYRING_CONFIG_NAME);
  }

  /** The one statement of MySQL 8.4's init file. */
  static final String ROOT_SOCKET_ONLY =
      "ALTER USER 'root'@'localhost' IDENTIFIED WITH auth_socket;";

  /**
   * MySQL 8.4's init file: {@link #ROOT_SOCKET_ONLY}, so {@code root@localhost} logs in over the
   * socket only, as the OS user root, and the random password {@code mysqld --initialize} gave it
   * (expired, written to the error log) is gone. Run at every start of the unit, not by {@code
   * --initialize}: the server loads no plugin during {@code --initialize}, so {@code auth_socket}
   * (loaded by the option file's {@code plugin_load_add}) is not there yet and the statement would
   * fail; at a normal start it is loaded before the init file runs. Idempotent, holds no secret.
   */
  static String mysqlInitFile() {
    return "-- "
        + HEADER
        + "\n"
        + "-- Run by the strongroom-db unit at every start (mysqld --init-file), before the server\n"
        + "-- accepts connections: root@localhost logs in over the socket only, as the OS user root.\n"
        + ROOT_SOCKET_ONLY
        + "\n";
  }

  private static BundleFile unit(String name, String content) {
    return new BundleFile(
        "systemd/" + name, Path.of("/etc/systemd/system", name), "root", "root", "0644", content);
  }

  // --- firewall ---------------------------------------------------------------------------------

  static String nftables(HostOptions o) {
    List<Cidr> v4 = o.allowedCidrs().stream().filter(c -> !c.isIpv6()).toList();
    List<Cidr> v6 = o.allowedCidrs().stream().filter(Cidr::isIpv6).toList();
    StringBuilder sb = new StringBuilder();
    sb.append("#!/usr/sbin/nft -f\n");
    sb.append("# ").append(HEADER).append('\n');
    sb.append("# Default deny in and forward; SSH open (rate-limited); the database port ");
    sb.append(o.allowRemote() ? "only from the allowlist.\n" : "closed (loopback only).\n");
    sb.append("flush ruleset\n\n");
    sb.append("table inet ").append(NFT_TABLE).append(" {\n");
    if (o.allowRemote()) {
      sb.append("  set db_allow_v4 {\n    type ipv4_addr\n    flags interval\n");
      if (!v4.isEmpty()) {
        sb.append("    elements = { ").append(join(v4)).append(" }\n");
      }
      sb.append("  }\n\n");
      sb.append("  set db_allow_v6 {\n    type ipv6_addr\n    flags interval\n");
      if (!v6.isEmpty()) {
        sb.append("    elements = { ").append(join(v6)).append(" }\n");
      }
      sb.append("  }\n\n");
    }
    sb.append("  chain input {\n");
    sb.append("    type filter hook input priority filter; policy drop;\n");
    sb.append("    ct state invalid drop\n");
    sb.append("    ct state established,related accept\n");
    sb.append("    iif \"lo\" accept\n");
    sb.append("    meta l4proto icmp icmp type { echo-request, destination-unreachable,");
    sb.append(" time-exceeded, parameter-problem } limit rate 10/second accept\n");
    sb.append("    meta l4proto ipv6-icmp accept\n");
    sb.append("    tcp dport ")
        .append(o.sshPort())
        .append(" ct state new limit rate 30/minute burst 10 packets accept\n");
    if (o.allowRemote()) {
      sb.append("    ip saddr @db_allow_v4 tcp dport ").append(o.dbPort()).append(" accept\n");
      sb.append("    ip6 saddr @db_allow_v6 tcp dport ").append(o.dbPort()).append(" accept\n");
    }
    sb.append("    limit rate 5/minute log prefix \"strongroom-drop: \" level info\n");
    sb.append("    counter drop\n");
    sb.append("  }\n\n");
    sb.append("  chain forward {\n");
    sb.append("    type filter hook forward priority filter; policy drop;\n");
    sb.append("  }\n\n");
    sb.append("  chain output {\n");
    sb.append("    type filter hook output priority filter; policy accept;\n");
    sb.append("  }\n");
    sb.append("}\n");
    return sb.toString();
  }

  private static String join(List<Cidr> cidrs) {
    return cidrs.stream().map(Cidr::toString).collect(Collectors.joining(", "));
  }

  static String ufw(HostOptions o) {
    StringBuilder sb = new StringBuilder();
    sb.append("#!/bin/sh\n");
    sb.append("# ").append(HEADER).append('\n');
    sb.append("# The nftables rules' equivalent for hosts that manage their firewall with ufw.\n");
    sb.append("# Use one or the other, never both. Review, then run as root.\n");
    sb.append("set -eu\n");
    sb.append("ufw --force reset\n");
    sb.append("ufw default deny incoming\n");
    sb.append("ufw default deny routed\n");
    sb.append("ufw default allow outgoing\n");
    sb.append("ufw limit proto tcp from any to any port ")
        .append(o.sshPort())
        .append(" comment 'strongroom ssh'\n");
    for (Cidr c : o.allowedCidrs()) {
      sb.append("ufw allow proto tcp from ")
          .append(c)
          .append(" to any port ")
          .append(o.dbPort())
          .append(" comment 'strongroom db'\n");
    }
    sb.append("ufw logging low\n");
    sb.append("ufw --force enable\n");
    return sb.toString();
  }

  // --- fail2ban ---------------------------------------------------------------------------------

  static String jail(HostOptions o) {
    String common =
        "banaction = nftables-multiport\n"
            + "maxretry = "
            + o.maxRetry()
            + "\nfindtime = "
            + o.findTime().toSeconds()
            + "\nbantime = "
            + o.banTime().toSeconds()
            + "\n";
    String dbLog = o.dbLayout().errorLog().toString();
    return "# "
        + HEADER
        + "\n"
        + "# sshd from the journal; the database's error log for failed logins and failed TLS\n"
        + "# handshakes (the stock mysqld-auth filter sees only the former).\n\n"
        + "[sshd]\n"
        + "enabled = true\n"
        + "port = "
        + o.sshPort()
        + "\n"
        + "backend = systemd\n"
        + "mode = aggressive\n"
        + common
        + "\n["
        + DB_JAILS.get(0)
        + "]\n"
        + "enabled = true\n"
        + "filter = strongroom-db-auth\n"
        + "port = "
        + o.dbPort()
        + "\n"
        + "logpath = "
        + dbLog
        + "\n"
        + "backend = polling\n"
        + common
        + "\n["
        + DB_JAILS.get(1)
        + "]\n"
        + "enabled = true\n"
        + "filter = strongroom-db-tls\n"
        + "port = "
        + o.dbPort()
        + "\n"
        + "logpath = "
        + dbLog
        + "\n"
        + "backend = polling\n"
        + common;
  }

  /** The error-log line prefix of MariaDB 10.11 and MySQL 8.4 ({@code [MY-…] [Server]} tags). */
  private static final String DB_PREFIX =
      "^%(__prefix_line)s(?:(?:\\d{6}|\\d{4}-\\d{2}-\\d{2})[ T]\\s?\\d{1,2}:\\d{2}:\\d{2}"
          + "(?:\\.\\d+)?(?:Z|[+-]\\d{2}:\\d{2})? )?(?:\\d+ )?\\[\\w+\\] (?:\\[[^\\]]+\\] )*";

  static String dbAuthFilter() {
    return "# "
        + HEADER
        + "\n"
        + "# Failed logins in the database server's error log, including the empty user name that\n"
        + "# scanners send (the stock mysqld-auth filter needs a non-empty one) and X509 identities\n"
        + "# refused for a missing or wrong certificate (logged as 'using password: NO').\n"
        + "[INCLUDES]\n"
        + "before = common.conf\n\n"
        + "[Definition]\n"
        + "_daemon = mysqld\n"
        + "failregex = "
        + DB_PREFIX
        + "Access denied for user '<F-USER>[^']*</F-USER>'@'<HOST>'"
        + "(?: to database '[^']*'| \\(using password: (?:YES|NO)\\))*\\s*$\n"
        + "ignoreregex =\n\n"
        + "datepattern = {^LN-BEG}\n";
  }

  static String dbTlsFilter() {
    return "# "
        + HEADER
        + "\n"
        + "# Connections that never authenticated: a failed or refused TLS handshake (TLS 1.2, a\n"
        + "# foreign cipher suite, plaintext against require_secure_transport) ends as an aborted,\n"
        + "# unauthenticated connection. The stock mysqld-auth filter does not see these.\n"
        + "[INCLUDES]\n"
        + "before = common.conf\n\n"
        + "[Definition]\n"
        + "_daemon = mysqld\n"
        + "failregex = "
        + DB_PREFIX
        + "Aborted connection \\d+ to db: 'unconnected' user: 'unauthenticated'"
        + " host: '<HOST>'[^(]*\\((?:This connection closed normally without authentication"
        + "|Bad handshake|Error in server handshake|Got an error reading communication packets"
        + "|Got timeout reading communication packets)\\)\\.?\\s*$\n"
        + "            "
        + DB_PREFIX
        + "Bad handshake.*host: '<HOST>'\\s*$\n"
        + "ignoreregex =\n\n"
        + "datepattern = {^LN-BEG}\n";
  }

  // --- systemd ----------------------------------------------------------------------------------

  /** The sandboxing every long-running unit shares (systemd.exec(5)). */
  static String hardening(List<Path> readWrite) {
    StringBuilder sb = new StringBuilder();
    sb.append("UMask=0077\n");
    sb.append("NoNewPrivileges=yes\n");
    sb.append("ProtectSystem=strict\n");
    sb.append("ProtectHome=yes\n");
    for (Path p : readWrite) {
      sb.append("ReadWritePaths=").append(p).append('\n');
    }
    sb.append("PrivateTmp=yes\n");
    sb.append("PrivateDevices=yes\n");
    sb.append("DevicePolicy=closed\n");
    sb.append("ProtectKernelTunables=yes\n");
    sb.append("ProtectKernelModules=yes\n");
    sb.append("ProtectKernelLogs=yes\n");
    sb.append("ProtectControlGroups=yes\n");
    sb.append("ProtectClock=yes\n");
    sb.append("ProtectHostname=yes\n");
    sb.append("ProtectProc=invisible\n");
    sb.append("ProcSubset=pid\n");
    sb.append("RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n");
    sb.append("RestrictNamespaces=yes\n");
    sb.append("RestrictRealtime=yes\n");
    sb.append("RestrictSUIDSGID=yes\n");
    sb.append("LockPersonality=yes\n");
    sb.append("RemoveIPC=yes\n");
    sb.append("KeyringMode=private\n");
    sb.append("PrivateUsers=yes\n");
    sb.append("CapabilityBoundingSet=\n");
    sb.append("AmbientCapabilities=\n");
    sb.append("SystemCallArchitectures=native\n");
    sb.append("SystemCallFilter=@system-service\n");
    sb.append("SystemCallFilter=~@privileged\n");
    sb.append("SystemCallErrorNumber=EPERM\n");
    return sb.toString();
  }

  /**
   * The database server's option file for the host: {@link OptionFileRenderer}'s hardening with the
   * host's paths and port; listening on loopback only, or with remote access on every address
   * ({@code *}, IPv4 and IPv6), the firewall admitting the allowlist only. No {@code user=} line:
   * the unit starts the server as {@code dbUser}. With Vault-held at-rest keys, the embedded
   * instance's {@code hashicorp_key_management} lines, the token {@code !include}d from the
   * operator's token file (the bundle never holds it).
   */
  static String dbOptionFile(HostOptions o) {
    return OptionFileRenderer.render(o.dbSettings()).optionFile();
  }

  static String dbUnit(HostOptions o) {
    boolean maria = o.dialect() == Dialect.MARIADB_10_11;
    String binary = maria ? "/usr/sbin/mariadbd" : MYSQLD.toString();
    return "# "
        + HEADER
        + "\n[Unit]\n"
        + "Description=Strongroom database server ("
        + (maria ? "MariaDB 10.11" : "MySQL 8.4")
        + ")\n"
        + "After=network.target\n"
        + "PartOf=strongroom.target\n\n"
        + "[Service]\n"
        + "Type=notify\n"
        + "User="
        + o.dbUser()
        + "\nGroup="
        + o.dbUser()
        + "\nExecStart="
        + binary
        + " --defaults-file="
        + o.dbOptionFile()
        + (maria ? "" : " --init-file=" + o.dbInitFile())
        + "\n"
        + "Restart=on-failure\n"
        + "RestartSec=5s\n"
        + "TimeoutStartSec=120s\n"
        + "TimeoutStopSec=120s\n"
        + "LimitNOFILE=32768\n"
        + "# The server has no JIT: its writable memory is never executable.\n"
        + "MemoryDenyWriteExecute=yes\n"
        + hardening(List.of(o.dbLayout().base()))
        + "\n[Install]\n"
        + "WantedBy=strongroom.target\n";
  }

  /**
   * The services that verify tenant tokens and so read the token key file; every other service unit
   * gets {@code InaccessiblePaths=} over its directory. All services share the service user (the
   * file's group), so this closes the key to a file-read flaw in another service, not to a service
   * that runs code: separate users per service would (docs/ops-plane.md).
   */
  static final List<String> TOKEN_KEY_READERS = List.of("crypto-service", "proof-service");

  static String serviceUnit(HostOptions o, String service) {
    Path jar = o.installDir().resolve(service).resolve("quarkus-run.jar");
    Path state = o.stateDir().resolve(service);
    return "# "
        + HEADER
        + "\n[Unit]\n"
        + "Description=Strongroom "
        + service
        + "\n"
        + "After=network-online.target strongroom-db.service\n"
        + "Wants=network-online.target\n"
        + "PartOf=strongroom.target\n\n"
        + "[Service]\n"
        + "Type=exec\n"
        + "User="
        + o.serviceUser()
        + "\nGroup="
        + o.serviceUser()
        + "\nEnvironmentFile="
        + o.configDir().resolve(service + ".env")
        + "\nWorkingDirectory="
        + state
        + "\nExecStart=/usr/bin/java -Xmx384m -XX:+ExitOnOutOfMemoryError -jar "
        + jar
        + "\n"
        + "SuccessExitStatus=143\n"
        + "Restart=on-failure\n"
        + "RestartSec=5s\n"
        + "TimeoutStopSec=30s\n"
        + "# The JVM's JIT writes code at run time: MemoryDenyWriteExecute stays off for Java units.\n"
        + (TOKEN_KEY_READERS.contains(service)
            ? ""
            : "# The tenant-token keys are the token verifiers' only (crypto-service, proof-service).\n"
                + "InaccessiblePaths=-"
                + o.tenantTokenKeyFile().getParent()
                + "\n")
        + hardening(List.of(state, o.logDir()))
        + "\n[Install]\n"
        + "WantedBy=strongroom.target\n";
  }

  private static String cli(HostOptions o, String command) {
    return "/usr/bin/java -Xmx256m -jar "
        + o.installDir().resolve("devstack.jar")
        + " --state "
        + o.configDir()
        + " "
        + command;
  }

  static String verifyAuditService(HostOptions o) {
    return "# "
        + HEADER
        + "\n[Unit]\n"
        + "Description=Strongroom: check the audit chain against the anchored checkpoints\n"
        + "After=strongroom-db.service strongroom-audit-anchor-service.service\n\n"
        + "[Service]\n"
        + "Type=oneshot\n"
        + "User="
        + o.serviceUser()
        + "\nGroup="
        + o.serviceUser()
        + "\nExecStart="
        + cli(o, "verify-audit")
        + "\n"
        + hardening(List.of(o.logDir()));
  }

  static String verifyAuditTimer(HostOptions o) {
    return "# "
        + HEADER
        + "\n[Unit]\n"
        + "Description=Strongroom: verify the audit chain and its anchors every "
        + o.verifyAuditEvery().toSeconds()
        + " s\n\n"
        + "[Timer]\n"
        + "OnBootSec=300s\n"
        + "OnUnitActiveSec="
        + o.verifyAuditEvery().toSeconds()
        + "s\n"
        + "AccuracySec=30s\n"
        + "Unit=strongroom-verify-audit.service\n\n"
        + "[Install]\n"
        + "WantedBy=timers.target\n";
  }

  static String target() {
    return "# "
        + HEADER
        + "\n[Unit]\n"
        + "Description=Strongroom: the database and the five services\n"
        + "Wants=strongroom-db.service "
        + SERVICES.stream()
            .map(s -> "strongroom-" + s + ".service")
            .collect(Collectors.joining(" "))
        + "\n\n[Install]\n"
        + "WantedBy=multi-user.target\n";
  }

  // --- kernel, users, files ---------------------------------------------------------------------

  /**
   * Key, value, why. A leading {@code -} (sysctl.d(5)) marks a key that only exists when its kernel
   * feature is built in; systemd-sysctl skips it quietly where it is absent.
   */
  static final List<String[]> SYSCTL =
      List.of(
          new String[] {"kernel.kptr_restrict", "2", "hide kernel pointers"},
          new String[] {"kernel.dmesg_restrict", "1", "kernel log for root only"},
          new String[] {
            "-kernel.yama.ptrace_scope", "2", "no ptrace of the services' key memory (Yama)"
          },
          new String[] {"kernel.unprivileged_bpf_disabled", "1", "no BPF for unprivileged users"},
          new String[] {"net.core.bpf_jit_harden", "2", "harden the BPF JIT"},
          new String[] {
            "-kernel.kexec_load_disabled", "1", "no kexec of another kernel (CONFIG_KEXEC)"
          },
          new String[] {"kernel.randomize_va_space", "2", "full ASLR"},
          new String[] {"fs.protected_hardlinks", "1", "no hard links to others' files"},
          new String[] {"fs.protected_symlinks", "1", "no following others' symlinks in /tmp"},
          new String[] {"fs.suid_dumpable", "0", "no core dumps of setuid programs"},
          new String[] {"net.ipv4.tcp_syncookies", "1", "SYN flood"},
          new String[] {"net.ipv4.conf.all.rp_filter", "1", "drop spoofed sources"},
          new String[] {"net.ipv4.conf.default.rp_filter", "1", "drop spoofed sources"},
          new String[] {"net.ipv4.conf.all.accept_redirects", "0", "no ICMP redirects"},
          new String[] {"net.ipv4.conf.default.accept_redirects", "0", "no ICMP redirects"},
          new String[] {"net.ipv4.conf.all.secure_redirects", "0", "no ICMP redirects"},
          new String[] {"net.ipv4.conf.all.send_redirects", "0", "not a router"},
          new String[] {"net.ipv4.conf.default.send_redirects", "0", "not a router"},
          new String[] {"net.ipv4.conf.all.accept_source_route", "0", "no source routing"},
          new String[] {"net.ipv4.conf.all.log_martians", "1", "log impossible sources"},
          new String[] {"net.ipv4.icmp_echo_ignore_broadcasts", "1", "no smurf amplification"},
          new String[] {"net.ipv4.ip_forward", "0", "not a router"},
          new String[] {"net.ipv6.conf.all.accept_redirects", "0", "no ICMPv6 redirects"},
          new String[] {"net.ipv6.conf.default.accept_redirects", "0", "no ICMPv6 redirects"},
          new String[] {"net.ipv6.conf.all.accept_source_route", "0", "no source routing"},
          new String[] {"net.ipv6.conf.all.forwarding", "0", "not a router"});

  static String sysctl() {
    StringBuilder sb = new StringBuilder("# ").append(HEADER).append('\n');
    for (String[] s : SYSCTL) {
      sb.append("# ").append(s[2]).append('\n');
      sb.append(s[0]).append(" = ").append(s[1]).append('\n');
    }
    return sb.toString();
  }

  static String sysusers(HostOptions o) {
    return "# "
        + HEADER
        + "\n"
        + "# System users without a login shell: one for the services, one for the database.\n"
        + "u "
        + o.serviceUser()
        + " - \"Strongroom services\" "
        + o.stateDir()
        + "\n"
        + "u "
        + o.dbUser()
        + " - \"Strongroom database server\" "
        + o.dbLayout().base()
        + "\n";
  }

  /**
   * Ownership and modes of keys and configs (tmpfiles.d(5)): {@code d} creates a directory with the
   * mode and owner, {@code z} fixes the mode and owner of existing files matching a glob. Private
   * keys 0600, configs that carry paths 0640, directories holding secrets 0700 or 0750.
   */
  static String tmpfiles(HostOptions o) {
    String svc = o.serviceUser();
    String db = o.dbUser();
    Path etc = o.configDir();
    Path db0 = o.dbLayout().base();
    List<String> l = new ArrayList<>();
    l.add("# " + HEADER);
    l.add("# Type Path Mode User Group Age");
    l.add("d " + etc + " 0755 root root -");
    l.add("d " + etc.resolve("firewall") + " 0750 root root -");
    // Both the services and the database server pass through pki/ (to clients/ and server/, each
    // closed to the other): it lists only those directories, so it is open to traverse and read.
    l.add("d " + etc.resolve("pki") + " 0755 root root -");
    l.add("d " + etc.resolve("pki/ca") + " 0755 root root -");
    l.add("z " + etc.resolve("pki/ca/*.pem") + " 0644 root root -");
    l.add("d " + etc.resolve("pki/ca/private") + " 0700 root root -");
    l.add("z " + etc.resolve("pki/ca/private/*") + " 0600 root root -");
    l.add("d " + etc.resolve("pki/clients") + " 0750 root " + svc + " -");
    l.add("z " + etc.resolve("pki/clients/*.pem") + " 0644 root root -");
    l.add("z " + etc.resolve("pki/clients/*.key") + " 0640 root " + svc + " -");
    l.add("d " + etc.resolve("pki/server") + " 0750 root " + db + " -");
    l.add("z " + etc.resolve("pki/server/*.pem") + " 0644 root root -");
    l.add("z " + etc.resolve("pki/server/*.key") + " 0640 root " + db + " -");
    l.add("d " + etc.resolve("events") + " 0750 root " + svc + " -");
    l.add("z " + etc.resolve("events/*.pem") + " 0640 root " + svc + " -");
    l.add("z " + etc.resolve("events/registry.json") + " 0644 root root -");
    // the tenant authority's token keys (docs/tenant-tokens.md): the services that verify tokens
    // read them through their group; the host plan's db schema step installs them in the database
    l.add("d " + o.tenantTokenKeyFile().getParent() + " 0750 root " + svc + " -");
    l.add("z " + o.tenantTokenKeyFile() + " 0640 root " + svc + " -");
    l.add("z " + etc.resolve("*.env") + " 0640 root " + svc + " -");
    l.add("z " + etc.resolve("stack.json") + " 0640 root " + svc + " -");
    // the applied bundle's manifest: readable by the service user, whose proof-service looks for
    // it (as the operator's prove --host does) to know the host controls apply here
    l.add("d " + etc.resolve("host") + " 0755 root root -");
    l.add("z " + etc.resolve("host/MANIFEST.tsv") + " 0644 root root -");
    l.add("d " + etc.resolve("db") + " 0750 root " + db + " -");
    l.add("z " + o.dbOptionFile() + " 0640 root " + db + " -");
    l.add("d " + o.stateDir() + " 0755 root root -");
    // The instance's base is root's, so that no path from root to a root-owned key passes through
    // a directory the server owns (tmpfiles refuses such an "unsafe path transition", rightly).
    l.add("d " + db0 + " 0750 root " + db + " -");
    for (String sub : List.of("data", "run", "binlog", "tmp", "secure-files")) {
      l.add("d " + db0.resolve(sub) + " 0700 " + db + " " + db + " -");
    }
    l.add("d " + db0.resolve("logs") + " 0750 " + db + " " + db + " -");
    if (o.dialect() == Dialect.MARIADB_10_11) {
      // file_key_management only reads its key file and file key: root's, readable by the server.
      l.add("d " + db0.resolve("keyring") + " 0750 root " + db + " -");
      l.add("z " + db0.resolve("keyring/*") + " 0640 root " + db + " -");
    } else {
      // component_keyring_file writes its keyring on key creation and rotation: the server's.
      l.add("d " + db0.resolve("keyring") + " 0700 " + db + " " + db + " -");
      l.add("z " + db0.resolve("keyring/*") + " 0600 " + db + " " + db + " -");
      // the component's manifest and configuration and the init file: root's, read-only to the
      // server (the manual asks this of a manifest; the server warns if it can write one)
      l.add("z " + mysqlManifest() + " 0640 root " + db + " -");
      l.add("z " + mysqlKeyringConfig() + " 0640 root " + db + " -");
      l.add("z " + o.dbInitFile() + " 0640 root " + db + " -");
    }
    for (String s : SERVICES) {
      l.add("d " + o.stateDir().resolve(s) + " 0700 " + svc + " " + svc + " -");
    }
    l.add("d " + o.stateDir().resolve("worm") + " 0700 " + svc + " " + svc + " -");
    l.add("d " + o.logDir() + " 0750 " + svc + " " + svc + " -");
    l.add("d " + o.installDir() + " 0755 root root -");
    return String.join("\n", l) + "\n";
  }
}
