package dev.strongroom.provisioner.os;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.provisioner.ProvisionerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external program to completion with a timeout, stdout and stderr captured through
 * temporary files (no pipe can fill up and deadlock), stdin from the given bytes or empty.
 */
public final class Processes {
  private Processes() {}

  /** The outcome of one run. {@code timedOut} runs were killed; their exit code is -1. */
  public record Result(
      List<String> command, int exitCode, String stdout, String stderr, boolean timedOut) {
    /** stdout and stderr together (for messages). */
    public String output() {
      return stdout + stderr;
    }
  }

  public static Result run(List<String> command, byte[] stdin, Duration timeout) {
    Path out = null;
    Path err = null;
    Path in = null;
    try {
      out = Files.createTempFile("sr-proc-", ".out");
      err = Files.createTempFile("sr-proc-", ".err");
      in = Files.createTempFile("sr-proc-", ".in");
      Files.write(in, stdin == null ? new byte[0] : stdin);
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .redirectInput(in.toFile());
      Process p = pb.start();
      boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!done) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
      return new Result(
          List.copyOf(command),
          done ? p.exitValue() : -1,
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8),
          !done);
    } catch (IOException e) {
      throw new ProvisionerException(
          ErrorCode.INTERNAL, "cannot run " + command.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProvisionerException(
          ErrorCode.INTERNAL, "interrupted while running " + command.get(0), e);
    } finally {
      for (Path p : new Path[] {out, err, in}) {
        if (p != null) {
          try {
            Files.deleteIfExists(p);
          } catch (IOException ignored) {
            // temp file cleanup is best effort
          }
        }
      }
    }
  }
}
