package dev.strongroom.backup;

import dev.strongroom.backup.BackupException.Reason;
import dev.strongroom.backup.internal.Piped;
import dev.strongroom.crypto.DataKey;
import dev.strongroom.provisioner.db.MariaDbBinaries;
import dev.strongroom.provisioner.db.MariaDbInstance;
import dev.strongroom.provisioner.db.ServerSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Restores a backup into a fresh hardened instance (the provisioner's {@link MariaDbInstance}: its
 * own at-rest keys, TLS and option file), never over an existing one (docs/backups.md):
 *
 * <ol>
 *   <li>picks the base backup — the one asked for, the newest, or for a point in time the newest
 *       whose dump finished at or before it — and, for a point in time, every later backup, each
 *       following the one before it ({@code previousBackup});
 *   <li>verifies all of them (signature, then every part's SHA-256) before anything is used;
 *   <li>prepares and starts the instance in the target directory with the event scheduler off (a
 *       restored sealer must not chain events the binary logs are about to bring);
 *   <li>loads the dump and the accounts and grants, decrypted through pipes into the client;
 *   <li>for a point in time, replays the binary logs from the dump's coordinates up to it ({@code
 *       mariadb-binlog --stop-datetime}, UTC, whole seconds: events in that second are not
 *       replayed), each file decrypted through a pipe;
 *   <li>counts the rows of every table the manifest lists.
 * </ol>
 */
public final class Restorer {
  private static final Duration TIMEOUT = Duration.ofMinutes(60);
  private static final DateTimeFormatter BINLOG_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private final DbTools tools;
  private final MariaDbBinaries binaries;

  public Restorer(DbTools tools, MariaDbBinaries binaries) {
    this.tools = tools.check();
    this.binaries = binaries;
  }

  /** What to restore: a backup id (empty: the newest), and a point in time (empty: the dump's). */
  public record Request(Optional<String> backupId, Optional<Instant> pointInTime) {}

  /** A restored, running instance; {@link #close()} stops it (its files stay). */
  public static final class Restored implements AutoCloseable {
    private final MariaDbInstance instance;
    private final Manifest base;
    private final List<String> replayed;
    private final Map<String, Long> rows;
    private final Duration took;

    Restored(
        MariaDbInstance instance,
        Manifest base,
        List<String> replayed,
        Map<String, Long> rows,
        Duration took) {
      this.instance = instance;
      this.base = base;
      this.replayed = List.copyOf(replayed);
      this.rows = rows;
      this.took = took;
    }

    public MariaDbInstance instance() {
      return instance;
    }

    /** The backup whose dump was loaded. */
    public Manifest base() {
      return base;
    }

    /** The backups whose binary logs were replayed (empty without a point in time). */
    public List<String> replayedBackups() {
      return replayed;
    }

    /** Rows per {@code schema.table} in the restored instance, for the manifest's tables. */
    public Map<String, Long> rows() {
      return rows;
    }

    public Duration took() {
      return took;
    }

    @Override
    public void close() {
      instance.stop();
    }
  }

  /**
   * Restores into a fresh instance with {@code settings} (its layout's base directory must not
   * exist or be empty).
   */
  public Restored restore(
      BackupStore store, BackupKeys keys, Request request, ServerSettings settings) {
    long t0 = System.nanoTime();
    BackupReader reader = new BackupReader(store, keys);
    List<Manifest> chain = select(reader, request);
    for (Manifest m : chain) {
      reader.verify(m.backupId());
    }
    Path base = settings.layout().base();
    requireFresh(base);
    MariaDbInstance db = MariaDbInstance.prepare(settings, binaries);
    boolean ok = false;
    try {
      db.start();
      db.sql("SET GLOBAL event_scheduler = OFF");
      Path work = BackupWriter.privateDir(base.resolve("restore-work"));
      DbTools.Server server = new DbTools.Server(db.socket(), db.installerUser());
      Manifest first = chain.get(0);
      DataKey key = reader.backupKey(first);
      try {
        // Accounts first (definers of routines, triggers and views); grants when every table and
        // routine they name exists, i.e. just before the dump's final view definitions (a view is
        // checked against its definer's rights when it is created), and once more at the end for
        // a dump without views.
        byte[] grants;
        try (InputStream in = reader.openPart(first, key, BackupWriter.GRANTS_PART)) {
          grants = in.readAllBytes();
        } catch (IOException e) {
          throw new BackupException(
              Reason.PART_UNREADABLE, BackupWriter.GRANTS_PART, "invalid ciphertext", e);
        }
        String accounts =
            new String(grants, java.nio.charset.StandardCharsets.UTF_8)
                .lines()
                .filter(l -> l.startsWith("CREATE USER "))
                .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
        run(accounts.getBytes(java.nio.charset.StandardCharsets.UTF_8), "accounts", server, work);
        load(reader, first, key, BackupWriter.DUMP_PART, grants, server, work);
        run(grants, BackupWriter.GRANTS_PART, server, work);
      } finally {
        key.destroy();
      }
      List<String> replayed = new ArrayList<>();
      if (request.pointInTime().isPresent()) {
        replay(reader, chain, request.pointInTime().get(), server, work);
        chain.forEach(m -> replayed.add(m.backupId()));
      }
      BackupWriter.deleteTree(work);
      Map<String, Long> rows = count(db, first.tables().keySet());
      ok = true;
      return new Restored(db, first, replayed, rows, Duration.ofNanos(System.nanoTime() - t0));
    } finally {
      if (!ok) {
        db.stop();
      }
    }
  }

  private static List<Manifest> select(BackupReader reader, Request request) {
    List<String> ids = reader.completeBackups();
    if (ids.isEmpty()) {
      throw new BackupException(Reason.NO_BACKUP, null, "no complete backup in the store");
    }
    if (request.pointInTime().isEmpty()) {
      String id = request.backupId().orElse(ids.get(ids.size() - 1));
      if (!ids.contains(id)) {
        throw new BackupException(Reason.NO_BACKUP, null, "no complete backup " + id);
      }
      return List.of(reader.manifest(id));
    }
    Instant at = request.pointInTime().get();
    List<Manifest> all = new ArrayList<>();
    for (String id : ids) {
      all.add(reader.manifest(id));
    }
    int baseIndex = -1;
    for (int i = 0; i < all.size(); i++) {
      Manifest m = all.get(i);
      boolean eligible = !m.finishedAt().isAfter(at);
      if (request.backupId().isPresent()) {
        if (m.backupId().equals(request.backupId().get())) {
          if (!eligible) {
            throw new BackupException(
                Reason.NO_BACKUP,
                null,
                "backup " + m.backupId() + " finished after " + at + "; it cannot be rolled back");
          }
          baseIndex = i;
        }
      } else if (eligible) {
        baseIndex = i;
      }
    }
    if (baseIndex < 0) {
      throw new BackupException(Reason.NO_BACKUP, null, "no backup finished at or before " + at);
    }
    List<Manifest> chain = new ArrayList<>(all.subList(baseIndex, all.size()));
    for (int i = 1; i < chain.size(); i++) {
      String expected = chain.get(i - 1).backupId();
      if (!chain.get(i).previousBackup().map(expected::equals).orElse(false)) {
        throw new BackupException(
            Reason.BINLOG_GAP,
            Manifest.FILE,
            "backup "
                + chain.get(i).backupId()
                + " does not continue "
                + expected
                + "; binary logs between them are not in the store");
      }
    }
    return chain;
  }

  private static void requireFresh(Path base) {
    if (Files.exists(base)) {
      try (Stream<Path> s = Files.list(base)) {
        if (s.findAny().isPresent()) {
          throw new BackupException(
              Reason.TARGET_NOT_FRESH,
              null,
              base + " is not empty; a restore only goes into a fresh directory");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private void run(byte[] sql, String what, DbTools.Server server, Path work) {
    List<String> cmd = tools.command(tools.client(), server, "--batch", "--binary-mode");
    Piped.Result r = Piped.run(cmd, Map.of(), stdin -> stdin.write(sql), null, work, TIMEOUT);
    if (!r.ok()) {
      throw new BackupException(
          Reason.TOOL_FAILED, what, "loading it failed: " + r.stderr().strip());
    }
  }

  private void load(
      BackupReader reader,
      Manifest m,
      DataKey key,
      String part,
      byte[] beforeViews,
      DbTools.Server server,
      Path work) {
    List<String> cmd =
        tools.command(
            tools.client(), server, "--batch", "--binary-mode", "--max-allowed-packet=1G");
    Piped.Result r =
        Piped.run(
            cmd,
            Map.of(),
            stdin -> {
              try (InputStream in = reader.openPart(m, key, part)) {
                copyInjecting(in, stdin, beforeViews);
              }
            },
            null,
            work,
            TIMEOUT);
    if (!r.ok()) {
      throw new BackupException(
          Reason.TOOL_FAILED, part, "loading it failed: " + r.stderr().strip());
    }
  }

  private static final byte[] FINAL_VIEWS =
      "-- Final view structure for view ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** Copies a dump, writing {@code inject} once before the first final view definition. */
  static void copyInjecting(InputStream in, OutputStream out, byte[] inject) throws IOException {
    java.io.BufferedInputStream b = new java.io.BufferedInputStream(in, 1 << 16);
    java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(256);
    boolean injected = false;
    for (int c = b.read(); c >= 0; c = b.read()) {
      line.write(c);
      if (c == '\n') {
        byte[] l = line.toByteArray();
        if (!injected
            && l.length >= FINAL_VIEWS.length
            && java.util.Arrays.equals(
                l, 0, FINAL_VIEWS.length, FINAL_VIEWS, 0, FINAL_VIEWS.length)) {
          out.write(inject);
          injected = true;
        }
        out.write(l);
        line.reset();
      }
    }
    line.writeTo(out);
  }

  /**
   * Replays binary logs: the base's own files from the dump's coordinates, then every later
   * backup's files, each piped decrypted into {@code mariadb-binlog -} whose output is piped into
   * one client session, stopping at {@code at}.
   */
  private void replay(
      BackupReader reader, List<Manifest> chain, Instant at, DbTools.Server server, Path work) {
    String stop = BINLOG_TIME.format(at.truncatedTo(ChronoUnit.SECONDS));
    List<String> clientCmd =
        tools.command(
            tools.client(), server, "--batch", "--binary-mode", "--max-allowed-packet=1G");
    Path err = null;
    try {
      err = Files.createTempFile(work, "client-", ".err");
      Process client =
          new ProcessBuilder(clientCmd)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(err.toFile())
              .start();
      try (OutputStream sql = client.getOutputStream()) {
        Manifest base = chain.get(0);
        boolean started = false;
        for (Manifest m : chain) {
          DataKey key = reader.backupKey(m);
          try {
            for (String file : m.binlogFiles()) {
              List<String> args = new ArrayList<>();
              args.add(tools.binlog().toString());
              args.add("--no-defaults");
              if (!started) {
                if (!m.backupId().equals(base.backupId())
                    || !file.equals(base.snapshotBinlogFile())) {
                  continue; // before the dump's coordinates
                }
                args.add("--start-position=" + base.snapshotBinlogPosition());
                started = true;
              }
              args.add("--stop-datetime=" + stop);
              args.add("-");
              String part = BackupWriter.BINLOG_DIR + file + ".gz.enc";
              Piped.Result r =
                  Piped.run(
                      args,
                      Map.of("TZ", "UTC"),
                      stdin -> {
                        try (InputStream in = reader.openPart(m, key, part)) {
                          in.transferTo(stdin);
                        }
                      },
                      stdout -> stdout.transferTo(sql),
                      work,
                      TIMEOUT);
              if (!r.ok()) {
                throw new BackupException(
                    Reason.TOOL_FAILED, part, "mariadb-binlog failed: " + r.stderr().strip());
              }
            }
          } finally {
            key.destroy();
          }
        }
      } catch (IOException e) {
        // the client exited early; its exit code and stderr say why
      }
      if (!client.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        client.destroyForcibly();
        throw new BackupException(Reason.TOOL_FAILED, null, "replaying binary logs timed out");
      }
      if (client.exitValue() != 0) {
        throw new BackupException(
            Reason.TOOL_FAILED,
            null,
            "replaying binary logs failed: " + Files.readString(err).strip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during replay", e);
    } finally {
      if (err != null) {
        try {
          Files.deleteIfExists(err);
        } catch (IOException ignored) {
          // best effort
        }
      }
    }
  }

  /** Rows per table of the restored instance. */
  public static Map<String, Long> count(MariaDbInstance db, Iterable<String> tables) {
    StringBuilder sql = new StringBuilder();
    List<String> names = new ArrayList<>();
    for (String t : tables) {
      String[] st = t.split("\\.", 2);
      if (!sql.isEmpty()) {
        sql.append(" UNION ALL ");
      }
      sql.append("SELECT ")
          .append(names.size())
          .append(", COUNT(*) FROM `")
          .append(st[0])
          .append("`.`")
          .append(st[1])
          .append('`');
      names.add(t);
    }
    Map<String, Long> out = new LinkedHashMap<>();
    if (names.isEmpty()) {
      return out;
    }
    for (List<String> row : db.sql(sql.toString()).rows()) {
      out.put(names.get(Integer.parseInt(row.get(0))), Long.parseLong(row.get(1)));
    }
    return out;
  }
}
