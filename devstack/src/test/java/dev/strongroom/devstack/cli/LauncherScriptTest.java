package dev.strongroom.devstack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The operator reaches every command through {@code ./strongroom} (DESIGN §7): each subcommand of
 * the Java launcher must be in the script's dispatch and in its usage text. {@code
 * rotate-token-key} was not: the system tests call the launcher's jar directly, so {@code
 * ./strongroom rotate-token-key} answered "unknown command" while they passed.
 */
class LauncherScriptTest {
  private static final Path SCRIPT = Path.of("..", "strongroom");

  @Test
  void everyLauncherCommand_isDispatchedAndListedByTheScript() throws IOException {
    String script = Files.readString(SCRIPT, StandardCharsets.UTF_8);
    Set<String> commands =
        new TreeSet<>(new CommandLine(new StrongroomCommand()).getSubcommands().keySet());
    commands.remove("help");
    Matcher dispatch = Pattern.compile("(?m)^  (up\\|[a-z|-]+)\\)$").matcher(script);
    Set<String> dispatched = new TreeSet<>();
    while (dispatch.find()) {
      dispatched.addAll(Set.of(dispatch.group(1).split("\\|")));
    }
    Set<String> missing = new TreeSet<>(commands);
    missing.removeAll(dispatched);
    assertEquals(Set.of(), missing, "launcher commands ./strongroom does not dispatch");
    String usage =
        script.substring(script.indexOf("cat >&2 <<'USAGE'"), script.indexOf("\nUSAGE\n"));
    Set<String> unlisted = new TreeSet<>();
    for (String c : commands) {
      if (!Pattern.compile("(?m)^  " + Pattern.quote(c) + "\\b").matcher(usage).find()) {
        unlisted.add(c);
      }
    }
    assertEquals(Set.of(), unlisted, "launcher commands missing from ./strongroom's usage");
  }
}
