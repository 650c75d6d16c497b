package dev.strongroom.provisioner.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
