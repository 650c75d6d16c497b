package dev.strongroom.provisioner.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host bundle's bytes, pinned by golden files under {@code golden/host/<variant>/}. Regenerate
 * with {@code -Dgolden.update=true} and review the diff; {@code HostBundleToolsIT} checks each
 * artefact with its own tool.
 */
class HostBundleGoldenTest {
  @Test
  void localMariaDb_matchesTheGoldenFiles() throws IOException {
    compare("local-mariadb", HostBundleRenderer.render(HostBundles.localMariaDb()));
  }

  @Test
  void remoteMySql_matchesTheGoldenFiles() throws IOException {
    compare("remote-mysql", HostBundleRenderer.render(HostBundles.remoteMySql()));
  }

  @Test
  void vaultMariaDb_matchesTheGoldenFiles() throws IOException {
    compare("vault-mariadb", HostBundleRenderer.render(HostBundles.vaultMariaDb()));
  }

  @Test
  void vaultMariaDb_optionFileIncludesTheTokenFile_andCarriesNoToken() {
    String cnf =
        HostBundleRenderer.render(HostBundles.vaultMariaDb()).require("db/my.cnf").content();
    assertTrue(cnf.contains("\n!include /etc/strongroom/db/vault-token.cnf\n[mysqld]\n"), cnf);
    assertTrue(!cnf.contains("hashicorp_key_management_token"), cnf);
    assertTrue(!cnf.contains("file_key_management"), cnf);
  }

  @Test
  void mysql_keyringComponentFiles_loadTheComponent_andNameTheLayoutsKeyringFile()
      throws IOException {
    HostOptions o = HostBundles.remoteMySql();
    HostBundle b = HostBundleRenderer.render(o);
    ObjectMapper json = new ObjectMapper();

    BundleFile manifest = b.require("db/mysqld.my");
    assertEquals(Path.of("/usr/sbin/mysqld.my"), manifest.hostPath());
    assertOwnedByRootReadableByTheServer(o, manifest);
    JsonNode m = json.readTree(manifest.content());
    assertEquals(List.of("components"), fieldNames(m));
    assertEquals("file://component_keyring_file", m.get("components").textValue());

    BundleFile config = b.require("db/component_keyring_file.cnf");
    assertEquals(Path.of("/usr/lib/mysql/plugin/component_keyring_file.cnf"), config.hostPath());
    assertOwnedByRootReadableByTheServer(o, config);
    JsonNode c = json.readTree(config.content());
    assertEquals(List.of("path", "read_only"), fieldNames(c));
    Path keyring = Path.of(c.get("path").textValue());
    assertEquals(o.dbLayout().componentKeyringFile(), keyring);
    assertTrue(c.get("read_only").isBoolean() && !c.get("read_only").booleanValue(), c.toString());
    // in the keyring directory the tmpfiles rules give the server, never in the data directory
    assertEquals(Path.of("/var/lib/strongroom/db/keyring/component_keyring_file"), keyring);
    assertTrue(!keyring.startsWith(o.dbLayout().dataDir()), keyring.toString());
    String tmpfiles = b.require("tmpfiles/strongroom.conf").content();
    assertTrue(
        tmpfiles.contains(
            "\nd "
                + keyring.getParent()
                + " 0700 strongroom-db strongroom-db -\n"
                + "z "
                + keyring.getParent()
                + "/* 0600 strongroom-db strongroom-db -\n"),
        tmpfiles);
    for (BundleFile f : List.of(manifest, config)) {
      assertTrue(
          tmpfiles.contains("\nz " + f.hostPath() + " 0640 root strongroom-db -\n"), tmpfiles);
    }
  }

  @Test
  void mysql_initFile_makesRootSocketOnly_atEveryStartOfTheUnit_notAtInitialize() {
    HostOptions o = HostBundles.remoteMySql();
    HostBundle b = HostBundleRenderer.render(o);
    BundleFile init = b.require("db/init.sql");
    assertEquals(Path.of("/etc/strongroom/db/init.sql"), init.hostPath());
    assertEquals(o.dbInitFile(), init.hostPath());
    assertOwnedByRootReadableByTheServer(o, init);
    List<String> statements =
        init.content().lines().filter(l -> !l.isBlank() && !l.startsWith("-- ")).toList();
    assertEquals(List.of("ALTER USER 'root'@'localhost' IDENTIFIED WITH auth_socket;"), statements);
    assertTrue(
        b.require("tmpfiles/strongroom.conf")
            .content()
            .contains("\nz /etc/strongroom/db/init.sql 0640 root strongroom-db -\n"));
    assertTrue(
        b.require("systemd/strongroom-db.service")
            .content()
            .contains(
                "\nExecStart=/usr/sbin/mysqld --defaults-file=/etc/strongroom/db/my.cnf"
                    + " --init-file=/etc/strongroom/db/init.sql\n"));
    String cnf = b.require("db/my.cnf").content();
    // the plugin the statement names is loaded by the option file (at a normal start) ...
    assertTrue(cnf.contains("\nplugin_load_add=auth_socket.so\n"), cnf);
    // ... and the option file does not name the init file: mysqld --initialize, which reads it
    // too, loads no plugin, so the statement would fail there
    assertTrue(!cnf.contains("init_file") && !cnf.contains("init-file"), cnf);
  }

  @Test
  void mariadb_bundle_hasNoMySqlFiles_andItsUnitNoInitFile() {
    for (HostOptions o : List.of(HostBundles.localMariaDb(), HostBundles.vaultMariaDb())) {
      HostBundle b = HostBundleRenderer.render(o);
      for (String f : List.of("db/mysqld.my", "db/component_keyring_file.cnf", "db/init.sql")) {
        assertTrue(b.file(f).isEmpty(), f);
      }
      assertTrue(!b.require("systemd/strongroom-db.service").content().contains("init-file"));
      assertTrue(!b.require("tmpfiles/strongroom.conf").content().contains("/usr/"));
    }
  }

  private static void assertOwnedByRootReadableByTheServer(HostOptions o, BundleFile f) {
    assertEquals(
        List.of("root", o.dbUser(), "0640"),
        List.of(f.owner(), f.group(), f.mode()),
        f.bundlePath());
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> names = new ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /**
   * The tenant-token key file (0640 root:strongroom, docs/tenant-tokens.md) is the token verifiers'
   * only: every other service unit has the keys directory made inaccessible.
   */
  @Test
  void tokenKeys_areInaccessibleToEveryServiceButTheTokenVerifiers() {
    HostBundle b = HostBundleRenderer.render(HostOptions.builder().build());
    String line = "InaccessiblePaths=-/etc/strongroom/keys";
    for (String svc :
        List.of(
            "crypto-service",
            "data-service",
            "audit-anchor-service",
            "provisioner-service",
            "proof-service")) {
      boolean verifier = svc.equals("crypto-service") || svc.equals("proof-service");
      assertEquals(
          !verifier,
          b.require("systemd/strongroom-" + svc + ".service")
              .content()
              .lines()
              .anyMatch(line::equals),
          svc);
    }
    assertTrue(
        b.require("tmpfiles/strongroom.conf")
            .content()
            .contains("z /etc/strongroom/keys/tenant-token.key 0640 root strongroom -"));
  }

  @Test
  void rendering_isDeterministic() {
    HostBundle a = HostBundleRenderer.render(HostBundles.remoteMySql());
    HostBundle b = HostBundleRenderer.render(HostBundles.remoteMySql());
    assertEquals(a.manifest(), b.manifest());
  }

  @Test
  void loopbackOnly_opensNoDatabasePort() {
    HostBundle b = HostBundleRenderer.render(HostBundles.localMariaDb());
    String nft = b.require("nftables/nftables.conf").content();
    assertTrue(!nft.contains("3306"), nft);
    assertTrue(!b.require("ufw/ufw-commands.sh").content().contains("3306"));
  }

  @Test
  void writeTo_writesEveryFileAndTheManifest(@TempDir Path dir) throws IOException {
    HostBundle b = HostBundleRenderer.render(HostBundles.remoteMySql());
    b.writeTo(dir);
    Set<String> written;
    try (Stream<Path> s = Files.walk(dir)) {
      written =
          s.filter(Files::isRegularFile)
              .map(p -> dir.relativize(p).toString())
              .collect(Collectors.toCollection(TreeSet::new));
    }
    Set<String> expected = new TreeSet<>();
    b.files().forEach(f -> expected.add(f.bundlePath()));
    expected.add(HostBundle.MANIFEST);
    assertEquals(expected, written);
    assertEquals(b.manifest(), Files.readString(dir.resolve(HostBundle.MANIFEST)));
    for (BundleFile f : b.files()) {
      assertEquals(f.content(), Files.readString(dir.resolve(f.bundlePath())), f.bundlePath());
    }
  }

  private static void compare(String variant, HostBundle bundle) throws IOException {
    for (BundleFile f : bundle.files()) {
      golden(variant + "/" + f.bundlePath(), f.content());
    }
    golden(variant + "/" + HostBundle.MANIFEST, bundle.manifest());
    noStaleGoldenFiles(variant, bundle);
  }

  /**
   * The variant's golden directory holds exactly the bundle's files and its manifest: a file the
   * bundle stopped rendering (a removed unit) fails the test instead of lingering as if it still
   * shipped; {@code -Dgolden.update=true} deletes it.
   */
  private static void noStaleGoldenFiles(String variant, HostBundle bundle) throws IOException {
    Path dir = Path.of("src/test/resources/golden/host").resolve(variant);
    Set<String> expected = new TreeSet<>();
    bundle.files().forEach(f -> expected.add(f.bundlePath()));
    expected.add(HostBundle.MANIFEST);
    Set<String> present;
    try (Stream<Path> s = Files.walk(dir)) {
      present =
          s.filter(Files::isRegularFile)
              .map(p -> dir.relativize(p).toString())
              .collect(Collectors.toCollection(TreeSet::new));
    }
    present.removeAll(expected);
    if (Boolean.getBoolean("golden.update")) {
      for (String stale : present) {
        Files.delete(dir.resolve(stale));
      }
      return;
    }
    assertEquals(
        Set.of(),
        present,
        "golden/host/" + variant + ": files the bundle no longer renders (-Dgolden.update=true)");
  }

  private static void golden(String name, String actual) throws IOException {
    if (Boolean.getBoolean("golden.update")) {
      Path p = Path.of("src/test/resources/golden/host").resolve(name);
      Files.createDirectories(p.getParent());
      Files.writeString(p, actual, StandardCharsets.UTF_8);
      return;
    }
    try (InputStream in = HostBundleGoldenTest.class.getResourceAsStream("/golden/host/" + name)) {
      if (in == null) {
        throw new AssertionError(
            "missing golden file golden/host/" + name + " (run with -Dgolden.update=true)");
      }
      assertEquals(
          new String(in.readAllBytes(), StandardCharsets.UTF_8), actual, "golden/host/" + name);
    }
  }
}
