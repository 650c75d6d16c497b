package dev.strongroom.provisioner.schema;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.provisioner.os.Processes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaInstallerTest {
  @Test
  void padsMac_equalsJdkHmac_andOpenssl(@TempDir Path dir) throws Exception {
    byte[] key = TenantTokens.generateKey();
    String token =
        new TenantTokens(key, java.time.Clock.systemUTC())
            .issue("t", "s", Duration.ofMinutes(1), Tokens.CNF);
    byte[] msg = token.substring(0, token.indexOf('.')).getBytes(StandardCharsets.US_ASCII);
    byte[] viaPads = TokenKeyPads.of(key).mac(msg);
    assertArrayEquals(Tokens.hmac(key, msg), viaPads);
    assertEquals(token.substring(token.indexOf('.') + 1), Tokens.b64(viaPads));
    Path f = Files.write(dir.resolve("m"), msg);
    Processes.Result o =
        Processes.run(
            List.of(
                "openssl",
                "dgst",
                "-sha256",
                "-mac",
                "HMAC",
                "-macopt",
                "hexkey:" + HexFormat.of().formatHex(key),
                "-r",
                f.toString()),
            null,
            Duration.ofSeconds(20));
    assertEquals(HexFormat.of().formatHex(viaPads), o.stdout().strip().split(" ")[0]);
  }

  @Test
  void pads_areKeyXorConstants() {
    byte[] key = new byte[32];
    key[0] = 0x01;
    TokenKeyPads p = TokenKeyPads.of(key);
    assertEquals(64, p.ipad().length);
    assertEquals(0x37, p.ipad()[0]);
    assertEquals(0x36, p.ipad()[63]);
    assertEquals(0x5d, p.opad()[0]);
    assertEquals(0x5c, p.opad()[63]);
    assertThrows(IllegalArgumentException.class, () -> TokenKeyPads.of(new byte[65]));
  }

  @Test
  void script_routinesAreDefinerOwned_noBroadPrivileges_noKey() {
    String s = SchemaInstaller.script();
    Matcher m =
        Pattern.compile(
                "CREATE OR REPLACE (DEFINER = '([a-z_]+)'@'localhost' )?(FUNCTION|PROCEDURE) ([a-z_.]+)")
            .matcher(s);
    int n = 0;
    while (m.find()) {
      n++;
      assertEquals("api_definer", m.group(2), m.group(4));
    }
    assertEquals(16, n); // + has_control, has_surrogate (tenant-token checks)
    Matcher v =
        Pattern.compile(
                "CREATE OR REPLACE (ALGORITHM = [A-Z]+ )?(DEFINER = '([a-z_]+)'@'localhost' )?(SQL SECURITY [A-Z]+ )?VIEW ([a-z_.]+)")
            .matcher(s);
    int views = 0;
    while (v.find()) {
      views++;
      assertEquals("api_definer", v.group(3), v.group(5));
    }
    assertEquals(2, views);
    String[] chunks = s.split("CREATE OR REPLACE ");
    for (int i = 1; i < chunks.length; i++) {
      if (chunks[i].startsWith("DEFINER = 'api_definer'@'localhost' EVENT ")) {
        continue; // an event has no SQL SECURITY clause; it runs as its definer (the purge of
        // expired bindings)
      }
      String header = chunks[i].substring(0, headerEnd(chunks[i]));
      assertTrue(header.contains("SQL SECURITY DEFINER"), header);
    }
    String upper = s.toUpperCase(Locale.ROOT);
    for (String forbidden :
        List.of(
            "GRANT ALL",
            "ALL PRIVILEGES ON",
            "CREATE TEMPORARY TABLES",
            " FILE ON",
            "SUPER",
            "WITH GRANT OPTION",
            "ENGINE=ARIA",
            "ENGINE=MYISAM",
            "ENCRYPTED=NO")) {
      assertFalse(upper.contains(forbidden), forbidden);
    }
    assertFalse(s.contains("X'"), "no key material in the schema script");
    assertTrue(
        SchemaInstaller.tokenKeyStatements(
                dev.strongroom.contracts.token.TenantTokenKeys.single(new byte[32]))
            .contains("X'36363636"));
  }

  /** Where a routine's header ends (its BEGIN) or a view's (the AS before its SELECT). */
  private static int headerEnd(String chunk) {
    int view = chunk.indexOf(" VIEW ");
    int begin = chunk.indexOf("BEGIN");
    return view >= 0 && (begin < 0 || view < begin) ? chunk.indexOf(" AS\n", view) : begin;
  }

  @Test
  void install_refusesAKeyOfTheWrongLength() {
    assertThrows(IllegalArgumentException.class, () -> SchemaInstaller.install(null, new byte[16]));
  }
}
