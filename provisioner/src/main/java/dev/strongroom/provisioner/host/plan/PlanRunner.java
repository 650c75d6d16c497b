package dev.strongroom.provisioner.host.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs a plan's steps in order, telling the listener of each: a plan run checks only ({@link
 * StepStatus#WOULD_CHANGE} with what differs); an apply run applies each step whose check differs
 * and re-checks it ({@link StepStatus#CHANGED}), so a second apply reports every step {@link
 * StepStatus#UNCHANGED}. A step that does not apply to the target is {@link StepStatus#SKIPPED}
 * with the reason, in both.
 */
final class PlanRunner {
  private PlanRunner() {}

  /**
   * @param steps prepares the run (e.g. one round trip reading every file's state) and returns its
   *     steps; a {@link PlanFailedException} it throws fails the run like a step's
   * @throws PlanFailedException at the first step whose check cannot run, whose apply fails, or
   *     whose check still differs after its apply; the steps before it stay applied
   */
  static List<StepResult> run(
      boolean apply, Supplier<List<PlanStep>> steps, HostShell sh, PlanListener listener) {
    List<StepResult> out = new ArrayList<>();
    try {
      for (PlanStep s : steps.get()) {
        listener.started(s.id());
        StepResult r = step(apply, s, sh, out);
        out.add(r);
        listener.finished(r);
      }
    } catch (PlanFailedException e) {
      listener.failed(e.stepId(), e.detail());
      throw new PlanFailedException(e.stepId(), e.detail(), out);
    }
    return out;
  }

  private static StepResult step(boolean apply, PlanStep s, HostShell sh, List<StepResult> out) {
    String skip = s.skip(sh);
    if (skip != null) {
      return new StepResult(s.id(), StepStatus.SKIPPED, skip);
    }
    String diff = s.check(sh);
    if (diff == null) {
      return new StepResult(s.id(), StepStatus.UNCHANGED, "");
    }
    if (!apply) {
      return new StepResult(s.id(), StepStatus.WOULD_CHANGE, diff);
    }
    try {
      s.apply(sh);
    } catch (PlanFailedException e) {
      throw new PlanFailedException(s.id(), e.detail(), out);
    }
    String after = s.check(sh);
    if (after != null) {
      throw new PlanFailedException(s.id(), "still differs after apply: " + after, out);
    }
    return new StepResult(s.id(), StepStatus.CHANGED, diff);
  }

  /** Runs {@code cmd}; a non-zero exit fails step {@code what} with the command's stderr. */
  static HostShell.Result run(HostShell sh, String cmd, byte[] in, String what) {
    HostShell.Result r = sh.exec(cmd, in);
    if (r.exitCode() != 0) {
      throw new PlanFailedException(
          what, "exit " + r.exitCode() + ": " + r.stderr().trim(), List.of());
    }
    return r;
  }

  /**
   * The stock client of {@code dialect} on the target, logged in over the server's socket as the
   * login user (the installer's root, {@code unix_socket}/{@code auth_socket}), in batch mode.
   */
  static String installerClient(dev.strongroom.provisioner.db.Dialect dialect, String socket) {
    return (dialect == dev.strongroom.provisioner.db.Dialect.MYSQL_8_4 ? "mysql" : "mariadb")
        + " --protocol=socket --socket="
        + q(socket)
        + " --user=\"$(id -un)\" --batch";
  }

  /** {@code s} quoted for {@code sh}. */
  static String q(String s) {
    return HostShell.quote(s);
  }
}
