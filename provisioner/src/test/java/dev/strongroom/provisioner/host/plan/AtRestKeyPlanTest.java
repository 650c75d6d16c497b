package dev.strongroom.provisioner.host.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strongroom.provisioner.host.HostOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The MySQL 8.4 at-rest key rotation as the commands the plan sends to the target, pinned by {@code
 * golden/mysql-8.4/at-rest-key-rotation.sh} (no MySQL server runs here; a scripted shell answers as
 * the target would): plan sends only reads, apply rotates both master keys and writes the marker,
 * the same instant again changes nothing, and a later instant is a new rotation.
 */
class AtRestKeyPlanTest {
  private static final Instant T = Instant.parse("2026-12-05T10:00:00Z");

  /** Answers like a target with a running server; remembers the marker the apply writes. */
  private static final class ScriptedTarget implements HostShell {
    final List<String> sent = new ArrayList<>();
    boolean running = true;
    String marker = "";

    @Override
    public Result exec(String command, byte[] stdin) {
      sent.add(command);
      if (command.startsWith("[ -S ")) {
        return new Result(running ? 0 : 1, "", "");
      }
      if (command.startsWith("cat ")) {
        return new Result(0, marker, "");
      }
      if (command.startsWith("set -e; mysql ")) {
        marker = T + "\n";
      }
      return new Result(0, "", "");
    }

    @Override
    public void close() {}
  }

  private static HostOptions mysql() {
    return HostOptions.builder().dialect(dev.strongroom.provisioner.db.Dialect.MYSQL_8_4).build();
  }

  @Test
  void mysql_planApplyReapply_sendsThePinnedCommands() throws IOException {
    ScriptedTarget sh = new ScriptedTarget();
    Path root = Path.of("/srv/rehearsal");
    List<StepResult> planned =
        new AtRestKeyPlan(mysql(), root, T, null).plan(sh, PlanListener.NONE);
    assertEquals(
        List.of(
            new StepResult("key management", StepStatus.UNCHANGED, ""),
            new StepResult(
                "rotate master keys",
                StepStatus.WOULD_CHANGE,
                "ALTER INSTANCE ROTATE INNODB MASTER KEY; ALTER INSTANCE ROTATE BINLOG MASTER KEY"
                    + " (last rotated: never by this plan)")),
        planned);
    int reads = sh.sent.size();
    List<StepResult> applied =
        new AtRestKeyPlan(mysql(), root, T, null).apply(sh, PlanListener.NONE);
    assertEquals(StepStatus.CHANGED, applied.get(1).status());
    int applies = sh.sent.size();
    List<StepResult> again = new AtRestKeyPlan(mysql(), root, T, null).apply(sh, PlanListener.NONE);
    assertEquals(StepStatus.UNCHANGED, again.get(1).status());
    assertEquals(
        StepStatus.WOULD_CHANGE,
        new AtRestKeyPlan(mysql(), root, T.plusSeconds(1), null)
            .plan(sh, PlanListener.NONE)
            .get(1)
            .status(),
        "a later instant is a new rotation");
    golden(
        "mysql-8.4/at-rest-key-rotation.sh",
        "# plan\n"
            + String.join("\n", sh.sent.subList(0, reads))
            + "\n# apply\n"
            + String.join("\n", sh.sent.subList(reads, applies))
            + "\n");
  }

  @Test
  void serverNotRunning_failsTheFirstStep_andSaysSo() {
    ScriptedTarget sh = new ScriptedTarget();
    sh.running = false;
    PlanFailedException e =
        assertThrows(
            PlanFailedException.class,
            () -> new AtRestKeyPlan(mysql(), Path.of("/"), T, null).apply(sh, PlanListener.NONE));
    assertEquals("key management", e.stepId());
    assertEquals(
        "no database server at /var/lib/strongroom/db/run/mysqld.sock: the rotation needs it"
            + " running (it names its key management and re-encrypts its tablespaces); start it"
            + " and apply again — nothing was changed",
        e.detail());
    assertEquals(1, sh.sent.size());
  }

  private static void golden(String name, String actual) throws IOException {
    if (Boolean.getBoolean("golden.update")) {
      Path p = Path.of("src/test/resources/golden").resolve(name);
      Files.createDirectories(p.getParent());
      Files.writeString(p, actual, StandardCharsets.UTF_8);
      return;
    }
    try (InputStream in = AtRestKeyPlanTest.class.getResourceAsStream("/golden/" + name)) {
      if (in == null) {
        throw new AssertionError(
            "missing golden file golden/" + name + " (run with -Dgolden.update=true)");
      }
      assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), actual, "golden/" + name);
    }
  }
}
