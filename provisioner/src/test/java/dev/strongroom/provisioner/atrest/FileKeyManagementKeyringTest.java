package dev.strongroom.provisioner.atrest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileKeyManagementKeyringTest {
  @TempDir Path dir;

  @Test
  void ensure_createsOnce_thenKeepsBytes() throws Exception {
    FileKeyManagementKeyring k = FileKeyManagementKeyring.at(dir.resolve("keyring"));
    assertTrue(k.ensure());
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(k.keyFile())));
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(k.fileKey())));
    assertEquals(64, Files.size(k.fileKey()));
    byte[] before = Files.readAllBytes(k.keyFile());
    assertFalse(k.ensure());
    assertArrayEquals(before, Files.readAllBytes(k.keyFile()));
    assertEquals(java.util.Set.of(1, 2), k.keys().keySet());
    assertEquals(32, k.keys().get(1).length);
  }

  @Test
  void ensure_withOnlyKeyFile_refusesToGenerate() throws Exception {
    FileKeyManagementKeyring k = FileKeyManagementKeyring.at(dir);
    k.ensure();
    Files.delete(k.fileKey());
    AtRestException e = assertThrows(AtRestException.class, k::ensure);
    assertEquals(
        "INTERNAL: incomplete keyring in "
            + dir
            + ": found only keys.enc; refusing to generate keys over existing material",
        e.getMessage());
  }

  @Test
  void ensure_withForeignFilekey_failsAndWritesNothing() throws Exception {
    FileKeyManagementKeyring k = FileKeyManagementKeyring.at(dir);
    k.ensure();
    byte[] keys = Files.readAllBytes(k.keyFile());
    Files.writeString(k.fileKey(), "0".repeat(64));
    AtRestException e = assertThrows(AtRestException.class, k::ensure);
    assertTrue(e.getMessage().contains("cannot be decrypted"), e.getMessage());
    assertArrayEquals(keys, Files.readAllBytes(k.keyFile()));
  }
}
