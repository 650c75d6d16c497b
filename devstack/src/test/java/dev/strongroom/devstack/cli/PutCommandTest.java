package dev.strongroom.devstack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./strongroom put --token-file}: a token file other accounts may read is refused (exit 2)
 * before any stack is consulted or anything is sealed, the token never printed; an empty one too.
 */
class PutCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldOut;
  private PrintStream oldErr;
  @TempDir Path dir;

  @BeforeEach
  void capture() {
    oldOut = System.out;
    oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(oldOut);
    System.setErr(oldErr);
  }

  private int put(Path tokenFile) {
    return new CommandLine(new StrongroomCommand())
        .execute(
            "--state",
            dir.resolve("no-stack").toString(),
            "put",
            "--tenant",
            "acme",
            "--field",
            "name=Ada",
            "--token-file",
            tokenFile.toString());
  }

  @Test
  void aTokenFileOthersMayRead_isRefused_andTheTokenNeverPrinted() throws Exception {
    Path f = dir.resolve("token");
    Files.writeString(f, "eyJ.secret.token\n");
    for (String mode : new String[] {"rw-r--r--", "rw-r-----", "rw-----w-"}) {
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
      out.reset();
      err.reset();
      assertEquals(2, put(f), mode);
      assertEquals(
          "strongroom: --token-file "
              + f
              + " is open to other accounts (mode "
              + mode
              + "): a tenant token is a bearer credential; chmod 600 it (and get a new token if"
              + " others could read this one)\n",
          err.toString(StandardCharsets.UTF_8));
      assertEquals("", out.toString(StandardCharsets.UTF_8));
    }
  }

  @Test
  void anEmptyTokenFile_isAUsageError() throws Exception {
    Path f = dir.resolve("empty");
    Files.writeString(f, "\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    assertEquals(2, put(f));
    assertEquals(
        "strongroom: --token-file " + f + " holds no token\n",
        err.toString(StandardCharsets.UTF_8));
  }
}
