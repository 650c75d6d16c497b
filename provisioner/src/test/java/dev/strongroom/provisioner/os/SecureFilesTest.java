package dev.strongroom.provisioner.os;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecureFilesTest {
  @TempDir Path dir;

  @Test
  void secretReplacingAWorldReadableFile_endsUp0600_withNoTemporaryLeftBehind() throws Exception {
    Path file = dir.resolve("key.pem");
    Files.writeString(file, "old");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    SecureFiles.writeSecret(file, "new".getBytes(StandardCharsets.UTF_8));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals("new", Files.readString(file));
    try (var listing = Files.list(dir)) {
      assertEquals(List.of(file), listing.toList());
    }
  }

  @Test
  void publicMaterial_is0644_andPrivateDir_is0700() throws Exception {
    Path sub = SecureFiles.privateDir(dir.resolve("a/b"));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sub)));
    Path cert = sub.resolve("ca.pem");
    SecureFiles.writePublic(cert, new byte[] {1});
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(cert)));
  }
}
