package dev.strongroom.provisioner.host.plan;

/** Runs {@code sh -c} command lines on a target. */
public interface HostShell extends AutoCloseable {
  /** Exit code and captured output of one command. */
  record Result(int exitCode, String stdout, String stderr) {}

  /** {@code s} as one single-quoted {@code sh} word (a {@code '} inside becomes {@code '\''}). */
  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /** Runs {@code command} with {@code stdin} (may be empty) and waits for it. */
  Result exec(String command, byte[] stdin);

  @Override
  void close();
}
