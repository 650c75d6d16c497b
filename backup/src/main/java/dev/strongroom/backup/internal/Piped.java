package dev.strongroom.backup.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program whose standard output (or input) is a stream of database contents: the bytes go
 * through a pipe straight into (or out of) the caller's code, never into a plaintext file. Standard
 * error (diagnostics only) is collected into a file in a private directory.
 */
public final class Piped {
  private Piped() {}

  /** What happened. */
  public record Result(int exitCode, String stderr, boolean timedOut) {
    public boolean ok() {
      return exitCode == 0 && !timedOut;
    }
  }

  /** Reads from the program's standard output. */
  public interface StdoutReader {
    void read(InputStream stdout) throws IOException;
  }

  /** Writes the program's standard input. */
  public interface StdinWriter {
    void write(OutputStream stdin) throws IOException;
  }

  public static Result run(
      List<String> command,
      Map<String, String> env,
      StdinWriter stdin,
      StdoutReader stdout,
      Path privateDir,
      Duration timeout) {
    Path err = null;
    try {
      err = Files.createTempFile(privateDir, "stderr-", ".txt");
      ProcessBuilder pb = new ProcessBuilder(command).redirectError(err.toFile());
      pb.environment().putAll(env);
      if (stdin == null) {
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      }
      if (stdout == null) {
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
      }
      Process p = pb.start();
      CompletableFuture<Void> feeder = CompletableFuture.completedFuture(null);
      if (stdin != null) {
        feeder =
            CompletableFuture.runAsync(
                () -> {
                  try (OutputStream o = p.getOutputStream()) {
                    stdin.write(o);
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                });
      }
      if (stdout != null) {
        try (InputStream in = p.getInputStream()) {
          stdout.read(in);
        } catch (IOException | RuntimeException e) {
          p.destroyForcibly();
          throw e;
        }
      }
      boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!done) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
      try {
        feeder.get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof UncheckedIOException u && done && p.exitValue() == 0) {
          throw u.getCause();
        }
        // a program that exited early closes its input: its own exit code tells what went wrong
      } catch (java.util.concurrent.TimeoutException e) {
        p.destroyForcibly();
      }
      return new Result(
          done ? p.exitValue() : -1, Files.readString(err, StandardCharsets.UTF_8), !done);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command.get(0), e);
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
}
