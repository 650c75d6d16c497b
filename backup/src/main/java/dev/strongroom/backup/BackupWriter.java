package dev.strongroom.backup;

import dev.strongroom.backup.BackupException.Reason;
import dev.strongroom.backup.internal.DumpScanner;
import dev.strongroom.backup.internal.PartCipher;
import dev.strongroom.backup.internal.Piped;
import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.SecretKeyAccess;
import dev.strongroom.crypto.kms.WrappedKey;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * Makes one backup of a running instance (docs/backups.md):
 *
 * <ol>
 *   <li>{@code mariadb-dump --single-transaction --master-data=2} of the data, security and audit
 *       schemas (tables, routines, triggers, events, views), read through a pipe: every line is
 *       counted ({@link DumpScanner}), gzip-compressed and encrypted ({@link PartCipher}) on its
 *       way to disk, so no plaintext byte of the dump is ever written;
 *   <li>the accounts and grants of the schemas' identities ({@code SHOW CREATE USER}, {@code SHOW
 *       GRANTS}), the same way;
 *   <li>{@code FLUSH BINARY LOGS}, then every closed binary log not in the previous backup, read
 *       from the server ({@code mariadb-binlog --read-from-remote-server --raw}: the server
 *       decrypts its at-rest encryption) and encrypted under the backup key;
 *   <li>the manifest (SHA-256 of every part, tables' row counts, audit size and head), signed;
 *   <li>every file created once in the store under {@code backups/<id>/}, the signature last.
 * </ol>
 */
public final class BackupWriter {
  public static final String DUMP_PART = "dump.sql.gz.enc";
  public static final String GRANTS_PART = "grants.sql.gz.enc";
  public static final String BINLOG_DIR = "binlog/";
  private static final DateTimeFormatter ID =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final Duration TIMEOUT = Duration.ofMinutes(30);
  private static final Pattern BINLOG_NAME = Pattern.compile("^(.+)\\.(\\d{6,})$");

  private final DbTools tools;
  private final List<String> schemas;
  private final String auditSchema;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /**
   * @param schemas the schemas to dump (data, security, audit)
   * @param auditSchema the one of them holding {@code audit_chain}
   */
  public BackupWriter(DbTools tools, List<String> schemas, String auditSchema, Clock clock) {
    this.tools = tools.check();
    this.schemas = List.copyOf(schemas);
    this.auditSchema = auditSchema;
    this.clock = clock;
  }

  /** The outcome: the manifest and where it was stored. */
  public record Result(Manifest manifest, String directory, long storedBytes, Duration took) {}

  /**
   * Backs up {@code server} into {@code store}, using {@code work} (created 0700, removed
   * afterwards) for the encrypted parts before they are stored.
   */
  public Result backup(DbTools.Server server, BackupKeys keys, BackupStore store, Path work) {
    long t0 = System.nanoTime();
    Optional<Manifest> previous = new BackupReader(store, keys).latestVerified();
    Instant started = clock.instant();
    String id = ID.format(started);
    if (store.exists(BackupStore.PREFIX + id + "/" + Manifest.FILE)) {
      throw new BackupException(Reason.STORE_FAILED, null, "backup " + id + " exists already");
    }
    Path staging = privateDir(work.resolve(id));
    DataKey backupKey = DataKey.generate("backup-" + id, random);
    try {
      WrappedKey wrapped = keys.kms().wrap(backupKey, BackupKeys.wrapContext(id));
      byte[] key = backupKey.useKeyBytes(SecretKeyAccess.insecure(), byte[]::clone);
      List<Manifest.Part> parts = new ArrayList<>();
      DumpScanner scan = new DumpScanner(auditSchema);
      parts.add(dump(server, scan, key, staging));
      Instant finished = clock.instant();
      if (scan.binlogFile() == null) {
        throw new BackupException(
            Reason.TOOL_FAILED, DUMP_PART, "the dump carries no binary log coordinates");
      }
      parts.add(grants(server, key, staging));
      List<String> files = binlogs(server, previous, scan.binlogFile(), key, staging, parts);
      var chain = scan.chain();
      if (!chain.isEmpty() && (chain.firstKey() != 1 || chain.lastKey() != chain.size())) {
        throw new BackupException(
            Reason.TOOL_FAILED, DUMP_PART, "the dumped audit chain is not gapless from seq 1");
      }
      Manifest m =
          new Manifest(
              id,
              started,
              finished,
              "mariadb-dump --single-transaction --master-data=2",
              schemas,
              scan.binlogFile(),
              scan.binlogPosition(),
              files,
              previous.map(Manifest::backupId),
              wrapped.keyName(),
              wrapped.keyVersion(),
              wrapped.bytes(),
              parts,
              scan.rows(),
              chain.size(),
              chain.isEmpty() ? Optional.empty() : Optional.of(chain.lastEntry().getValue()),
              chain.isEmpty() ? Optional.empty() : Optional.of(AuditLogRoot.of(chain.values())));
      java.util.Arrays.fill(key, (byte) 0);
      byte[] manifest = m.toJson();
      Files.write(staging.resolve(Manifest.FILE), manifest);
      Files.writeString(staging.resolve(Manifest.SIGNATURE_FILE), keys.sign(manifest));
      String dir = BackupStore.PREFIX + id + "/";
      long bytes = 0;
      for (Manifest.Part p : parts) {
        store.create(dir + p.name(), staging.resolve(p.name()));
        bytes += p.bytes();
      }
      store.create(dir + Manifest.FILE, staging.resolve(Manifest.FILE));
      store.create(dir + Manifest.SIGNATURE_FILE, staging.resolve(Manifest.SIGNATURE_FILE));
      bytes += manifest.length;
      return new Result(m, dir, bytes, Duration.ofNanos(System.nanoTime() - t0));
    } catch (IOException e) {
      throw new BackupException(Reason.STORE_FAILED, null, e.getMessage(), e);
    } finally {
      backupKey.destroy();
      deleteTree(staging);
    }
  }

  private Manifest.Part dump(DbTools.Server server, DumpScanner scan, byte[] key, Path staging)
      throws IOException {
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "--single-transaction",
            "--master-data=2",
            "--routines",
            "--triggers",
            "--events",
            "--hex-blob",
            "--skip-extended-insert",
            "--no-autocommit",
            "--skip-dump-date",
            "--default-character-set=utf8mb4",
            "--databases"));
    args.addAll(schemas);
    return encryptedPart(
        tools.command(tools.dump(), server, args.toArray(String[]::new)),
        DUMP_PART,
        "dump",
        key,
        staging,
        scan);
  }

  private Manifest.Part grants(DbTools.Server server, byte[] key, Path staging) throws IOException {
    // The accounts that own or use the schemas: every account but the installer and the
    // distribution's own.
    var client = new dev.strongroom.provisioner.db.MariaDbClient(tools.client());
    var conn = server.login();
    var r =
        client.execute(
            conn,
            "SELECT CONCAT(QUOTE(User), '@', QUOTE(Host)) FROM mysql.global_priv"
                + " WHERE User NOT IN ('root', 'mariadb.sys', 'PUBLIC', '')"
                + " AND User <> "
                + quote(server.installerUser())
                + " ORDER BY User, Host");
    if (!r.ok()) {
      throw new BackupException(
          Reason.TOOL_FAILED, GRANTS_PART, "cannot list accounts: " + r.stderr().strip());
    }
    StringBuilder sql = new StringBuilder();
    for (String account : r.stdout().strip().split("\n")) {
      if (!account.isBlank()) {
        sql.append("SHOW CREATE USER ").append(account).append(";\n");
        sql.append("SHOW GRANTS FOR ").append(account).append(";\n");
      }
    }
    List<String> cmd =
        tools.command(tools.client(), server, "--batch", "--skip-column-names", "--raw");
    byte[] script = sql.toString().getBytes(StandardCharsets.UTF_8);
    Path file = staging.resolve(GRANTS_PART);
    MessageDigest sha = sha256();
    try (OutputStream enc = encryptingFile(file, sha, key, GRANTS_PART)) {
      Piped.Result res =
          Piped.run(
              cmd,
              Map.of(),
              in -> in.write(script),
              out -> {
                BufferedReader br =
                    new BufferedReader(new InputStreamReader(out, StandardCharsets.UTF_8));
                for (String line = br.readLine(); line != null; line = br.readLine()) {
                  String stmt =
                      line.startsWith("CREATE USER ")
                          ? "CREATE USER IF NOT EXISTS " + line.substring("CREATE USER ".length())
                          : line;
                  enc.write((stmt + ";\n").getBytes(StandardCharsets.UTF_8));
                }
              },
              staging,
              TIMEOUT);
      if (!res.ok()) {
        throw new BackupException(
            Reason.TOOL_FAILED, GRANTS_PART, "SHOW GRANTS failed: " + res.stderr().strip());
      }
    }
    return new Manifest.Part(
        GRANTS_PART, "grants", HexFormat.of().formatHex(sha.digest()), Files.size(file));
  }

  /**
   * Closes the current binary log and stores the closed ones this backup is the first to carry:
   * after the previous backup's last file, or all of them for a first backup. A missing successor
   * of the previous backup's last file is a gap ({@code BINLOG_GAP}), never skipped over.
   */
  private List<String> binlogs(
      DbTools.Server server,
      Optional<Manifest> previous,
      String snapshotFile,
      byte[] key,
      Path staging,
      List<Manifest.Part> parts)
      throws IOException {
    var client = new dev.strongroom.provisioner.db.MariaDbClient(tools.client());
    var conn = server.login();
    var flushed = client.execute(conn, "FLUSH BINARY LOGS; SHOW BINARY LOGS");
    if (!flushed.ok()) {
      throw new BackupException(
          Reason.TOOL_FAILED, null, "FLUSH BINARY LOGS failed: " + flushed.stderr().strip());
    }
    List<String> all = new ArrayList<>();
    for (List<String> row : flushed.rows()) {
      all.add(row.get(0));
    }
    List<String> closed = all.subList(0, all.size() - 1); // the last one is the new, open file
    List<String> take = new ArrayList<>();
    if (previous.isPresent() && !previous.get().binlogFiles().isEmpty()) {
      List<String> prevFiles = previous.get().binlogFiles();
      long expected = number(prevFiles.get(prevFiles.size() - 1)) + 1;
      for (String f : closed) {
        if (number(f) >= expected) {
          take.add(f);
        }
      }
      if (take.isEmpty() || number(take.get(0)) != expected) {
        throw new BackupException(
            Reason.BINLOG_GAP,
            null,
            "the binary log after "
                + prevFiles.get(prevFiles.size() - 1)
                + " (backup "
                + previous.get().backupId()
                + ") is no longer on the server; the history between the two backups cannot be"
                + " replayed");
      }
    } else {
      take.addAll(closed);
    }
    if (!take.contains(snapshotFile)) {
      throw new BackupException(
          Reason.BINLOG_GAP,
          null,
          "the dump's binary log " + snapshotFile + " is not among the files to keep " + take);
    }
    Path raw = privateDir(staging.resolve("raw"));
    try {
      List<String> cmd =
          new ArrayList<>(
              tools.command(
                  tools.binlog(),
                  server,
                  "--read-from-remote-server",
                  "--raw",
                  "--result-file=" + raw + "/"));
      cmd.addAll(take);
      Piped.Result res = Piped.run(cmd, Map.of(), null, null, staging, TIMEOUT);
      if (!res.ok()) {
        throw new BackupException(
            Reason.TOOL_FAILED, null, "mariadb-binlog failed: " + res.stderr().strip());
      }
      for (String f : take) {
        String name = BINLOG_DIR + f + ".gz.enc";
        Path src = raw.resolve(f);
        Path dst = staging.resolve(name);
        Files.createDirectories(dst.getParent());
        MessageDigest sha = sha256();
        try (OutputStream enc = encryptingFile(dst, sha, key, name);
            InputStream in = Files.newInputStream(src)) {
          in.transferTo(enc);
        }
        Files.delete(src); // the decrypted copy lives only as long as its encryption
        parts.add(
            new Manifest.Part(
                name, "binlog", HexFormat.of().formatHex(sha.digest()), Files.size(dst)));
      }
    } finally {
      deleteTree(raw);
    }
    return take;
  }

  private Manifest.Part encryptedPart(
      List<String> cmd, String name, String kind, byte[] key, Path staging, DumpScanner scan)
      throws IOException {
    Path file = staging.resolve(name);
    MessageDigest sha = sha256();
    Piped.Result res;
    try (OutputStream enc = encryptingFile(file, sha, key, name)) {
      res =
          Piped.run(
              cmd,
              Map.of(),
              null,
              out -> {
                // ISO-8859-1 maps bytes 1:1 to chars: the lines are scanned, the bytes kept.
                BufferedReader br =
                    new BufferedReader(
                        new InputStreamReader(out, StandardCharsets.ISO_8859_1), 1 << 16);
                for (String line = br.readLine(); line != null; line = br.readLine()) {
                  scan.line(line);
                  enc.write(line.getBytes(StandardCharsets.ISO_8859_1));
                  enc.write('\n');
                }
              },
              staging,
              TIMEOUT);
    }
    if (!res.ok()) {
      throw new BackupException(
          Reason.TOOL_FAILED, name, "mariadb-dump failed: " + res.stderr().strip());
    }
    return new Manifest.Part(name, kind, HexFormat.of().formatHex(sha.digest()), Files.size(file));
  }

  private OutputStream encryptingFile(Path file, MessageDigest sha, byte[] key, String name)
      throws IOException {
    OutputStream raw =
        new DigestOutputStream(
            new BufferedOutputStream(
                Files.newOutputStream(file, java.nio.file.StandardOpenOption.CREATE_NEW), 1 << 16),
            sha);
    return new GZIPOutputStream(PartCipher.encrypting(raw, key, name, random), 1 << 16);
  }

  static long number(String binlogFile) {
    Matcher m = BINLOG_NAME.matcher(binlogFile);
    if (!m.matches()) {
      throw new BackupException(Reason.TOOL_FAILED, null, "unexpected binlog name " + binlogFile);
    }
    return Long.parseLong(m.group(2));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String quote(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "''") + "'";
  }

  static Path privateDir(Path dir) {
    try {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (var walk = Files.walk(root)) {
      walk.sorted(java.util.Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException ignored) {
                  // best effort
                }
              });
    } catch (IOException ignored) {
      // best effort
    }
  }
}
