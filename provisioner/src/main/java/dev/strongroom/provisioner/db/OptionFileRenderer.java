package dev.strongroom.provisioner.db;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders the hardened server configuration for a {@link Dialect}. Pure function of {@link
 * ServerSettings}: same settings, same bytes (golden files pin the output).
 *
 * <p>What every rendering enforces, and the MariaDB 10.11 / MySQL 8.4 spelling of each line, is
 * tabulated in {@code docs/database-instance.md}. In short: loopback only on its own port and
 * socket; TLS 1.3 only with {@value ServerSettings#TLS13_SUITES}, {@code require_secure_transport},
 * a CRL; {@code local_infile} off, name resolution off, strict SQL mode, a dedicated {@code
 * secure_file_priv}, InnoDB only; error log to a file, binary log on; connection limits; an audit
 * log of connections and DDL (MariaDB {@code server_audit}, loaded {@code FORCE_PLUS_PERMANENT});
 * and encryption at rest of tablespaces, redo/undo, temporary data and binary logs with a file
 * keyring.
 */
public final class OptionFileRenderer {
  private OptionFileRenderer() {}

  public static RenderedConfig render(ServerSettings s) {
    if (s.port() == 0) {
      throw new IllegalArgumentException(
          "choose a port before rendering (port 0 is a placeholder)");
    }
    return switch (s.dialect()) {
      case MARIADB_10_11 -> new RenderedConfig(s.dialect(), mariadb(s), List.of());
      case MYSQL_8_4 -> mysql(s);
    };
  }

  /** Path of the MariaDB key file inside the instance's keyring directory. */
  static String mariaDbKeyFile(ServerSettings s) {
    return s.layout().keyringDir().resolve("keys.enc").toString();
  }

  private static String mariadb(ServerSettings s) {
    InstanceLayout l = s.layout();
    Lines o = new Lines();
    o.comment(
        "Strongroom database server, MariaDB 10.11. Rendered by OptionFileRenderer; do not edit.");
    o.raw("[mysqld]");
    o.section(
        "Identity, files, network: own port and socket; loopback unless a private container network");
    s.osUser().ifPresent(u -> o.kv("user", u));
    o.kv("datadir", l.dataDir());
    o.kv("tmpdir", l.tmpDir());
    o.kv("socket", l.socket());
    o.kv("pid_file", l.pidFile());
    o.kv("bind_address", s.bindAddress());
    o.kv("port", s.port());
    o.section("Transport: TLS 1.3 only, two suites, every TCP login over TLS, CRL checked");
    o.kv("require_secure_transport", "ON");
    o.kv("tls_version", "TLSv1.3");
    o.comment("MariaDB takes TLS 1.3 suites in ssl_cipher; it has no separate suites variable.");
    o.kv("ssl_cipher", ServerSettings.TLS13_SUITES);
    tls(o, s);
    o.section("Attack surface");
    o.kv("local_infile", "OFF");
    o.kv("skip_name_resolve", "ON");
    o.kv("symbolic_links", "OFF");
    o.kv("secure_file_priv", l.secureFileDir());
    o.kv("secure_timestamp", "REPLICATION");
    o.kv("sql_mode", ServerSettings.SQL_MODE);
    o.comment(
        "InnoDB only: user tables can never land in Aria/MyISAM, which are not all encrypted.");
    o.kv("default_storage_engine", "InnoDB");
    o.kv("enforce_storage_engine", "InnoDB");
    o.kv("max_connections", s.maxConnections());
    o.kv("max_user_connections", s.maxUserConnections());
    o.kv("max_connect_errors", s.maxConnectErrors());
    o.section("Logs: errors to a file, binary log on, no general or slow query log");
    o.kv("log_error", l.errorLog());
    o.kv("general_log", "OFF");
    o.kv("slow_query_log", "OFF");
    o.kv("log_bin", l.binlogBase());
    o.kv("server_id", s.serverId());
    o.kv("binlog_format", "ROW");
    o.kv("sync_binlog", 1);
    transactions(o);
    o.section("Audit: connections and DDL, cannot be unloaded at runtime");
    o.kv("plugin_load_add", "server_audit");
    o.kv("server_audit", "FORCE_PLUS_PERMANENT");
    o.kv("server_audit_logging", "ON");
    o.kv("server_audit_events", "CONNECT,QUERY_DDL");
    o.kv("server_audit_output_type", "file");
    o.kv("server_audit_file_path", l.auditLog());
    if (s.vault().isPresent()) {
      VaultKeyManagement v = s.vault().get();
      o.section(
          "Encryption at rest: keys from HashiCorp Vault (KV v2), versioned, rotated in background");
      o.kv("plugin_load_add", "hashicorp_key_management");
      o.kv("hashicorp_key_management", "FORCE_PLUS_PERMANENT");
      o.kv("hashicorp_key_management_vault_url", v.url());
      if (v.tokenFileIfGiven().isPresent()) {
        // the token stays in the operator's file: the server reads it through this include
        o.raw("!include " + v.tokenFileIfGiven().get());
        o.raw("[mysqld]");
      } else {
        o.kv("hashicorp_key_management_token", v.token());
      }
      v.ca().ifPresent(ca -> o.kv("hashicorp_key_management_vault_ca", ca));
      o.kv("hashicorp_key_management_cache_version_timeout", v.cacheVersionTimeoutMs());
      o.kv("innodb_encryption_rotate_key_age", 1);
    } else {
      o.section("Encryption at rest: file_key_management with an encrypted key file");
      o.kv("plugin_load_add", "file_key_management");
      o.kv("file_key_management", "FORCE_PLUS_PERMANENT");
      o.kv("file_key_management_filename", mariaDbKeyFile(s));
      o.kv("file_key_management_filekey", "FILE:" + l.keyringDir().resolve("filekey"));
      o.kv("file_key_management_encryption_algorithm", "AES_CTR");
    }
    o.kv("innodb_encrypt_tables", "FORCE");
    o.kv("innodb_encrypt_log", "ON");
    o.kv("innodb_encrypt_temporary_tables", "ON");
    o.kv("innodb_encryption_threads", s.encryptionThreads());
    o.kv("encrypt_tmp_files", "ON");
    o.kv("encrypt_tmp_disk_tables", "ON");
    o.kv("encrypt_binlog", "ON");
    o.kv("aria_encrypt_tables", "ON");
    o.section("Resources");
    o.kv("innodb_buffer_pool_size", s.bufferPoolMb() + "M");
    o.kv("innodb_log_file_size", s.redoLogMb() + "M");
    o.kv("performance_schema", "OFF");
    return o.toString();
  }

  private static RenderedConfig mysql(ServerSettings s) {
    InstanceLayout l = s.layout();
    Lines o = new Lines();
    o.comment(
        "Strongroom database server, MySQL 8.4 LTS. Rendered by OptionFileRenderer; do not edit.");
    o.raw("[mysqld]");
    o.section(
        "Identity, files, network: own port and socket; loopback unless a private container network");
    s.osUser().ifPresent(u -> o.kv("user", u));
    o.kv("datadir", l.dataDir());
    o.kv("tmpdir", l.tmpDir());
    o.kv("socket", l.socket());
    o.kv("pid_file", l.pidFile());
    o.kv("bind_address", s.bindAddress());
    o.kv("port", s.port());
    o.comment("The X Protocol listener (33060) would be a second, unconfigured door.");
    o.kv("mysqlx", "OFF");
    o.section("Transport: TLS 1.3 only, two suites, every TCP login over TLS, CRL checked");
    o.kv("require_secure_transport", "ON");
    o.kv("tls_version", "TLSv1.3");
    o.kv("tls_ciphersuites", ServerSettings.TLS13_SUITES);
    tls(o, s);
    o.section("Attack surface");
    o.kv("local_infile", "OFF");
    o.kv("skip_name_resolve", "ON");
    o.comment(
        "Symbolic links: off by default since 8.0.2 and the option is deprecated; not rendered.");
    o.kv("secure_file_priv", l.secureFileDir());
    o.kv("sql_mode", ServerSettings.SQL_MODE);
    o.comment("SET PERSIST must not be able to override this file at the next start.");
    o.kv("persisted_globals_load", "OFF");
    o.comment(
        "The installer (root) authenticates over the local socket only (ALTER USER … IDENTIFIED WITH auth_socket).");
    o.kv("plugin_load_add", "auth_socket.so");
    o.comment("InnoDB only: MyISAM and friends cannot be used for new tables.");
    o.kv("default_storage_engine", "InnoDB");
    o.kv("disabled_storage_engines", "MyISAM,MRG_MYISAM,BLACKHOLE,FEDERATED,ARCHIVE,MEMORY,CSV");
    o.kv("max_connections", s.maxConnections());
    o.kv("max_user_connections", s.maxUserConnections());
    o.kv("max_connect_errors", s.maxConnectErrors());
    o.section("Logs: errors to a file, binary log on, no general or slow query log");
    o.kv("log_error", l.errorLog());
    o.comment("Verbosity 3 writes failed logins and aborted connections to the error log.");
    o.kv("log_error_verbosity", 3);
    o.kv("general_log", "OFF");
    o.kv("slow_query_log", "OFF");
    o.kv("log_bin", l.binlogBase());
    o.kv("server_id", s.serverId());
    o.kv("sync_binlog", 1);
    transactions(o);
    o.section("Audit");
    o.comment("MySQL 8.4 community ships no audit log plugin (audit_log is Enterprise-only) and");
    o.comment(
        "server_audit does not load into MySQL 8.4. Gap, compensated by log_error_verbosity=3,");
    o.comment("the binary log and the audit schema's triggers; see docs/database-instance.md.");
    o.section("Encryption at rest: component_keyring_file (manifest + config rendered alongside)");
    o.kv("default_table_encryption", "ON");
    o.kv("table_encryption_privilege_check", "ON");
    o.kv("innodb_redo_log_encrypt", "ON");
    o.kv("innodb_undo_log_encrypt", "ON");
    o.kv("innodb_temp_tablespace_encrypt", "ON");
    o.kv("binlog_encryption", "ON");
    o.comment(
        "The mysql system tablespace needs ALTER TABLESPACE mysql ENCRYPTION='Y' once after init.");
    o.section("Resources");
    o.kv("innodb_buffer_pool_size", s.bufferPoolMb() + "M");
    o.kv("innodb_redo_log_capacity", s.redoLogMb() + "M");
    o.kv("performance_schema", "OFF");

    List<RenderedConfig.Companion> companions = new ArrayList<>();
    companions.add(
        new RenderedConfig.Companion(
            "global-manifest",
            null,
            "mysqld.my in the directory of the mysqld binary (delegates to the datadir)",
            "{\n  \"read_local_manifest\": true\n}\n"));
    companions.add(
        new RenderedConfig.Companion(
            "local-manifest",
            l.dataDir().resolve("mysqld.my"),
            "mysqld.my in the datadir",
            keyringComponentManifest()));
    companions.add(
        new RenderedConfig.Companion(
            "global-keyring-config",
            null,
            "component_keyring_file.cnf in the server's plugin_dir (delegates to the datadir)",
            "{\n  \"read_local_config\": true\n}\n"));
    companions.add(
        new RenderedConfig.Companion(
            "local-keyring-config",
            l.dataDir().resolve("component_keyring_file.cnf"),
            "component_keyring_file.cnf in the datadir",
            keyringComponentConfig(l.componentKeyringFile())));
    return new RenderedConfig(s.dialect(), o.toString(), companions);
  }

  /**
   * The name of MySQL's component manifest: the global one in the directory of the {@code mysqld}
   * binary, a local one in the data directory (MySQL 8.4 Reference Manual, 8.4.4.2 "Keyring
   * Component Installation").
   */
  public static final String KEYRING_MANIFEST_NAME = "mysqld.my";

  /**
   * The name of {@code component_keyring_file}'s configuration: the global one in the server's
   * {@code plugin_dir}, a local one in the data directory (MySQL 8.4 Reference Manual, 8.4.4.4
   * "Using the component_keyring_file File-Based Keyring Component").
   */
  public static final String KEYRING_CONFIG_NAME = "component_keyring_file.cnf";

  /**
   * A {@value #KEYRING_MANIFEST_NAME} that loads {@code component_keyring_file}: {@code
   * {"components": "file://component_keyring_file"}}. The embedded instance's local manifest and
   * the host bundle's global one are this text.
   */
  public static String keyringComponentManifest() {
    return "{\n  \"components\": \"file://component_keyring_file\"\n}\n";
  }

  /**
   * A {@value #KEYRING_CONFIG_NAME} that keeps the keys, read and written, in {@code keyringFile}
   * ({@link InstanceLayout#componentKeyringFile()}): {@code {"path": "<keyringFile>", "read_only":
   * false}}, both members mandatory. The path is written as a JSON string verbatim, so a path that
   * would need escaping (a quote, a backslash, a control character) is refused.
   */
  public static String keyringComponentConfig(Path keyringFile) {
    String p = keyringFile.toString();
    if (!keyringFile.isAbsolute() || !p.chars().allMatch(c -> c >= 0x20 && c != '"' && c != '\\')) {
      throw new IllegalArgumentException(
          "keyring file must be an absolute path without quotes, backslashes or control"
              + " characters: "
              + p);
    }
    return "{\n  \"path\": \"" + p + "\",\n  \"read_only\": false\n}\n";
  }

  /** The same lines in both dialects. */
  private static void transactions(Lines o) {
    o.section(
        "Transactions: READ COMMITTED, so the API's reads of the tenant binding take no gap locks and");
    o.comment(
        "calls inside multi-statement transactions cannot deadlock on it; the event scheduler seals the audit");
    o.comment("chain after a restart too (docs/audit-chain.md).");
    o.kv("transaction_isolation", "READ-COMMITTED");
    o.kv("event_scheduler", "ON");
  }

  private static void tls(Lines o, ServerSettings s) {
    o.kv("ssl_ca", s.tls().ca());
    o.kv("ssl_cert", s.tls().cert());
    o.kv("ssl_key", s.tls().key());
    o.kv("ssl_crl", s.tls().crl());
  }

  /** Option-file text builder: {@code name=value} lines, comments, blank line between sections. */
  private static final class Lines {
    private final StringBuilder sb = new StringBuilder();

    void raw(String line) {
      sb.append(line).append('\n');
    }

    void comment(String text) {
      sb.append("# ").append(text).append('\n');
    }

    void section(String title) {
      sb.append('\n').append("# --- ").append(title).append('\n');
    }

    void kv(String name, Object value) {
      if (value == null) {
        sb.append(name).append("=\n");
        return;
      }
      String v = value.toString();
      if (v.contains("\n") || v.contains("#") || v.contains("\"")) {
        throw new IllegalArgumentException("option " + name + " value not renderable: " + v);
      }
      sb.append(name).append('=').append(v).append('\n');
    }

    @Override
    public String toString() {
      return sb.toString();
    }
  }
}
