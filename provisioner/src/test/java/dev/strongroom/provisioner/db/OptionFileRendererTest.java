package dev.strongroom.provisioner.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Golden files pin the rendered configuration byte for byte. After an intended change, regenerate
 * with {@code -Dgolden.update=true} (writes into src/test/resources/golden) and review the diff.
 */
class OptionFileRendererTest {
  private static final Path BASE = Path.of("/srv/strongroom/db");
  private static final TlsFiles TLS =
      new TlsFiles(
          Path.of("/srv/strongroom/pki/ca/ca.pem"),
          Path.of("/srv/strongroom/pki/server/server.pem"),
          Path.of("/srv/strongroom/pki/server/server.key"),
          Path.of("/srv/strongroom/pki/ca/crl.pem"));

  private static ServerSettings settings(Dialect d) {
    return ServerSettings.builder(d, new InstanceLayout(BASE), TLS)
        .port(3407)
        .osUser("mysql")
        .build();
  }

  @Test
  void mariadb_matchesGolden() throws IOException {
    RenderedConfig c = OptionFileRenderer.render(settings(Dialect.MARIADB_10_11));
    golden("mariadb-10.11/my.cnf", c.optionFile());
    assertEquals(List.of(), c.companions());
  }

  @Test
  void mysql_matchesGolden_withKeyringComponentFiles() throws IOException {
    RenderedConfig c = OptionFileRenderer.render(settings(Dialect.MYSQL_8_4));
    golden("mysql-8.4/my.cnf", c.optionFile());
    assertEquals(4, c.companions().size());
    for (RenderedConfig.Companion f : c.companions()) {
      golden("mysql-8.4/" + f.name() + ".json", f.content());
    }
    assertEquals(
        BASE.resolve("data/mysqld.my"),
        c.companions().stream()
            .filter(f -> f.name().equals("local-manifest"))
            .findFirst()
            .get()
            .path());
  }

  @Test
  void mysql_localKeyringConfig_namesTheLayoutsKeyringFile() {
    RenderedConfig c = OptionFileRenderer.render(settings(Dialect.MYSQL_8_4));
    assertEquals(
        OptionFileRenderer.keyringComponentConfig(new InstanceLayout(BASE).componentKeyringFile()),
        c.companions().stream()
            .filter(f -> f.name().equals("local-keyring-config"))
            .findFirst()
            .get()
            .content());
    assertEquals(
        BASE.resolve("keyring/component_keyring_file"),
        new InstanceLayout(BASE).componentKeyringFile());
  }

  @Test
  void keyringComponentConfig_pathThatWouldNeedJsonEscaping_refused() {
    for (String p : List.of("/srv/a\"b", "/srv/a\\b", "/srv/a\nb", "relative/keyring")) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> OptionFileRenderer.keyringComponentConfig(Path.of(p)));
      assertTrue(e.getMessage().startsWith("keyring file must be an absolute path"), p);
    }
  }

  @Test
  void mariadbWithVault_matchesGolden_andDropsTheKeyFile() throws IOException {
    ServerSettings s =
        ServerSettings.builder(Dialect.MARIADB_10_11, new InstanceLayout(BASE), TLS)
            .port(3407)
            .osUser("mysql")
            .vault(
                new VaultKeyManagement(
                    java.net.URI.create("https://vault.internal:8200/v1/strongroom"),
                    "s.EXAMPLE",
                    Path.of("/srv/strongroom/pki/ca/vault-ca.pem"),
                    60000))
            .build();
    String cnf = OptionFileRenderer.render(s).optionFile();
    golden("mariadb-10.11/my-vault.cnf", cnf);
    assertFalse(cnf.contains("file_key_management"));
  }

  @Test
  void vault_plainHttpOffLoopback_orHttpsWithoutCa_refused() {
    IllegalArgumentException http =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new VaultKeyManagement(
                    java.net.URI.create("http://vault:8200/v1/kv"), "t", null, 0));
    assertEquals(
        "plain http to Vault is allowed on 127.0.0.1 only: http://vault:8200/v1/kv",
        http.getMessage());
    IllegalArgumentException noCa =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new VaultKeyManagement(
                    java.net.URI.create("https://vault:8200/v1/kv"), "t", null, 0));
    assertEquals("an https Vault URL needs the CA file that verifies it", noCa.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new VaultKeyManagement(
                java.net.URI.create("https://vault:8200/kv"), "t", Path.of("/ca"), 0));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            ServerSettings.builder(Dialect.MYSQL_8_4, new InstanceLayout(BASE), TLS)
                .vault(
                    new VaultKeyManagement(
                        java.net.URI.create("https://v:1/v1/kv"), "t", Path.of("/ca"), 0))
                .build());
  }

  @Test
  void bothDialects_enforceTls13Only_twoSuites_secureTransport() {
    for (Dialect d : Dialect.values()) {
      String cnf = OptionFileRenderer.render(settings(d)).optionFile();
      assertTrue(cnf.contains("\ntls_version=TLSv1.3\n"), d.id());
      assertTrue(cnf.contains("\nrequire_secure_transport=ON\n"), d.id());
      assertTrue(cnf.contains("\nbind_address=127.0.0.1\n"), d.id());
      assertTrue(cnf.contains("\nlocal_infile=OFF\n"), d.id());
      assertTrue(cnf.contains("\nskip_name_resolve=ON\n"), d.id());
      assertTrue(cnf.contains("\nssl_crl=/srv/strongroom/pki/ca/crl.pem\n"), d.id());
      assertTrue(cnf.contains("\nsecure_file_priv=/srv/strongroom/db/secure-files\n"), d.id());
      assertFalse(cnf.contains("TLSv1.2"), d.id());
    }
    String maria = OptionFileRenderer.render(settings(Dialect.MARIADB_10_11)).optionFile();
    assertTrue(
        maria.contains("\nssl_cipher=TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256\n"));
    assertFalse(maria.contains("tls_ciphersuites"));
    String mysql = OptionFileRenderer.render(settings(Dialect.MYSQL_8_4)).optionFile();
    assertTrue(
        mysql.contains("\ntls_ciphersuites=TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256\n"));
    assertTrue(mysql.contains("\nmysqlx=OFF\n"));
  }

  @Test
  void render_withoutPort_isRefused() {
    ServerSettings s =
        ServerSettings.builder(Dialect.MARIADB_10_11, new InstanceLayout(BASE), TLS)
            .port(0)
            .build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> OptionFileRenderer.render(s));
    assertEquals("choose a port before rendering (port 0 is a placeholder)", e.getMessage());
  }

  @Test
  void socketPathTooLong_isRefused() {
    Path deep = Path.of("/tmp/" + "x".repeat(100));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ServerSettings.builder(Dialect.MARIADB_10_11, new InstanceLayout(deep), TLS)
                    .build());
    assertTrue(e.getMessage().startsWith("socket path is "), e.getMessage());
  }

  @Test
  void dialectIds_matchStackDescriptor() {
    assertEquals(Dialect.MARIADB_10_11, Dialect.fromId("mariadb-10.11"));
    assertEquals(Dialect.MYSQL_8_4, Dialect.fromId("mysql-8.4"));
    assertThrows(IllegalArgumentException.class, () -> Dialect.fromId("mysql-5.7"));
  }

  private static void golden(String name, String actual) throws IOException {
    if (Boolean.getBoolean("golden.update")) {
      Path p = Path.of("src/test/resources/golden").resolve(name);
      Files.createDirectories(p.getParent());
      Files.writeString(p, actual, StandardCharsets.UTF_8);
      return;
    }
    try (InputStream in = OptionFileRendererTest.class.getResourceAsStream("/golden/" + name)) {
      if (in == null) {
        throw new AssertionError(
            "missing golden file golden/" + name + " (run with -Dgolden.update=true)");
      }
      assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), actual, "golden/" + name);
    }
  }
}
