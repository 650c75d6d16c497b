package dev.strongroom.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rotate-token-key} on a stack {@code up} started, as an operator runs it
 * (docs/runbook-rotation.md): the new key issues at once, and with no restart the crypto-service
 * (which re-reads the key file) and the database (which learnt the key first) accept its tokens,
 * while a token and a binding of the old key keep working; a second rotation or an early retire is
 * refused (exit 1) and says until when; {@code --retire --now} cuts the old key's tokens off
 * ({@code SR-TOKEN-SIGNATURE}) and reads keep working. The token command refuses a tenant no
 * verifier would accept (exit 2).
 */
class TokenKeyRotationIT {
  @TempDir Path state;

  @Test
  void rotateOnARunningStack_noDowntime_thenRetireNow() throws Exception {
    Cli.Result none = Cli.run(state, "rotate-token-key");
    assertEquals(3, none.exit(), "no stack: " + none.err());
    assertTrue(
        none.err().contains("strongroom: the stack is not up; run ./strongroom up"), none.err());
    Cli.Result up = Cli.run(state, "up");
    assertEquals(0, up.exit(), up.err());
    try {
      JsonNode stack = CanonicalJson.parse(Files.readAllBytes(state.resolve("stack.json")));
      for (String bad : List.of("acme\nINFO forged", "acme ", "a\u2028b", "x".repeat(256))) {
        Cli.Result refused = Cli.run(state, "token", bad);
        assertEquals(2, refused.exit(), bad);
        assertEquals("", refused.out(), "no token printed");
      }
      Cli.Result put = Cli.run(state, "put", "--tenant", "acme", "--field", "name=Ada Lovelace");
      assertEquals(0, put.exit(), put.err() + put.out());
      List<String> lines = put.out().lines().toList();
      String recordId = lines.get(lines.size() - 1);
      String oldToken = Cli.run(state, "token", "acme").out().trim();
      String oldKid = claim(oldToken, "kid");

      Cli.Result rotated = Cli.run(state, "rotate-token-key", "--json");
      assertEquals(0, rotated.exit(), rotated.err());
      JsonNode r = rotated.json();
      assertEquals("rotated", r.get("action").asText());
      String newKid = r.get("issuing").asText();
      assertTrue(!newKid.equals(oldKid), rotated.out());
      assertEquals(oldKid, r.get("verifying").get(0).get("kid").asText());

      // the new key issues at once; the services and the database take it with no restart
      String newToken = Cli.run(state, "token", "acme").out().trim();
      assertEquals(newKid, claim(newToken, "kid"));
      Cli.Result get = Cli.run(state, "get", "--tenant", "acme", recordId);
      assertEquals(0, get.exit(), get.err());
      assertEquals(List.of("name=Ada Lovelace"), get.out().lines().toList());
      // both keys verify in the database
      assertTrue(bind(stack, oldToken).out().contains("acme"));
      assertTrue(bind(stack, newToken).out().contains("acme"));

      // one rotation at a time; the old key cannot be retired while its tokens may live
      Cli.Result second = Cli.run(state, "rotate-token-key");
      assertEquals(1, second.exit(), second.out());
      assertTrue(
          second.err().contains("a rotation is in progress: key " + oldKid + " verifies until"),
          second.err());
      Cli.Result early = Cli.run(state, "rotate-token-key", "--retire");
      assertEquals(1, early.exit(), early.out());
      assertTrue(early.err().contains("(tokens it signed may still be live)"), early.err());
      assertEquals(2, Cli.run(state, "rotate-token-key", "--now").exit());

      // a compromised key: cut off now
      Cli.Result now = Cli.run(state, "rotate-token-key", "--retire", "--now", "--json");
      assertEquals(0, now.exit(), now.err());
      assertEquals(List.of(oldKid), List.of(now.json().get("retired").get(0).asText()));
      Cli.Result refused = bind(stack, oldToken);
      assertTrue(
          refused.err().contains("SR-TOKEN-SIGNATURE: token MAC does not verify"), refused.err());
      assertTrue(bind(stack, newToken).out().contains("acme"));
      Cli.Result after = Cli.run(state, "get", "--tenant", "acme", recordId);
      assertEquals(0, after.exit(), after.err());
      Cli.Result nothing = Cli.run(state, "rotate-token-key", "--retire");
      assertEquals(1, nothing.exit());
      assertTrue(nothing.err().contains("nothing to retire"), nothing.err());
    } finally {
      Cli.run(state, "down");
    }
  }

  private static String claim(String token, String name) {
    return CanonicalJson.parse(
            java.util.Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))))
        .get(name)
        .asText();
  }

  /** {@code security_set_tenant(token)} as app_user with the stock client over mutual TLS. */
  private static Cli.Result bind(JsonNode stack, String token) throws Exception {
    JsonNode db = stack.get("db");
    JsonNode app = db.get("identities").get("app_user");
    List<String> client =
        new ArrayList<>(
            List.of(
                "mariadb",
                "-h",
                "127.0.0.1",
                "-P",
                db.get("port").asText(),
                "-u",
                "app_user",
                "--ssl-ca=" + db.get("caCert").asText(),
                "--ssl-cert=" + app.get("cert").asText(),
                "--ssl-key=" + app.get("key").asText(),
                "--ssl-verify-server-cert",
                "-N",
                "-e"));
    client.add(
        "CALL strongroom.security_set_tenant('"
            + token
            + "'); CALL strongroom.security_current_tenant();");
    return Cli.exec(client, 30);
  }
}
