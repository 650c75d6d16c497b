package dev.strongroom.proof.db;

import dev.strongroom.proof.check.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * SR-DB-FILE-01 and SR-DB-OS-01: what the server's files and process look like on its host, read by
 * the prover where it runs beside the server (the paths come from the server's own variables).
 * Where the prover cannot read them (another host, a container) the control is not-applicable and
 * says so; it never passes on what it could not see.
 */
final class ServerFiles {
  private ServerFiles() {}

  /** The server's OS account as {@code /proc/<pid>/status} shows it. */
  record Account(long pid, long uid, String name) {}

  /**
   * The account the server process runs as: {@code pid_file}'s pid, {@code /proc/<pid>/status}'s
   * real uid, the name from {@code /etc/passwd}. Empty when the prover cannot read them.
   */
  static Optional<Account> serverAccount(DbProbe p) throws IOException {
    String pidFile = DatabaseControls.variableValue(p, "pid_file");
    if (pidFile.isEmpty() || !Files.isReadable(Path.of(pidFile))) {
      p.note("read pid_file " + pidFile, "not readable by the prover");
      return Optional.empty();
    }
    String pid = Files.readString(Path.of(pidFile), StandardCharsets.US_ASCII).strip();
    Path status = Path.of("/proc", pid, "status");
    if (!pid.matches("[0-9]+") || !Files.isReadable(status)) {
      p.note("read " + status, "not readable by the prover (pid file says '" + pid + "')");
      return Optional.empty();
    }
    String uidLine =
        Files.readAllLines(status, StandardCharsets.US_ASCII).stream()
            .filter(l -> l.startsWith("Uid:") || l.startsWith("Name:"))
            .reduce("", (a, b) -> a + b + "\n");
    p.note("read " + status, uidLine);
    String[] uids =
        uidLine.lines().filter(l -> l.startsWith("Uid:")).findFirst().orElse("Uid:").split("\\s+");
    if (uids.length < 2) {
      return Optional.empty();
    }
    long uid = Long.parseLong(uids[1]);
    return Optional.of(new Account(Long.parseLong(pid), uid, userName(uid)));
  }

  private static String userName(long uid) throws IOException {
    Path passwd = Path.of("/etc/passwd");
    if (!Files.isReadable(passwd)) {
      return "uid " + uid;
    }
    for (String l : Files.readAllLines(passwd, StandardCharsets.UTF_8)) {
      String[] f = l.split(":", -1);
      if (f.length > 2 && f[2].equals(Long.toString(uid))) {
        return f[0];
      }
    }
    return "uid " + uid;
  }

  /** SR-DB-OS-01. */
  static Outcome osAccount(DbProbe p) throws IOException {
    Optional<Account> a = serverAccount(p);
    if (a.isEmpty()) {
      return Outcome.notApplicable(
          "the prover cannot read the server's process on this host (pid_file, /proc)");
    }
    Account acc = a.get();
    String seen =
        "mariadbd (pid " + acc.pid() + ") runs as " + acc.name() + " (uid " + acc.uid() + ")";
    if (acc.uid() != 0) {
      return Outcome.pass(seen);
    }
    if (!p.context().host().hardenedVm()) {
      return Outcome.notApplicable(
          seen
              + ": a development stack runs the server as the user who started it; on a host the"
              + " host-hardening bundle provisioned this fails");
    }
    return Outcome.fail(seen);
  }

  /** SR-DB-FILE-01. */
  static Outcome fileModes(DbProbe p) throws IOException {
    if (p.db().dataDir().isEmpty()) {
      return Outcome.notApplicable("the target names no data directory (db.dataDir)");
    }
    Path dataDir = p.db().dataDir().get();
    if (!Files.isReadable(dataDir)) {
      return Outcome.notApplicable(
          "the data directory " + dataDir + " is not readable by the prover");
    }
    Optional<Account> account = serverAccount(p);
    int owner =
        account.isPresent()
            ? (int) account.get().uid()
            : (Integer) Files.getAttribute(dataDir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    String ownerName =
        account.map(Account::name).orElse("uid " + owner + " (the data directory's owner)");
    List<String> wrong = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    // directories and logs: nobody but the server's account (and its group) may enter or read
    closedToOthers(dataDir, owner, false, seen, wrong);
    String binlogBase = DatabaseControls.variableValue(p, "log_bin_basename");
    if (!binlogBase.isEmpty()) {
      Path dir = Path.of(binlogBase).getParent();
      if (dir != null && Files.isDirectory(dir)) {
        closedToOthers(dir, owner, false, seen, wrong);
        try (Stream<Path> s = Files.list(dir)) {
          for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
            closedToOthers(f, owner, false, seen, wrong);
          }
        }
      }
    }
    String errorLog = DatabaseControls.variableValue(p, "log_error");
    if (!errorLog.isEmpty() && Path.of(errorLog).isAbsolute() && Files.exists(Path.of(errorLog))) {
      closedToOthers(Path.of(errorLog), owner, false, seen, wrong);
    }
    // at-rest keys: the server's account alone
    String keyFile = DatabaseControls.variableValue(p, "file_key_management_filename");
    String fileKey = DatabaseControls.variableValue(p, "file_key_management_filekey");
    for (String k : List.of(keyFile, fileKey.startsWith("FILE:") ? fileKey.substring(5) : "")) {
      if (!k.isEmpty() && Files.exists(Path.of(k))) {
        Path dir = Path.of(k).getParent();
        if (dir != null) {
          closedToOthers(dir, owner, false, seen, wrong);
        }
        closedToOthers(Path.of(k), owner, true, seen, wrong);
      }
    }
    p.note("stat (mode owner path)", String.join("\n", seen));
    return Outcome.of(
        wrong.isEmpty(),
        seen.size() + " paths owned by " + ownerName + ", none open to other accounts",
        "open to another account (owner must be "
            + ownerName
            + ", no bits for others, key files none for the group): "
            + wrong);
  }

  /**
   * Records {@code path}'s mode and owner; it is wrong when another account owns it, when others
   * have any bit, or ({@code ownerOnly}: key material) when the group has any bit.
   */
  private static void closedToOthers(
      Path path, int owner, boolean ownerOnly, List<String> seen, List<String> wrong)
      throws IOException {
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
    int uid = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    String mode = PosixFilePermissions.toString(perms);
    seen.add(mode + " " + uid + " " + path);
    boolean others =
        perms.contains(PosixFilePermission.OTHERS_READ)
            || perms.contains(PosixFilePermission.OTHERS_WRITE)
            || perms.contains(PosixFilePermission.OTHERS_EXECUTE);
    boolean group =
        perms.contains(PosixFilePermission.GROUP_READ)
            || perms.contains(PosixFilePermission.GROUP_WRITE)
            || perms.contains(PosixFilePermission.GROUP_EXECUTE);
    if (uid != owner || others || (ownerOnly && group)) {
      wrong.add(path + " " + mode + " uid " + uid);
    }
  }
}
