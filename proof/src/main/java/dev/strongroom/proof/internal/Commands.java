package dev.strongroom.proof.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external tool a check uses as its probe ({@code openssl}, {@code nft}, {@code lynis}):
 * stdin empty, stdout and stderr to temporary files (no pipe can fill and deadlock), killed after
 * the timeout, output kept up to {@link #MAX_OUTPUT} characters each (it becomes evidence).
 */
public final class Commands {
  /** Evidence keeps at most this many characters of each stream. */
  public static final int MAX_OUTPUT = 1 << 20;

  /** A finished (or killed: exit code -1) command. */
  public record Result(int exitCode, String stdout, String stderr) {
    public String output() {
      return stdout + stderr;
    }
  }

  private Commands() {}

  public static Result run(List<String> command, Duration timeout) {
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("sr-proof-", ".out");
      err = Files.createTempFile("sr-proof-", ".err");
      Process p =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      int code;
      if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        code = p.exitValue();
      } else {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        code = -1;
      }
      return new Result(code, read(out), read(err));
    } catch (IOException e) {
      return new Result(-1, "", "cannot run " + command.get(0) + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "", "interrupted");
    } finally {
      delete(out);
      delete(err);
    }
  }

  private static String read(Path p) throws IOException {
    String s = Files.readString(p, StandardCharsets.UTF_8);
    return s.length() > MAX_OUTPUT ? s.substring(0, MAX_OUTPUT) + "\n[truncated]" : s;
  }

  private static void delete(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        // best effort
      }
    }
  }
}
