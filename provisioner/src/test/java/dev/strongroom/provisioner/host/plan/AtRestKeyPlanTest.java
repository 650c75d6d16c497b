package dev.strongroom.provisioner.host.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import dev.strongroom.provisioner.atrest.VaultKvV2Client;
import dev.strongroom.provisioner.host.HostOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

  /**
   * A MariaDB target with {@code hashicorp_key_management}: answers the plan's queries from {@code
   * keyAge} and {@code tablespaces} (CURRENT_KEY_ID, MIN_KEY_VERSION rows).
   */
  private static final class MariaDbTarget implements HostShell {
    final String vaultUrl;
    String keyAge = "1";
    String tablespaces = "";

    MariaDbTarget(String vaultUrl) {
      this.vaultUrl = vaultUrl;
    }

    @Override
    public Result exec(String command, byte[] stdin) {
      if (command.startsWith("[ -S ")) {
        return new Result(0, "", "");
      }
      if (command.contains("PLUGIN_NAME")) {
        return new Result(0, "hashicorp_key_management\n", "");
      }
      if (command.contains("@@hashicorp_key_management_vault_url")) {
        return new Result(0, vaultUrl + "\n", "");
      }
      if (command.contains("@@innodb_encryption_rotate_key_age")) {
        return new Result(0, keyAge + "\n", "");
      }
      if (command.contains("SELECT DISTINCT CURRENT_KEY_ID")) {
        return new Result(0, "1\n", "");
      }
      if (command.contains("CURRENT_KEY_ID, MIN_KEY_VERSION")) {
        return new Result(0, tablespaces, "");
      }
      throw new AssertionError("unexpected command " + command);
    }

    @Override
    public void close() {}
  }

  /**
   * A Vault KV v2 mount over plain http on loopback (read-only here: plans write nothing): keys 1
   * and 2 at version {@code current}, versions after {@code firstOfRotation} marked with {@link
   * #T}.
   */
  private static final class PlanVault implements AutoCloseable {
    final HttpServer server;
    int current = 1;
    int firstOfRotation = Integer.MAX_VALUE;

    PlanVault() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext(
          "/v1/kv/",
          x -> {
            String path = x.getRequestURI().toString().substring("/v1/kv".length());
            String body;
            if (path.equals("/config")) {
              body = "{\"data\":{\"max_versions\":0,\"delete_version_after\":\"0s\"}}";
            } else if (path.matches("/metadata/[12]")) {
              StringBuilder v = new StringBuilder();
              for (int i = 1; i <= current; i++) {
                v.append(i == 1 ? "" : ",")
                    .append("\"")
                    .append(i)
                    .append("\":{\"deletion_time\":\"\",\"destroyed\":false}");
              }
              body =
                  "{\"data\":{\"current_version\":"
                      + current
                      + ",\"oldest_version\":0,\"max_versions\":0,"
                      + "\"delete_version_after\":\"0s\",\"versions\":{"
                      + v
                      + "}}}";
            } else if (path.matches("/data/[12]\\?version=\\d+")) {
              int version = Integer.parseInt(path.substring(path.indexOf('=') + 1));
              body =
                  "{\"data\":{\"data\":{\"data\":\"00\""
                      + (version >= firstOfRotation ? ",\"strongroom_rotation\":\"" + T + "\"" : "")
                      + "}}}";
            } else {
              body = "";
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(body.isEmpty() ? 404 : 200, b.length == 0 ? -1 : b.length);
            try (OutputStream o = x.getResponseBody()) {
              o.write(b);
            }
          });
      server.start();
    }

    URI url() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/kv");
    }

    VaultKvV2Client client() {
      return new VaultKvV2Client(url(), "s.provisioner", null, Duration.ofSeconds(5));
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  private static HostOptions mariadb() {
    return HostOptions.builder()
        .dialect(dev.strongroom.provisioner.db.Dialect.MARIADB_10_11)
        .build();
  }

  @Test
  void keyAgeZero_isRefusedAtKeyManagement() throws IOException {
    try (PlanVault vault = new PlanVault()) {
      MariaDbTarget sh = new MariaDbTarget(vault.url().toString());
      sh.keyAge = "0";
      PlanFailedException e =
          assertThrows(
              PlanFailedException.class,
              () ->
                  new AtRestKeyPlan(mariadb(), Path.of("/"), T, vault.client())
                      .plan(sh, PlanListener.NONE));
      assertEquals("key management", e.stepId());
      assertEquals(
          "the server's innodb_encryption_rotate_key_age is 0: its encryption threads never"
              + " re-encrypt a page under a new key version, so a rotation would write versions"
              + " nothing uses; set it to 1 (the default) and apply again — nothing changed",
          e.detail());
    }
  }

  @Test
  void keyAgeThree_asksForFourVersionsPerKey() throws IOException {
    try (PlanVault vault = new PlanVault()) {
      MariaDbTarget sh = new MariaDbTarget(vault.url().toString());
      sh.keyAge = "3";
      sh.tablespaces = "1\t1\n";
      List<StepResult> planned =
          new AtRestKeyPlan(mariadb(), Path.of("/"), T, vault.client()).plan(sh, PlanListener.NONE);
      assertEquals(
          new StepResult(
              "new key versions",
              StepStatus.WOULD_CHANGE,
              "key 1: 4 new versions (now 1, then 5); key 2: 4 new versions (now 1, then 5)"),
          planned.get(2));
      assertEquals(
          new StepResult(
              "re-encrypted", StepStatus.WOULD_CHANGE, "1 of 1 tablespaces below key 1 version 5"),
          planned.get(3));
    }
  }

  @Test
  void aVersionAddedAfterTheRotation_doesNotHoldReencryptionBack() throws IOException {
    try (PlanVault vault = new PlanVault()) {
      MariaDbTarget sh = new MariaDbTarget(vault.url().toString());
      vault.current = 3;
      vault.firstOfRotation = 2;
      // a tablespace already under version 4, which someone wrote after this rotation's 2 and 3
      sh.tablespaces = "1\t4\n1\t3\n";
      List<StepResult> planned =
          new AtRestKeyPlan(mariadb(), Path.of("/"), T, vault.client()).plan(sh, PlanListener.NONE);
      assertEquals(new StepResult("new key versions", StepStatus.UNCHANGED, ""), planned.get(2));
      assertEquals(new StepResult("re-encrypted", StepStatus.UNCHANGED, ""), planned.get(3));
      sh.tablespaces = "1\t4\n1\t2\n";
      assertEquals(
          new StepResult(
              "re-encrypted", StepStatus.WOULD_CHANGE, "1 of 2 tablespaces below key 1 version 3"),
          new AtRestKeyPlan(mariadb(), Path.of("/"), T, vault.client())
              .plan(sh, PlanListener.NONE)
              .get(3));
    }
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
