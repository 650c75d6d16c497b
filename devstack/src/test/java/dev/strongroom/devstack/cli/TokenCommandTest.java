package dev.strongroom.devstack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code ./strongroom token}: a tenant or subject no verifier would accept is a usage error (exit
 * 2) with a clear message, printed before any stack is consulted, and no token is printed.
 */
class TokenCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldOut;
  private PrintStream oldErr;

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

  private int run(String... args) {
    return new CommandLine(new StrongroomCommand()).execute(args);
  }

  @Test
  void controlCharactersInTheTenant_areAUsageError() {
    for (String tenant : new String[] {"acme\nforged", "acme\u0000", "acme\u001b[2J", "a\u0085b"}) {
      out.reset();
      err.reset();
      assertEquals(2, run("token", tenant), tenant);
      assertEquals(
          "strongroom: TENANT must not hold control characters (C0, DEL, C1, U+2028, U+2029)\n",
          err.toString(StandardCharsets.UTF_8));
      assertEquals("", out.toString(StandardCharsets.UTF_8));
    }
  }

  @Test
  void aSubjectWithAControlCharacter_orATooLongTenant_areUsageErrors() {
    assertEquals(2, run("token", "acme", "--sub", "ops\r\nx"));
    assertEquals(
        "strongroom: --sub must not hold control characters (C0, DEL, C1, U+2028, U+2029)\n",
        err.toString(StandardCharsets.UTF_8));
    err.reset();
    assertEquals(2, run("token", "t".repeat(256)));
    assertEquals(
        "strongroom: TENANT must be at most 255 characters\n",
        err.toString(StandardCharsets.UTF_8));
    err.reset();
    assertEquals(2, run("token", "acme "));
    assertEquals(
        "strongroom: TENANT must not end with a space\n", err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void rotateTokenKey_nowWithoutRetire_isAUsageError() {
    assertEquals(2, run("rotate-token-key", "--now"));
    assertEquals("strongroom: --now goes with --retire\n", err.toString(StandardCharsets.UTF_8));
    assertEquals("", out.toString(StandardCharsets.UTF_8));
  }
}
