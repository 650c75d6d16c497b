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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * SR-DB-FILE-01 and SR-DB-OS-01: what the server's files and process look like on its host, read by
 * the prover where it runs beside the server (the paths come from the server's own variables).
 * Where the prover cannot read them (another host, a container) the control is not-applicable and
 * says so; it never passes on what it could not see.
 *
 * <p>The at-rest keys and their directory are closed to every other account in one of two ways: the
 * server's own with nothing for the group (a development stack's, MySQL 8.4's keyring, which the
 * server writes), or root's and read-only to the server through its own group, which holds no other
 * account (the host bundle's {@code file_key_management} keys, {@code 0640 root:<dbUser>} in a
 * {@code 0750} directory: the server reads them and cannot rewrite or replace them). Anything else
 * — a group that may write, any bit for others, a group other than the server's, another account in
 * it — is open.
 */
final class ServerFiles {
  private ServerFiles() {}

  /** The server's OS account as {@code /proc/<pid>/status} shows it (real uid and gid). */
  record Account(long pid, long uid, long gid, String name) {}

  /**
   * The server's primary group as the host's {@code /etc/group} and {@code /etc/passwd} show it:
   * its name and every other account in it (a member in {@code /etc/group}, or an account whose
   * primary group it is).
   */
  record ServerGroup(long gid, String name, List<String> otherAccounts) {}

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
            .filter(l -> l.startsWith("Uid:") || l.startsWith("Gid:") || l.startsWith("Name:"))
            .reduce("", (a, b) -> a + b + "\n");
    p.note("read " + status, uidLine);
    String[] uids =
        uidLine.lines().filter(l -> l.startsWith("Uid:")).findFirst().orElse("Uid:").split("\\s+");
    String[] gids =
        uidLine.lines().filter(l -> l.startsWith("Gid:")).findFirst().orElse("Gid:").split("\\s+");
    if (uids.length < 2 || gids.length < 2) {
      return Optional.empty();
    }
    long uid = Long.parseLong(uids[1]);
    return Optional.of(
        new Account(Long.parseLong(pid), uid, Long.parseLong(gids[1]), userName(uid)));
  }

  /**
   * The server's primary group and who else is in it, from the host's {@code /etc/group} and {@code
   * /etc/passwd}; empty when the prover cannot read them or the group has no entry.
   */
  static Optional<ServerGroup> serverGroup(DbProbe p, Account server) throws IOException {
    Path group = Path.of("/etc/group");
    Path passwd = Path.of("/etc/passwd");
    if (!Files.isReadable(group) || !Files.isReadable(passwd)) {
      return Optional.empty();
    }
    String gid = Long.toString(server.gid());
    Optional<String[]> entry =
        Files.readAllLines(group, StandardCharsets.UTF_8).stream()
            .map(l -> l.split(":", -1))
            .filter(f -> f.length > 3 && f[2].equals(gid))
            .findFirst();
    if (entry.isEmpty()) {
      return Optional.empty();
    }
    TreeSet<String> others = new TreeSet<>();
    for (String m : entry.get()[3].split(",")) {
      if (!m.isBlank() && !m.strip().equals(server.name())) {
        others.add(m.strip());
      }
    }
    for (String l : Files.readAllLines(passwd, StandardCharsets.UTF_8)) {
      String[] f = l.split(":", -1);
      if (f.length > 3 && f[3].equals(gid) && !f[0].equals(server.name())) {
        others.add(f[0]);
      }
    }
    ServerGroup g = new ServerGroup(server.gid(), entry.get()[0], List.copyOf(others));
    p.note(
        "read /etc/group and /etc/passwd for group " + gid,
        g.name() + ", other accounts in it: " + g.otherAccounts());
    return Optional.of(g);
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
    // at-rest keys: the server's account alone, or root's and read-only to the server's own group
    Optional<ServerGroup> group =
        account.isPresent() ? serverGroup(p, account.get()) : Optional.empty();
    String keyFile = DatabaseControls.variableValue(p, "file_key_management_filename");
    String fileKey = DatabaseControls.variableValue(p, "file_key_management_filekey");
    Set<Path> keyDirs = new LinkedHashSet<>();
    List<Path> keys = new ArrayList<>();
    for (String k : List.of(keyFile, fileKey.startsWith("FILE:") ? fileKey.substring(5) : "")) {
      if (!k.isEmpty() && Files.exists(Path.of(k))) {
        if (Path.of(k).getParent() != null) {
          keyDirs.add(Path.of(k).getParent());
        }
        keys.add(Path.of(k));
      }
    }
    int rootReadOnly = 0;
    for (Path k : keyDirs) {
      rootReadOnly += keyMaterial(k, owner, group, seen, wrong);
    }
    for (Path k : keys) {
      rootReadOnly += keyMaterial(k, owner, group, seen, wrong);
    }
    p.note("stat (mode owner path)", String.join("\n", seen));
    String groupName = group.map(ServerGroup::name).orElse("");
    return Outcome.of(
        wrong.isEmpty(),
        seen.size()
            + " paths owned by "
            + ownerName
            + (rootReadOnly == 0
                ? ""
                : " (the at-rest keys' "
                    + rootReadOnly
                    + " root's, read-only to its own group "
                    + groupName
                    + " alone)")
            + ", none open to other accounts",
        "open to another account (owner must be "
            + ownerName
            + ", no bits for others, key files none for the group unless root's and read-only to"
            + " the server's own group, which no other account is in): "
            + wrong);
  }

  /**
   * Records key material's mode and owner (a key file, or the directory it is in): closed when it
   * is the server's with nothing for the group on a file, or ({@link #rootReadOnlyProblem}) root's
   * and read-only to the server's own group. Returns 1 when it passed as root's, else 0.
   */
  private static int keyMaterial(
      Path path, int owner, Optional<ServerGroup> group, List<String> seen, List<String> wrong)
      throws IOException {
    boolean dir = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
    int uid = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    if (uid == owner || uid != 0 || group.isEmpty()) {
      closedToOthers(path, owner, !dir, seen, wrong);
      return 0;
    }
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
    int gid = (Integer) Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    String mode = PosixFilePermissions.toString(perms);
    seen.add(mode + " " + uid + ":" + gid + " " + path);
    Optional<String> problem = rootReadOnlyProblem(perms, gid, dir, group.get());
    problem.ifPresent(why -> wrong.add(path + " " + mode + " uid 0 gid " + gid + ": " + why));
    return problem.isEmpty() ? 1 : 0;
  }

  /**
   * Why root's key material at {@code perms}, group {@code gid}, is not read-only to the server
   * alone; empty when it is: no bit for others, the group may read (and search a directory) but not
   * write, the group is the server's own, and no other account is in it.
   */
  static Optional<String> rootReadOnlyProblem(
      Set<PosixFilePermission> perms, long gid, boolean directory, ServerGroup server) {
    if (perms.contains(PosixFilePermission.OTHERS_READ)
        || perms.contains(PosixFilePermission.OTHERS_WRITE)
        || perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
      return Optional.of("others have bits");
    }
    boolean groupBits =
        perms.contains(PosixFilePermission.GROUP_READ)
            || perms.contains(PosixFilePermission.GROUP_WRITE)
            || perms.contains(PosixFilePermission.GROUP_EXECUTE);
    if (!groupBits) {
      return Optional.empty(); // root's alone: closed to the server too
    }
    if (perms.contains(PosixFilePermission.GROUP_WRITE)) {
      return Optional.of("the group may write");
    }
    if (!directory && perms.contains(PosixFilePermission.GROUP_EXECUTE)) {
      return Optional.of("the group may execute");
    }
    if (gid != server.gid()) {
      return Optional.of("the group is not the server's (" + server.name() + ")");
    }
    if (!server.otherAccounts().isEmpty()) {
      return Optional.of(
          "the server's group " + server.name() + " also holds " + server.otherAccounts());
    }
    return Optional.empty();
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
