package dev.strongroom.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.tls.TlsIdentity;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rotate-kek} on a stack {@code up} started (issue 10): every data key is rewrapped under
 * the new KEK version through the crypto-service and {@code app_rewrap_data_key} (one audited
 * {@code data_keys} UPDATE each), no ciphertext changes, records written before are read back with
 * {@code get}, a new record's data key is wrapped under the new version, and a second rotation goes
 * on from there. The crypto-service's rewrap endpoint refuses an application identity and a token
 * for another tenant, and then nothing changes.
 */
@Tag("slow") // one stack up, two rotations (each restarts the crypto-service)
class RotateKekIT {
  private static final List<String> ADA =
      List.of("name=Ada Lovelace", "role=analyst", "email=ada@acme.example", "phone=+44 1");

  @TempDir Path state;

  @Test
  void noStack_exitThree_andNothingIsRotated() throws Exception {
    Cli.Result r = Cli.run(state, "rotate-kek");
    assertEquals(3, r.exit(), r.err());
    assertEquals(
        "strongroom: the stack is not up (no "
            + state.resolve("stack.json")
            + "); run ./strongroom up\n",
        r.err());
  }

  @Test
  void rotateKek_rewrapsEveryDataKey_ciphertextUntouched_oldRecordsStayReadable() throws Exception {
    Cli.Result up = Cli.run(state, "up");
    assertEquals(0, up.exit(), up.err());
    try {
      JsonNode stack = CanonicalJson.parse(Files.readAllBytes(state.resolve("stack.json")));
      String ada = put("acme", ADA);
      String bob = put("globex", List.of("name=Bob", "role=clerk"));
      Cli.Result load =
          Cli.run(state, "load", "--json", "--tenant", "rot", "--records", "60", "--tenants", "3");
      assertEquals(0, load.exit(), load.err() + load.out());

      Map<String, String> before = keys(stack);
      assertTrue(before.size() >= 5, before.toString()); // acme, globex, rot-1..3
      assertTrue(before.values().stream().allMatch(v -> v.startsWith("1 ")), before.toString());
      String ciphertext = ciphertextDigest(stack);
      long auditBefore = dataKeyUpdates(stack);

      Cli.Result rotated = Cli.run(state, "rotate-kek", "--json");
      assertEquals(0, rotated.exit(), rotated.err() + rotated.out());
      JsonNode r = rotated.json();
      assertEquals("1", r.get("from").asText());
      assertEquals("2", r.get("to").asText());
      assertEquals(before.size(), r.get("rewrapped").asInt(), r.toString());
      assertEquals(0, r.get("left").asInt());
      assertEquals(5, r.get("tenants").asInt());
      System.out.println("rotate-kek 1 -> 2: " + r);

      Map<String, String> after = keys(stack);
      assertEquals(before.keySet(), after.keySet());
      for (String dek : before.keySet()) {
        assertTrue(after.get(dek).startsWith("2 "), dek + " " + after.get(dek));
        assertNotEquals(
            before.get(dek).substring(2), after.get(dek).substring(2), "wrapped anew: " + dek);
      }
      assertEquals(ciphertext, ciphertextDigest(stack), "no ciphertext touched");
      assertEquals(
          auditBefore + before.size(),
          dataKeyUpdates(stack),
          "each rewrap is one audited data_keys UPDATE");

      Cli.Result getAda = Cli.run(state, "get", "--tenant", "acme", ada);
      assertEquals(0, getAda.exit(), getAda.err());
      assertEquals(ADA, getAda.out().lines().toList());
      Cli.Result getBob = Cli.run(state, "get", "--tenant", "globex", bob);
      assertEquals(0, getBob.exit(), getBob.err());
      assertEquals(List.of("name=Bob", "role=clerk"), getBob.out().lines().toList());

      String carol = put("acme", List.of("name=Carol"));
      assertEquals(
          "2",
          root(
              stack,
              "SELECT k.kms_key_version FROM strongroom.users u JOIN strongroom.data_keys k ON"
                  + " k.dek_id = u.dek_id WHERE u.record_id = '"
                  + carol
                  + "'"),
          "a new record's data key is wrapped under the new version");

      rewrapEndpointRefusals(stack);

      // the second rotation is killed (SIGKILL) midway and resumed: more tenants first, so that
      // there are enough data keys to kill it among them
      Cli.Result more =
          Cli.run(
              state, "load", "--json", "--tenant", "kill", "--records", "80", "--tenants", "40");
      assertEquals(0, more.exit(), more.err() + more.out());
      Map<String, String> beforeKill = keys(stack);
      int total = beforeKill.size();
      assertTrue(total >= 45, "data keys: " + total);
      long auditBeforeKill = dataKeyUpdates(stack);
      String ciphertextBeforeKill = ciphertextDigest(stack);
      long t0 = System.nanoTime();
      Process killed =
          new ProcessBuilder(Cli.command(state, "rotate-kek", "--json"))
              .directory(Cli.HOME.toFile())
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      long atKill = 0;
      List<ProcessHandle> children = List.of();
      long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
      while (System.nanoTime() < deadline && killed.isAlive()) {
        atKill = underVersion(stack, "3");
        if (atKill >= 3) {
          // its mariadb client, if one is running (not the crypto-service it restarted)
          children =
              killed
                  .toHandle()
                  .descendants()
                  .filter(h -> h.info().command().map(c -> c.endsWith("/mariadb")).orElse(false))
                  .toList();
          killed.destroyForcibly(); // SIGKILL: no shutdown hook, no clean-up
          break;
        }
        Thread.sleep(100);
      }
      assertTrue(killed.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
      assertEquals(137, killed.exitValue(), "killed by SIGKILL, not finished");
      double killedAfter = (System.nanoTime() - t0) / 1e9;
      // a database call the killed command had in flight (its mariadb client outlives it)
      // completes or not before the count is read
      for (ProcessHandle child : children) {
        child.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
      long doneBeforeResume = underVersion(stack, "3");
      assertTrue(
          doneBeforeResume >= 3 && doneBeforeResume < total,
          "killed midway: " + doneBeforeResume + " of " + total + " rewrapped");
      assertTrue(Files.exists(state.resolve("kek-rotation.json")), "the marker is left");

      Cli.Result again = Cli.run(state, "rotate-kek", "--json");
      assertEquals(0, again.exit(), again.err() + again.out());
      assertTrue(again.json().get("resumed").asBoolean(), again.out());
      assertTrue(
          again.err().contains("resuming the rotation 2 -> 3 left by an earlier run"), again.err());
      assertEquals("2", again.json().get("from").asText());
      assertEquals("3", again.json().get("to").asText());
      assertEquals(total - doneBeforeResume, again.json().get("rewrapped").asLong());
      assertEquals(0, again.json().get("left").asInt());
      assertTrue(keys(stack).values().stream().allMatch(v -> v.startsWith("3 ")));
      assertEquals(
          auditBeforeKill + total,
          dataKeyUpdates(stack),
          "every data key rewrapped exactly once across the killed run and its resumption");
      assertEquals(ciphertextBeforeKill, ciphertextDigest(stack), "no ciphertext touched");
      assertTrue(Files.notExists(state.resolve("kek-rotation.json")), "the marker is gone");
      assertEquals(
          List.of("1", "2", "3"),
          Files.readAllLines(state.resolve("keys/dev-kek.keyring")).stream()
              .filter(l -> !l.isBlank() && !l.startsWith("#"))
              .map(l -> l.substring(0, l.indexOf(':')))
              .toList(),
          "the resumed run added no version of its own");
      System.out.printf(
          "rotate-kek 2 -> 3 killed after %.1f s with %d of %d data keys rewrapped (%d at the"
              + " kill's look); resumed: %s%n",
          killedAfter, doneBeforeResume, total, atKill, again.json());
      Cli.Result getAda3 = Cli.run(state, "get", "--tenant", "acme", ada);
      assertEquals(0, getAda3.exit(), getAda3.err());
      assertEquals(ADA, getAda3.out().lines().toList());
      Cli.Result getCarol = Cli.run(state, "get", "--tenant", "acme", carol);
      assertEquals(List.of("name=Carol"), getCarol.out().lines().toList(), getCarol.err());
    } finally {
      Cli.run(state, "down");
    }
  }

  /**
   * {@code POST /v1/rewrap} is the operator's: the application identity is refused by the
   * allow-list, and the operator with a token for another tenant is refused {@code
   * SR-TOKEN-TENANT}; the stored key is unchanged either way.
   */
  private void rewrapEndpointRefusals(JsonNode stack) throws Exception {
    String row =
        root(
            stack,
            "SELECT CONCAT_WS(' ', dek_id, kms_key_name, kms_key_version, HEX(wrapped_dek)) FROM"
                + " strongroom.data_keys WHERE tenant_id = 'acme' LIMIT 1");
    String[] k = row.split(" ");
    String globexToken = Cli.run(state, "token", "globex").out().trim();
    ObjectNode body = CanonicalJson.mapper().createObjectNode();
    body.put("tenant", "acme")
        .put("tenantToken", globexToken)
        .put("dekId", k[0])
        .put("kmsKeyName", k[1])
        .put("kmsKeyVersion", k[2])
        .put("wrappedDek", Base64Url.encode(HexFormat.of().parseHex(k[3])));
    String url = stack.at("/services/crypto").asText() + "/v1/rewrap";
    Path ca = Path.of(stack.at("/db/caCert").asText());
    HttpClient app =
        new TlsIdentity(
                "demo-app",
                ca,
                state.resolve("pki/clients/demo-app.pem"),
                state.resolve("pki/clients/demo-app.key"))
            .httpClient();
    HttpResponse<String> refused = post(app, url, body.toString());
    assertEquals(403, refused.statusCode(), refused.body());
    assertEquals(
        "{\"detail\":\"demo-app may not call /v1/rewrap\",\"error\":\"FORBIDDEN\"}",
        CanonicalJson.canonicalString(
            CanonicalJson.parse(refused.body().getBytes(StandardCharsets.UTF_8))));
    HttpClient operator =
        new TlsIdentity(
                "operator",
                ca,
                Path.of(stack.at("/clients/operator/cert").asText()),
                Path.of(stack.at("/clients/operator/key").asText()))
            .httpClient();
    HttpResponse<String> otherTenant = post(operator, url, body.toString());
    assertEquals(403, otherTenant.statusCode(), otherTenant.body());
    JsonNode e = CanonicalJson.parse(otherTenant.body().getBytes(StandardCharsets.UTF_8));
    assertEquals("UNAUTHORIZED", e.get("error").asText());
    assertEquals(
        "UNAUTHORIZED: SR-TOKEN-TENANT: token is for another tenant", e.get("detail").asText());
    assertEquals(
        row,
        root(
            stack,
            "SELECT CONCAT_WS(' ', dek_id, kms_key_name, kms_key_version, HEX(wrapped_dek)) FROM"
                + " strongroom.data_keys WHERE dek_id = '"
                + k[0]
                + "'"));
  }

  private static HttpResponse<String> post(HttpClient c, String url, String body) throws Exception {
    return c.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String put(String tenant, List<String> fields) throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of("put", "--tenant", tenant));
    for (String f : fields) {
      args.add("--field");
      args.add(f);
    }
    Cli.Result r = Cli.run(state, args.toArray(String[]::new));
    assertEquals(0, r.exit(), r.err() + r.out());
    List<String> lines = r.out().lines().toList();
    return lines.get(lines.size() - 1);
  }

  /** dek_id → "version HEX(wrapped_dek)" of every data key, as the installer. */
  private static Map<String, String> keys(JsonNode stack) throws Exception {
    Map<String, String> out = new TreeMap<>();
    for (String line :
        root(
                stack,
                "SELECT dek_id, kms_key_version, HEX(wrapped_dek) FROM strongroom.data_keys ORDER"
                    + " BY dek_id")
            .lines()
            .toList()) {
      String[] c = line.split("\t");
      out.put(c[0], c[1] + " " + c[2]);
    }
    return out;
  }

  /** How many data keys are wrapped under KEK version {@code version}, as the installer. */
  private static long underVersion(JsonNode stack, String version) throws Exception {
    return Long.parseLong(
        root(
            stack,
            "SELECT COUNT(*) FROM strongroom.data_keys WHERE kms_key_version = '" + version + "'"));
  }

  private static String ciphertextDigest(JsonNode stack) throws Exception {
    return root(
        stack,
        "SELECT SHA2(GROUP_CONCAT(CONCAT_WS(':', record_id, dek_id, HEX(name_ct), HEX(name_iv),"
            + " HEX(IFNULL(role_ct, '')), HEX(IFNULL(email_ct, '')), HEX(IFNULL(phone_ct, '')))"
            + " ORDER BY record_id SEPARATOR '|'), 256) FROM strongroom.users");
  }

  private static long dataKeyUpdates(JsonNode stack) throws Exception {
    return Long.parseLong(
        root(
            stack,
            "SELECT COUNT(*) FROM strongroom_audit.audit_events WHERE table_name = 'data_keys'"
                + " AND operation = 'UPDATE'"));
  }

  /** A query as the installer (root over the local socket only, DESIGN §4). */
  private static String root(JsonNode stack, String sql) throws Exception {
    Cli.Result r =
        Cli.exec(
            List.of(
                "mariadb",
                "--socket=" + stack.at("/db/socket").asText(),
                "-u",
                "root",
                "-N",
                "-e",
                "SET SESSION group_concat_max_len = 16777216; " + sql),
            30);
    assertEquals(0, r.exit(), r.err());
    return r.out().trim();
  }
}
