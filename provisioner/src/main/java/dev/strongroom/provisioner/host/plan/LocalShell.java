package dev.strongroom.provisioner.host.plan;

import dev.strongroom.provisioner.os.Processes;
import java.time.Duration;
import java.util.List;

/** The {@code local} target: commands through {@code /bin/sh -c} on this machine. */
public final class LocalShell implements HostShell {
  private final Duration timeout;

  public LocalShell(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public Result exec(String command, byte[] stdin) {
    Processes.Result r = Processes.run(List.of("/bin/sh", "-c", command), stdin, timeout);
    return new Result(r.exitCode(), r.stdout(), r.stderr());
  }

  @Override
  public void close() {}
}
