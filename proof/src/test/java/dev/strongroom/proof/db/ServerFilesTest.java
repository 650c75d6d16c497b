package dev.strongroom.proof.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * SR-DB-FILE-01's rule for root's key material: read-only to the server's own group, which holds no
 * other account, is closed; every way to open it is named.
 */
class ServerFilesTest {
  private static final ServerFiles.ServerGroup DB =
      new ServerFiles.ServerGroup(997, "strongroom-db", List.of());

  private static Optional<String> problem(String mode, long gid, boolean dir) {
    return problem(mode, gid, dir, DB);
  }

  private static Optional<String> problem(
      String mode, long gid, boolean dir, ServerFiles.ServerGroup group) {
    return ServerFiles.rootReadOnlyProblem(PosixFilePermissions.fromString(mode), gid, dir, group);
  }

  @Test
  void hostBundleLayout_keyFileAndDirectoryReadOnlyToTheServersGroup_isClosed() {
    assertEquals(Optional.empty(), problem("rw-r-----", 997, false));
    assertEquals(Optional.empty(), problem("r--r-----", 997, false));
    assertEquals(Optional.empty(), problem("rwxr-x---", 997, true));
    assertEquals(Optional.empty(), problem("rw-------", 0, false), "root's alone");
  }

  @Test
  void aGroupThatMayWrite_fails() {
    assertEquals(Optional.of("the group may write"), problem("rw-rw----", 997, false));
    assertEquals(Optional.of("the group may write"), problem("rwxrwx---", 997, true));
  }

  @Test
  void anyBitForOthers_fails() {
    assertEquals(Optional.of("others have bits"), problem("rw-r--r--", 997, false));
    assertEquals(Optional.of("others have bits"), problem("rwxr-x--x", 997, true));
  }

  @Test
  void anExecutableKeyFile_fails() {
    assertEquals(Optional.of("the group may execute"), problem("rwxr-x---", 997, false));
  }

  @Test
  void anotherGroup_fails() {
    assertEquals(
        Optional.of("the group is not the server's (strongroom-db)"),
        problem("rw-r-----", 998, false));
  }

  @Test
  void anotherAccountInTheServersGroup_fails() {
    ServerFiles.ServerGroup shared =
        new ServerFiles.ServerGroup(997, "strongroom-db", List.of("mallory", "strongroom"));
    assertEquals(
        Optional.of("the server's group strongroom-db also holds [mallory, strongroom]"),
        problem("rw-r-----", 997, false, shared));
  }
}
