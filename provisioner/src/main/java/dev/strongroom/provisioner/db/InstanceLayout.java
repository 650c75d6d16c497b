package dev.strongroom.provisioner.db;

import java.nio.file.Path;

/**
 * Where one instance keeps its files, all under one base directory:
 *
 * <pre>
 * my.cnf           server option file (0600)
 * data/            datadir (0700)
 * run/             mysqld.sock, mysqld.pid
 * logs/            error.log, audit.log (server_audit), mariadbd.out (the child's stdout/stderr)
 * binlog/          binlog.000001 …, binlog.index
 * tmp/             tmpdir
 * secure-files/    secure_file_priv: the only directory the server may read or write files in
 * keyring/         at-rest keyring (MariaDB: keys.enc + filekey; MySQL: component_keyring_file,
 *                  the file {@link #componentKeyringFile()} names, which the component writes)
 * </pre>
 */
public record InstanceLayout(Path base) {
  public InstanceLayout {
    base = base.toAbsolutePath().normalize();
  }

  public Path optionFile() {
    return base.resolve("my.cnf");
  }

  public Path dataDir() {
    return base.resolve("data");
  }

  public Path runDir() {
    return base.resolve("run");
  }

  public Path socket() {
    return runDir().resolve("mysqld.sock");
  }

  public Path pidFile() {
    return runDir().resolve("mysqld.pid");
  }

  public Path logDir() {
    return base.resolve("logs");
  }

  public Path errorLog() {
    return logDir().resolve("error.log");
  }

  public Path auditLog() {
    return logDir().resolve("audit.log");
  }

  public Path processOutput() {
    return logDir().resolve("mariadbd.out");
  }

  public Path binlogDir() {
    return base.resolve("binlog");
  }

  /** The {@code log_bin} base name: files are {@code binlog.NNNNNN}. */
  public Path binlogBase() {
    return binlogDir().resolve("binlog");
  }

  public Path tmpDir() {
    return base.resolve("tmp");
  }

  public Path secureFileDir() {
    return base.resolve("secure-files");
  }

  public Path keyringDir() {
    return base.resolve("keyring");
  }

  /**
   * MySQL 8.4's {@code component_keyring_file} data file: the {@code "path"} its configuration
   * names, in {@link #keyringDir()} (outside the data directory, as the component requires). The
   * component creates it on first use and rewrites it on key creation and rotation, so the
   * directory is the server's.
   */
  public Path componentKeyringFile() {
    return keyringDir().resolve("component_keyring_file");
  }
}
