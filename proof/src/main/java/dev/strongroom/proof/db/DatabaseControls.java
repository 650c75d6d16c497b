package dev.strongroom.proof.db;

import static dev.strongroom.proof.check.Method.ATTACK;
import static dev.strongroom.proof.check.Method.MEASURED_FACT;

import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.proof.check.Check;
import dev.strongroom.proof.check.Control;
import dev.strongroom.proof.check.Method;
import dev.strongroom.proof.check.Outcome;
import dev.strongroom.provisioner.db.ClientConnection;
import dev.strongroom.provisioner.db.ClientResult;
import dev.strongroom.provisioner.db.ServerError;
import dev.strongroom.provisioner.os.Processes;
import dev.strongroom.provisioner.pki.Credential;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The database controls of the seed (DESIGN §6 invariants 1–5, 11): transport, client certificates,
 * hardened variables, least privilege and proc-only writes, tenant isolation, audit append-only,
 * encryption at rest. {@code docs/controls.md} lists them with their sources.
 */
public final class DatabaseControls {
  /**
   * The certificate binding ({@code cnf}) of the probes' tokens: they go to the database only,
   * which checks the binding's shape, not whose certificate it names (no probe presents a token to
   * the crypto-service), so they name none of the stack's certificates.
   */
  static final String DB_ONLY_CNF =
      TenantTokens.thumbprint(
          "strongroom proof: tokens for the database only"
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));

  static final String SEED = "seed";
  static final String CIS = "CIS MySQL Community 8.4: ";
  static final String STIG = "DISA STIG MySQL 8.0: ";
  static final String DEVSEC = "dev-sec mysql-baseline: ";
  static final String APP = "app_user";
  static final List<String> IDENTITIES =
      List.of("app_user", "auditor", "migration", "anchor_writer");

  /**
   * What a missing privilege is refused with: no access to the database (1044), to the table (1142)
   * or column (1143), no EXECUTE on the routine (1370). Any other error means the statement was
   * allowed and failed for another reason.
   */
  static final Set<Integer> PRIVILEGE_DENIED = Set.of(1044, 1142, 1143, 1370);

  /** The audit-anchor-service's own identity: the only one that may write the anchor state. */
  static final String WRITER = "anchor_writer";

  /**
   * One call of each anchor-writer procedure whose arguments the procedure itself refuses (a ttl
   * below 500 ms, a holder that holds no lease, a kind that is neither start nor sent): an identity
   * without EXECUTE gets 1370, one with it the procedure's own SR- refusal, and neither changes the
   * lease, the anchors or a sink's cursor.
   */
  static final List<Map.Entry<String, String>> WRITER_PROCEDURES =
      List.of(
          Map.entry(
              "audit_lease_acquire", "CALL strongroom_audit.audit_lease_acquire('sr-proof', 0)"),
          Map.entry(
              "audit_anchor_append",
              "CALL strongroom_audit.audit_anchor_append('sr-proof', 0, 1, 0, '"
                  + "0".repeat(64)
                  + "', 'sr-proof', 'sr-proof', UTC_TIMESTAMP(6))"),
          Map.entry(
              "audit_sink_delivered",
              "CALL strongroom_audit.audit_sink_delivered('sr-proof', 0, 'sr-proof', 1, 'none')"));

  static final List<String> DATA_TABLES =
      List.of("tenants", "data_keys", "users", "record_decrypts");
  static final String AUDIT = "strongroom_audit";
  static final String SECURITY = "strongroom_security";
  static final Set<String> TLS13_SUITES =
      Set.of("TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");
  static final String NO_TENANT = "SR-NO-TENANT: no tenant bound to this session";
  static final String BAD_MAC = "SR-TOKEN-SIGNATURE: token MAC does not verify";
  static final String CROSS_TENANT = "SR-CROSS-TENANT: record belongs to another tenant";
  static final String IMMUTABLE = "SR-AUDIT-IMMUTABLE: audit rows cannot be updated or deleted";

  private DatabaseControls() {}

  private static Control c(String id, String title, Method m, String notes, String... sources) {
    return new Control(id, title, List.of(sources), m, notes);
  }

  private static Check check(Control control, DbCheck.Body body) {
    return new DbCheck(control, false, body);
  }

  private static Check installerCheck(Control control, DbCheck.Body body) {
    return new DbCheck(control, true, body);
  }

  /** Every database control, in catalogue order. */
  public static List<Check> all() {
    List<Check> out = new ArrayList<>();
    out.addAll(transport());
    out.addAll(certificates());
    out.addAll(variables());
    out.addAll(privileges());
    out.addAll(tenancy());
    out.addAll(audit());
    out.addAll(atRest());
    out.addAll(serverHost());
    return out;
  }

  // ------------------------------------------------------------------ transport

  static List<Check> transport() {
    return List.of(
        installerCheck(
            c(
                "SR-DB-TLS-01",
                "A TCP login with a correct password but without TLS is refused (require_secure_transport)",
                ATTACK,
                "MariaDB refuses with 1045; MySQL 8.4 with 3159 (ER_SECURE_TRANSPORT_REQUIRED).",
                SEED,
                CIS + "require_secure_transport is ON",
                STIG + "encrypt data in transit (require_secure_transport)",
                DEVSEC + "require_secure_transport"),
            DatabaseControls::plaintextWithPassword),
        check(
            c(
                "SR-DB-TLS-02",
                "No identity can log in without TLS",
                ATTACK,
                "",
                SEED,
                "DESIGN §6.1",
                CIS + "require SSL/X509 for remote accounts"),
            p -> {
              List<String> accepted = new ArrayList<>();
              for (String id : IDENTITIES) {
                Optional<ServerError> e = p.refusal(id, p.tcp(id).plaintext(), "SELECT 1");
                if (e.isEmpty()) {
                  accepted.add(id);
                }
              }
              return Outcome.of(
                  accepted.isEmpty(),
                  "plaintext refused for " + IDENTITIES,
                  "plaintext accepted for " + accepted);
            }),
        check(
            c(
                "SR-DB-TLS-03",
                "Connections negotiate TLS 1.3 with one of the two allowed suites and a verified server certificate",
                MEASURED_FACT,
                "MariaDB takes TLS 1.3 suites in ssl_cipher; MySQL 8.4 in tls_ciphersuites.",
                SEED,
                "DESIGN §6.1",
                CIS + "tls_version TLSv1.3 only"),
            p -> {
              ClientResult r =
                  p.sql(APP, "SHOW STATUS LIKE 'Ssl_version'; SHOW STATUS LIKE 'Ssl_cipher'");
              if (r.exitCode() != 0) {
                return Outcome.fail(
                    "app_user could not log in over TLS 1.3: " + r.stderr().strip());
              }
              String version = r.rows().get(0).get(1);
              String cipher = r.rows().get(1).get(1);
              Processes.Result s = p.sClient("anonymous", "-verify_return_error", "-brief");
              boolean verified = s.output().contains("Verification: OK");
              return Outcome.of(
                  "TLSv1.3".equals(version) && TLS13_SUITES.contains(cipher) && verified,
                  version + " " + cipher + ", server certificate verified",
                  version + " " + cipher + (verified ? "" : ", server certificate NOT verified"));
            }),
        check(
            c(
                "SR-DB-TLS-04",
                "A TLS 1.2 handshake is refused",
                ATTACK,
                "MariaDB: tls_version=TLSv1.3; MySQL 8.4: tls_version=TLSv1.3.",
                SEED,
                "DESIGN §6.1",
                CIS + "tls_version excludes TLSv1.2 and older",
                STIG + "use NIST-approved TLS versions"),
            p -> {
              Processes.Result r = p.sClient("anonymous", "-tls1_2", "-brief");
              boolean refused = r.exitCode() != 0 && r.output().contains("alert protocol version");
              return Outcome.of(
                  refused,
                  "openssl -tls1_2: alert protocol version",
                  "a TLS 1.2 handshake completed: " + firstLine(r.output(), "Protocol"));
            }),
        check(
            c(
                "SR-DB-TLS-05",
                "A TLS 1.3 suite outside the two allowed ones is refused",
                ATTACK,
                "",
                SEED,
                "DESIGN §6.1",
                CIS + "restrict ciphers to approved suites"),
            p -> {
              Processes.Result r =
                  p.sClient("anonymous", "-ciphersuites", "TLS_AES_128_GCM_SHA256", "-brief");
              boolean refused = r.exitCode() != 0 && r.output().contains("handshake failure");
              return Outcome.of(
                  refused,
                  "TLS_AES_128_GCM_SHA256: handshake failure",
                  "TLS_AES_128_GCM_SHA256 was accepted");
            }));
  }

  private static Outcome plaintextWithPassword(DbProbe p) {
    String user = "sr_proof_" + HexFormat.of().formatHex(random(4));
    String password = "P-" + HexFormat.of().formatHex(random(12));
    String account = "'" + user + "'@'127.0.0.1'";
    p.installerSql("CREATE USER " + account + " IDENTIFIED BY '" + password + "'");
    try {
      Optional<ServerError> plain =
          p.refusal("anonymous", p.tcp(user).password(password).plaintext(), "SELECT 1");
      Optional<ServerError> overTls =
          p.refusal(
              "anonymous",
              p.tcp(user).password(password).tls(p.db().caCert(), null, null),
              "SELECT 1");
      if (overTls.isPresent()) {
        throw new IllegalStateException(
            "the probe account cannot log in even over TLS: " + overTls.get());
      }
      return Outcome.of(
          plain.isPresent() && plain.get().code() == 1045,
          "plaintext refused (" + plain.map(Object::toString).orElse("") + "), TLS accepted",
          "a plaintext login with a correct password was accepted");
    } finally {
      p.installerSql("DROP USER IF EXISTS " + account);
    }
  }

  // ------------------------------------------------------------------ client certificates

  static List<Check> certificates() {
    return List.of(
        check(
            c(
                "SR-DB-MTLS-01",
                "An identity without a client certificate is refused",
                ATTACK,
                "",
                SEED,
                "DESIGN §6.2",
                STIG + "PKI-based authentication"),
            p -> {
              Optional<ServerError> e =
                  p.refusal(APP, p.tcp(APP).tls(p.db().caCert(), null, null), "SELECT 1");
              return Outcome.of(
                  e.isPresent() && e.get().code() == 1045,
                  "refused: " + e.map(Object::toString).orElse(""),
                  "app_user logged in without a certificate");
            }),
        check(
            c(
                "SR-DB-MTLS-02",
                "A certificate from another CA with the very same names is refused",
                ATTACK,
                "",
                SEED,
                "DESIGN §6.2",
                STIG + "validate certificates to a trust anchor"),
            p -> {
              PkiDirectory foreign =
                  PkiDirectory.open(
                      p.scratch().resolve("foreign-pki"), PkiSpec.strongroom(List.of()));
              foreign.ensure();
              Credential evil = foreign.client(APP);
              p.note("generate a foreign CA with the same names", "certificate " + evil.certPem());
              Optional<ServerError> e =
                  p.refusal(
                      APP,
                      p.tcp(APP).tls(p.db().caCert(), evil.certPem(), evil.keyPem()),
                      "SELECT 1");
              return Outcome.of(
                  e.isPresent(),
                  "refused: " + e.map(Object::toString).orElse(""),
                  "app_user logged in with a certificate from a foreign CA");
            }),
        check(
            c(
                "SR-DB-MTLS-03",
                "An identity presenting another identity's certificate is refused (SUBJECT and ISSUER pinned)",
                ATTACK,
                "MariaDB and MySQL: REQUIRE SUBJECT … AND ISSUER ….",
                SEED,
                "DESIGN §6.2",
                STIG + "map the authenticated identity to the account"),
            p -> {
              List<String> accepted = new ArrayList<>();
              for (int i = 0; i < IDENTITIES.size(); i++) {
                String user = IDENTITIES.get(i);
                String other = IDENTITIES.get((i + 1) % IDENTITIES.size());
                var ck = p.db().identity(other);
                if (p.refusal(
                        user, p.tcp(user).tls(p.db().caCert(), ck.cert(), ck.key()), "SELECT 1")
                    .isEmpty()) {
                  accepted.add(user + " with " + other + "'s certificate");
                }
              }
              return Outcome.of(
                  accepted.isEmpty(), "every swapped certificate refused", "accepted: " + accepted);
            }),
        check(
            c(
                "SR-DB-MTLS-04",
                "root cannot log in over TCP, even with a valid certificate",
                ATTACK,
                "MariaDB 10.11 refuses with 1698 (28000, ER_ACCESS_DENIED_NO_PASSWORD_ERROR): root exists only as 'root'@'localhost' via unix_socket (measured on 10.11.19; an unknown TCP user gets 1045). MySQL 8.4 refuses with 1045.",
                SEED,
                CIS + "root is local only",
                DEVSEC + "no root login from remote hosts"),
            p -> {
              var ck = p.db().identity(APP);
              Optional<ServerError> e =
                  p.refusal(
                      "root", p.tcp("root").tls(p.db().caCert(), ck.cert(), ck.key()), "SELECT 1");
              return Outcome.of(
                  e.isPresent()
                      && Set.of(1698, 1045).contains(e.get().code())
                      && "28000".equals(e.get().sqlState())
                      && e.get().message().startsWith("Access denied for user 'root'@"),
                  "refused: " + e.map(Object::toString).orElse(""),
                  e.isEmpty()
                      ? "root logged in over TCP"
                      : "refused, but not as access denied: " + e.get());
            }));
  }

  // ------------------------------------------------------------------ hardened variables

  static List<Check> variables() {
    return List.of(
        variable(
            "SR-DB-CONF-01",
            "LOAD DATA LOCAL is disabled (local_infile OFF)",
            "local_infile",
            "OFF",
            "",
            CIS + "local_infile is OFF",
            DEVSEC + "local-infile",
            STIG + "disable unused functions"),
        check(
            c(
                "SR-DB-CONF-02",
                "Server-side file import and export are confined to one directory (secure_file_priv)",
                MEASURED_FACT,
                "",
                CIS + "secure_file_priv is not empty",
                DEVSEC + "secure-file-priv"),
            p -> {
              String v = variableValue(p, "secure_file_priv");
              return Outcome.of(
                  !v.isEmpty() && !"NULL".equals(v) && !"/".equals(v),
                  "secure_file_priv = " + v,
                  "secure_file_priv is unrestricted: '" + v + "'");
            }),
        variable(
            "SR-DB-CONF-03",
            "Host names are not resolved (skip_name_resolve ON)",
            "skip_name_resolve",
            "ON",
            "",
            CIS + "skip_name_resolve",
            STIG + "authenticate by address, not DNS"),
        variable(
            "SR-DB-CONF-04",
            "Symbolic links are disabled (have_symlink DISABLED)",
            "have_symlink",
            "DISABLED",
            "MariaDB: symbolic_links=OFF shows as have_symlink DISABLED; MySQL 8.4 removed the option.",
            CIS + "symbolic links disabled",
            DEVSEC + "skip-symbolic-links"),
        check(
            c(
                "SR-DB-CONF-05",
                "Strict SQL mode (STRICT_ALL_TABLES, NO_ENGINE_SUBSTITUTION)",
                MEASURED_FACT,
                "",
                CIS + "sql_mode contains STRICT_ALL_TABLES",
                STIG + "reject invalid input"),
            p -> {
              String v = variableValue(p, "sql_mode");
              return Outcome.of(
                  v.contains("STRICT_ALL_TABLES") && v.contains("NO_ENGINE_SUBSTITUTION"),
                  "sql_mode = " + v,
                  "sql_mode lacks STRICT_ALL_TABLES or NO_ENGINE_SUBSTITUTION: " + v);
            }),
        variable(
            "SR-DB-CONF-06",
            "The general query log is off (it would hold statements in clear)",
            "general_log",
            "OFF",
            "",
            CIS + "general_log is OFF",
            DEVSEC + "general-log"),
        check(
            c(
                "SR-DB-CONF-07",
                "The binary log is on, row-based and synced on every commit",
                MEASURED_FACT,
                "",
                CIS + "binary logging enabled",
                STIG + "audit records survive a crash"),
            p -> {
              String bin = variableValue(p, "log_bin");
              String fmt = variableValue(p, "binlog_format");
              String sync = variableValue(p, "sync_binlog");
              return Outcome.of(
                  "ON".equals(bin) && "ROW".equals(fmt) && "1".equals(sync),
                  "log_bin ON, ROW, sync_binlog 1",
                  "log_bin " + bin + ", " + fmt + ", sync_binlog " + sync);
            }),
        variable(
            "SR-DB-CONF-08",
            "Only InnoDB can hold tables (enforce_storage_engine)",
            "enforce_storage_engine",
            "InnoDB",
            "MariaDB only; MySQL 8.4 has disabled_storage_engines instead.",
            SEED,
            "DESIGN §4 (no data in Aria or MyISAM)"),
        check(
            c(
                "SR-DB-CONF-09",
                "The server audit plugin is loaded permanently and logging",
                MEASURED_FACT,
                "MariaDB: server_audit FORCE_PLUS_PERMANENT; MySQL 8.4 Community has no audit plugin (use the audit_log component of Enterprise or Percona).",
                CIS + "audit logging enabled",
                STIG + "produce audit records of logins and DDL"),
            p -> {
              ClientResult r =
                  p.sql(
                      "auditor",
                      "SELECT PLUGIN_STATUS, LOAD_OPTION FROM information_schema.PLUGINS WHERE PLUGIN_NAME='SERVER_AUDIT'; SHOW VARIABLES LIKE 'server_audit_logging'");
              List<List<String>> rows = r.rows();
              boolean ok =
                  rows.size() == 2
                      && rows.get(0).equals(List.of("ACTIVE", "FORCE_PLUS_PERMANENT"))
                      && rows.get(1).get(1).equals("ON");
              return Outcome.of(
                  ok,
                  "server_audit ACTIVE, FORCE_PLUS_PERMANENT, logging ON",
                  "server_audit: " + rows);
            }),
        check(
            c(
                "SR-DB-CONF-10",
                "The server listens on loopback or a private address only",
                MEASURED_FACT,
                "",
                CIS + "bind_address restricted",
                STIG + "restrict network exposure"),
            p -> {
              String v = variableValue(p, "bind_address");
              boolean ok =
                  v.equals("127.0.0.1")
                      || v.equals("::1")
                      || v.startsWith("10.")
                      || v.startsWith("192.168.")
                      || v.matches("172\\.(1[6-9]|2[0-9]|3[01])\\..*");
              return Outcome.of(
                  ok, "bind_address = " + v, "bind_address exposes the server: '" + v + "'");
            }),
        installerCheck(
            c(
                "SR-DB-CONF-11",
                "No test database and no database grant for test% names",
                MEASURED_FACT,
                "mariadb-install-db creates `test` and grants every account on test\\_% (mysql.db) unless given --skip-test-db, which the provisioner passes; MySQL 8.4's --initialize creates none.",
                CIS + "the test database is removed",
                DEVSEC + "no test database",
                STIG + "remove demonstration and sample databases"),
            p -> {
              List<String> found = new ArrayList<>();
              p.installerSql("SHOW DATABASES LIKE 'test%'")
                  .rows()
                  .forEach(x -> found.add("database " + x.get(0)));
              p.installerSql(
                      "SELECT CONCAT(QUOTE(Db), ' for ', QUOTE(User), '@', QUOTE(Host)) FROM mysql.db"
                          + " WHERE Db LIKE 'test%' ORDER BY 1")
                  .rows()
                  .forEach(x -> found.add("grant on " + x.get(0)));
              return Outcome.of(
                  found.isEmpty(), "no test database, no test% grant", "found: " + found);
            }),
        check(
            c(
                "SR-DB-CONF-12",
                "Errors are logged to a file (log_error names an absolute path)",
                MEASURED_FACT,
                "MariaDB shows an empty log_error when errors go to stderr; MySQL 8.4 shows 'stderr'.",
                CIS + "log_error is set",
                STIG + "produce audit records (server errors and failed startups)"),
            p -> {
              String v = variableValue(p, "log_error");
              return Outcome.of(
                  !v.isEmpty() && !"stderr".equals(v) && v.startsWith("/"),
                  "log_error = " + v,
                  "log_error does not name a file: '" + v + "'");
            }),
        check(
            c(
                "SR-DB-CONF-13",
                "The grant tables are enforced: an unknown account is refused (skip_grant_tables OFF)",
                ATTACK,
                "MariaDB shows skip_grant_tables as a variable and refuses the unknown account with 1045 or 1698 (28000, Access denied); MySQL 8.4 shows no variable (and turns networking off with skip-grant-tables).",
                CIS + "skip-grant-tables is not set",
                STIG + "enforce approved authorizations"),
            p -> {
              String user = "sr_proof_nobody_" + HexFormat.of().formatHex(random(4));
              Optional<ServerError> e =
                  p.refusal(
                      "anonymous",
                      p.tcp(user).tls(p.db().caCert(), null, null).tlsVersion("TLSv1.3"),
                      "SELECT 1");
              String skip = variableValue(p, "skip_grant_tables");
              // MariaDB 10.11 answers 1045 or 1698 depending on the client's options; both are
              // the grant tables' "Access denied" for that very account
              boolean refused =
                  e.isPresent()
                      && Set.of(1045, 1698).contains(e.get().code())
                      && "28000".equals(e.get().sqlState())
                      && e.get().message().startsWith("Access denied for user '" + user + "'@");
              return Outcome.of(
                  refused && !"ON".equalsIgnoreCase(skip),
                  "unknown account refused ("
                      + e.map(Object::toString).orElse("")
                      + "), skip_grant_tables = "
                      + skip,
                  refused
                      ? "skip_grant_tables = " + skip
                      : "an unknown account "
                          + user
                          + " was "
                          + e.map(x -> "answered " + x).orElse("let in"));
            }),
        variable(
            "SR-DB-CONF-14",
            "User-defined functions without their companion symbols cannot be loaded (allow_suspicious_udfs OFF)",
            "allow_suspicious_udfs",
            "OFF",
            "Read-only at runtime on both dialects: set only on the command line or in the option file.",
            CIS + "allow-suspicious-udfs is OFF",
            STIG + "disable unused functions"),
        check(
            c(
                "SR-DB-CONF-15",
                "Connections are limited: per account (max_user_connections) below the server's limit (max_connections), and failed handshakes block a host (max_connect_errors)",
                MEASURED_FACT,
                "",
                CIS + "max_connections and max_user_connections are set",
                STIG + "limit concurrent sessions"),
            p -> {
              long max = Long.parseLong(variableValue(p, "max_connections"));
              long perUser = Long.parseLong(variableValue(p, "max_user_connections"));
              long errors = Long.parseLong(variableValue(p, "max_connect_errors"));
              String seen =
                  "max_connections = "
                      + max
                      + ", max_user_connections = "
                      + perUser
                      + ", max_connect_errors = "
                      + errors;
              return Outcome.of(
                  perUser >= 1 && perUser < max && errors >= 1 && errors <= 100,
                  seen,
                  seen
                      + " (needs 1 <= max_user_connections < max_connections, max_connect_errors 1..100)");
            }));
  }

  private static Check variable(
      String id, String title, String name, String expected, String notes, String... sources) {
    return check(
        c(id, title, MEASURED_FACT, notes, sources),
        p -> {
          String v = variableValue(p, name);
          return Outcome.of(
              expected.equalsIgnoreCase(v),
              name + " = " + v,
              name + " = " + v + ", expected " + expected);
        });
  }

  static String variableValue(DbProbe p, String name) {
    ClientResult r = p.sql("auditor", "SHOW GLOBAL VARIABLES LIKE '" + name + "'");
    if (r.exitCode() != 0) {
      throw new IllegalStateException("cannot read " + name + ": " + r.stderr().strip());
    }
    List<List<String>> rows = r.rows();
    if (rows.isEmpty()) {
      return "";
    }
    return rows.get(0).size() > 1 ? rows.get(0).get(1) : "";
  }

  // ------------------------------------------------------------------ least privilege

  static List<Check> privileges() {
    return List.of(
        check(
            c(
                "SR-DB-PRIV-01",
                "app_user cannot read base tables",
                ATTACK,
                "",
                SEED,
                "DESIGN §6.3",
                STIG + "least privilege"),
            p -> {
              List<String> allowed = new ArrayList<>();
              for (String t : DATA_TABLES) {
                Optional<ServerError> e =
                    p.refusal(APP, p.as(APP), "SELECT COUNT(*) FROM strongroom." + t);
                if (e.isEmpty() || e.get().code() != 1142) {
                  allowed.add(t + e.map(x -> " (" + x + ")").orElse(""));
                }
              }
              return Outcome.of(
                  allowed.isEmpty(),
                  "SELECT denied (1142) on " + DATA_TABLES,
                  "readable: " + allowed);
            }),
        check(
            c(
                "SR-DB-PRIV-02",
                "app_user cannot write base tables directly (INSERT, UPDATE, DELETE, TRUNCATE)",
                ATTACK,
                "TRUNCATE needs DROP and fires no trigger.",
                SEED,
                "DESIGN §6.3",
                STIG + "least privilege"),
            p -> {
              List<String> allowed = new ArrayList<>();
              for (String t : DATA_TABLES) {
                String q = "strongroom." + t;
                for (String sql :
                    List.of(
                        "INSERT INTO " + q + " () VALUES ()",
                        "UPDATE " + q + " SET created_at = created_at WHERE 1 = 0",
                        "DELETE FROM " + q + " WHERE 1 = 0",
                        "TRUNCATE TABLE " + q)) {
                  Optional<ServerError> e = p.refusal(APP, p.as(APP), sql);
                  if (e.isEmpty() || e.get().code() != 1142) {
                    allowed.add(sql + e.map(x -> " (" + x + ")").orElse(""));
                  }
                }
              }
              return Outcome.of(
                  allowed.isEmpty(), "every direct write denied (1142)", "not denied: " + allowed);
            }),
        check(
            c(
                "SR-DB-PRIV-03",
                "app_user has no DDL, no temporary tables and no file access",
                ATTACK,
                "",
                SEED,
                "DESIGN §4",
                CIS + "no FILE privilege for non-admin users",
                DEVSEC + "no file privileges"),
            p -> {
              List<String> allowed = new ArrayList<>();
              for (String sql :
                  List.of(
                      "CREATE TABLE strongroom.sr_proof_x (a INT)",
                      "CREATE TEMPORARY TABLE strongroom.sr_proof_t (a INT)",
                      "CREATE PROCEDURE strongroom.sr_proof_p() SELECT 1",
                      "ALTER TABLE strongroom.users ADD COLUMN sr_proof INT",
                      "DROP TABLE strongroom.users",
                      "SELECT 1 INTO OUTFILE 'sr_proof_out'")) {
                if (p.refusal(APP, p.as(APP), sql).isEmpty()) {
                  allowed.add(sql);
                }
              }
              return Outcome.of(
                  allowed.isEmpty(),
                  "DDL, temporary tables and OUTFILE denied",
                  "allowed: " + allowed);
            }),
        installerCheck(
            c(
                "SR-DB-PRIV-04",
                "No account is reachable from any host ('%' or other wildcards) and no anonymous account exists",
                MEASURED_FACT,
                "MariaDB: mysql.global_priv; MySQL 8.4: mysql.user.",
                SEED,
                CIS + "no wildcard hosts",
                CIS + "no anonymous accounts",
                DEVSEC + "no anonymous users",
                STIG + "remove unneeded accounts"),
            p -> {
              ClientResult r =
                  p.installerSql(
                      "SELECT CONCAT(QUOTE(User), '@', QUOTE(Host)) FROM mysql.user"
                          + " WHERE User = '' OR Host LIKE '%\\%%' OR Host LIKE '%\\_%' OR Host = ''"
                          + " ORDER BY 1");
              List<String> bad = r.rows().stream().map(x -> x.get(0)).toList();
              return Outcome.of(
                  bad.isEmpty(),
                  "no wildcard or anonymous account",
                  "wildcard or anonymous accounts: " + bad);
            }),
        installerCheck(
            c(
                "SR-DB-PRIV-05",
                "The routine owners (api_definer, audit_definer) are locked and cannot log in",
                MEASURED_FACT,
                "",
                SEED,
                "DESIGN §4"),
            p -> {
              ClientResult r =
                  p.installerSql(
                      "SELECT User, JSON_VALUE(Priv, '$.account_locked') FROM mysql.global_priv"
                          + " WHERE User IN ('api_definer', 'audit_definer') ORDER BY User");
              List<List<String>> rows = r.rows();
              boolean ok =
                  rows.size() == 2
                      && rows.stream().allMatch(x -> Set.of("1", "true").contains(x.get(1)));
              return Outcome.of(ok, "both definers ACCOUNT LOCK", "definers: " + rows);
            }),
        check(
            c(
                "SR-DB-PRIV-06",
                "migration cannot reach the security or audit schemas nor create routines or triggers",
                ATTACK,
                "",
                SEED,
                "DESIGN §4"),
            p -> {
              List<String> allowed = new ArrayList<>();
              for (String sql :
                  List.of(
                      "SELECT COUNT(*) FROM " + SECURITY + ".tenant_bindings",
                      "SELECT COUNT(*) FROM " + AUDIT + ".audit_events",
                      "CREATE PROCEDURE strongroom.sr_proof_p() SELECT 1",
                      "CREATE TRIGGER strongroom.sr_proof_t BEFORE INSERT ON strongroom.tenants FOR EACH ROW SET @x = 1",
                      "DROP DATABASE " + AUDIT)) {
                if (p.refusal("migration", p.as("migration"), sql).isEmpty()) {
                  allowed.add(sql);
                }
              }
              return Outcome.of(allowed.isEmpty(), "every attempt denied", "allowed: " + allowed);
            }),
        check(
            c(
                "SR-DB-PRIV-07",
                "auditor can read the audit schema and write only through its definer procedures, none of them the anchor service's",
                ATTACK,
                "",
                SEED,
                "DESIGN §4",
                STIG + "separation of duties"),
            p -> {
              List<String> allowed = new ArrayList<>();
              for (String sql :
                  List.of(
                      "INSERT INTO " + AUDIT + ".audit_events () VALUES ()",
                      "INSERT INTO " + AUDIT + ".audit_evidence () VALUES ()",
                      "INSERT INTO " + AUDIT + ".audit_anchors () VALUES ()",
                      "DELETE FROM strongroom.users WHERE 1 = 0",
                      "SELECT COUNT(*) FROM strongroom.users")) {
                Optional<ServerError> e = p.refusal("auditor", p.as("auditor"), sql);
                if (e.isEmpty() || !PRIVILEGE_DENIED.contains(e.get().code())) {
                  allowed.add(sql + " → " + e.map(Object::toString).orElse("accepted"));
                }
              }
              // the anchor lease, anchors and sink cursors are the anchor service's alone: with
              // the auditor certificate a SIEM sink could be made to skip checkpoints
              for (Map.Entry<String, String> w : WRITER_PROCEDURES) {
                Optional<ServerError> e = p.refusal("auditor", p.as("auditor"), w.getValue());
                if (e.isEmpty() || e.get().code() != 1370) {
                  allowed.add(w.getKey() + " → " + e.map(Object::toString).orElse("accepted"));
                }
              }
              ClientResult read =
                  p.sql("auditor", "SELECT COUNT(*) FROM " + AUDIT + ".audit_chain");
              if (read.exitCode() != 0) {
                allowed.add("(cannot read the audit chain: " + read.stderr().strip() + ")");
              }
              return Outcome.of(
                  allowed.isEmpty(),
                  "reads the audit chain; every write and every anchor-writer procedure denied",
                  "wrong: " + allowed);
            }),
        installerCheck(
            c(
                "SR-DB-PRIV-08",
                "No account but the installer holds an administrator's privilege (SUPER, PROCESS, FILE, SHUTDOWN, CREATE USER, SET USER, BINLOG ADMIN, BINLOG REPLAY, CONNECTION ADMIN, the replication and read-only admin privileges, MySQL 8.4's dynamic ones), a write on the mysql schema, REPLICATION SLAVE (but the backup identity), a PROXY grant, or any privilege WITH GRANT OPTION",
                MEASURED_FACT,
                "MariaDB 10.11 splits SUPER into BINLOG ADMIN, BINLOG REPLAY, CONNECTION ADMIN, SET USER and others; MySQL 8.4 into dynamic privileges (SYSTEM_VARIABLES_ADMIN, SYSTEM_USER, …): both spellings are looked for. A role holding one is named as its grantee. A write on the mysql schema (global, on the schema, on one of its tables or columns) rewrites the grant tables; REPLICATION SLAVE (a binary-log dump reads every row change) is the backup identity's alone. The server's own locked system accounts (mariadb.sys; MySQL's mysql.session, mysql.sys, mysql.infoschema) are left out only while SHOW CREATE USER says ACCOUNT LOCK. Read from information_schema and mysql.proxies_priv (rows of accounts that exist) as the installer, who sees every grantee.",
                SEED,
                "DESIGN §4 (identities)",
                CIS
                    + "SUPER, PROCESS, FILE, SHUTDOWN, CREATE USER and GRANT OPTION limited to administrators",
                DEVSEC + "no superuser privileges for non-admin users",
                STIG + "least privilege"),
            DatabaseControls::powerfulPrivileges),
        installerCheck(
            c(
                "SR-DB-PRIV-09",
                "The backup identity holds exactly its documented grants (docs/backups.md) and authenticates by certificate",
                MEASURED_FACT,
                "MariaDB 10.11 shows REPLICATION CLIENT as BINLOG MONITOR; MySQL 8.4 shows REPLICATION CLIENT.",
                SEED,
                "docs/backups.md (the backup identity)",
                STIG + "least privilege"),
            DatabaseControls::backupGrants),
        check(
            c(
                "SR-DB-PRIV-10",
                "anchor_writer (the audit-anchor-service) reads the chain and writes only the anchor state, through its three procedures",
                ATTACK,
                "",
                SEED,
                "DESIGN §2 (one writer)",
                "docs/decisions.md (anchor_writer)",
                STIG + "separation of duties"),
            p -> {
              List<String> wrong = new ArrayList<>();
              for (String sql :
                  List.of(
                      "INSERT INTO " + AUDIT + ".audit_anchors () VALUES ()",
                      "INSERT INTO " + AUDIT + ".audit_sink_deliveries () VALUES ()",
                      "UPDATE " + AUDIT + ".audit_anchor_lease SET epoch = epoch WHERE 1 = 0",
                      "DELETE FROM " + AUDIT + ".audit_sink_deliveries WHERE 1 = 0",
                      "CREATE TABLE " + AUDIT + ".sr_proof_t (id INT)",
                      "SELECT COUNT(*) FROM strongroom.users",
                      "SELECT COUNT(*) FROM " + SECURITY + ".tenant_bindings",
                      "CALL " + AUDIT + ".audit_seal(0)",
                      "CALL strongroom.security_set_tenant('sr-proof')")) {
                Optional<ServerError> e = p.refusal(WRITER, p.as(WRITER), sql);
                // a privilege refusal, not a procedure's own SR- refusal (1644) or a missing value
                if (e.isEmpty() || !PRIVILEGE_DENIED.contains(e.get().code())) {
                  wrong.add(sql + " → " + e.map(Object::toString).orElse("accepted"));
                }
              }
              // its job: each writer procedure runs (and refuses the probe's arguments itself)
              for (Map.Entry<String, String> w : WRITER_PROCEDURES) {
                Optional<ServerError> e = p.refusal(WRITER, p.as(WRITER), w.getValue());
                if (e.isEmpty() || e.get().code() != 1644) {
                  wrong.add(
                      "cannot execute "
                          + w.getKey()
                          + ": "
                          + e.map(Object::toString).orElse("accepted the probe"));
                }
              }
              ClientResult read =
                  p.run(
                      WRITER,
                      p.as(WRITER),
                      "SELECT COUNT(*) FROM "
                          + AUDIT
                          + ".audit_chain;"
                          + " SELECT COUNT(*) FROM "
                          + AUDIT
                          + ".audit_schema_drift");
              if (read.exitCode() != 0) {
                wrong.add("(cannot read what it tails: " + read.stderr().strip() + ")");
              }
              return Outcome.of(
                  wrong.isEmpty(),
                  "reads the chain and the drift view; runs its three procedures; every other write,"
                      + " read and routine denied",
                  "wrong: " + wrong);
            }));
  }

  /**
   * The privileges that make an account an administrator (SR-DB-PRIV-08), as MariaDB 10.11 and
   * MySQL 8.4 name them in {@code information_schema.USER_PRIVILEGES}: MariaDB splits SUPER into
   * privileges with spaces, MySQL 8.4 into dynamic privileges with underscores.
   */
  static final List<String> POWERFUL =
      List.of(
          "SUPER",
          "PROCESS",
          "FILE",
          "SHUTDOWN",
          "CREATE USER",
          // MariaDB 10.11
          "SET USER",
          "BINLOG ADMIN",
          "BINLOG REPLAY",
          "CONNECTION ADMIN",
          "READ_ONLY ADMIN",
          "REPLICATION MASTER ADMIN",
          "REPLICATION SLAVE ADMIN",
          "FEDERATED ADMIN",
          // MySQL 8.4
          "SYSTEM_USER",
          "SYSTEM_VARIABLES_ADMIN",
          "SET_ANY_DEFINER",
          "ALLOW_NONEXISTENT_DEFINER",
          "SET_USER_ID",
          "BINLOG_ADMIN",
          "CONNECTION_ADMIN",
          "ROLE_ADMIN",
          "ENCRYPTION_KEY_ADMIN",
          "REPLICATION_SLAVE_ADMIN",
          "AUDIT_ADMIN",
          "PERSIST_RO_VARIABLES_ADMIN",
          "CLONE_ADMIN",
          "TABLE_ENCRYPTION_ADMIN",
          "GROUP_REPLICATION_ADMIN",
          "SESSION_VARIABLES_ADMIN",
          "REPLICATION_APPLIER");

  /** Privileges that write: held on *.* or on the mysql schema they rewrite the grant tables. */
  static final List<String> WRITES =
      List.of("INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "INDEX");

  /** The one account allowed REPLICATION SLAVE (its binary-log copy; SR-DB-PRIV-09). */
  static final String BACKUP_GRANTEE = "'backup'@'127.0.0.1'";

  /** The server's own system accounts, left out of SR-DB-PRIV-08 only while locked. */
  static final Set<String> SYSTEM_ACCOUNTS =
      Set.of(
          "'mariadb.sys'@'localhost'",
          "'mysql.session'@'localhost'",
          "'mysql.sys'@'localhost'",
          "'mysql.infoschema'@'localhost'");

  private static Outcome powerfulPrivileges(DbProbe p) {
    // the installer as the server knows it ('root'@'localhost' via unix_socket)
    String installer = p.installerSql("SELECT CURRENT_USER()").scalar();
    int at = installer.lastIndexOf('@');
    String grantee = "'" + installer.substring(0, at) + "'@'" + installer.substring(at + 1) + "'";
    String listed = "'" + String.join("', '", POWERFUL) + "'";
    String writes = "'" + String.join("', '", WRITES) + "'";
    String notInstaller = "GRANTEE <> " + sqlString(grantee);
    String grantable = "IF(IS_GRANTABLE = 'YES', ' WITH GRANT OPTION', '')";
    String onMysql =
        " AND (IS_GRANTABLE = 'YES' OR (TABLE_SCHEMA = 'mysql' AND PRIVILEGE_TYPE IN (";
    List<String> rows =
        p
            .installerSql(
                "SELECT CONCAT(GRANTEE, ' ', PRIVILEGE_TYPE, ' ON *.*', "
                    + grantable
                    + ") FROM information_schema.USER_PRIVILEGES WHERE "
                    + notInstaller
                    + " AND (PRIVILEGE_TYPE IN ("
                    + listed
                    + ") OR PRIVILEGE_TYPE IN ("
                    + writes
                    + ") OR IS_GRANTABLE = 'YES'"
                    // a binary-log dump reads every row change (token keys included): backup only
                    + " OR (PRIVILEGE_TYPE = 'REPLICATION SLAVE' AND GRANTEE <> "
                    + sqlString(BACKUP_GRANTEE)
                    + "))"
                    + " UNION ALL SELECT CONCAT(GRANTEE, ' ', PRIVILEGE_TYPE, ' ON ', TABLE_SCHEMA,"
                    + " '.*', "
                    + grantable
                    + ") FROM information_schema.SCHEMA_PRIVILEGES WHERE "
                    + notInstaller
                    + onMysql
                    + writes
                    + ")))"
                    + " UNION ALL SELECT CONCAT(GRANTEE, ' ', PRIVILEGE_TYPE, ' ON ', TABLE_SCHEMA,"
                    + " '.', TABLE_NAME, "
                    + grantable
                    + ") FROM information_schema.TABLE_PRIVILEGES WHERE "
                    + notInstaller
                    + onMysql
                    + writes
                    + ")))"
                    + " UNION ALL SELECT CONCAT(GRANTEE, ' ', PRIVILEGE_TYPE, ' (', COLUMN_NAME,"
                    + " ') ON ', TABLE_SCHEMA, '.', TABLE_NAME, "
                    + grantable
                    + ") FROM information_schema.COLUMN_PRIVILEGES WHERE "
                    + notInstaller
                    + onMysql
                    + writes
                    + ")))"
                    // PROXY: log in as one account and act as another — held by an account that
                    // exists (the installer leaves a row for root at the host's name, an account
                    // that is never created: nobody can log in with it)
                    + " UNION ALL SELECT CONCAT('''', p.User, '''@''', p.Host, ''' PROXY ON ''',"
                    + " p.Proxied_user, '''@''', p.Proxied_host, '''') FROM mysql.proxies_priv p"
                    + " WHERE CONCAT('''', p.User, '''@''', p.Host, '''') <> "
                    + sqlString(grantee)
                    + " AND EXISTS (SELECT 1 FROM mysql.user u WHERE u.User = p.User AND u.Host ="
                    + " p.Host)"
                    + " ORDER BY 1")
            .rows()
            .stream()
            .map(x -> x.get(0))
            .toList();
    List<String> found = new ArrayList<>();
    List<String> lockedSystem = new ArrayList<>();
    for (String row : rows) {
      String who = row.substring(0, row.indexOf(' '));
      if (SYSTEM_ACCOUNTS.contains(who) && locked(p, who)) {
        lockedSystem.add(row);
      } else {
        found.add(row);
      }
    }
    found.addAll(throughRoles(p, grantee));
    java.util.Collections.sort(found);
    if (!lockedSystem.isEmpty()) {
      p.note("left out: the server's own locked system accounts", String.join("\n", lockedSystem));
    }
    return Outcome.of(
        found.isEmpty(),
        "only " + grantee + " (the installer) holds them",
        "held beyond the installer: " + found);
  }

  /** Account and role names SR-DB-PRIV-08 will put into a statement; anything else fails it. */
  private static final java.util.regex.Pattern SAFE_NAME =
      java.util.regex.Pattern.compile("[A-Za-z0-9_.%:-]*");

  /**
   * An administrator's power held through a role ({@code GRANT role TO account}): MariaDB lists a
   * role's privileges nowhere in information_schema, so every role reachable from an account other
   * than the installer (roles granted to roles included) is read with {@code SHOW GRANTS}. Names
   * travel hex-encoded and are put into {@code SHOW GRANTS} only when they hold nothing but {@link
   * #SAFE_NAME}'s characters: a role named to break out of the statement (or to make it fail and so
   * hide its privileges) is itself a finding, and so is a role whose grants cannot be read.
   */
  private static List<String> throughRoles(DbProbe p, String installer) {
    boolean mysql = p.db().dialect().equals("mysql-8.4");
    // grantee user, grantee host, role user, role host (a MariaDB role's host is '')
    List<List<String>> raw =
        p.installerSql(
                mysql
                    ? "SELECT HEX(TO_USER), HEX(TO_HOST), HEX(FROM_USER), HEX(FROM_HOST) FROM"
                        + " mysql.role_edges"
                    : "SELECT HEX(User), HEX(Host), HEX(Role), '' FROM mysql.roles_mapping")
            .rows();
    List<String> found = new ArrayList<>();
    // grantee -> roles, both as 'user'@'host'
    java.util.Map<String, List<String>> edges = new java.util.LinkedHashMap<>();
    for (List<String> r : raw) {
      String[] n = new String[4];
      for (int i = 0; i < 4; i++) {
        n[i] =
            new String(
                HexFormat.of().parseHex(r.get(i).toLowerCase(java.util.Locale.ROOT)),
                java.nio.charset.StandardCharsets.UTF_8);
      }
      String who = "'" + n[0] + "'@'" + n[1] + "'";
      if (who.equals(installer)) {
        continue; // the installer may hold any role (it creates them)
      }
      if (!java.util.Arrays.stream(n).allMatch(x -> SAFE_NAME.matcher(x).matches())) {
        found.add(
            "a role grant with a name outside [A-Za-z0-9_.%:-] ("
                + HexFormat.of()
                    .formatHex(
                        String.join("\t", n).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + ": grantee and role in hex), whose grants are not read");
        continue;
      }
      edges.computeIfAbsent(who, k -> new ArrayList<>()).add("'" + n[2] + "'@'" + n[3] + "'");
    }
    java.util.Map<String, List<String>> grants = new java.util.HashMap<>();
    for (java.util.Map.Entry<String, List<String>> e : edges.entrySet()) {
      String who = e.getKey();
      if (who.equals(installer) || who.endsWith("@''")) {
        continue; // the installer's own, or a role (reached from the accounts below)
      }
      java.util.Deque<String> todo = new java.util.ArrayDeque<>(e.getValue());
      Set<String> seen = new java.util.HashSet<>();
      while (!todo.isEmpty()) {
        String role = todo.pop();
        if (!seen.add(role)) {
          continue;
        }
        String shown = roleName(role);
        List<String> lines =
            grants.computeIfAbsent(
                role,
                r -> {
                  ClientResult g = p.installerSql("SHOW GRANTS FOR " + roleName(r));
                  return g.exitCode() == 0 ? g.rows().stream().map(x -> x.get(0)).toList() : null;
                });
        if (lines == null) {
          found.add(who + " holds role " + shown + ", whose grants cannot be read");
          continue;
        }
        for (String g : lines) {
          for (String bad : powerfulIn(g)) {
            found.add(who + " " + bad + " (role " + shown + ")");
          }
        }
        todo.addAll(edges.getOrDefault(role, List.of()));
      }
    }
    return found;
  }

  private static String roleName(String account) {
    return account.endsWith("@''") ? account.substring(0, account.length() - 3) : account;
  }

  private static final java.util.regex.Pattern GRANT_LINE =
      java.util.regex.Pattern.compile("GRANT (.+?) ON (\\S+) TO .*?( WITH GRANT OPTION)?");

  /** What in one {@code SHOW GRANTS} line makes its grantee an administrator (SR-DB-PRIV-08). */
  static List<String> powerfulIn(String line) {
    java.util.regex.Matcher m = GRANT_LINE.matcher(line);
    if (!m.matches()) {
      return List.of(); // a role grant (GRANT `r` TO `u`): followed through the role edges
    }
    String on = m.group(2).replace("`", "");
    boolean global = on.equals("*.*");
    boolean grantTables = on.equals("mysql.*") || on.startsWith("mysql.");
    List<String> out = new ArrayList<>();
    for (String priv : privileges(m.group(1))) {
      // a column privilege (UPDATE (`Priv`)) writes as much of the grant tables as it names
      String pv = priv.replaceAll("\\s*\\(.*\\)$", "").strip();
      if (pv.equals("PROXY")) {
        out.add("PROXY ON " + m.group(2));
      } else if ((global
              && (pv.equals("ALL PRIVILEGES")
                  || POWERFUL.contains(pv)
                  || pv.equals("REPLICATION SLAVE")))
          || ((global || grantTables) && WRITES.contains(pv))
          || (grantTables && pv.equals("ALL PRIVILEGES"))) {
        out.add(pv + " ON " + on);
      }
    }
    if (m.group(3) != null) {
      out.add("WITH GRANT OPTION ON " + on);
    }
    return out;
  }

  /** A SHOW GRANTS privilege list split at the commas outside column lists. */
  private static List<String> privileges(String list) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < list.length(); i++) {
      char c = list.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        out.add(list.substring(start, i).strip());
        start = i + 1;
      }
    }
    out.add(list.substring(start).strip());
    return out;
  }

  /** Whether {@code account} ({@code 'user'@'host'}) cannot log in: SHOW CREATE USER's verdict. */
  private static boolean locked(DbProbe p, String account) {
    return p.installerSql("SHOW CREATE USER " + account).rows().stream()
        .anyMatch(r -> r.get(0).contains(" ACCOUNT LOCK"));
  }

  /**
   * The backup identity's grants as docs/backups.md lists them, as MariaDB 10.11 prints them
   * ({@code SHOW GRANTS}), without the first line's REQUIRE and WITH clauses.
   */
  static final Set<String> BACKUP_GRANTS =
      Set.of(
          "GRANT RELOAD, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `backup`@`127.0.0.1`",
          "GRANT SELECT, SHOW VIEW, EVENT, TRIGGER ON `strongroom`.* TO `backup`@`127.0.0.1`",
          "GRANT SELECT, SHOW VIEW, EVENT, TRIGGER ON `strongroom_security`.* TO"
              + " `backup`@`127.0.0.1`",
          "GRANT SELECT, SHOW VIEW, EVENT, TRIGGER ON `strongroom_audit`.* TO `backup`@`127.0.0.1`",
          "GRANT SELECT ON `mysql`.* TO `backup`@`127.0.0.1`");

  private static Outcome backupGrants(DbProbe p) {
    String exists =
        p.installerSql(
                "SELECT COUNT(*) FROM mysql.user WHERE User = 'backup' AND Host = '127.0.0.1'")
            .scalar();
    if (!"1".equals(exists)) {
      return Outcome.notApplicable(
          "the target has no backup identity ('backup'@'127.0.0.1'): no scheduled backup runs here");
    }
    ClientResult r = p.installerSql("SHOW GRANTS FOR 'backup'@'127.0.0.1'");
    Set<String> grants = new java.util.TreeSet<>();
    boolean byCertificate = false;
    for (List<String> row : r.rows()) {
      String g = row.get(0);
      int require = g.indexOf(" REQUIRE ");
      if (require >= 0) {
        String clause = g.substring(require);
        byCertificate =
            clause.contains(" SUBJECT '")
                && clause.contains("CN=backup'")
                && clause.contains(" ISSUER '");
        g = g.substring(0, require);
      }
      int with = g.indexOf(" WITH ");
      grants.add(with >= 0 ? g.substring(0, with) : g);
    }
    Set<String> extra = new java.util.TreeSet<>(grants);
    extra.removeAll(BACKUP_GRANTS);
    Set<String> missing = new java.util.TreeSet<>(BACKUP_GRANTS);
    missing.removeAll(grants);
    return Outcome.of(
        extra.isEmpty() && missing.isEmpty() && byCertificate,
        "exactly the " + BACKUP_GRANTS.size() + " documented grants, REQUIRE SUBJECT … ISSUER …",
        "extra: "
            + extra
            + ", missing: "
            + missing
            + (byCertificate ? "" : ", no certificate pinned"));
  }

  private static String sqlString(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "''") + "'";
  }

  // ------------------------------------------------------------------ tenant isolation

  static List<Check> tenancy() {
    return List.of(
        check(
            c(
                "SR-DB-TEN-01",
                "Without a bound tenant every application procedure refuses",
                ATTACK,
                "",
                SEED,
                "DESIGN §6.4"),
            p -> {
              List<String> wrong = new ArrayList<>();
              for (String sql :
                  List.of(
                      "CALL app_get_user('" + UUID.randomUUID() + "')",
                      "CALL app_list_users(10)",
                      "CALL app_record_decrypt('" + UUID.randomUUID() + "', 'sr-proof')")) {
                Optional<ServerError> e =
                    p.refusal(APP, p.as(APP).arg("--database=strongroom"), sql);
                if (e.isEmpty() || !NO_TENANT.equals(e.get().message())) {
                  wrong.add(sql + " → " + e.map(Object::toString).orElse("accepted"));
                }
              }
              return Outcome.of(wrong.isEmpty(), NO_TENANT, "not refused as expected: " + wrong);
            }),
        check(
            c(
                "SR-DB-TEN-02",
                "A forged tenant token (another key, edited claims) is refused inside the database",
                ATTACK,
                "MariaDB has no HMAC(): the procedure computes HMAC-SHA256 from SHA2() with stored pads.",
                SEED,
                "DESIGN §6.4"),
            p -> {
              TenantTokens forger = new TenantTokens(random(32), p.context().clock());
              String forged =
                  forger.issue(
                      "sr-proof-victim",
                      "sr-proof",
                      Duration.ofMinutes(5),
                      DatabaseControls.DB_ONLY_CNF);
              Optional<ServerError> e =
                  p.refusal(
                      APP,
                      p.as(APP).arg("--database=strongroom"),
                      "CALL security_set_tenant('" + forged + "')");
              return Outcome.of(
                  e.isPresent() && BAD_MAC.equals(e.get().message()),
                  BAD_MAC,
                  "a token signed with another key gave: "
                      + e.map(Object::toString).orElse("a binding"));
            }),
        check(
            c(
                "SR-DB-TEN-03",
                "A session bound to one tenant cannot read another tenant's record",
                ATTACK,
                "",
                SEED,
                "DESIGN §6.4"),
            DatabaseControls::crossTenant),
        check(
            c(
                "SR-DB-TEN-04",
                "Session variables cannot bind a tenant",
                ATTACK,
                "",
                SEED,
                "DESIGN §4 (get_tenant() reads only the definer's binding table)"),
            p -> {
              Optional<ServerError> e =
                  p.refusal(
                      APP,
                      p.as(APP).arg("--database=strongroom"),
                      "SET @tenant = 'sr-proof-a', @tenant_id = 'sr-proof-a', @strongroom_tenant = 'sr-proof-a';"
                          + " CALL app_list_users(1)");
              return Outcome.of(
                  e.isPresent() && NO_TENANT.equals(e.get().message()),
                  NO_TENANT,
                  "session variables bound a tenant: "
                      + e.map(Object::toString).orElse("accepted"));
            }));
  }

  private static Outcome crossTenant(DbProbe p) {
    Optional<TenantTokens> authority = p.context().tenantAuthority();
    if (authority.isEmpty()) {
      return Outcome.notApplicable(
          "the prover holds no tenant-authority key to issue probe tokens");
    }
    String run = HexFormat.of().formatHex(random(4));
    String tenantA = "sr-proof-a-" + run;
    String tenantB = "sr-proof-b-" + run;
    String tokenA =
        authority
            .get()
            .issue(tenantA, "sr-proof", Duration.ofMinutes(5), DatabaseControls.DB_ONLY_CNF);
    String tokenB =
        authority
            .get()
            .issue(tenantB, "sr-proof", Duration.ofMinutes(5), DatabaseControls.DB_ONLY_CNF);
    String record = uuidV7Like();
    ClientConnection app = p.as(APP).arg("--database=strongroom");
    ClientResult created =
        p.run(
            APP,
            app,
            "CALL security_set_tenant('"
                + tokenB
                + "'); CALL app_create_user_encrypted('sr-proof-"
                + run
                + "', '"
                + record
                + "', 'sr-proof-dek-"
                + run
                + "', X'00', 'sr-proof', '1', NULL, NULL, X'00', X'000000000000000000000000',"
                + " NULL, NULL, NULL, NULL, NULL, NULL)");
    if (created.exitCode() != 0) {
      throw new IllegalStateException(
          "cannot create the probe record: " + created.stderr().strip());
    }
    Optional<ServerError> e =
        p.refusal(
            APP,
            app,
            "CALL security_set_tenant('" + tokenA + "'); CALL app_get_user('" + record + "')");
    return Outcome.of(
        e.isPresent() && CROSS_TENANT.equals(e.get().message()),
        CROSS_TENANT,
        "tenant A read tenant B's record: " + e.map(Object::toString).orElse("rows returned"));
  }

  // ------------------------------------------------------------------ audit append-only

  static List<Check> audit() {
    return List.of(
        check(
            c(
                "SR-DB-AUD-01",
                "No application identity can update, delete or truncate audit rows",
                ATTACK,
                "",
                SEED,
                "DESIGN §6.5",
                STIG + "protect audit information from unauthorized modification and deletion"),
            p -> {
              List<String> allowed = new ArrayList<>();
              for (String id : IDENTITIES) {
                for (String sql :
                    List.of(
                        "UPDATE " + AUDIT + ".audit_events SET tenant_id = tenant_id WHERE 1 = 0",
                        "DELETE FROM " + AUDIT + ".audit_chain WHERE 1 = 0",
                        "TRUNCATE TABLE " + AUDIT + ".audit_events")) {
                  Optional<ServerError> e = p.refusal(id, p.as(id), sql);
                  if (e.isEmpty()) {
                    allowed.add(id + ": " + sql);
                  }
                }
              }
              return Outcome.of(allowed.isEmpty(), "every rewrite denied", "allowed: " + allowed);
            }),
        installerCheck(
            c(
                "SR-DB-AUD-02",
                "Even the installer (root) cannot update or delete an audit row: guard triggers refuse",
                ATTACK,
                "A table with no rows fires no trigger: the attack targets the newest existing row.",
                SEED,
                "DESIGN §4 (BEFORE UPDATE/DELETE triggers refuse even for root)"),
            p -> {
              String newest =
                  p.installerSql(
                          "SELECT COALESCE(MAX(event_id), 0) FROM " + AUDIT + ".audit_events")
                      .scalar();
              if ("0".equals(newest)) {
                return Outcome.notApplicable("the audit log has no row yet to attack");
              }
              List<String> wrong = new ArrayList<>();
              for (String sql :
                  List.of(
                      "UPDATE "
                          + AUDIT
                          + ".audit_events SET tenant_id = tenant_id WHERE event_id = "
                          + newest,
                      "DELETE FROM " + AUDIT + ".audit_events WHERE event_id = " + newest)) {
                Optional<ServerError> e = p.refusal("installer", p.installer().orElseThrow(), sql);
                if (e.isEmpty() || !IMMUTABLE.equals(e.get().message())) {
                  wrong.add(sql + " → " + e.map(Object::toString).orElse("accepted"));
                }
              }
              return Outcome.of(wrong.isEmpty(), IMMUTABLE, "not refused: " + wrong);
            }),
        installerCheck(
            c(
                "SR-DB-AUD-03",
                "Every data table has its INSERT, UPDATE and DELETE audit trigger",
                MEASURED_FACT,
                "information_schema.TRIGGERS shows a trigger only to holders of TRIGGER on its table: read as the installer.",
                SEED,
                "DESIGN §4 (triggers on every DML of every data table)"),
            p -> {
              ClientResult r =
                  p.installerSql(
                      "SELECT CONCAT(EVENT_OBJECT_TABLE, ':', EVENT_MANIPULATION) FROM information_schema.TRIGGERS"
                          + " WHERE TRIGGER_SCHEMA = 'strongroom' AND TRIGGER_NAME LIKE '%\\_audit\\_%' ORDER BY 1");
              Set<String> present = new java.util.TreeSet<>();
              r.rows().forEach(x -> present.add(x.get(0)));
              List<String> missing = new ArrayList<>();
              for (String t : DATA_TABLES) {
                for (String op : List.of("INSERT", "UPDATE", "DELETE")) {
                  if (!present.contains(t + ":" + op)) {
                    missing.add(t + ":" + op);
                  }
                }
              }
              return Outcome.of(
                  missing.isEmpty(),
                  "12 audit triggers present",
                  "missing audit triggers: " + missing);
            }),
        check(
            c(
                "SR-DB-AUD-04",
                "The audit chain re-hashes to its anchored checkpoints (verify-audit)",
                ATTACK,
                "",
                SEED,
                "DESIGN §5 (verification)",
                "DESIGN §6.5",
                "DESIGN §6.6"),
            AnchoredChainCheck::run));
  }

  // ------------------------------------------------------------------ at rest

  static List<Check> atRest() {
    return List.of(
        installerCheck(
            c(
                "SR-DB-REST-01",
                "Every table of the data, security and audit schemas is an encrypted InnoDB tablespace",
                MEASURED_FACT,
                "MariaDB: information_schema.INNODB_TABLESPACES_ENCRYPTION; MySQL 8.4: INFORMATION_SCHEMA.INNODB_TABLESPACES.ENCRYPTION = 'Y'.",
                SEED,
                "DESIGN §6.11",
                CIS + "data-at-rest encryption",
                STIG + "protect the confidentiality of information at rest"),
            p -> {
              ClientResult r =
                  p.installerSql(
                      "SELECT CONCAT(t.TABLE_SCHEMA, '.', t.TABLE_NAME, ' ', t.ENGINE, ' scheme=', COALESCE(e.ENCRYPTION_SCHEME, 'none'))"
                          + " FROM information_schema.TABLES t LEFT JOIN information_schema.INNODB_TABLESPACES_ENCRYPTION e"
                          + " ON e.NAME = CONCAT(t.TABLE_SCHEMA, '/', t.TABLE_NAME)"
                          + " WHERE t.TABLE_SCHEMA IN ('strongroom', '"
                          + SECURITY
                          + "', '"
                          + AUDIT
                          + "')"
                          + " AND t.TABLE_TYPE = 'BASE TABLE'"
                          + " AND (t.ENGINE <> 'InnoDB' OR e.ENCRYPTION_SCHEME IS NULL OR e.ENCRYPTION_SCHEME = 0)"
                          + " ORDER BY 1");
              List<String> plain = r.rows().stream().map(x -> x.get(0)).toList();
              return Outcome.of(
                  plain.isEmpty(), "every table encrypted", "not encrypted: " + plain);
            }),
        variable(
            "SR-DB-REST-02",
            "Unencrypted tables cannot be created (innodb_encrypt_tables FORCE)",
            "innodb_encrypt_tables",
            "FORCE",
            "MySQL 8.4: default_table_encryption=ON with table_encryption_privilege_check=ON.",
            SEED,
            "DESIGN §6.11"),
        variable(
            "SR-DB-REST-03",
            "The redo log is encrypted (innodb_encrypt_log)",
            "innodb_encrypt_log",
            "ON",
            "MySQL 8.4: innodb_redo_log_encrypt=ON.",
            SEED,
            "DESIGN §6.11"),
        variable(
            "SR-DB-REST-04",
            "The binary log is encrypted (encrypt_binlog)",
            "encrypt_binlog",
            "ON",
            "MySQL 8.4: binlog_encryption=ON.",
            SEED,
            "DESIGN §6.11"),
        variable(
            "SR-DB-REST-05",
            "Temporary files are encrypted (encrypt_tmp_files)",
            "encrypt_tmp_files",
            "ON",
            "MySQL 8.4 has no equivalent for sort files; innodb_temp_tablespace_encrypt covers temporary tables.",
            SEED,
            "DESIGN §6.11"),
        variable(
            "SR-DB-REST-06",
            "InnoDB temporary tables are encrypted (innodb_encrypt_temporary_tables)",
            "innodb_encrypt_temporary_tables",
            "ON",
            "MySQL 8.4: innodb_temp_tablespace_encrypt=ON.",
            SEED,
            "DESIGN §6.11"),
        variable(
            "SR-DB-REST-07",
            "Aria tables (internal temporary tables on disk) are encrypted (aria_encrypt_tables)",
            "aria_encrypt_tables",
            "ON",
            "MariaDB only. The Aria system tables themselves stay unencrypted (docs/database-instance.md).",
            SEED,
            "DESIGN §4 (what MariaDB cannot encrypt)"),
        installerCheck(
            c(
                "SR-DB-REST-08",
                "A stored value never reaches the data directory or binary log in clear (plaintext-marker scan of tablespaces, redo, undo, binlog, temp files)",
                ATTACK,
                "Scans every file under db.dataDir and the binary log directory; MySQL 8.4 lays the same files out differently, the scan does not care.",
                SEED,
                "DESIGN §6.8",
                "DESIGN §6.11"),
            PlaintextScan::run),
        installerCheck(
            c(
                "SR-DB-REST-09",
                "At-rest keys rotate: every encrypted tablespace is at the keyring's current key version, and key-age rotation is configured",
                MEASURED_FACT,
                "MariaDB: INNODB_TABLESPACES_ENCRYPTION.CURRENT_KEY_VERSION vs KEY_ROTATION_PAGE_NUMBER and innodb_encryption_rotate_key_age; MySQL 8.4: ALTER INSTANCE ROTATE INNODB MASTER KEY (no per-page versions).",
                SEED,
                "DESIGN §6.11 (wrapping and at-rest keys rotate)",
                "docs/runbook-rotation.md"),
            p -> {
              String age = variableValue(p, "innodb_encryption_rotate_key_age");
              var r =
                  p.installerSql(
                      "SELECT COUNT(*) FROM information_schema.INNODB_TABLESPACES_ENCRYPTION"
                          + " WHERE ENCRYPTION_SCHEME = 1 AND MIN_KEY_VERSION < CURRENT_KEY_VERSION"
                          + " AND KEY_ROTATION_PAGE_NUMBER IS NULL");
              String stale = r.scalar();
              return Outcome.of(
                  !"0".equals(age) && "0".equals(stale),
                  "innodb_encryption_rotate_key_age = "
                      + age
                      + ", no tablespace left behind the current key version",
                  "innodb_encryption_rotate_key_age = "
                      + age
                      + ", "
                      + stale
                      + " tablespaces behind the current key version and not rotating");
            }));
  }

  // ------------------------------------------------------------------ the server's host

  static List<Check> serverHost() {
    return List.of(
        check(
            c(
                "SR-DB-FILE-01",
                "The data directory, binary logs, error log and at-rest key files belong to the server's OS account and are closed to every other account",
                MEASURED_FACT,
                "Read on the server's host (paths from datadir, log_bin_basename, log_error, file_key_management_filename/filekey); not-applicable where the prover cannot read them. The key files and their directory may instead be root's and read-only to the server's own group when no other account is in it (/etc/group, /etc/passwd): the host bundle's file_key_management keys, which the server reads and cannot rewrite. MySQL 8.4: the keyring component's file instead of file_key_management.",
                CIS + "datadir, binary log and key file permissions and ownership",
                STIG + "protect audit and key files from unauthorized access",
                DEVSEC + "mysql data directory owner and mode"),
            ServerFiles::fileModes),
        check(
            c(
                "SR-DB-OS-01",
                "The server does not run as root",
                MEASURED_FACT,
                "Read from pid_file and /proc/<pid>/status on the server's host; not-applicable where the prover cannot read them, and for a root-run server off a host the host bundle provisioned (a development stack runs it as whoever started it).",
                CIS + "MySQL runs as a dedicated least-privileged account",
                STIG + "run the DBMS under a dedicated OS account",
                DEVSEC + "mysqld not running as root"),
            ServerFiles::osAccount));
  }

  // ------------------------------------------------------------------ helpers

  private static final SecureRandom RANDOM = new SecureRandom();

  static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  /** A random UUID with the version nibble 7 (the schema checks the shape only). */
  static String uuidV7Like() {
    return com.github.f4b6a3.uuid.UuidCreator.getTimeOrderedEpoch().toString();
  }

  static String firstLine(String text, String prefix) {
    return text.lines()
        .filter(l -> l.strip().startsWith(prefix))
        .findFirst()
        .orElse(text.lines().findFirst().orElse(""));
  }
}
