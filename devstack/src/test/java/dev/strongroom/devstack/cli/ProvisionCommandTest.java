package dev.strongroom.devstack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.envelope.CanonicalJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./strongroom provision --render DIR [options]}: output, exit codes, refusals; {@code
 * --plan|--apply TARGET}: what is refused before anything is sent (the round trip through the
 * provisioner-service is ProvisionerServiceIT's).
 */
class ProvisionCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldOut;
  private PrintStream oldErr;

  @BeforeEach
  void capture() {
    oldOut = System.out;
    oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(oldOut);
    System.setErr(oldErr);
  }

  private int run(String... args) {
    return new CommandLine(new StrongroomCommand()).execute(args);
  }

  @Test
  void render_writesTheBundleAndManifest(@TempDir Path dir) throws Exception {
    int rc =
        run(
            "provision",
            "--render",
            dir.toString(),
            "--allow-remote",
            "--allow-cidr",
            "10.20.0.0/16,2001:db8:42::/48",
            "--dialect",
            "mysql-8.4");
    assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
    String nft = Files.readString(dir.resolve("nftables/nftables.conf"));
    assertTrue(nft.contains("elements = { 10.20.0.0/16 }"), nft);
    assertTrue(nft.contains("elements = { 2001:db8:42::/48 }"), nft);
    assertTrue(
        Files.readString(dir.resolve("systemd/strongroom-db.service"))
            .contains("ExecStart=/usr/sbin/mysqld --defaults-file=/etc/strongroom/db/my.cnf"));
    assertTrue(
        Files.readString(dir.resolve("systemd/strongroom-db.service"))
            .contains(" --init-file=/etc/strongroom/db/init.sql\n"));
    // MySQL 8.4's keyring component manifest and configuration and the init file
    for (String f : List.of("db/mysqld.my", "db/component_keyring_file.cnf", "db/init.sql")) {
      assertTrue(Files.isRegularFile(dir.resolve(f)), f);
    }
    assertTrue(Files.readString(dir.resolve("MANIFEST.tsv")).startsWith("path\thost_path\t"));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("rendered 21 files to " + dir));
  }

  @Test
  void renderJson_listsEveryFile(@TempDir Path dir) throws Exception {
    assertEquals(0, run("--json", "provision", "--render", dir.toString()));
    var node =
        CanonicalJson.parse(
            out.toString(StandardCharsets.UTF_8).trim().getBytes(StandardCharsets.UTF_8));
    assertEquals(dir.toString(), node.get("rendered").asText());
    assertEquals(18, node.get("files").size());
    assertEquals("db/my.cnf", node.get("files").get(0).get("path").asText());
    assertEquals("nftables/nftables.conf", node.get("files").get(4).get("path").asText());
  }

  @Test
  void hostBitsInACidr_isAUsageError_naming(@TempDir Path dir) {
    int rc =
        run(
            "provision",
            "--render",
            dir.toString(),
            "--allow-remote",
            "--allow-cidr",
            "10.0.0.1/8");
    assertEquals(2, rc);
    assertEquals(
        "strongroom provision: CIDR '10.0.0.1/8' has host bits set (did you mean 10.0.0.0/8?)\n",
        err.toString(StandardCharsets.UTF_8));
    assertEquals(0, dir.toFile().list().length, "nothing is written on a refusal");
  }

  @Test
  void render_withVaultKeys_includesTheTokenFile_andBadVaultOptionsAreUsageErrors(
      @TempDir Path dir, @TempDir Path other) throws Exception {
    int rc =
        run(
            "provision",
            "--render",
            dir.toString(),
            "--at-rest-keys",
            "vault",
            "--vault-url",
            "https://vault.example:8200/v1/strongroom",
            "--vault-ca",
            "/etc/strongroom/db/vault-ca.pem",
            "--vault-token-file",
            "/etc/strongroom/db/vault-token.cnf");
    assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
    String cnf = Files.readString(dir.resolve("db/my.cnf"));
    assertTrue(
        cnf.contains(
            "hashicorp_key_management_vault_url=https://vault.example:8200/v1/strongroom\n"),
        cnf);
    assertTrue(cnf.contains("!include /etc/strongroom/db/vault-token.cnf\n"), cnf);

    assertEquals(
        2,
        run(
            "provision",
            "--render",
            other.toString(),
            "--vault-token-file",
            "/etc/strongroom/db/vault-token.cnf"));
    assertTrue(
        err.toString(StandardCharsets.UTF_8)
            .contains("vault-url, vault-ca and vault-token-file need at-rest-keys vault"));
    assertEquals(
        2,
        run(
            "provision",
            "--render",
            other.toString(),
            "--at-rest-keys",
            "vault",
            "--vault-url",
            "http://vault:8200/v1/strongroom",
            "--vault-ca",
            "/etc/ca.pem",
            "--vault-token-file",
            "/etc/t.cnf"));
    assertTrue(
        err.toString(StandardCharsets.UTF_8)
            .contains("vault-url must be https: http://vault:8200/v1/strongroom"));
    assertEquals(0, other.toFile().list().length, "nothing is written on a refusal");
  }

  @Test
  void unknownDialect_andMissingMode_areUsageErrors(@TempDir Path dir) {
    assertEquals(2, run("provision", "--render", dir.toString(), "--dialect", "postgres"));
    assertTrue(
        err.toString(StandardCharsets.UTF_8)
            .contains("unknown dialect 'postgres' (mariadb-10.11 or mysql-8.4)"));
    assertEquals(2, run("provision"));
  }

  @Test
  void aTargetThatIsNoTarget_isAUsageError_beforeAnythingIsSent(@TempDir Path state) {
    int rc = run("--state", state.toString(), "provision", "--apply", "ssh://root@db1;reboot");
    assertEquals(2, rc);
    assertEquals(
        "strongroom provision: target 'ssh://root@db1;reboot' is neither 'local' nor"
            + " ssh://user@host[:port]\n",
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void badOptionsForAPlan_areUsageErrors_andModesExcludeEachOther(@TempDir Path state) {
    assertEquals(
        2,
        run(
            "--state",
            state.toString(),
            "provision",
            "--plan",
            "local",
            "--allow-cidr",
            "10.0.0.0/8"));
    assertTrue(
        err.toString(StandardCharsets.UTF_8).contains("allowed CIDRs given without allow-remote"));
    assertEquals(
        2, run("--state", state.toString(), "provision", "--plan", "local", "--apply", "local"));
  }

  @Test
  void rotationOptions_outOfPlace_orABadInstant_areUsageErrors(@TempDir Path state) {
    String st = state.toString();
    assertEquals(
        2,
        run(
            "--state",
            st,
            "provision",
            "--apply",
            "ssh://root@db1",
            "--issued-before",
            "2026-12-05T00:00:00Z"));
    assertTrue(
        err.toString(StandardCharsets.UTF_8)
            .contains("--issued-before goes with --rotate-certificates"));
    assertEquals(2, run("--state", st, "provision", "--render", st, "--rotate-certificates"));
    assertTrue(
        err.toString(StandardCharsets.UTF_8)
            .contains("--rotate-certificates goes with --plan or --apply, not --render"));
    assertEquals(2, run("--state", st, "provision", "--render", st, "--rotate-at-rest-keys"));
    assertTrue(
        err.toString(StandardCharsets.UTF_8)
            .contains("--rotate-at-rest-keys goes with --plan or --apply, not --render"));
    assertEquals(
        2,
        run(
            "--state",
            st,
            "provision",
            "--apply",
            "ssh://root@db1",
            "--rotate-certificates",
            "--rotate-at-rest-keys"));
    assertTrue(
        err.toString(StandardCharsets.UTF_8)
            .contains("--rotate-certificates and --rotate-at-rest-keys are separate runs"));
    for (String bad : List.of("2026-12-05T00:00:00.5Z", "2026-12-05", "yesterday")) {
      assertEquals(
          2,
          run(
              "--state",
              st,
              "provision",
              "--apply",
              "ssh://root@db1",
              "--rotate-certificates",
              "--issued-before",
              bad),
          bad);
      assertTrue(
          err.toString(StandardCharsets.UTF_8)
              .contains("--issued-before '" + bad + "' is not a UTC instant in whole seconds"),
          err.toString(StandardCharsets.UTF_8));
    }
  }

  @Test
  void applyWithoutAStack_saysSo_exit3(@TempDir Path state) {
    int rc = run("--state", state.toString(), "provision", "--apply", "ssh://root@db1");
    assertEquals(3, rc);
    assertEquals(
        "strongroom provision: the stack is not up; run ./strongroom up\n",
        err.toString(StandardCharsets.UTF_8));
    assertEquals("", out.toString(StandardCharsets.UTF_8));
  }
}
