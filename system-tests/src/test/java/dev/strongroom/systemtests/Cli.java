package dev.strongroom.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged command as an operator would, and captures what it printed and its exit code.
 */
final class Cli {
  static final Path HOME =
      Path.of(System.getProperty("strongroom.home", "..")).toAbsolutePath().normalize();

  record Result(int exit, String out, String err) {
    JsonNode json() {
      return CanonicalJson.parse(out.trim().getBytes(StandardCharsets.UTF_8));
    }
  }

  private Cli() {}

  /** {@code java -jar devstack/target/devstack.jar --home HOME --state STATE args…}. */
  static Result run(Path state, String... args) throws IOException, InterruptedException {
    return exec(command(state, args), 300);
  }

  /** The command line {@link #run} runs. */
  static List<String> command(Path state, String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m",
                "-jar",
                HOME.resolve("devstack/target/devstack.jar").toString(),
                "--home",
                HOME.toString(),
                "--state",
                state.toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  static Result exec(List<String> cmd, int timeoutSeconds)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("cli-out", ".txt");
    Path err = Files.createTempFile("cli-err", ".txt");
    try {
      Process p =
          new ProcessBuilder(cmd)
              .directory(HOME.toFile())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + cmd);
      }
      return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
